/**
 * The bench matrix's rows, the pure half: the kinds of recording people bring, how each is made from
 * synthetic speech, the key its cached file is stored under, and the bare transcode it is compared with
 * (the tool's own web MP3 settings, from src/media/mp3.ts and src/dsp/webmix.ts).
 */
import { createHash } from "node:crypto";
import { webChannelCount } from "../../src/dsp/webmix.ts";
import { mp3BitrateKbps, mp3SampleRate } from "../../src/media/mp3.ts";
import { SYNTH_VERSION } from "./synth.ts";

export const FORMAT_IDS = ["wav8k", "wav16k", "mp3-44k", "m4a-48k"] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/** The row of many calls at once: `npm run redact -- --all` against bare transcodes two at a time. */
export const BATCH_ROW = "batch";
export type RowId = FormatId | typeof BATCH_ROW;
export const ROW_IDS: readonly RowId[] = [...FORMAT_IDS, BATCH_ROW];

export interface InputFormat {
  readonly id: FormatId;
  /** For tables: "8 kHz mono WAV (phone)". */
  readonly label: string;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  readonly ext: "wav" | "mp3" | "m4a";
  /** ffmpeg output arguments that make the recording from s16le PCM (codec, bitrate, container). */
  readonly codecArgs: readonly string[];
}

export const FORMATS: Readonly<Record<FormatId, InputFormat>> = {
  wav8k: {
    id: "wav8k",
    label: "8 kHz mono WAV (phone)",
    sampleRate: 8000,
    channels: 1,
    ext: "wav",
    codecArgs: ["-c:a", "pcm_s16le", "-f", "wav"],
  },
  wav16k: {
    id: "wav16k",
    label: "16 kHz mono WAV",
    sampleRate: 16000,
    channels: 1,
    ext: "wav",
    codecArgs: ["-c:a", "pcm_s16le", "-f", "wav"],
  },
  "mp3-44k": {
    id: "mp3-44k",
    label: "44.1 kHz stereo MP3 (128 kbps)",
    sampleRate: 44100,
    channels: 2,
    ext: "mp3",
    codecArgs: ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"],
  },
  "m4a-48k": {
    id: "m4a-48k",
    label: "48 kHz mono M4A (AAC 64 kbps)",
    sampleRate: 48000,
    channels: 1,
    ext: "m4a",
    codecArgs: ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],
  },
};

export const isFormatId = (s: string): s is FormatId => (FORMAT_IDS as readonly string[]).includes(s);

/** What a cached recording is made from: change any of it and the file is made anew under a new key. */
export interface InputSpec {
  readonly format: FormatId;
  readonly minutes: number;
  readonly seed: number;
}

/** 8 hex digits of a hash of everything that decides the recording's bytes. */
export function inputKey(spec: InputSpec): string {
  const f = FORMATS[spec.format];
  const what = {
    synth: SYNTH_VERSION,
    format: f.id,
    sampleRate: f.sampleRate,
    channels: f.channels,
    codecArgs: f.codecArgs,
    minutes: spec.minutes,
    seed: spec.seed,
  };
  return createHash("sha256").update(JSON.stringify(what)).digest("hex").slice(0, 8);
}

/** The call (and the recording's base name): `wav8k-10m-1a2b3c4d`, a plain call name. */
export function inputCall(spec: InputSpec): string {
  return `${spec.format}-${String(spec.minutes).replace(".", "_")}m-${inputKey(spec)}`;
}

/** The arguments after ffmpeg's common ones that turn s16le PCM on stdin into the recording at `out`. */
export function makeInputArgs(format: InputFormat, out: string): string[] {
  return [
    ...["-f", "s16le", "-ar", String(format.sampleRate), "-ac", String(format.channels), "-i", "pipe:0"],
    ...["-map_metadata", "-1", ...format.codecArgs, "-fflags", "+bitexact", "-flags:a", "+bitexact", "-y", out],
  ];
}

/** ffmpeg's own common arguments, as src/media/ffmpeg.ts gives them to every job. */
export const FFMPEG_COMMON = ["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"] as const;

/**
 * The bare transcode: one ffmpeg pass from the recording to the web MP3 the tool would publish, with
 * its settings (rate from mp3SampleRate, 64 kbps mono or 96 kbps stereo CBR, the title tag, bit-exact,
 * metadata dropped), reading the recording as src/media/decode.ts does. The tool publishes mono as
 * mono, stereo as stereo and more channels as their mono average: so does this.
 */
export function bareTranscodeArgs(
  input: string,
  source: { readonly sampleRate: number; readonly channels: number },
  title: string,
  out: string,
): string[] {
  const web = webChannelCount(source.channels);
  const mix =
    source.channels > 2
      ? [
          "-af",
          `pan=mono|c0=${Array.from({ length: source.channels }, (_, c) => `${1 / source.channels}*c${c}`).join("+")}`,
        ]
      : [];
  return [
    ...FFMPEG_COMMON,
    ...["-i", input, "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1"],
    ...mix,
    ...["-ar", String(mp3SampleRate(source.sampleRate)), "-c:a", "libmp3lame", "-b:a", `${mp3BitrateKbps(web)}k`],
    ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "4", "-metadata", `title=${title}`],
    ...["-f", "mp3", "-y", out],
  ];
}

/** The batch's calls: `count` one-minute recordings, the formats in turn, each with a seed of its own. */
export function batchSpecs(count: number, firstSeed = 1000): InputSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    format: FORMAT_IDS[i % FORMAT_IDS.length] as FormatId,
    minutes: 1,
    seed: firstSeed + i,
  }));
}
