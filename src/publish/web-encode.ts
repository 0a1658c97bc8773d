/**
 * The web files, all formats in one pass over the master: the master is read
 * and mixed once, and each format gets its own copy of the mix with its own
 * gain (and its own limiter when that gain needs one), written to its own
 * ffmpeg. The encoders run at the same time, one process each, so a second
 * core encodes the second format; back-pressure from the slower one bounds
 * the memory.
 *
 * Each format's gain is settled separately (settleGains, with that codec's own
 * level change), so every file lands on the loudness target by itself.
 */
import { TruePeakLimiter } from "../dsp/limiter.ts";
import type { Measured } from "../dsp/normalise.ts";
import { PeakMeter, type Peaks } from "../dsp/peaks.ts";
import { gainedLanes, webMix } from "../dsp/webmix.ts";
import type { WebFormat } from "../manifest/formats.ts";
import { openWavFile } from "../media/decode.ts";
import type { AudioTags, EncoderOptions, PcmEncoder } from "../media/encoder.ts";
import { mp3LevelChangeDb, startMp3Encoder } from "../media/mp3.ts";
import { opusLevelChangeDb, startOpusEncoder } from "../media/opus.ts";
import type { PcmFormat } from "../media/wav.ts";
import { encodeMp3InParts, MIN_SPLIT_SECONDS, planMp3Split } from "./mp3-parts.ts";
import { firstGains, type SettledGain, settleGains, type WebSignal } from "./web-audio.ts";

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

/**
 * How much each format's encoder changes the level of speech (the same order as `formats`). Measured once
 * per process and format by encoding a few seconds of noise: start it early, it needs no audio of the call.
 */
export function codecLevels(formats: readonly WebFormat[], input: PcmFormat): Promise<number[]> {
  const levels = Promise.all(formats.map((f) => WEB_CODECS[f].levelChangeDb(input)));
  levels.catch(() => {}); // awaited by planWebFormats; an earlier failure must not leave it unhandled
  return levels;
}

export interface WebTarget {
  readonly format: WebFormat;
  /** Where to write (a temporary path). */
  readonly path: string;
  /** For messages: out/call4.mp3. */
  readonly display: string;
}

/**
 * Settle every format's gain and encode it (each with its codec's level change, from codecLevels);
 * returns the plans the files were encoded with.
 *
 * When a format needs the limiter, its gain is only final after a dry run over the master
 * (settleGains). On a long recording that dry run costs a tenth of the encode's time, so the encode
 * starts at once with a gain raised by the limiter's estimated loss (firstGains: a sample of the master)
 * while the dry run checks that gain beside it; the dry run keeps it when the file lands within 0.1 LU of
 * the target, as it usually does, and otherwise the encode is stopped and made again with the gain the
 * dry runs settle on. The waveform's peaks are taken from the master in the encode's pass.
 */
export async function encodeWeb(
  web: WebSignal,
  measured: Measured,
  targets: readonly WebTarget[],
  levels: Promise<readonly number[]>,
  tags: AudioTags,
  onFrames?: (framesDone: number) => void,
  /** Called once the encoders are running (what else should run beside them can start then). */
  onStarted?: () => void,
): Promise<{ plans: WebPlan[]; peaks: Peaks }> {
  const codecDbs = await levels;
  const requests = targets.map((t, i) => ({
    codecDb: codecDbs[i] as number,
    headroomDb: WEB_CODECS[t.format].headroomDb,
  }));
  const plansOf = (norms: readonly SettledGain[]): WebPlan[] =>
    targets.map((t, i) => ({ format: t.format, codecDb: codecDbs[i] as number, norm: norms[i] as SettledGain }));
  const first = await firstGains(web, measured, requests);
  if (first.kind !== "estimated") {
    const plans = plansOf(first.kind === "final" ? first.gains : await settleGains(web, measured, requests));
    const encoding = encodeWebFormats(web, targets, plans, tags, onFrames);
    onStarted?.();
    return { plans, peaks: await encoding };
  }
  const stop = new AbortController();
  const speculative = encodeWebFormats(web, targets, plansOf(first.gains), tags, onFrames, stop.signal);
  speculative.catch(() => {}); // awaited below, or stopped
  onStarted?.();
  let settled: SettledGain[];
  try {
    settled = await settleGains(
      web,
      measured,
      requests,
      first.gains.map((g) => g.gainDb),
    );
  } catch (err) {
    stop.abort();
    await speculative.catch(() => {});
    throw err;
  }
  const plans = plansOf(settled);
  if (settled.every((g, i) => g.gainDb === first.gains[i]?.gainDb)) return { plans, peaks: await speculative };
  stop.abort();
  await speculative.catch(() => {}); // stopped (or already done): its files are written again
  return { plans, peaks: await encodeWebFormats(web, targets, plans, tags, onFrames) };
}

/**
 * Encode every target from the master with these plans; on failure (or `stop`) every encoder is stopped.
 * Returns the master's waveform peaks, taken in the same pass. An MP3 published alone from a recording
 * of `minSplitSeconds` or more is encoded in two parts side by side (mp3-parts.ts); otherwise all
 * formats are encoded in one pass over the master, one encoder each.
 */
export async function encodeWebFormats(
  web: WebSignal,
  targets: readonly WebTarget[],
  plans: readonly WebPlan[],
  tags: AudioTags,
  onFrames?: (framesDone: number) => void,
  stop?: AbortSignal,
  minSplitSeconds = MIN_SPLIT_SECONDS,
): Promise<Peaks> {
  const only = targets.length === 1 ? targets[0] : undefined;
  const split = only?.format === "mp3" ? planMp3Split(web.frames, web.sampleRate, minSplitSeconds) : undefined;
  if (!only || !split) return encodeInOnePass(web, targets, plans, tags, onFrames, stop);
  const peaks = new PeakMeter(web.frames);
  const whole = async (): Promise<void> => {
    await encodeInOnePass(web, targets, plans, tags, undefined, stop);
  };
  await encodeMp3InParts(web, split, only, (plans[0] as WebPlan).norm, tags, peaks, whole, onFrames, stop);
  return peaks.result();
}

/** Every target from one pass over the master, one encoder each, side by side. */
async function encodeInOnePass(
  web: WebSignal,
  targets: readonly WebTarget[],
  plans: readonly WebPlan[],
  tags: AudioTags,
  onFrames?: (framesDone: number) => void,
  stop?: AbortSignal,
): Promise<Peaks> {
  const input = { sampleRate: web.sampleRate, channels: web.webChannels };
  const peaks = new PeakMeter(web.frames);
  const lanes = targets.map((t, i) => {
    const norm = (plans[i] as WebPlan).norm;
    return {
      gain: norm.gain,
      limiter: norm.limiter
        ? new TruePeakLimiter({
            sampleRate: web.sampleRate,
            channels: web.webChannels,
            ceilingDbtp: norm.limiterCeilingDbtp,
          })
        : undefined,
      encoder: WEB_CODECS[t.format].start({ input, path: t.path, tags, summary: `encoding ${t.display}` }),
    };
  });
  try {
    const master = await openWavFile(web.masterPath, web.masterDisplay);
    for await (const { offset, planar } of master.chunks()) {
      stop?.throwIfAborted();
      peaks.push(planar);
      const inputs = gainedLanes(
        webMix(planar),
        lanes.map((lane) => lane.gain),
      );
      await Promise.all(
        lanes.map((lane, i) => {
          const own = inputs[i] as Float32Array[];
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
  return peaks.result();
}
