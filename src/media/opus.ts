/**
 * The web Opus: Ogg Opus at a speech bitrate, always 48 kHz (the rate every
 * Opus decoder outputs), from the already normalised PCM on stdin, as the MP3
 * is made (see mp3.ts): no metadata but the tags we pass, bit-exact flags
 * (two runs give the same bytes).
 *
 * Timing: the Ogg header carries the encoder's pre-skip (312 samples at
 * 48 kHz) and the last page's granule position the exact end, so a decoder
 * drops the codec delay and trims the padding: the decoded audio starts and
 * ends where the PCM did, sample-aligned with the master after resampling.
 *
 * Besides the tags, the OpusTags header holds what Ogg Opus requires or ffmpeg
 * always adds: the vendor string "ffmpeg" and `encoder=Lavc libopus` (both
 * fixed text under the bit-exact flags, like the LAME header's "Lavf lame").
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
  voicedSpeech,
} from "./encoder.ts";
import type { PcmFormat } from "./wav.ts";

export const OPUS_SAMPLE_RATE = 48000;

/** Speech bitrates (RFC 7587 gives 8-40 kbps for speech): 32 kbps mono, 48 kbps stereo, variable. */
export const opusBitrateKbps = (channels: number): number => (channels === 1 ? 32 : 48);

function encodeArgs(input: PcmFormat, output: string, tags: AudioTags | undefined): string[] {
  return [
    ...pcmInputArgs(input),
    ...["-map_metadata", "-1", "-map_chapters", "-1", "-ar", String(OPUS_SAMPLE_RATE)],
    ...["-c:a", "libopus", "-b:a", `${opusBitrateKbps(input.channels)}k`, "-application", "audio"],
    ...["-fflags", "+bitexact", "-flags:a", "+bitexact"],
    ...tagArgs(tags),
    ...["-f", "opus", "-y", output],
  ];
}

export function startOpusEncoder(opts: EncoderOptions): PcmEncoder {
  return startPcmEncoder(encodeArgs(opts.input, opts.path, opts.tags), opts.summary, opts.onProgress);
}

const PROBE: LevelProbe = {
  what: "the Opus encoder's level",
  encodeArgs: (input, output) => encodeArgs(input, output, undefined),
  container: "ogg",
  outputRate: OPUS_SAMPLE_RATE,
  // Opus codes plain noise 2-3 dB low but speech within 0.1 dB: measure it on voiced speech.
  signal: voicedSpeech,
};

/** How much the Opus encoder changes the level of speech, in dB (see codecLevelChangeDb). */
export function opusLevelChangeDb(input: PcmFormat): Promise<number> {
  return codecLevelChangeDb("opus", PROBE, input);
}
