/**
 * Speed, and nothing else: two ways to make a long recording's web files sooner, each giving files that
 * pass the same verification as the plain path's (encode.ts after settle.ts). Switched off, the plain path
 * makes every file: `CALL_REDACTOR_FAST=0` in the environment (for measuring what these pay; it is part of
 * the run's settings, so files made either way are never mistaken for the other's).
 *
 * 1. The gain under the limiter, estimated. The plain path settles it by a dry run over the whole master
 *    before encoding. Here the encode starts at once, at a gain raised by the limiter's loss as measured
 *    on a sample of the master (2 s of every 30 s), and the loudness of what the encoders are fed is metered
 *    on the way; the file is kept when that lands within SETTLED_LU of the target, as it usually does, and
 *    otherwise it is encoded again at the gain settled from that measurement.
 * 2. The MP3 in two parts. LAME uses one core; an MP3 published alone is encoded in two parts side by side,
 *    joined between frames (mp3-parts.ts, media/mp3-splice.ts).
 *
 * Both apply from FAST_MIN_SECONDS on: below it, the work they save takes less than what they cost.
 * MEASURED-GAIN
 */
import { TruePeakLimiter } from "../../dsp/limiter.ts";
import { LoudnessMeter } from "../../dsp/loudness.ts";
import { PeakMeter } from "../../dsp/peaks.ts";
import { gainedLanes, webMix } from "../../dsp/webmix.ts";
import { openWavFileRange } from "../../media/decode.ts";
import type { AudioTags } from "../../media/encoder.ts";
import { type Encoded, type EncodeOptions, type EncodePath, encodeInOnePass } from "./encode.ts";
import { encodeMp3InParts, planMp3Split } from "./mp3-parts.ts";
import type { FormatPlan, WebSignal } from "./plan.ts";
import { type DryLane, settleGains } from "./settle.ts";

/** The one switch: the speed paths are on unless CALL_REDACTOR_FAST=0. */
export const fastPathsOn = (env: NodeJS.ProcessEnv = process.env): boolean => env.CALL_REDACTOR_FAST !== "0";

/** Recordings shorter than this take the plain path. */
export const FAST_MIN_SECONDS = 120;

/** The estimate's sample of the master: SAMPLE_SECONDS out of every SAMPLE_EVERY_SECONDS, and at least
 * MIN_STRETCHES stretches (more of a shorter recording)... */
const SAMPLE_SECONDS = 2;
const SAMPLE_EVERY_SECONDS = 30;
const MIN_STRETCHES = 20;
/** ...each after WARM_UP_SECONDS through the limiter, so that it starts as it would in the whole run. */
const WARM_UP_SECONDS = 0.5;

/** Does a speed path apply to these plans on this recording? */
export function fastApplies(web: WebSignal, plans: readonly FormatPlan[], minSeconds = FAST_MIN_SECONDS): boolean {
  if (web.frames < minSeconds * web.sampleRate) return false;
  return plans.some((p) => p.step === "settle") || (plans.length === 1 && plans[0]?.format === "mp3");
}

/**
 * The speed paths (when fastApplies): under the limiter, the gain to start from is estimated on a sample of
 * the master and the encode's feed is metered (the file is made again only if that lands off target); an
 * MP3 published alone is encoded in two parts.
 */
export const FAST_PATH: EncodePath = {
  gains: (web, plans) =>
    plans.some((p) => p.step === "settle") ? estimateGains(web, plans) : Promise.resolve([...plans]),
  encode: (web, plans, tags, options) => encodeFast(web, plans, tags, options),
};

/** The files at the gains given; under the limiter, kept when the metered feed is on target, else made again. */
export async function encodeFast(
  web: WebSignal,
  plans: readonly FormatPlan[],
  tags: AudioTags,
  options: EncodeOptions & { readonly minSeconds?: number } = {},
): Promise<{ plans: FormatPlan[]; encoded: Encoded }> {
  const minSeconds = options.minSeconds ?? FAST_MIN_SECONDS;
  const encode = (p: readonly FormatPlan[], measure: boolean): Promise<Encoded> =>
    encodeMaybeInParts(web, p, tags, { onFrames: options.onFrames, measure }, minSeconds);
  if (!plans.some((p) => p.step === "settle")) return { plans: [...plans], encoded: await encode(plans, false) };
  const first = await encode(plans, true);
  const settled = await settleGains(web, plans, first.loudness);
  if (settled.every((p, i) => p.gain.gainDb === plans[i]?.gain.gainDb)) return { plans: settled, encoded: first };
  return { plans: settled, encoded: await encode(settled, false) };
}

/** An MP3 published alone, from minSeconds on, in two parts side by side; anything else in one pass. */
async function encodeMaybeInParts(
  web: WebSignal,
  plans: readonly FormatPlan[],
  tags: AudioTags,
  options: EncodeOptions,
  minSeconds: number,
): Promise<Encoded> {
  const only = plans.length === 1 ? plans[0] : undefined;
  const split = only?.format === "mp3" ? planMp3Split(web.frames, web.sampleRate, minSeconds) : undefined;
  if (!only || !split) return encodeInOnePass(web, plans, tags, options);
  const peaks = new PeakMeter(web.frames);
  const parts = await encodeMp3InParts(web, split, only, tags, peaks, options);
  if (parts.kind === "no-cut") return encodeInOnePass(web, plans, tags, { measure: options.measure });
  return {
    peaks: peaks.result(),
    ...(parts.loudness === undefined ? {} : { loudness: new Map([[only.format, parts.loudness]]) }),
  };
}

/**
 * The plans under the limiter with their gain raised by what the limiter is estimated to take, on a sample
 * of the master. The gain g whose limited level is the plain gain's: g + loss(g) = plain. A first step from
 * the plain gain, g1 = plain - loss(plain); then the secant through both points, as the loss grows with the
 * gain.
 */
export async function estimateGains(web: WebSignal, plans: readonly FormatPlan[]): Promise<FormatPlan[]> {
  const open = plans.flatMap((p, i) => (p.step === "settle" ? [{ i, plan: p }] : []));
  const lanes = (gains: readonly number[]): DryLane[] =>
    open.map((x, k) => ({
      gain: 10 ** ((gains[k] as number) / 20),
      limiterCeilingDbtp: x.plan.first.limiterCeilingDbtp,
    }));
  const plain = open.map((x) => x.plan.first.gainDb);
  const loss0 = await estimateLimiterLossDb(web, lanes(plain));
  const g1 = plain.map((p, k) => p - (loss0[k] as number));
  const loss1 = await estimateLimiterLossDb(web, lanes(g1));
  const out = [...plans];
  open.forEach((x, k) => {
    const p = plain[k] as number;
    const a = loss0[k] as number; // f(plain) = plain + loss0 - plain
    const g = g1[k] as number;
    const b = g + (loss1[k] as number) - p; // f(g1)
    const gainDb = a === b ? g : g - (b * (g - p)) / (b - a);
    out[x.i] = {
      ...x.plan,
      gain: { ...x.plan.first, gainDb, gain: 10 ** (gainDb / 20), expectedLufs: x.plan.first.targetLufs },
    };
  });
  return out;
}

/**
 * What the limiter takes from each lane's loudness, in dB, estimated on a sample of the master (a fifteenth
 * of an hour-long one, spread evenly): the loudness of the sample's stretches, joined, limited and not.
 * The meters are the dry run's; only the sample is smaller.
 */
async function estimateLimiterLossDb(s: WebSignal, lanes: readonly DryLane[]): Promise<number[]> {
  const rate = s.sampleRate;
  const meters = lanes.map(() => ({
    plain: new LoudnessMeter(rate, s.webChannels, { truePeak: false }),
    limited: new LoudnessMeter(rate, s.webChannels, { truePeak: false }),
  }));
  const every = Math.min(Math.round(SAMPLE_EVERY_SECONDS * rate), Math.floor(s.frames / MIN_STRETCHES));
  const length = Math.min(Math.round(SAMPLE_SECONDS * rate), every);
  const warmUp = Math.round(WARM_UP_SECONDS * rate);
  /** Frames [skip, end) of a chunk whose first frame is `at` frames into its stretch, skip = measuring start. */
  const measuredPart = (chunk: readonly Float32Array[], at: number, skip: number): Float32Array[] =>
    chunk.map((ch) => ch.subarray(Math.min(ch.length, Math.max(0, skip - at))));
  for (let start = 0; start < s.frames; start += every) {
    const from = Math.max(0, start - warmUp);
    const to = Math.min(s.frames, start + length);
    const skip = start - from;
    const runs = lanes.map((lane, i) => ({
      meters: meters[i] as { plain: LoudnessMeter; limited: LoudnessMeter },
      gain: lane.gain,
      limiter: new TruePeakLimiter({
        sampleRate: rate,
        channels: s.webChannels,
        ceilingDbtp: lane.limiterCeilingDbtp ?? 0,
      }),
      out: 0, // limiter output frames so far
    }));
    const pushLimited = (run: (typeof runs)[number], chunk: readonly Float32Array[]): void => {
      run.meters.limited.push(measuredPart(chunk, run.out, skip));
      run.out += chunk[0]?.length ?? 0;
    };
    for await (const { offset, planar } of openWavFileRange(s.masterPath, s.masterDisplay, from, to).chunks()) {
      const inputs = gainedLanes(
        webMix(planar),
        runs.map((run) => run.gain),
      );
      for (const [i, run] of runs.entries()) {
        const own = inputs[i] as Float32Array[];
        run.meters.plain.push(measuredPart(own, offset, skip));
        pushLimited(run, run.limiter.process(own));
      }
    }
    for (const run of runs) pushLimited(run, run.limiter.flush());
  }
  return meters.map((m) => {
    const loss = m.limited.result().integratedLufs - m.plain.result().integratedLufs;
    return Number.isFinite(loss) ? loss : 0;
  });
}
