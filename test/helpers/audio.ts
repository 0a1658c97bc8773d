/**
 * Test audio: synthesise inputs with wavefile, read outputs with wavefile,
 * and decode or measure with ffmpeg as an independent reference.
 */
import { spawnSync } from "node:child_process";
import wavefile from "wavefile";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";

// wavefile is CommonJS: its named export only exists under some loaders, the default one under all.
const { WaveFile } = wavefile;

/** Deterministic pseudo-random generator (mulberry32) for repeatable test signals. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Speech-like test signal: band-limited noise bursts with pauses, different in
 * each channel, as int16 per channel. Never silent for long, never clipping.
 */
export function speechLike(sampleRate: number, channels: number, frames: number, seed = 1): Int16Array[] {
  const out: Int16Array[] = [];
  for (let c = 0; c < channels; c++) {
    const rand = rng(seed * 31 + c);
    const ch = new Int16Array(frames);
    let y1 = 0;
    let y2 = 0;
    for (let i = 0; i < frames; i++) {
      const t = i / sampleRate;
      const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3.1 * t + c); // syllable rate
      const x = (rand() * 2 - 1) * envelope;
      // Two one-pole smoothers: a crude low-pass, enough to look like voice energy.
      y1 += 0.3 * (x - y1);
      y2 += 0.3 * (y1 - y2);
      const voiced = 0.3 * Math.sin(2 * Math.PI * (150 + 40 * c) * t) * envelope;
      ch[i] = Math.round(Math.max(-1, Math.min(1, 0.6 * y2 + voiced)) * 12000);
    }
    out.push(ch);
  }
  return out;
}

export function wavBytes(sampleRate: number, channels: Int16Array[]): Uint8Array {
  const w = new WaveFile();
  w.fromScratch(channels.length, sampleRate, "16", channels.length === 1 ? (channels[0] as Int16Array) : channels);
  return w.toBuffer();
}

export interface ReadWav {
  readonly sampleRate: number;
  readonly channels: Int16Array[];
  readonly bitDepth: string;
}

export function readWav(bytes: Uint8Array): ReadWav {
  const w = new WaveFile(bytes);
  const fmt = w.fmt as { numChannels: number; sampleRate: number };
  const samples = w.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  const channels = fmt.numChannels === 1 ? [samples as Int16Array] : (samples as Int16Array[]);
  return { sampleRate: fmt.sampleRate, channels, bitDepth: w.bitDepth };
}

const ffmpeg = (): string => resolveFfmpeg().path;

/** Decode any file to float32 planar channels at its own rate, with ffmpeg. */
export function decodeWithFfmpeg(path: string, channels: number): Float32Array[] {
  const r = spawnSync(ffmpeg(), ["-v", "error", "-i", path, "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"], {
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`ffmpeg decode failed: ${r.stderr.toString()}`);
  const buf = r.stdout as Buffer;
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const frames = all.length / channels;
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const ch = new Float32Array(frames);
    for (let i = 0; i < frames; i++) ch[i] = all[i * channels + c] as number;
    out.push(ch);
  }
  return out;
}

/** Stream information as ffmpeg prints it (sample rate, channels, codec, tags). */
export function probeWithFfmpeg(path: string): string {
  const r = spawnSync(ffmpeg(), ["-hide_banner", "-i", path, "-f", "null", "-"], { encoding: "utf8" });
  return r.stderr;
}

/** EBU R128 integrated loudness and true peak, measured by ffmpeg's ebur128 filter. */
export function ebur128(path: string): { integratedLufs: number; truePeakDbtp: number } {
  const r = spawnSync(
    ffmpeg(),
    ["-hide_banner", "-nostats", "-i", path, "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
    { encoding: "utf8" },
  );
  const summary = r.stderr.slice(r.stderr.lastIndexOf("Summary:"));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const tp = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  if (!i?.[1] || !tp?.[1]) throw new Error(`no ebur128 summary:\n${r.stderr.slice(-2000)}`);
  return { integratedLufs: Number(i[1]), truePeakDbtp: Number(tp[1]) };
}
