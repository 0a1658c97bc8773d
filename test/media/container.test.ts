/**
 * The container parsers on real files: what each states is checked against the length of a reference
 * decode of the same file (current ffmpeg; sox for raw AMR; the bundled ffmpeg's libopencore for AMR in
 * 3GP and AMR-WB, which current Debian ffmpeg cannot decode), exactly where the format states the exact
 * length, else within one codec frame. Plus what cannot be made with these tools (VBRI, odd headers),
 * and files that are cut or garbage: never a throw.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferSource, type ContainerInfo, probeContainer } from "../../src/media/container/index.ts";
import { vorbisModeBlockFlags } from "../../src/media/container/ogg.ts";
import { readContainer } from "../../src/media/source.ts";
import { rng } from "../helpers/audio.ts";
import {
  bundledFfmpeg,
  missingTools,
  notRunMessage,
  run,
  soxDecode,
  speechSources,
  systemFfmpeg,
  TOOLS_REQUIRED,
} from "../helpers/encodes.ts";

const missing = missingTools();
const NOT_RUN = notRunMessage("container parser tests on real encodes", missing);
if (missing.length > 0 && !TOOLS_REQUIRED) console.warn(`\n*** ${NOT_RUN}\n`);

// Declared only when it fails: a full run with the tools skips nothing.
if (missing.length > 0 && TOOLS_REQUIRED)
  describe("container parsers (REQUIRE_BROWSER=1)", () => {
    it("have ffmpeg 5+, sox and espeak-ng to make their files", () => {
      throw new Error(NOT_RUN);
    });
  });

interface Case {
  readonly file: string;
  /**
   * How to make it: current ffmpeg's options for an output from one of the speech WAVs (m44 mono
   * 44.1 kHz, st44 stereo, m16, m8), all outputs of a WAV made by one process; or a function.
   */
  readonly make:
    | { readonly from: string; readonly args: readonly string[] }
    | ((out: string, src: (name: string) => string) => void);
  /** The reference decode's interleaved samples; default: current ffmpeg's (all files in one process). */
  readonly reference?: (path: string) => Int16Array;
  readonly expect: Partial<ContainerInfo> & { readonly container: string };
  /** "exact": statedFrames is the reference's length; "frame": within codecFrame; "none": not stated. */
  readonly stated: "exact" | "frame" | "none";
}

const sys = (from: string, ...args: string[]): Case["make"] => ({ from, args });

const CASES: readonly Case[] = [
  {
    file: "s16.wav",
    make: sys("m44"),
    expect: { container: "wav", codec: "pcm_s16le", sampleRate: 44100, channels: 1 },
    stated: "exact",
  },
  { file: "st.wav", make: sys("st44"), expect: { container: "wav", channels: 2 }, stated: "exact" },
  {
    file: "s24.wav",
    make: sys("m44", "-c:a", "pcm_s24le"),
    expect: { container: "wav", codec: "pcm_s24le" },
    stated: "exact",
  },
  {
    file: "f32.wav",
    make: sys("m44", "-c:a", "pcm_f32le"),
    expect: { container: "wav", codec: "pcm_f32le" },
    stated: "exact",
  },
  {
    file: "u8.wav",
    make: sys("m44", "-c:a", "pcm_u8"),
    expect: { container: "wav", codec: "pcm_u8" },
    stated: "exact",
  },
  {
    file: "mulaw.wav",
    make: sys("m8", "-c:a", "pcm_mulaw"),
    expect: { container: "wav", codec: "pcm_mulaw", sampleRate: 8000 },
    stated: "exact",
  },
  {
    file: "alaw.wav",
    make: sys("m8", "-c:a", "pcm_alaw"),
    expect: { container: "wav", codec: "pcm_alaw" },
    stated: "exact",
  },
  {
    file: "ima.wav",
    make: sys("m44", "-c:a", "adpcm_ima_wav"),
    expect: { container: "wav", codec: "adpcm_ima_wav" },
    stated: "frame",
  },
  {
    file: "ms.wav",
    make: sys("m44", "-c:a", "adpcm_ms"),
    expect: { container: "wav", codec: "adpcm_ms" },
    stated: "frame",
  },
  {
    file: "rf64.wav",
    make: sys("m44", "-rf64", "always"),
    expect: { container: "rf64", codec: "pcm_s16le" },
    stated: "exact",
  },
  { file: "aiff.aiff", make: sys("m44"), expect: { container: "aiff", sampleRate: 44100 }, stated: "exact" },
  {
    file: "alaw.aifc",
    make: sys("m8", "-c:a", "pcm_alaw", "-f", "aiff"),
    expect: { container: "aifc", codec: "alaw" },
    stated: "exact",
  },
  {
    file: "flac.flac",
    make: sys("m44", "-c:a", "flac"),
    expect: { container: "flac", codec: "flac" },
    stated: "exact",
  },
  {
    file: "tagged.flac",
    make: sys("m44", "-c:a", "flac", "-metadata", "title=Tagged", "-f", "flac", "-id3v2_version", "3"),
    expect: { container: "flac" },
    stated: "exact",
  },
  { file: "flac.oga", make: sys("m44", "-c:a", "flac"), expect: { container: "ogg", codec: "flac" }, stated: "exact" },
  {
    file: "lame.mp3",
    make: sys("m44", "-c:a", "libmp3lame", "-b:a", "64k"),
    expect: { container: "mp3", codec: "mp3", codecFrame: 1152 },
    stated: "exact",
  },
  {
    file: "lame22.mp3",
    make: sys("m16", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "32k"),
    expect: { container: "mp3", sampleRate: 22050, codecFrame: 576 },
    stated: "exact",
  },
  {
    file: "noxing.mp3",
    make: sys("m44", "-c:a", "libmp3lame", "-write_xing", "0"),
    expect: { container: "mp3" },
    stated: "none",
  },
  {
    file: "vorbis.ogg",
    make: sys("m44", "-c:a", "libvorbis"),
    expect: { container: "ogg", codec: "vorbis", sampleRate: 44100 },
    stated: "exact",
  },
  {
    file: "vorbis16.ogg",
    make: sys("m16", "-c:a", "libvorbis"),
    expect: { container: "ogg", codec: "vorbis", sampleRate: 16000 },
    stated: "exact",
  },
  {
    file: "vorbis-stereo.ogg",
    make: sys("st44", "-c:a", "libvorbis"),
    expect: { container: "ogg", channels: 2 },
    stated: "exact",
  },
  // Cut without re-encoding: the stream no longer starts at granule 0 (below or above it).
  {
    file: "vorbis-cut.ogg",
    make: (out, src) => systemFfmpeg(["-ss", "1", "-i", src("vorbis.ogg"), "-c", "copy", out]),
    expect: { container: "ogg", codec: "vorbis" },
    stated: "exact",
  },
  {
    file: "vorbis-late.ogg",
    make: (out, src) => systemFfmpeg(["-ss", "1", "-i", src("vorbis.ogg"), "-c", "copy", "-copyts", out]),
    expect: { container: "ogg", codec: "vorbis" },
    stated: "exact",
  },
  {
    file: "opus.opus",
    make: sys("m44", "-c:a", "libopus", "-b:a", "32k"),
    expect: { container: "ogg", codec: "opus", sampleRate: 48000 },
    stated: "exact",
  },
  {
    file: "speex.spx",
    make: sys("m16", "-c:a", "libspeex"),
    expect: { container: "ogg", codec: "speex", sampleRate: 16000 },
    stated: "frame",
  },
  {
    file: "aac.m4a",
    make: sys("m44", "-c:a", "aac", "-b:a", "64k"),
    expect: { container: "mp4", codec: "aac", sampleRate: 44100 },
    stated: "frame",
  },
  {
    file: "wmav2-stereo.wma",
    make: sys("st44", "-c:a", "wmav2", "-b:a", "64k"),
    expect: { container: "asf", codec: "wmav2", channels: 2 },
    stated: "frame",
  },
  {
    file: "wmav1.wma",
    make: sys("m16", "-c:a", "wmav1"),
    expect: { container: "asf", codec: "wmav1", sampleRate: 16000 },
    stated: "frame",
  },
  { file: "opus.webm", make: sys("m44", "-c:a", "libopus"), expect: { container: "unknown" }, stated: "none" },
  {
    file: "dtx.amr",
    make: (out, src) => run("sox", [src("m8"), "-t", "amr-nb", out]),
    reference: (p) => soxDecode(p),
    expect: { container: "amr", codec: "amr_nb", sampleRate: 8000, codecFrame: 160 },
    stated: "exact",
  },
  {
    file: "dtx.3gp",
    make: (out, src) =>
      bundledFfmpeg(["-i", src("m8"), "-c:a", "libopencore_amrnb", "-dtx", "1", "-b:a", "12.2k", out]),
    reference: (p) => s16Bundled(p, "libopencore_amrnb"),
    expect: { container: "mp4", codec: "amr_nb", channels: 1 },
    stated: "frame",
  },
  {
    file: "wb.awb",
    make: (out, src) =>
      bundledFfmpeg(["-i", src("m16"), "-c:a", "libvo_amrwbenc", "-dtx", "1", "-b:a", "23.85k", "-f", "amr", out]),
    reference: (p) => s16Bundled(p, "libopencore_amrwb"),
    expect: { container: "amr", codec: "amr_wb", sampleRate: 16000 },
    stated: "exact",
  },
  {
    file: "wb.3gp",
    make: (out, src) => bundledFfmpeg(["-i", src("m16"), "-c:a", "libvo_amrwbenc", "-b:a", "12.65k", out]),
    reference: (p) => s16Bundled(p, "libopencore_amrwb"),
    expect: { container: "mp4", codec: "amr_wb" },
    stated: "frame",
  },
];

function s16Bundled(path: string, decoder: string): Int16Array {
  const b = bundledFfmpeg(["-c:a", decoder, "-i", path, "-f", "s16le", "pipe:1"]);
  return new Int16Array(Buffer.from(b).buffer, 0, b.length >> 1);
}

describe.skipIf(missing.length > 0)("container parsers against reference decodes", () => {
  let dir = "";
  /** Interleaved samples of each file's reference decode. */
  const referenceSamples = new Map<string, number>();
  const at = (name: string): string => join(dir, name);
  const src = (name: string): string => at(name.includes(".") ? name : `${name}.wav`);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "containers-"));
    speechSources(dir);
    for (const from of ["m44", "st44", "m16", "m8"]) {
      const outputs = CASES.flatMap((c) =>
        typeof c.make === "function" || c.make.from !== from ? [] : [...c.make.args, at(c.file)],
      );
      if (outputs.length > 0) systemFfmpeg(["-i", src(from), ...outputs]);
    }
    for (const c of CASES) if (typeof c.make === "function") c.make(at(c.file), src);
    const byFfmpeg = CASES.filter((c) => !c.reference && c.expect.container !== "unknown");
    systemFfmpeg([
      ...byFfmpeg.flatMap((c) => ["-i", at(c.file)]),
      ...byFfmpeg.flatMap((c, i) => ["-map", `${i}:a:0`, "-c:a", "pcm_s16le", "-f", "s16le", at(`${c.file}.raw`)]),
    ]);
    for (const c of byFfmpeg) referenceSamples.set(c.file, statSync(at(`${c.file}.raw`)).size / 2);
    for (const c of CASES) if (c.reference) referenceSamples.set(c.file, c.reference(at(c.file)).length);
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES.map((c) => [c.file, c] as const))("%s", (_, c) => {
    const path = at(c.file);
    const info = readContainer(path, c.file);
    expect(info).toMatchObject(c.expect);
    if (info.container === "unknown") return;
    const channels = /stereo|^st\./.test(c.file) ? 2 : 1;
    const decoded = (referenceSamples.get(c.file) ?? Number.NaN) / channels;
    if (c.stated === "none") {
      expect(info.statedFrames, info.statedWhat).toBeUndefined();
      return;
    }
    expect(info.statedFrames, info.statedWhat).toBeDefined();
    if (c.stated === "exact") expect(info.statedFrames).toBe(decoded);
    else expect(Math.abs((info.statedFrames ?? 0) - decoded)).toBeLessThanOrEqual(info.codecFrame);
  });

  it("reads only what it needs of a long file: an Ogg file's head and tail, an MP4's boxes", () => {
    systemFfmpeg(["-stream_loop", "5", "-i", at("m44.wav"), "-c:a", "libvorbis", at("long.ogg")]);
    systemFfmpeg(["-stream_loop", "5", "-i", at("m44.wav"), "-c:a", "aac", at("long.m4a")]);
    for (const file of ["long.ogg", "long.m4a"]) {
      const whole = bufferSource(readFileSync(at(file)));
      let read = 0;
      const info = probeContainer({
        size: whole.size,
        readAt: (o, l) => {
          const b = whole.readAt(o, l);
          read += b.length;
          return b;
        },
      });
      expect(info, file).toHaveProperty("statedFrames");
      expect(read, file).toBeLessThan(100_000);
      expect(whole.size, file).toBeGreaterThan(150_000);
    }
  });

  it("finds the Vorbis modes of a real setup header (long and short blocks)", () => {
    const bytes = readFileSync(at("vorbis.ogg"));
    // The setup header is the third packet: after "\x05vorbis" to the end of its pages.
    const start = bytes.indexOf("\x05vorbis", 0, "latin1");
    const flags = vorbisModeBlockFlags(bytes.subarray(start, bytes.indexOf("OggS", start, "latin1")));
    expect(flags).toEqual([false, true]);
  });

  it("never throws on a file cut anywhere or on noise: every prefix of every file, and random bytes", () => {
    const random = rng(12);
    for (const c of CASES) {
      const bytes = readFileSync(at(c.file));
      for (const cut of [0, 1, 4, 11, 12, 30, 44, 60, 100, 300, 1000, 5000, bytes.length >> 1]) {
        expect(() => probeContainer(bufferSource(bytes.subarray(0, cut))), `${c.file} cut at ${cut}`).not.toThrow();
      }
      const noisy = Buffer.from(bytes);
      for (let i = 0; i < 200; i++)
        noisy[Math.floor(random() * Math.min(noisy.length, 4096))] = Math.floor(random() * 256);
      expect(() => probeContainer(bufferSource(noisy)), `${c.file} with noise`).not.toThrow();
    }
  });
});

describe("headers these tools cannot write", () => {
  /** A Layer III MPEG-1 frame header at 44.1 kHz, 128 kbit/s, stereo: 417 bytes. */
  const frame = (): Buffer => {
    const f = Buffer.alloc(417);
    f.set([0xff, 0xfb, 0x90, 0x00]);
    return f;
  };

  it("MP3: a VBRI header gives its frame count, a Xing header without LAME's its frames, unpadded", () => {
    const vbri = frame();
    vbri.write("VBRI", 36, "latin1");
    vbri.writeUInt32BE(1000, 36 + 14);
    const file = Buffer.concat([vbri, frame(), frame()]);
    expect(probeContainer(bufferSource(file))).toMatchObject({
      container: "mp3",
      statedFrames: 1152 * 1000,
      statedWhat: "the VBRI header",
    });
    const xing = frame();
    xing.write("Xing", 36, "latin1");
    xing.writeUInt32BE(1, 40);
    xing.writeUInt32BE(77, 44);
    xing.write("GOGO", 48, "latin1"); // not an encoder whose delay ffmpeg trusts
    expect(probeContainer(bufferSource(Buffer.concat([xing, frame()])))).toMatchObject({ statedFrames: 77 * 1152 });
  });

  it("MP3: skips ID3v2 tags (and their padding) before the first frame", () => {
    const tag = Buffer.alloc(10 + 300);
    tag.write("ID3", 0, "latin1");
    tag.set([3, 0, 0, 0, 0, 2, 44], 3); // size 300 (syncsafe: 2 * 128 + 44)
    const info = probeContainer(bufferSource(Buffer.concat([tag, Buffer.alloc(20), frame(), frame()])));
    expect(info).toMatchObject({ container: "mp3", sampleRate: 44100, channels: 2 });
  });

  it("WAV: a data size of 0 or 0xFFFFFFFF states nothing; a fact chunk counts for ADPCM only", () => {
    const wav = (dataSize: number, tag = 1): Buffer => {
      const b = Buffer.alloc(44 + 8);
      b.write("RIFF", 0, "latin1");
      b.write("WAVE", 8, "latin1");
      b.write("fmt ", 12, "latin1");
      b.writeUInt32LE(16, 16);
      b.writeUInt16LE(tag, 20);
      b.writeUInt16LE(1, 22);
      b.writeUInt32LE(8000, 24);
      b.writeUInt16LE(2, 32);
      b.writeUInt16LE(16, 34);
      b.write("data", 36, "latin1");
      b.writeUInt32LE(dataSize, 40);
      return b;
    };
    expect(probeContainer(bufferSource(wav(0)))).not.toHaveProperty("statedFrames");
    expect(probeContainer(bufferSource(wav(0xffffffff)))).not.toHaveProperty("statedFrames");
    expect(probeContainer(bufferSource(wav(16000)))).toMatchObject({ statedFrames: 8000, codecFrame: 1 });
    // Stated as the header says even when the file is shorter: the decode is then what disagrees.
    expect(probeContainer(bufferSource(wav(1_000_000)))).toMatchObject({ statedFrames: 500_000 });
    expect(probeContainer(bufferSource(wav(100, 0x55)))).toMatchObject({ codec: "wav format 0x0055" });
    expect(probeContainer(bufferSource(wav(100, 0x55)))).not.toHaveProperty("statedFrames");
  });

  it("unknown bytes are an unknown container", () => {
    expect(probeContainer(bufferSource(Buffer.from("just some text, not audio at all")))).toEqual({
      container: "unknown",
    });
    expect(probeContainer(bufferSource(Buffer.alloc(0)))).toEqual({ container: "unknown" });
  });
});

describe("readContainer", () => {
  it("names the file when it cannot be read (a folder)", () => {
    const d = mkdtempSync(join(tmpdir(), "container-read-"));
    try {
      expect(() => readContainer(d, "recordings/odd")).toThrowError(/recordings\/odd/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
