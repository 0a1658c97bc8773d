/**
 * The web MP3: takes the already normalised PCM on stdin and lets ffmpeg
 * resample (where MP3 needs it) and encode. No metadata from anywhere but the
 * tags we pass; bit-exact flags so that two runs give the same bytes; the
 * LAME/Xing header is kept because it carries the encoder delay that players
 * use for gapless, sample-aligned playback.
 */
import {
  type AudioTags,
  codecLevelChangeDb,
  type EncoderOptions,
  type LevelProbe,
  type PcmEncoder,
  pcmInputArgs,
  startPcmEncoder,
  tagArgs,
} from "./encoder.ts";
import type { PcmFormat } from "./wav.ts";

/** MPEG-1 Layer III rates play everywhere; other rates are resampled to the nearest family. */
export function mp3SampleRate(sourceRate: number): number {
  if (sourceRate === 32000 || sourceRate === 44100 || sourceRate === 48000) return sourceRate;
  if (44100 % sourceRate === 0 || sourceRate % 44100 === 0) return 44100;
  return 48000;
}

/** A speech bitrate: 64 kbps mono, 96 kbps stereo (constant bitrate). */
export const mp3BitrateKbps = (channels: number): number => (channels === 1 ? 64 : 96);

export type Mp3Options = EncoderOptions;
export type Mp3Encoder = PcmEncoder;

/** ffmpeg arguments that encode f32le PCM on stdin as the web MP3 (everything after the common arguments). */
function encodeArgs(input: PcmFormat, output: string, tags: AudioTags | undefined): string[] {
  return [
    ...pcmInputArgs(input),
    ...["-map_metadata", "-1", "-map_chapters", "-1", "-ar", String(mp3SampleRate(input.sampleRate))],
    ...["-c:a", "libmp3lame", "-b:a", `${mp3BitrateKbps(input.channels)}k`],
    ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "4"],
    ...tagArgs(tags),
    ...["-f", "mp3", "-y", output],
  ];
}

export function startMp3Encoder(opts: Mp3Options): Mp3Encoder {
  return startPcmEncoder(encodeArgs(opts.input, opts.path, opts.tags), opts.summary, opts.onProgress);
}

const PROBE: LevelProbe = {
  what: "the MP3 encoder's level",
  encodeArgs: (input, output) => encodeArgs(input, output, undefined),
  container: "mp3",
  outputRate: 0, // set per input below
};

/**
 * How much the MP3 encoder changes the level of speech, in dB. LAME does not
 * keep levels exactly (about -0.4 dB here, at every bitrate and rate tried), so
 * the loudness gain is corrected by this. Measured once per format and process.
 */
export function mp3LevelChangeDb(input: PcmFormat): Promise<number> {
  return codecLevelChangeDb("mp3", { ...PROBE, outputRate: mp3SampleRate(input.sampleRate) }, input);
}
