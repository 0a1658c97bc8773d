/**
 * Signal generators and an ffmpeg reference for the DSP tests (not a test file itself).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wavefile from "wavefile";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { rng } from "../helpers/audio.ts";

const { WaveFile } = wavefile;

export const FFMPEG = resolveFfmpeg().path;

export { rng };

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** A sine, peak amplitude from dBFS, phase in radians at frame 0. */
export function sine(sampleRate: number, freq: number, peakDbfs: number, frames: number, phase = 0): Float32Array {
  const a = dbToGain(peakDbfs);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = a * Math.sin((2 * Math.PI * freq * i) / sampleRate + phase);
  return x;
}

/** Uniform white noise with the given peak level. */
export function noise(frames: number, peakDbfs: number, seed: number): Float32Array {
  const r = rng(seed);
  const a = dbToGain(peakDbfs);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = a * (r() * 2 - 1);
  return x;
}

/**
 * Noise through two one-pole low-passes (most energy under about fs/10, like speech), scaled so that its
 * sample peak is peakDbfs.
 */
export function lowpassNoise(frames: number, peakDbfs: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(frames);
  let a = 0;
  let b = 0;
  let max = 0;
  for (let i = 0; i < frames; i++) {
    a = 0.6 * a + 0.4 * (r() * 2 - 1);
    b = 0.6 * b + 0.4 * a;
    x[i] = b;
    max = Math.max(max, Math.abs(b));
  }
  const g = max > 0 ? dbToGain(peakDbfs) / max : 0;
  for (let i = 0; i < frames; i++) x[i] = x[i]! * g;
  return x;
}

export function silence(frames: number): Float32Array {
  return new Float32Array(frames);
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts planar audio into consecutive chunks of the given sizes (the last chunk takes the rest). */
export function chunked(planar: readonly Float32Array[], sizes: readonly number[]): Float32Array[][] {
  const n = planar[0]?.length ?? 0;
  const chunks: Float32Array[][] = [];
  let at = 0;
  for (const size of sizes) {
    const end = Math.min(n, at + size);
    chunks.push(planar.map((ch) => ch.subarray(at, end)));
    at = end;
  }
  chunks.push(planar.map((ch) => ch.subarray(at)));
  return chunks;
}

/** Joins per-call outputs (each planar) into one planar signal. */
export function joinOutputs(outputs: readonly Float32Array[][], channels: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => concat(...outputs.map((o) => o[c]!)));
}

/**
 * A 32-bit float WAV file of planar audio. wavefile writes the same bytes (checked in a test) but packs
 * samples one at a time, about 1 s per 500k samples, too slow for the test budget; this is the direct copy.
 */
export function floatWav(planar: readonly Float32Array[], sampleRate: number): Uint8Array {
  const channels = planar.length;
  const frames = planar[0]?.length ?? 0;
  const dataBytes = frames * channels * 4;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, "RIFF");
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true); // WAVE_FORMAT_IEEE_FLOAT
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 4, true);
  v.setUint16(32, channels * 4, true);
  v.setUint16(34, 32, true);
  ascii(36, "data");
  v.setUint32(40, dataBytes, true);
  const data = new Float32Array(buf, 44);
  for (let c = 0; c < channels; c++) {
    const ch = planar[c]!;
    for (let i = 0; i < frames; i++) data[i * channels + c] = ch[i]!;
  }
  return new Uint8Array(buf);
}

/** Reads a float WAV back with wavefile (the independent parser), planar. */
export function readWavWithWavefile(bytes: Uint8Array): { sampleRate: number; planar: Float64Array[] } {
  const wav = new WaveFile(bytes);
  const fmt = wav.fmt as { sampleRate: number; numChannels: number };
  const samples = wav.getSamples(false, Float64Array) as unknown as Float64Array[] | Float64Array;
  const planar = fmt.numChannels === 1 ? [samples as Float64Array] : (samples as Float64Array[]);
  return { sampleRate: fmt.sampleRate, planar };
}

export interface FfmpegLoudness {
  integratedLufs: number;
  truePeakDbtp: number;
}

/**
 * Measures planar float audio with ffmpeg's `ebur128=peak=true` (an independent BS.1770 implementation; it
 * resamples to 48 kHz and upsamples to 192 kHz for the true peak). Values are printed to 0.1.
 */
export function ffmpegEbur128(planar: readonly Float32Array[], sampleRate: number): FfmpegLoudness {
  const dir = mkdtempSync(join(tmpdir(), "dsp-test-"));
  try {
    const file = join(dir, "in.wav");
    writeFileSync(file, floatWav(planar, sampleRate));
    const args = ["-hide_banner", "-nostats", "-i", file, "-filter_complex", "ebur128=peak=true", "-f", "null", "-"];
    const run = spawnSync(FFMPEG, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`ffmpeg failed (${run.status}): ${run.stderr.slice(-2000)}`);
    const summary = run.stderr.slice(run.stderr.lastIndexOf("Summary:"));
    const i = /I:\s+(-?[\d.]+|-inf)\s+LUFS/.exec(summary);
    const p = /Peak:\s+(-?[\d.]+|-inf)\s+dBFS/.exec(summary);
    if (!i || !p) throw new Error(`could not parse the ebur128 summary:\n${summary}`);
    const num = (s: string): number => (s === "-inf" ? -Infinity : Number(s));
    return { integratedLufs: num(i[1]!), truePeakDbtp: num(p[1]!) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
