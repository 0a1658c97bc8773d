/**
 * What every web encoder shares: an ffmpeg job that takes float PCM on stdin
 * and writes one file, and the measurement of how much the codec changes the
 * level of speech (so that the loudness gain can be aimed past it). The codec
 * modules (mp3.ts, opus.ts) only build their argument arrays.
 */
import { once } from "node:events";
import { startFfmpeg } from "./ffmpeg.ts";
import { f32Bytes, planarToF32 } from "./pcm.ts";
import type { PcmFormat } from "./wav.ts";

/** Tags written on purpose into a web file; nothing else is. */
export interface AudioTags {
  readonly title: string;
  readonly artist?: string;
  readonly album?: string;
}

/** `-metadata` arguments for the tags that are set, in a fixed order. */
export function tagArgs(tags: AudioTags | undefined): string[] {
  if (!tags) return [];
  const out = ["-metadata", `title=${tags.title}`];
  if (tags.artist !== undefined) out.push("-metadata", `artist=${tags.artist}`);
  if (tags.album !== undefined) out.push("-metadata", `album=${tags.album}`);
  return out;
}

/** The input half of every encode: interleaved f32le PCM on stdin. */
export const pcmInputArgs = (input: PcmFormat): string[] => [
  ...["-f", "f32le", "-ar", String(input.sampleRate), "-ac", String(input.channels), "-i", "pipe:0"],
];

export interface EncoderOptions {
  /** Format of the PCM that will be written (the web mix: 1 or 2 channels). */
  readonly input: PcmFormat;
  readonly path: string;
  readonly tags: AudioTags;
  /** For error messages: "encoding out/call4.mp3". */
  readonly summary: string;
  readonly onProgress?: (outTimeUs: number) => void;
}

export interface PcmEncoder {
  /**
   * Pipe a chunk to the encoder. It takes the arrays as they are (mono without a copy): the caller must
   * not change them afterwards.
   */
  write(planar: readonly Float32Array[]): Promise<void>;
  /** Close the input and wait for ffmpeg to finish the file. */
  finish(): Promise<void>;
  abort(): void;
  readonly command: readonly string[];
}

/** Run ffmpeg with `args` (which read PCM from pipe:0) and feed it chunk by chunk, waiting on back-pressure. */
export function startPcmEncoder(
  args: readonly string[],
  summary: string,
  onProgress?: (outTimeUs: number) => void,
): PcmEncoder {
  const job = startFfmpeg({
    summary,
    stdin: "pipe",
    ...(onProgress ? { onProgress: (p: { outTimeUs: number }) => onProgress(p.outTimeUs) } : {}),
    args,
  });
  const stdin = job.stdin;
  if (!stdin) throw new Error("encoder has no stdin");
  return {
    command: job.command,
    async write(planar) {
      if (!stdin.write(f32Bytes(planar))) {
        await Promise.race([once(stdin, "drain"), job.done]);
      }
    },
    async finish() {
      stdin.end();
      await job.done;
    },
    abort() {
      job.kill();
    },
  };
}

export interface LevelProbe {
  /** What is measured, for error messages: "the MP3 encoder's level". */
  readonly what: string;
  /** Encoder arguments (input included) that write the encoded stream to `output`. */
  readonly encodeArgs: (input: PcmFormat, output: string) => string[];
  /** The container ffmpeg reads the encoded stream back as (`-f`). */
  readonly container: string;
  /** Sample rate of the decoded stream. */
  readonly outputRate: number;
  /** The test signal, one channel at a time (default: speechBandNoise). */
  readonly signal?: (frames: number, sampleRate: number, stream: number) => Float32Array;
}

const levelChanges = new Map<string, Promise<number>>();

/**
 * How much an encoder changes the level of speech, in dB, measured once per
 * codec, format and process by encoding and decoding three seconds of
 * deterministic speech-band noise and comparing the RMS of the steady middle
 * second (away from the codec's start and end, so its delay does not matter).
 */
export function codecLevelChangeDb(key: string, probe: LevelProbe, input: PcmFormat): Promise<number> {
  const k = `${key}/${input.sampleRate}/${input.channels}`;
  let found = levelChanges.get(k);
  if (!found) {
    found = measureLevelChange(probe, input);
    levelChanges.set(k, found);
  }
  return found;
}

async function measureLevelChange(probe: LevelProbe, input: PcmFormat): Promise<number> {
  const seconds = 3;
  const frames = input.sampleRate * seconds;
  // Independent noise in each channel: two voices on two channels, as stereo call recordings usually are.
  const signal = probe.signal ?? speechBandNoise;
  const planar = Array.from({ length: input.channels }, (_, c) => signal(frames, input.sampleRate, c));
  const summary = `measuring ${probe.what}`;
  const encoder = startFfmpeg({ summary, stdin: "pipe", stdout: "pipe", args: probe.encodeArgs(input, "pipe:1") });
  const decoder = startFfmpeg({
    summary,
    stdin: "pipe",
    stdout: "pipe",
    args: ["-f", probe.container, "-i", "pipe:0", "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"],
  });
  if (!encoder.stdin || !encoder.stdout || !decoder.stdin || !decoder.stdout) throw new Error("no pipes");
  encoder.stdout.pipe(decoder.stdin);
  encoder.stdin.end(planarToF32(planar));
  const out: Buffer[] = [];
  for await (const b of decoder.stdout) out.push(b as Buffer);
  await Promise.all([encoder.done, decoder.done]);
  const bytes = Buffer.concat(out);
  const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  const original = planarToF32(planar);
  const source = new Float32Array(original.buffer, original.byteOffset, original.byteLength / 4);
  const rms = (x: Float32Array, rate: number): number => {
    let sum = 0;
    const from = rate * input.channels;
    const to = 2 * rate * input.channels;
    for (let i = from; i < to; i++) sum += (x[i] ?? 0) ** 2;
    return Math.sqrt(sum / (to - from));
  };
  return 20 * Math.log10(rms(decoded, probe.outputRate) / rms(source, input.sampleRate));
}

/** Deterministic noise band-limited to roughly 300-3400 Hz, at about -20 dBFS RMS; one stream per `stream`. */
export function speechBandNoise(frames: number, sampleRate: number, stream: number): Float32Array {
  let seed = (0x2545f491 + stream * 0x9e3779b9) | 0 || 1;
  const out = new Float32Array(frames);
  const hp = Math.exp((-2 * Math.PI * 300) / sampleRate);
  const lp = Math.exp((-2 * Math.PI * Math.min(3400, sampleRate * 0.4)) / sampleRate);
  let low = 0;
  let prev = 0;
  let high = 0;
  for (let i = 0; i < frames; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const white = (seed >>> 0) / 4294967296 - 0.5;
    low = lp * low + (1 - lp) * white;
    high = hp * (high + low - prev);
    prev = low;
    out[i] = high * 0.5;
  }
  return out;
}

/**
 * Deterministic voiced speech, at about 0.3 peak: a pulse train at a gliding
 * pitch (120 Hz, or 180 Hz for odd streams) through three formant resonators
 * (700, 1220, 2600 Hz), with a syllable-rate envelope and a breath of noise.
 * Codecs that model speech (Opus' SILK and hybrid modes) keep the level of
 * this as they keep real speech's, where they lose about 2-3 dB of plain
 * noise: measured here on call4 (real speech) and this signal, Opus at 32 kbps
 * changes the level by -0.1 dB; on speechBandNoise by -2.3 to -2.9 dB.
 */
export function voicedSpeech(frames: number, sampleRate: number, stream: number): Float32Array {
  const out = new Float32Array(frames);
  const formants = [
    [700, 130],
    [1220, 70],
    [2600, 160],
  ].map(([f = 0, bandwidth = 0]) => {
    const r = Math.exp((-Math.PI * bandwidth) / sampleRate);
    return {
      a1: 2 * r * Math.cos((2 * Math.PI * Math.min(f, sampleRate * 0.45)) / sampleRate),
      a2: -r * r,
      y1: 0,
      y2: 0,
    };
  });
  let phase = 0;
  let seed = (0x1234567 + stream * 0x9e3779b9) | 0 || 1;
  let peak = 0;
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const f0 = (stream % 2 === 1 ? 180 : 120) * (1 + 0.08 * Math.sin(2 * Math.PI * 0.7 * t));
    phase += f0 / sampleRate;
    let x = 0;
    if (phase >= 1) {
      phase -= 1;
      x = 1;
    }
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    x += 0.02 * ((seed >>> 0) / 4294967296 - 0.5);
    let y = 0;
    for (const f of formants) {
      const v = x + f.a1 * f.y1 + f.a2 * f.y2;
      f.y2 = f.y1;
      f.y1 = v;
      y += v;
    }
    const v = y * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t + stream));
    out[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  const scale = peak > 0 ? 0.3 / peak : 0;
  for (let i = 0; i < frames; i++) out[i] = (out[i] as number) * scale;
  return out;
}
