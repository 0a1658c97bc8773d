/**
 * The web MP3: takes the already normalised PCM on stdin and lets ffmpeg
 * resample (where MP3 needs it) and encode. No metadata from anywhere but the
 * title we pass; bit-exact flags so that two runs give the same bytes; the
 * LAME/Xing header is kept because it carries the encoder delay that players
 * use for gapless, sample-aligned playback.
 */
import { once } from "node:events";
import { startFfmpeg } from "./ffmpeg.ts";
import { planarToF32 } from "./pcm.ts";

const planarToF32Array = (planar: readonly Float32Array[]): Float32Array => {
  const b = planarToF32(planar);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

import type { PcmFormat } from "./wav.ts";

/** MPEG-1 Layer III rates play everywhere; other rates are resampled to the nearest family. */
export function mp3SampleRate(sourceRate: number): number {
  if (sourceRate === 32000 || sourceRate === 44100 || sourceRate === 48000) return sourceRate;
  if (44100 % sourceRate === 0 || sourceRate % 44100 === 0) return 44100;
  return 48000;
}

/** A speech bitrate: 64 kbps mono, 96 kbps stereo (constant bitrate). */
export const mp3BitrateKbps = (channels: number): number => (channels === 1 ? 64 : 96);

export interface Mp3Options {
  /** Format of the PCM that will be written (the web mix: 1 or 2 channels). */
  readonly input: PcmFormat;
  readonly path: string;
  readonly title: string;
  /** For error messages: "encoding out/call4.mp3". */
  readonly summary: string;
  readonly onProgress?: (outTimeUs: number) => void;
}

export interface Mp3Encoder {
  write(planar: readonly Float32Array[]): Promise<void>;
  /** Close the input and wait for ffmpeg to finish the file. */
  finish(): Promise<void>;
  abort(): void;
  readonly command: readonly string[];
}

/** ffmpeg arguments that encode f32le PCM on stdin as the web MP3 (everything after the common arguments). */
function encodeArgs(input: PcmFormat, output: string, title: string | undefined): string[] {
  return [
    ...["-f", "f32le", "-ar", String(input.sampleRate), "-ac", String(input.channels), "-i", "pipe:0"],
    ...["-map_metadata", "-1", "-map_chapters", "-1", "-ar", String(mp3SampleRate(input.sampleRate))],
    ...["-c:a", "libmp3lame", "-b:a", `${mp3BitrateKbps(input.channels)}k`],
    ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "4"],
    ...(title === undefined ? [] : ["-metadata", `title=${title}`]),
    ...["-f", "mp3", "-y", output],
  ];
}

export function startMp3Encoder(opts: Mp3Options): Mp3Encoder {
  const job = startFfmpeg({
    summary: opts.summary,
    stdin: "pipe",
    ...(opts.onProgress ? { onProgress: (p: { outTimeUs: number }) => opts.onProgress?.(p.outTimeUs) } : {}),
    args: encodeArgs(opts.input, opts.path, opts.title),
  });
  const stdin = job.stdin;
  if (!stdin) throw new Error("encoder has no stdin");
  return {
    command: job.command,
    async write(planar) {
      if (!stdin.write(planarToF32(planar))) {
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

const levelChanges = new Map<string, Promise<number>>();

/**
 * How much the MP3 encoder changes the level of speech, in dB. LAME does not
 * keep levels exactly (about -0.4 dB here, at every bitrate and rate tried), so
 * the loudness gain is corrected by this. Measured once per format and process
 * by encoding and decoding three seconds of deterministic speech-band noise.
 */
export function mp3LevelChangeDb(input: PcmFormat): Promise<number> {
  const key = `${input.sampleRate}/${input.channels}`;
  let found = levelChanges.get(key);
  if (!found) {
    found = measureLevelChange(input);
    levelChanges.set(key, found);
  }
  return found;
}

async function measureLevelChange(input: PcmFormat): Promise<number> {
  const seconds = 3;
  const frames = input.sampleRate * seconds;
  // Independent noise in each channel: two voices on two channels, as stereo call recordings usually are.
  const planar = Array.from({ length: input.channels }, (_, c) => speechBandNoise(frames, input.sampleRate, c));
  const encoder = startFfmpeg({
    summary: "measuring the MP3 encoder's level",
    stdin: "pipe",
    stdout: "pipe",
    args: encodeArgs(input, "pipe:1", undefined),
  });
  const decoder = startFfmpeg({
    summary: "measuring the MP3 encoder's level",
    stdin: "pipe",
    stdout: "pipe",
    args: ["-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"],
  });
  if (!encoder.stdin || !encoder.stdout || !decoder.stdin || !decoder.stdout) throw new Error("no pipes");
  encoder.stdout.pipe(decoder.stdin);
  encoder.stdin.end(planarToF32(planar));
  const out: Buffer[] = [];
  for await (const b of decoder.stdout) out.push(b as Buffer);
  await Promise.all([encoder.done, decoder.done]);
  const bytes = Buffer.concat(out);
  const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  // Compare the steady middle second of each, away from the codec's start and end, over all channels.
  const outRate = mp3SampleRate(input.sampleRate);
  const rms = (x: Float32Array, rate: number, channels: number): number => {
    let sum = 0;
    const from = rate * channels;
    const to = 2 * rate * channels;
    for (let i = from; i < to; i++) sum += (x[i] ?? 0) ** 2;
    return Math.sqrt(sum / (to - from));
  };
  return (
    20 *
    Math.log10(rms(decoded, outRate, input.channels) / rms(planarToF32Array(planar), input.sampleRate, input.channels))
  );
}

/** Deterministic noise band-limited to roughly 300-3400 Hz, at about -20 dBFS RMS; one stream per `stream`. */
function speechBandNoise(frames: number, sampleRate: number, stream: number): Float32Array {
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
