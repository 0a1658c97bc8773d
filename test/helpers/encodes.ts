/**
 * Real encodes for the decoding tests: speech from espeak-ng, encoded by the system's tools (Debian's
 * ffmpeg 5.1, sox with its AMR-NB writer) or the bundled ffmpeg 4.1, and reference decodes by current
 * ffmpeg (or sox, for AMR: ffmpeg 5.1 on Debian has no libopencore decoder). Files are made when a test
 * asks (beforeAll), never when the test file is collected.
 *
 * Without those tools the tests are skipped with a message saying so; with REQUIRE_BROWSER=1 (CI, which
 * installs them with Chromium) a missing tool is a failure instead.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";

/** Current ffmpeg (5.0 or later): Debian's. The reference decoder. */
export const SYSTEM_FFMPEG = process.env.REFERENCE_FFMPEG || "/usr/bin/ffmpeg";

const executable = (p: string): boolean => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .map((d) => join(d, name))
    .find(executable);

/** The tools these tests need that this machine lacks. */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (!executable(SYSTEM_FFMPEG)) missing.push(`ffmpeg 5+ at ${SYSTEM_FFMPEG}`);
  if (!onPath("sox")) missing.push("sox");
  if (!onPath("espeak-ng")) missing.push("espeak-ng");
  return missing;
}

export const TOOLS_REQUIRED = process.env.REQUIRE_BROWSER === "1";

export const notRunMessage = (what: string, missing: readonly string[]): string =>
  `${what} NOT RUN: missing ${missing.join(", ")}. Install them with \`sudo apt-get install ffmpeg sox libsox-fmt-all espeak-ng\`. ` +
  "CI sets REQUIRE_BROWSER=1, which makes this a failure.";

/** Run a tool; throws with its stderr if it fails. */
export function run(command: string, args: readonly string[]): Buffer {
  const r = spawnSync(command, args, { maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr?.toString().slice(-2000)}`);
  }
  return r.stdout;
}

export const systemFfmpeg = (args: readonly string[]): Buffer =>
  run(SYSTEM_FFMPEG, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", ...args]);

export const bundledFfmpeg = (args: readonly string[]): Buffer =>
  run(resolveFfmpeg({}).path, ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", ...args]);

/** About three seconds of speech as a 22,050 Hz mono WAV (espeak-ng's own rate). */
export function speech(path: string): string {
  run("espeak-ng", ["-s", "190", "-w", path, "Hello, this is a test call. My number is four two seven, on Elm Road."]);
  return path;
}

/**
 * The speech at the rates calls come in, as 16-bit WAVs in `dir`: m44 (44.1 kHz mono), st44 (44.1 kHz
 * stereo, the right channel quieter), m16 and m8 (16 and 8 kHz mono). `times` repeats the speech.
 */
export function speechSources(dir: string, times = 1): Record<"m44" | "st44" | "m16" | "m8", string> {
  const at = (name: string): string => join(dir, `${name}.wav`);
  speech(at("speech"));
  // Debian's ffmpeg takes some 100 ms to start: one process makes all four.
  systemFfmpeg([
    ...["-stream_loop", String(times - 1), "-i", at("speech")],
    ...["-ar", "44100", at("m44"), "-ar", "16000", at("m16"), "-ar", "8000", at("m8")],
    ...["-ar", "44100", "-af", "pan=stereo|c0=c0|c1=0.6*c0", at("st44")],
  ]);
  return { m44: at("m44"), st44: at("st44"), m16: at("m16"), m8: at("m8") };
}

/** Interleaved 16-bit samples of a decode by current ffmpeg, with any arguments before `-i`. */
export function referenceDecode(path: string, before: readonly string[] = []): Int16Array {
  return s16(systemFfmpeg([...before, "-i", path, "-map", "0:a:0", "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]));
}

/** The same with sox (libopencore for AMR). */
export function soxDecode(path: string, type?: string): Int16Array {
  return s16(run("sox", [...(type ? ["-t", type] : []), path, "-t", "raw", "-e", "signed", "-b", "16", "-L", "-"]));
}

export function s16(b: Buffer): Int16Array {
  const copy = Buffer.from(b);
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length >> 1);
}

/** The interleaved samples of a 16-bit PCM WAV file (the master), from its data chunk. */
export function wavSamples(path: string): { samples: Int16Array; channels: number; sampleRate: number } {
  const b = readFileSync(path);
  let off = 12;
  let channels = 0;
  let sampleRate = 0;
  while (off + 8 <= b.length) {
    const id = b.toString("latin1", off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === "fmt ") {
      channels = b.readUInt16LE(off + 10);
      sampleRate = b.readUInt32LE(off + 12);
    }
    if (id === "data") return { samples: s16(b.subarray(off + 8, off + 8 + size)), channels, sampleRate };
    off += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** The largest difference between two sample arrays of the same length (Infinity if the lengths differ). */
export function maxDifference(a: Int16Array, b: Int16Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}
