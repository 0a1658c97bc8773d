/**
 * Time is the time the author heard: through the CLI, the master of a call with no ranges is the
 * decoded source, so it must be, sample for sample, what current ffmpeg (5.0 or later, what Audacity,
 * VLC and browsers use) decodes from the recording: the same length, the same first sample. Real encodes
 * of real speech in the formats calls come in, each against a reference decode: current ffmpeg; sox
 * (libopencore) for AMR, where ffmpeg's own decoder drops DTX frames. And a decode that cannot be
 * trusted (a WAV cut short, a damaged MP3, WMA with ffmpeg 4) is refused, naming the file and what
 * disagreed, unless --accept-decode-errors.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundledFfmpeg,
  maxDifference,
  missingTools,
  notRunMessage,
  referenceDecode,
  run,
  SYSTEM_FFMPEG,
  s16,
  soxDecode,
  speechSources,
  systemFfmpeg,
  TOOLS_REQUIRED,
  wavSamples,
} from "../helpers/encodes.ts";
import { type CliResult, type TempProject, tempProject } from "../helpers/project.ts";

const missing = missingTools();
const NOT_RUN = notRunMessage("decoding tests on real encodes", missing);
if (missing.length > 0 && !TOOLS_REQUIRED) console.warn(`\n*** ${NOT_RUN}\n`);

// Declared only when it fails: a full run with the tools skips nothing.
if (missing.length > 0 && TOOLS_REQUIRED)
  describe("decoding tests (REQUIRE_BROWSER=1)", () => {
    it("have ffmpeg 5+, sox and espeak-ng to make their recordings", () => {
      throw new Error(NOT_RUN);
    });
  });

type Sources = ReturnType<typeof speechSources>;

interface Format {
  /** The call's name and the recording's file name in recordings/. */
  readonly call: string;
  readonly file: string;
  /** Current ffmpeg's options for an output from one of the speech WAVs (one process per WAV), or a function. */
  readonly make:
    | { readonly from: keyof Sources; readonly args: readonly string[] }
    | ((out: string, src: Sources, dir: string) => void);
  /** The reference decode, interleaved; default: current ffmpeg's. */
  readonly reference?: (path: string, dir: string) => Int16Array;
  /** Largest sample difference allowed from the reference (0: bit-exact decoders). */
  readonly tolerance?: number;
}

const ffmpeg5 = (from: keyof Sources, ...args: string[]): Format["make"] => ({ from, args });

/** A raw AMR-NB file with DTX, as sox writes it (phone recorders write the same). */
const soxAmr = (out: string, src: Sources): void => {
  run("sox", [src.m8, "-t", "amr-nb", out]);
};

const FORMATS: readonly Format[] = [
  { call: "vorbis-mono", file: "vorbis-mono.ogg", make: ffmpeg5("m44", "-c:a", "libvorbis") },
  { call: "vorbis-stereo", file: "vorbis-stereo.ogg", make: ffmpeg5("st44", "-c:a", "libvorbis") },
  {
    // Cut without re-encoding: its granules no longer start at 0.
    call: "vorbis-cut",
    file: "vorbis-cut.ogg",
    make: (out, src, dir) => {
      systemFfmpeg(["-i", src.m16, "-c:a", "libvorbis", join(dir, "whole.ogg")]);
      systemFfmpeg(["-ss", "1", "-i", join(dir, "whole.ogg"), "-c", "copy", out]);
    },
  },
  { call: "amr-dtx", file: "amr-dtx.amr", make: soxAmr, reference: (p) => soxDecode(p) },
  {
    call: "amr-3gp",
    file: "amr-3gp.3gp",
    make: (out, src) => {
      bundledFfmpeg(["-i", src.m8, "-c:a", "libopencore_amrnb", "-dtx", "1", "-b:a", "12.2k", out]);
    },
    // sox decodes the AMR frames, taken out of the 3GP as they are; the master must be their decode
    // less the start the 3GP's edit list skips (under one frame): checked below.
    reference: (p, dir) => {
      const raw = join(dir, "amr-3gp.amr");
      systemFfmpeg(["-i", p, "-c", "copy", "-f", "amr", raw]);
      return soxDecode(raw);
    },
  },
  { call: "aac", file: "aac.m4a", make: ffmpeg5("m44", "-c:a", "aac", "-b:a", "64k") },
  // Opus decoders of the two ffmpeg versions round a sample or two differently.
  { call: "opus", file: "opus.opus", make: ffmpeg5("m44", "-c:a", "libopus", "-b:a", "32k"), tolerance: 2 },
  { call: "webm", file: "webm.webm", make: ffmpeg5("st44", "-c:a", "libopus", "-b:a", "48k"), tolerance: 2 },
  { call: "flac", file: "flac.flac", make: ffmpeg5("st44", "-c:a", "flac") },
  { call: "mp3", file: "mp3.mp3", make: ffmpeg5("m44", "-c:a", "libmp3lame", "-b:a", "64k") },
  { call: "s24", file: "s24.wav", make: ffmpeg5("st44", "-c:a", "pcm_s24le") },
  { call: "f32", file: "f32.wav", make: ffmpeg5("m16", "-c:a", "pcm_f32le") },
  { call: "u8", file: "u8.wav", make: ffmpeg5("m8", "-c:a", "pcm_u8") },
  { call: "mulaw", file: "mulaw.wav", make: ffmpeg5("m8", "-c:a", "pcm_mulaw") },
  { call: "ima", file: "ima.wav", make: ffmpeg5("m16", "-c:a", "adpcm_ima_wav") },
  { call: "msadpcm", file: "msadpcm.wav", make: ffmpeg5("m44", "-c:a", "adpcm_ms") },
  { call: "aiff", file: "aiff.aiff", make: ffmpeg5("m44") },
];

const NO_RANGES = "redactions: []\n";

/** Bytes of `file` with stretches overwritten by noise (frames that fail to decode). */
function damage(file: string, at: readonly number[]): Buffer {
  const b = Buffer.from(readFileSync(file));
  let seed = 7;
  for (const fraction of at) {
    const start = Math.floor(b.length * fraction);
    for (let i = start; i < Math.min(b.length, start + 400); i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      b[i] = seed >>> 24;
    }
  }
  return b;
}

describe.skipIf(missing.length > 0)("the decoded source is current ffmpeg's decode", () => {
  let dir = "";
  let project: TempProject;
  let published: CliResult;
  const recording = (file: string): string => join(project.root, "recordings", file);
  const master = (call: string): ReturnType<typeof wavSamples> => wavSamples(join(project.root, "out", `${call}.wav`));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "decoding-"));
    project = tempProject();
    const src = speechSources(dir);
    for (const from of ["m44", "st44", "m16", "m8"] as const) {
      const outputs = FORMATS.flatMap((f) =>
        typeof f.make === "function" || f.make.from !== from ? [] : [...f.make.args, recording(f.file)],
      );
      systemFfmpeg(["-i", src[from], ...outputs]);
    }
    for (const f of FORMATS) {
      if (typeof f.make === "function") f.make(recording(f.file), src, dir);
      project.write(`redactions/${f.call}.yaml`, NO_RANGES);
    }
    // The failures: WMA (ffmpeg 4 decodes it 4,096 samples late), a WAV cut short, a damaged MP3.
    systemFfmpeg(["-i", src.st44, "-c:a", "wmav2", "-b:a", "64k", recording("wma.wma")]);
    const wav = readFileSync(src.m44);
    writeFileSync(recording("cut.wav"), wav.subarray(0, wav.indexOf("data") + 8 + 2 * 30_000));
    writeFileSync(recording("damaged.mp3"), damage(recording("mp3.mp3"), [0.3, 0.6]));
    for (const call of ["wma", "cut", "damaged"]) project.write(`redactions/${call}.yaml`, NO_RANGES);
    published = project.redact(FORMATS.map((f) => f.call));
    // The reference decodes, all by one process of current ffmpeg.
    const byFfmpeg = FORMATS.filter((f) => !f.reference);
    systemFfmpeg([
      ...byFfmpeg.flatMap((f) => ["-i", recording(f.file)]),
      ...byFfmpeg.flatMap((f, i) => [
        "-map",
        `${i}:a:0`,
        "-c:a",
        "pcm_s16le",
        "-f",
        "s16le",
        join(dir, `${f.call}.raw`),
      ]),
    ]);
  }, 120_000);
  afterAll(() => {
    project?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("publishes every format", () => {
    expect(published.status, published.stderr).toBe(0);
  });

  it.each(FORMATS.map((f) => [f.file, f] as const))(
    "%s: the master is the reference decode, sample for sample",
    (_, f) => {
      const got = master(f.call);
      const reference = f.reference
        ? f.reference(recording(f.file), dir)
        : s16(readFileSync(join(dir, `${f.call}.raw`)));
      let want = reference;
      if (f.call === "amr-3gp") {
        const skipped = reference.length - got.samples.length;
        expect(skipped).toBeGreaterThanOrEqual(0);
        expect(skipped).toBeLessThan(160);
        want = reference.subarray(skipped);
      }
      expect(got.samples.length / got.channels, "length in samples").toBe(want.length / got.channels);
      expect(maxDifference(got.samples, want), "largest difference from the reference").toBeLessThanOrEqual(
        f.tolerance ?? 0,
      );
    },
  );

  it("AMR with DTX is decoded in full: ffmpeg's own decoder's shorter length does not happen", () => {
    const full = soxDecode(recording("amr-dtx.amr")).length;
    const native = referenceDecode(recording("amr-dtx.amr")).length;
    expect(native).toBeLessThan(full); // ffmpeg's own amrnb decoder drops the DTX frames
    expect(master("amr-dtx").samples.length).toBe(full);
  });

  it("verify decodes the recording as redact did (AMR through libopencore)", () => {
    const r = project.cli("verify", ["amr-dtx", "--quiet"]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("refuses WMA with the bundled ffmpeg 4, saying how to point FFMPEG_PATH at ffmpeg 5", () => {
    const r = project.redact(["wma"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("recordings/wma.wma");
    expect(r.stderr).toMatch(/wmav2/);
    expect(r.stderr).toMatch(/FFMPEG_PATH=\/usr\/bin\/ffmpeg/);
    expect(r.stderr).toMatch(/apt-get install ffmpeg/);
    expect(existsSync(join(project.root, "out", "wma.wav"))).toBe(false);
  });

  it("decodes WMA as current ffmpeg does with FFMPEG_PATH pointing at it", () => {
    const r = project.redact(["wma"], { FFMPEG_PATH: SYSTEM_FFMPEG });
    expect(r.status, r.stderr).toBe(0);
    const got = master("wma");
    const want = referenceDecode(recording("wma.wma"));
    expect(got.samples.length).toBe(want.length);
    expect(maxDifference(got.samples, want)).toBe(0);
  });

  it("refuses a WAV whose header states more than the file holds, naming both figures", () => {
    for (const args of [["cut"], ["--check", "cut"]]) {
      const r = project.redact(args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toContain("recordings/cut.wav: the decoder gave 30000 samples; the WAV data chunk states");
      expect(r.stderr).toContain("--accept-decode-errors");
    }
    expect(existsSync(join(project.root, "out", "cut.wav"))).toBe(false);
  });

  it("publishes it as it decodes with --accept-decode-errors", () => {
    const r = project.redact(["--accept-decode-errors", "cut"]);
    expect(r.status, r.stderr).toBe(0);
    expect(master("cut").samples.length).toBe(30_000);
    // A setting that changes what is written: a call published without it is not skipped as unchanged.
    const again = project.redact(["--accept-decode-errors", "u8"]);
    expect(again.stdout).not.toContain("skipped");
  });

  it("refuses an MP3 whose frames fail to decode, naming the first error", () => {
    const r = project.redact(["damaged"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/recordings\/damaged\.mp3: the decoder reported \d+ error lines \(the first: "[^"]+"\)/);
  });
});

describe.skipIf(missing.length > 0)("--preview", () => {
  let dir = "";
  let project: TempProject;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "decoding-preview-"));
    project = tempProject();
    const src = speechSources(dir, 3);
    const mp3 = join(dir, "long.mp3");
    systemFfmpeg(["-i", src.m44, "-c:a", "libmp3lame", "-b:a", "64k", mp3]);
    // Damaged near the start only: the preview's window ends long before the file does.
    project.write("recordings/early.mp3", damage(mp3, [0.05]));
    project.write("redactions/early.yaml", "redactions:\n  - { start: 1.5, end: 1.8, category: sensitive }\n");
  }, 60_000);
  afterAll(() => {
    project?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a recording whose decode printed errors before the window's end", () => {
    const r = project.redact(["--preview", "early", "1"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/recordings\/early\.mp3: the decoder reported/);
    expect(existsSync(join(project.root, "out", "preview", "early-1.wav"))).toBe(false);
    const accepted = project.redact(["--preview", "early", "1", "--accept-decode-errors"]);
    expect(accepted.status, accepted.stderr).toBe(0);
  });
});
