/**
 * The web files, all formats in one pass over the master: the master is read
 * and mixed once, and each format gets its own copy of the mix with its own
 * gain (and its own limiter when that gain needs one), written to its own
 * ffmpeg. The encoders run at the same time, one process each, so a second
 * core encodes the second format; back-pressure from the slower one bounds
 * the memory.
 *
 * Each format's gain is settled separately (settleGain with that codec's own
 * level change), so every file lands on the loudness target by itself.
 */
import { TruePeakLimiter } from "../dsp/limiter.ts";
import type { Measured } from "../dsp/normalise.ts";
import { applyGain, webMix } from "../dsp/webmix.ts";
import type { WebFormat } from "../manifest/formats.ts";
import { openWavFile } from "../media/decode.ts";
import type { AudioTags, EncoderOptions, PcmEncoder } from "../media/encoder.ts";
import { mp3LevelChangeDb, startMp3Encoder } from "../media/mp3.ts";
import { opusLevelChangeDb, startOpusEncoder } from "../media/opus.ts";
import type { PcmFormat } from "../media/wav.ts";
import { type SettledGain, settleGain, type WebSignal } from "./web-audio.ts";

export interface WebCodec {
  readonly format: WebFormat;
  /** File extension, also the report's `outputs` key. */
  readonly extension: string;
  /** For the page's `<source type>`: what a browser checks before fetching. */
  readonly mimeType: string;
  /** Human name, for the page's download links. */
  readonly name: string;
  levelChangeDb(input: PcmFormat): Promise<number>;
  /** How far under -1 dBTP the PCM's true peak is held, for the overshoot this codec adds. */
  readonly headroomDb: number;
  start(opts: EncoderOptions): PcmEncoder;
}

export const WEB_CODECS: Readonly<Record<WebFormat, WebCodec>> = {
  mp3: {
    format: "mp3",
    extension: "mp3",
    mimeType: "audio/mpeg",
    name: "MP3",
    levelChangeDb: mp3LevelChangeDb,
    // Measured: MP3 decodes up to ~0.5 dB above the PCM's true peak on speech.
    headroomDb: 1,
    start: startMp3Encoder,
  },
  opus: {
    format: "opus",
    extension: "opus",
    mimeType: 'audio/ogg; codecs="opus"',
    name: "Opus",
    levelChangeDb: opusLevelChangeDb,
    // Measured: Opus at speech bitrates overshoots by up to ~1.4 dB on band-limited noise.
    headroomDb: 2.5,
    start: startOpusEncoder,
  },
};

export interface WebPlan {
  readonly format: WebFormat;
  /** The codec's own level change, compensated in the gain. */
  readonly codecDb: number;
  readonly norm: SettledGain;
}

/** Settle the gain of every format (each with its codec's level change). */
export async function planWebFormats(
  web: WebSignal,
  measured: Measured,
  formats: readonly WebFormat[],
): Promise<WebPlan[]> {
  const input = { sampleRate: web.sampleRate, channels: web.webChannels };
  const codecDbs = await Promise.all(formats.map((f) => WEB_CODECS[f].levelChangeDb(input)));
  const plans: WebPlan[] = [];
  for (const [i, format] of formats.entries()) {
    const codecDb = codecDbs[i] as number;
    plans.push({ format, codecDb, norm: await settleGain(web, measured, codecDb, WEB_CODECS[format].headroomDb) });
  }
  return plans;
}

export interface WebTarget {
  readonly plan: WebPlan;
  /** Where to write (a temporary path). */
  readonly path: string;
  /** For messages: out/call4.mp3. */
  readonly display: string;
}

/** Encode every target from the master in one pass; on failure every encoder is stopped. */
export async function encodeWebFormats(
  web: WebSignal,
  targets: readonly WebTarget[],
  tags: AudioTags,
  onFrames?: (framesDone: number) => void,
): Promise<void> {
  const input = { sampleRate: web.sampleRate, channels: web.webChannels };
  const lanes = targets.map((t) => ({
    gain: t.plan.norm.gain,
    limiter: t.plan.norm.limiter
      ? new TruePeakLimiter({
          sampleRate: web.sampleRate,
          channels: web.webChannels,
          ceilingDbtp: t.plan.norm.limiterCeilingDbtp,
        })
      : undefined,
    encoder: WEB_CODECS[t.plan.format].start({ input, path: t.path, tags, summary: `encoding ${t.display}` }),
  }));
  try {
    const master = await openWavFile(web.masterPath, web.masterDisplay);
    for await (const { offset, planar } of master.chunks()) {
      const mix = webMix(planar);
      await Promise.all(
        lanes.map((lane, i) => {
          // The last lane may take the mix itself; the others work on copies.
          const own = i === lanes.length - 1 ? mix : mix.map((ch) => ch.slice());
          applyGain(own, lane.gain);
          return lane.encoder.write(lane.limiter ? lane.limiter.process(own) : own);
        }),
      );
      onFrames?.(offset + (planar[0]?.length ?? 0));
    }
    await Promise.all(
      lanes.map(async (lane) => {
        if (lane.limiter) await lane.encoder.write(lane.limiter.flush());
        await lane.encoder.finish();
      }),
    );
  } catch (err) {
    for (const lane of lanes) lane.encoder.abort();
    throw err;
  }
}
