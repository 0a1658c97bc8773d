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
import { LoudnessMeter } from "../dsp/loudness.ts";
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
 * When a format needs the limiter, its gain is only final once the limited signal has been measured
 * (settleGains). On a long recording a separate dry run over the master would cost a tenth of the
 * encode's CPU, so the encode starts at once with a gain raised by the limiter's estimated loss
 * (firstGains: a sample of the master) and the loudness is metered on what the encoders are fed; the
 * file is kept when that lands within 0.1 LU of the target, as it usually does, and otherwise it is
 * encoded again with the gain settleGains finds from that measurement (and its own dry runs when the
 * correction is large). The waveform's peaks are taken from the master in the encode's pass.
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
    const encoding = encodeWebFormats(web, targets, plans, tags, { onFrames });
    onStarted?.();
    return { plans, peaks: (await encoding).peaks };
  }
  // Encode at the estimate, metering what the encoders are fed; the dry runs settle the gain from that
  // measurement, and the file is kept when it lands within 0.1 LU of the target.
  const encoding = encodeWebFormats(web, targets, plansOf(first.gains), tags, { onFrames, measure: true });
  onStarted?.();
  const { peaks, loudness } = await encoding;
  const settled = await settleGains(
    web,
    measured,
    requests,
    first.gains.map((g) => g.gainDb),
    loudness,
  );
  const plans = plansOf(settled);
  if (settled.every((g, i) => g.gainDb === first.gains[i]?.gainDb)) return { plans, peaks };
  return { plans, peaks: (await encodeWebFormats(web, targets, plans, tags, { onFrames })).peaks };
}

export interface EncodeOptions {
  readonly onFrames?: (framesDone: number) => void;
  /** Meter the integrated loudness of what each encoder is fed (the web signal as published, before the codec). */
  readonly measure?: boolean;
  /** Recordings from this long on are encoded in parts when MP3 is published alone (default MIN_SPLIT_SECONDS). */
  readonly minSplitSeconds?: number;
}

export interface Encoded {
  readonly peaks: Peaks;
  /** Per target, when `measure` was asked for. */
  readonly loudness?: number[];
}

/**
 * Encode every target from the master with these plans; on failure every encoder is stopped.
 * Returns the master's waveform peaks, taken in the same pass. An MP3 published alone from a recording
 * of `minSplitSeconds` or more is encoded in two parts side by side (mp3-parts.ts); otherwise all
 * formats are encoded in one pass over the master, one encoder each.
 */
export async function encodeWebFormats(
  web: WebSignal,
  targets: readonly WebTarget[],
  plans: readonly WebPlan[],
  tags: AudioTags,
  options: EncodeOptions = {},
): Promise<Encoded> {
  const only = targets.length === 1 ? targets[0] : undefined;
  const minSeconds = options.minSplitSeconds ?? MIN_SPLIT_SECONDS;
  const split = only?.format === "mp3" ? planMp3Split(web.frames, web.sampleRate, minSeconds) : undefined;
  if (!only || !split) return encodeInOnePass(web, targets, plans, tags, options);
  const peaks = new PeakMeter(web.frames);
  const loudness = await encodeMp3InParts(web, split, only, (plans[0] as WebPlan).norm, tags, peaks, {
    encodeWhole: async () =>
      (await encodeInOnePass(web, targets, plans, tags, { measure: options.measure })).loudness?.[0],
    onFrames: options.onFrames,
    measure: options.measure,
  });
  return { peaks: peaks.result(), ...(loudness === undefined ? {} : { loudness: [loudness] }) };
}

/** Every target from one pass over the master, one encoder each, side by side. */
async function encodeInOnePass(
  web: WebSignal,
  targets: readonly WebTarget[],
  plans: readonly WebPlan[],
  tags: AudioTags,
  options: Pick<EncodeOptions, "onFrames" | "measure">,
): Promise<Encoded> {
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
      meter: options.measure ? new LoudnessMeter(web.sampleRate, web.webChannels, { truePeak: false }) : undefined,
      encoder: WEB_CODECS[t.format].start({ input, path: t.path, tags, summary: `encoding ${t.display}` }),
    };
  });
  const feed = (lane: (typeof lanes)[number], chunk: Float32Array[]): Promise<void> => {
    lane.meter?.push(chunk);
    return lane.encoder.write(chunk);
  };
  try {
    const master = await openWavFile(web.masterPath, web.masterDisplay);
    for await (const { offset, planar } of master.chunks()) {
      peaks.push(planar);
      const inputs = gainedLanes(
        webMix(planar),
        lanes.map((lane) => lane.gain),
      );
      await Promise.all(
        lanes.map((lane, i) => {
          const own = inputs[i] as Float32Array[];
          return feed(lane, lane.limiter ? lane.limiter.process(own) : own);
        }),
      );
      options.onFrames?.(offset + (planar[0]?.length ?? 0));
    }
    await Promise.all(
      lanes.map(async (lane) => {
        if (lane.limiter) await feed(lane, lane.limiter.flush());
        await lane.encoder.finish();
      }),
    );
  } catch (err) {
    for (const lane of lanes) lane.encoder.abort();
    throw err;
  }
  const loudness = options.measure ? lanes.map((lane) => lane.meter?.result().integratedLufs as number) : undefined;
  return { peaks: peaks.result(), ...(loudness ? { loudness } : {}) };
}
