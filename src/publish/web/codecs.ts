/**
 * The web formats as the pipeline knows them: for each, its file extension, what a browser is told, how
 * its encoder is started, how much that codec changes the level of speech (aimed past by the gain), how far
 * under -1 dBTP its PCM is held for the overshoot the codec adds, and the rate and bitrate it is published
 * at. One object per format; everything else asks here.
 */
import type { WebFormat } from "../../manifest/formats.ts";
import type { EncoderOptions, PcmEncoder } from "../../media/encoder.ts";
import { mp3BitrateKbps, mp3LevelChangeDb, mp3SampleRate, startMp3Encoder } from "../../media/mp3.ts";
import { OPUS_SAMPLE_RATE, opusBitrateKbps, opusLevelChangeDb, startOpusEncoder } from "../../media/opus.ts";
import type { PcmFormat } from "../../media/wav.ts";

export interface WebCodec {
  readonly format: WebFormat;
  /** File extension, also the report's `outputs` key. */
  readonly extension: string;
  /** For the page's `<source type>`: what a browser checks before fetching. */
  readonly mimeType: string;
  /** Human name, for the page's download links. */
  readonly name: string;
  levelChangeDb(input: PcmFormat): Promise<number>;
  /** How far under -1 dBTP the PCM's true peak is held, for the overshoot this codec adds, by web channels. */
  readonly headroomDb: { readonly mono: number; readonly stereo: number };
  start(opts: EncoderOptions): PcmEncoder;
  /** The rate and bitrate a file of this format is published at, for a master of this rate and web channels. */
  details(masterRate: number, webChannels: 1 | 2): { readonly sampleRate: number; readonly bitrateKbps: number };
}

export const WEB_CODECS: Readonly<Record<WebFormat, WebCodec>> = {
  mp3: {
    format: "mp3",
    extension: "mp3",
    mimeType: "audio/mpeg",
    name: "MP3",
    levelChangeDb: mp3LevelChangeDb,
    // Measured: mono MP3 decodes up to ~0.5 dB above the PCM's true peak on speech; joint stereo at
    // 44.1 kHz up to 1.1 dB on loud synthetic speech (the bench's mp3-44k rows), which with 1 dB came out
    // over -1 dBTP and was made again (redact-call.ts peakRetry): 2 dB makes it once.
    headroomDb: { mono: 1, stereo: 2 },
    start: startMp3Encoder,
    details: (rate, channels) => ({ sampleRate: mp3SampleRate(rate), bitrateKbps: mp3BitrateKbps(channels) }),
  },
  opus: {
    format: "opus",
    extension: "opus",
    mimeType: 'audio/ogg; codecs="opus"',
    name: "Opus",
    levelChangeDb: opusLevelChangeDb,
    // Measured: Opus at speech bitrates overshoots by up to ~1.4 dB on band-limited noise.
    headroomDb: { mono: 2.5, stereo: 2.5 },
    start: startOpusEncoder,
    details: (_rate, channels) => ({ sampleRate: OPUS_SAMPLE_RATE, bitrateKbps: opusBitrateKbps(channels) }),
  },
};

/**
 * How much each format's encoder changes the level of speech, by format. Measured once per process and
 * format by encoding a few seconds of a test signal: start it early, it needs no audio of the call.
 */
export function codecLevels(formats: readonly WebFormat[], input: PcmFormat): Promise<Map<WebFormat, number>> {
  const levels = Promise.all(formats.map(async (f) => [f, await WEB_CODECS[f].levelChangeDb(input)] as const)).then(
    (pairs) => new Map(pairs),
  );
  levels.catch(() => {}); // awaited later; an earlier failure must not leave it unhandled
  return levels;
}
