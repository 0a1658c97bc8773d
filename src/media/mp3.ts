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

export function startMp3Encoder(opts: Mp3Options): Mp3Encoder {
  const { channels, sampleRate } = opts.input;
  const job = startFfmpeg({
    summary: opts.summary,
    stdin: "pipe",
    ...(opts.onProgress ? { onProgress: (p: { outTimeUs: number }) => opts.onProgress?.(p.outTimeUs) } : {}),
    args: [
      "-f",
      "f32le",
      "-ar",
      String(sampleRate),
      "-ac",
      String(channels),
      "-i",
      "pipe:0",
      "-map_metadata",
      "-1",
      "-map_chapters",
      "-1",
      "-ar",
      String(mp3SampleRate(sampleRate)),
      "-c:a",
      "libmp3lame",
      "-b:a",
      `${mp3BitrateKbps(channels)}k`,
      "-fflags",
      "+bitexact",
      "-flags:a",
      "+bitexact",
      "-id3v2_version",
      "4",
      "-metadata",
      `title=${opts.title}`,
      "-f",
      "mp3",
      "-y",
      opts.path,
    ],
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
