/**
 * Decoding recordings and reading the master back: the count-only decode agrees with the full decode,
 * and a stretch read at its offset is the same samples as those frames of a whole read.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RedactError } from "../../src/errors.ts";
import { countRecording, openDecoder, openWavFile, openWavFileRange } from "../../src/media/decode.ts";
import { planSource } from "../../src/media/source.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";

const dir = mkdtempSync(join(tmpdir(), "decode-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 8000;
const FRAMES = 3 * RATE + 123;
const stereo = join(dir, "stereo.wav");
writeFileSync(stereo, wavBytes(RATE, speechLike(RATE, 2, FRAMES, 7)));

async function readAll(stream: AsyncIterable<{ offset: number; planar: Float32Array[] }>) {
  const channels: number[][] = [[], []];
  const offsets: number[] = [];
  for await (const { offset, planar } of stream) {
    offsets.push(offset);
    planar.forEach((ch, c) => {
      for (const v of ch) channels[c]?.push(v);
    });
  }
  return { channels, offsets };
}

describe("countRecording", () => {
  it("gives the format at once and exactly the frames a full decode yields", async () => {
    const plan = planSource(stereo, "stereo.wav", { acceptDecodeErrors: false });
    const counted = await countRecording(plan);
    expect(counted.format).toEqual({ sampleRate: RATE, channels: 2 });
    const decoder = await openDecoder(plan);
    const full = await readAll(decoder.chunks());
    expect(await counted.frames).toBe(FRAMES);
    expect(full.channels[0]?.length).toBe(FRAMES);
  });

  it("fails with E_DECODE, naming the file, when the file is not audio", async () => {
    const text = join(dir, "notes.mp3");
    writeFileSync(text, "this is not audio\n".repeat(100));
    const plan = planSource(text, "recordings/notes.mp3", { acceptDecodeErrors: false });
    const failure = await countRecording(plan).then(
      (c) => c.frames,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(RedactError);
    expect((failure as RedactError).code).toBe("E_DECODE");
    expect((failure as RedactError).message).toContain("recordings/notes.mp3");
  });
});

describe("openWavFileRange", () => {
  it("reads frames [from, to) at their offset: the same samples as a whole read, offsets from `from`", async () => {
    const whole = await readAll((await openWavFile(stereo, "m")).chunks());
    const cases: Array<[number, number]> = [
      [0, 10],
      [1, 20_001],
      [FRAMES - 5, FRAMES],
      [FRAMES - 5, FRAMES + 1000], // clipped to the data
      [77, 77], // empty
      [FRAMES + 10, FRAMES + 20], // past the end: empty
    ];
    for (const [from, to] of cases) {
      const got = await readAll(openWavFileRange(stereo, "m", from, to).chunks());
      const end = Math.min(to, FRAMES);
      for (let c = 0; c < 2; c++) {
        expect(got.channels[c], `[${from}, ${to}) channel ${c}`).toEqual(
          whole.channels[c]?.slice(Math.min(from, end), end),
        );
      }
      if (got.offsets.length > 0) expect(got.offsets[0]).toBe(0);
    }
  });

  it("refuses a file that is not 16-bit PCM WAV with E_IO", () => {
    const bad = join(dir, "bad.wav");
    writeFileSync(bad, Buffer.from("RIFF\0\0\0\0WAVEjunk"));
    expect(() => openWavFileRange(bad, "out/bad.wav", 0, 10)).toThrowError(/out\/bad\.wav/);
  });
});
