/**
 * The decode check and what ffmpeg says it can do, without running a decode: the messages a person
 * sees when a recording is refused, and the figures they name.
 */
import { describe, expect, it } from "vitest";
import { RedactError } from "../../src/errors.ts";
import { parseCapabilities } from "../../src/media/ffmpeg.ts";
import { checkDecode, type SourcePlan } from "../../src/media/source.ts";

const plan = (over: Partial<SourcePlan> = {}): SourcePlan => ({
  path: "/p/recordings/call4.wav",
  display: "recordings/call4.wav",
  inputArgs: ["-i", "/p/recordings/call4.wav"],
  codecFrame: 1,
  acceptDecodeErrors: false,
  container: { container: "wav", codec: "pcm_s16le", codecFrame: 1, statedWhat: "the WAV data chunk" },
  stated: { frames: 160000, what: "the WAV data chunk", sampleRate: 16000 },
  ...over,
});

const quiet = { lines: 0, first: undefined };

const refusal = (f: () => void): RedactError => {
  try {
    f();
  } catch (err) {
    if (err instanceof RedactError) return err;
    throw err;
  }
  throw new Error("not refused");
};

describe("checkDecode", () => {
  it("passes a decode of the stated length with nothing on stderr", () => {
    expect(() => checkDecode(plan(), { frames: 160000, sampleRate: 16000 }, quiet)).not.toThrow();
  });

  it("refuses a length more than a codec frame away, naming the file and both figures", () => {
    const err = refusal(() => checkDecode(plan(), { frames: 80000, sampleRate: 16000 }, quiet));
    expect(err.code).toBe("E_DECODE");
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(
      "recordings/call4.wav: the decoder gave 80000 samples; the WAV data chunk states 160000 (more than one codec frame apart)",
    );
    expect(err.message).toContain("--accept-decode-errors");
  });

  it("allows one codec frame either way", () => {
    const mp3 = plan({ codecFrame: 1152, stated: { frames: 100000, what: "the LAME header" } });
    expect(() => checkDecode(mp3, { frames: 101152, sampleRate: 44100 }, quiet)).not.toThrow();
    expect(() => checkDecode(mp3, { frames: 98848, sampleRate: 44100 }, quiet)).not.toThrow();
    expect(() => checkDecode(mp3, { frames: 101153, sampleRate: 44100 }, quiet)).toThrow(RedactError);
  });

  it("compares in time when the decoder gives another rate than the container counts in", () => {
    const heAac = plan({
      codecFrame: 2048,
      stated: { frames: 220500, what: "the MP4 track duration", sampleRate: 22050 },
    });
    expect(() => checkDecode(heAac, { frames: 441000 + 1000, sampleRate: 44100 }, quiet)).not.toThrow();
    const err = refusal(() => checkDecode(heAac, { frames: 400000, sampleRate: 44100 }, quiet));
    expect(err.message).toContain("states 441000");
  });

  it("refuses a decode that printed errors, with their number and the first", () => {
    const stderr = { lines: 1296, first: "[amrnb @ 0x1] Corrupt bitstream" };
    const err = refusal(() => checkDecode(plan({ hint: "Unset FFMPEG_PATH." }), undefined, stderr));
    expect(err.message).toContain(
      'the decoder reported 1,296 error lines (the first: "[amrnb @ 0x1] Corrupt bitstream")',
    );
    expect(err.message).toContain("Unset FFMPEG_PATH.");
  });

  it("lets both through with --accept-decode-errors", () => {
    const stderr = { lines: 3, first: "Header missing" };
    expect(() =>
      checkDecode(plan({ acceptDecodeErrors: true }), { frames: 5, sampleRate: 16000 }, stderr),
    ).not.toThrow();
  });

  it("does not check the length of a decode stopped early, or of a container that states none", () => {
    expect(() => checkDecode(plan(), undefined, quiet)).not.toThrow();
    const { stated: _, ...unstated } = plan();
    expect(() => checkDecode(unstated, { frames: 5, sampleRate: 16000 }, quiet)).not.toThrow();
  });
});

describe("parseCapabilities", () => {
  const version = (major: number): string =>
    `ffmpeg version x Copyright (c) 2000-2018 the FFmpeg developers\nlibavutil      56. 26.100 / 56. 26.100\nlibavcodec     ${major}. 42.100 / ${major}. 42.100\n`;
  const decoders = `Decoders:
 V..... = Video
 A..... = Audio
 ------
 V....D 012v                 Uncompressed 4:2:2 10-bit
 A....D amrnb                AMR-NB (Adaptive Multi-Rate NarrowBand)
 A....D libopencore_amrnb    OpenCORE AMR-NB (Adaptive Multi-Rate Narrow-Band) (codec amr_nb)
 AF...D wmav2                Windows Media Audio 2
`;

  it("reads libavcodec's major version and the decoders' names", () => {
    const caps = parseCapabilities(version(58), decoders);
    expect(caps.libavcodecMajor).toBe(58);
    expect([...caps.decoders]).toEqual(["012v", "amrnb", "libopencore_amrnb", "wmav2"]);
    expect(parseCapabilities(version(59), "").libavcodecMajor).toBe(59);
    expect(parseCapabilities("no version here", "").libavcodecMajor).toBeUndefined();
  });
});
