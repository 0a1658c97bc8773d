/**
 * The signal the web files carry, made from the master: web mix, one linear
 * gain, and a true-peak limiter only when that gain needs it.
 *
 * When the limiter is needed it takes a little loudness with the peaks, so the
 * gain is settled by a dry run over the master (no encoding: the in-process
 * limiter and meter only) and corrected by what it missed (on long recordings
 * web-encode.ts meters the encode's own feed at an estimated gain instead, and
 * usually keeps it).
 * Without the limiter the gain is exact in one step.
 */
import { TruePeakLimiter } from "../dsp/limiter.ts";
import { LoudnessMeter } from "../dsp/loudness.ts";
import { type Measured, type Normalisation, planNormalisation } from "../dsp/normalise.ts";
import { gainedLanes, webMix } from "../dsp/webmix.ts";
import { openWavFile, openWavFileRange } from "../media/decode.ts";

export interface WebSignal {
  readonly masterPath: string;
  readonly masterDisplay: string;
  readonly sampleRate: number;
  readonly webChannels: 1 | 2;
  /** The master's length in frames. */
  readonly frames: number;
}

/** One gain (and limiter ceiling) to try in a dry run. */
interface DryLane {
  readonly gain: number;
  readonly limiterCeilingDbtp: number | undefined;
}

/**
 * Loudness of the web signal as each lane would publish it (in-process, no encoding), all lanes in one
 * pass over the master: it is read and mixed once, and each lane gets its own copy, gain and limiter.
 */
async function measureWeb(s: WebSignal, lanes: readonly DryLane[]): Promise<Measured[]> {
  const master = await openWavFile(s.masterPath, s.masterDisplay);
  const runs = lanes.map((lane) => ({
    gain: lane.gain,
    limiter:
      lane.limiterCeilingDbtp === undefined
        ? undefined
        : new TruePeakLimiter({
            sampleRate: s.sampleRate,
            channels: s.webChannels,
            ceilingDbtp: lane.limiterCeilingDbtp,
          }),
    // Only the loudness is used: the true peak, half the meter's work, is left out.
    meter: new LoudnessMeter(s.sampleRate, s.webChannels, { truePeak: false }),
  }));
  for await (const { planar } of master.chunks()) {
    const mix = webMix(planar);
    const inputs = gainedLanes(
      mix,
      runs.map((run) => run.gain),
    );
    runs.forEach((run, i) => {
      const own = inputs[i] as Float32Array[];
      run.meter.push(run.limiter ? run.limiter.process(own) : own);
    });
  }
  return runs.map((run) => {
    if (run.limiter) run.meter.push(run.limiter.flush());
    return run.meter.result();
  });
}

/** A limited signal this close to the target needs no correction. */
const SETTLED_LU = 0.1;
/** A correction larger than this is checked by another dry run (at most MAX_DRY_RUNS in all). */
const RECHECK_LU = 0.5;
const MAX_DRY_RUNS = 3;

export interface SettledGain extends Normalisation {
  /** The web file's loudness as predicted: exact without the limiter, within a few hundredths of a LU with it. */
  readonly expectedLufs: number;
}

/** What one web format asks of the gain: its codec's level change and its true-peak headroom. */
export interface GainRequest {
  /** The level change the encoder itself makes (see mp3LevelChangeDb): the PCM is aimed that much higher. */
  readonly codecDb: number;
  readonly headroomDb?: number;
}

/**
 * The gain that puts each published file on target, one per request (web format). Without the limiter
 * the gain is exact in one step. With it, a dry run measures what the limiter takes at that gain and
 * the gain is raised by that much. (Another run would measure the small extra limiting the raise causes:
 * a few hundredths of a LU on speech, not worth another pass over an hour of audio. Only when the limiter
 * takes a lot, as a full-scale tone over much of a short recording does, is the next run made: a 1.3 LU
 * correction fell 1.3 LU short there, outside the 1 LU the contract allows.) The formats that need dry
 * runs share them: one pass over the master per round, whatever the number of formats.
 */
export async function settleGains(
  s: WebSignal,
  measured: Measured,
  requests: readonly GainRequest[],
  startDb?: readonly number[],
  /** The web signal's loudness at `startDb` when it is already known (metered on the encoders' feed): the first dry run is then not made. */
  startLufs?: readonly number[],
): Promise<SettledGain[]> {
  const settled = requests.map((r, i) => {
    const first = firstPlan(s, measured, r);
    const open = needsDryRun(first, measured);
    return {
      first,
      codecDb: r.codecDb,
      // Where the dry runs start: the first plan's gain, or the caller's estimate (firstGains).
      gainDb: startDb?.[i] ?? first.gainDb,
      expectedLufs: open ? first.targetLufs : measured.integratedLufs + first.gainDb + r.codecDb,
      open,
      known: startLufs?.[i],
    };
  });
  for (let run = 0; run < MAX_DRY_RUNS; run++) {
    const open = settled.filter((x) => x.open);
    if (open.length === 0) break;
    const known = open.map((x) => x.known);
    const results =
      run === 0 && known.every((k) => k !== undefined)
        ? known.map(
            (integratedLufs): Pick<Measured, "integratedLufs"> => ({ integratedLufs: integratedLufs as number }),
          )
        : await measureWeb(
            s,
            open.map((x) => ({ gain: 10 ** (x.gainDb / 20), limiterCeilingDbtp: x.first.limiterCeilingDbtp })),
          );
    open.forEach((x, i) => {
      const m = results[i] as Pick<Measured, "integratedLufs">;
      const miss = x.first.targetLufs - (m.integratedLufs + x.codecDb);
      // Predicted: as measured when no correction is needed, the target after a correction.
      if (Math.abs(miss) <= SETTLED_LU) {
        x.expectedLufs = x.first.targetLufs - miss;
        x.open = false;
        return;
      }
      x.expectedLufs = x.first.targetLufs;
      x.gainDb += miss;
      if (Math.abs(miss) <= RECHECK_LU) x.open = false;
    });
  }
  return settled.map((x) =>
    x.gainDb === x.first.gainDb
      ? { ...x.first, expectedLufs: x.expectedLufs }
      : { ...x.first, gainDb: x.gainDb, gain: 10 ** (x.gainDb / 20), expectedLufs: x.expectedLufs },
  );
}

/** A format's gain before any dry run: its codec's level change aimed past, the limiter if the peaks need it. */
const firstPlan = (s: WebSignal, measured: Measured, r: GainRequest): Normalisation =>
  planNormalisation(
    { integratedLufs: measured.integratedLufs + r.codecDb, truePeakDbtp: measured.truePeakDbtp },
    s.webChannels,
    r.headroomDb,
  );

const needsDryRun = (first: Normalisation, measured: Measured): boolean =>
  first.limiter && Number.isFinite(measured.integratedLufs);

/** Recordings shorter than this are settled before encoding: their dry run takes a moment. */
const SPECULATE_MIN_SECONDS = 120;
/** The estimate's sample of the master: SAMPLE_SECONDS out of every SAMPLE_EVERY_SECONDS, and at least
 * MIN_STRETCHES stretches (more of a shorter recording)... */
const SAMPLE_SECONDS = 2;
const SAMPLE_EVERY_SECONDS = 30;
const MIN_STRETCHES = 20;
/** ...each after WARM_UP_SECONDS through the limiter, so that it starts as it would in the whole run. */
const WARM_UP_SECONDS = 0.5;

/**
 * What the limiter takes from each lane's loudness, in dB, estimated on a sample of the master (a
 * fifteenth of an hour-long one, spread evenly): the loudness of the sample's stretches, joined, limited
 * and not. The meters are the dry run's; only the sample is smaller. On the one-hour bench recording it
 * comes within 0.01 dB of the dry run's gain in 1.3 s, where the dry run takes 6 to 7 s.
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
      const mix = webMix(planar);
      const inputs = gainedLanes(
        mix,
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

export interface FirstGains {
  readonly gains: SettledGain[];
  /**
   * final: no format needs the limiter, settleGains would change nothing;
   * estimated: raised by the estimated loss, for an encode whose feed is metered to check it;
   * settle-first: a short recording, whose dry run is quicker than an encode that may be stopped.
   */
  readonly kind: "final" | "estimated" | "settle-first";
}

/**
 * The gains to start encoding with, before any dry run: final for every format that needs no limiter. Where the limiter is needed and the recording is long
 * enough for it to matter, the gain is raised by what the limiter is estimated to take (a sample of the
 * master, not all of it), so that the encode's metered feed (web-encode.ts) finds it on target and the
 * file is kept.
 */
export async function firstGains(
  s: WebSignal,
  measured: Measured,
  requests: readonly GainRequest[],
): Promise<FirstGains> {
  const plans = requests.map((r) => firstPlan(s, measured, r));
  const gains: SettledGain[] = plans.map((first, i) => ({
    ...first,
    expectedLufs: measured.integratedLufs + first.gainDb + (requests[i] as GainRequest).codecDb,
  }));
  const open = plans.flatMap((first, i) => (needsDryRun(first, measured) ? [{ i, first }] : []));
  if (open.length === 0) return { gains, kind: "final" };
  if (s.frames < SPECULATE_MIN_SECONDS * s.sampleRate) return { gains, kind: "settle-first" };
  // The gain g whose limited level is the plain gain's: g + loss(g) = plain. A first step from the plain
  // gain, g1 = plain - loss(plain); then the secant through both points, as the loss grows with the gain.
  const lanes = (gains: readonly number[]): DryLane[] =>
    open.map((x, k) => ({ gain: 10 ** ((gains[k] as number) / 20), limiterCeilingDbtp: x.first.limiterCeilingDbtp }));
  const plain = open.map((x) => x.first.gainDb);
  const loss0 = await estimateLimiterLossDb(s, lanes(plain));
  const g1 = plain.map((p, k) => p - (loss0[k] as number));
  const loss1 = await estimateLimiterLossDb(s, lanes(g1));
  const gainDb = plain.map((p, k) => {
    const a = loss0[k] as number; // f(plain) = plain + loss0 - plain
    const g = g1[k] as number;
    const b = g + (loss1[k] as number) - p; // f(g1)
    return a === b ? g : g - (b * (g - p)) / (b - a);
  });
  open.forEach((x, k) => {
    const g = gainDb[k] as number;
    gains[x.i] = { ...x.first, gainDb: g, gain: 10 ** (g / 20), expectedLufs: x.first.targetLufs };
  });
  return { gains, kind: "estimated" };
}
