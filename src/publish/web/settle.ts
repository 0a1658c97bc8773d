/**
 * Settling a gain under the limiter: a dry run over the master (the in-process web mix, gain, limiter and
 * loudness meter; no encoding) measures what the limiter takes at that gain, and the gain is raised by as
 * much. (Another run would measure the small extra limiting the raise causes: a few hundredths of a LU on
 * speech, not worth another pass over an hour of audio. Only when the limiter takes a lot, as a full-scale
 * tone over much of a short recording does, is the next run made: a 1.3 LU correction fell 1.3 LU short
 * there, outside the 1 LU the contract allows.) The formats that need dry runs share them: one pass over the
 * master per round, whatever the number of formats.
 */
import { TruePeakLimiter } from "../../dsp/limiter.ts";
import { LoudnessMeter } from "../../dsp/loudness.ts";
import { gainedLanes, webMix } from "../../dsp/webmix.ts";
import type { WebFormat } from "../../manifest/formats.ts";
import { openWavFile } from "../../media/decode.ts";
import type { FormatPlan, WebSignal } from "./plan.ts";

/** One gain (and limiter ceiling) to try in a dry run. */
export interface DryLane {
  readonly gain: number;
  readonly limiterCeilingDbtp: number | undefined;
}

/** A limited signal this close to the target needs no correction. */
export const SETTLED_LU = 0.1;
/** A correction larger than this is checked by another dry run (at most MAX_DRY_RUNS in all). */
const RECHECK_LU = 0.5;
const MAX_DRY_RUNS = 3;

/**
 * Loudness of the web signal as each lane would publish it (in-process, no encoding), all lanes in one
 * pass over the master: it is read and mixed once, and each lane gets its own copy, gain and limiter.
 */
async function measureWeb(s: WebSignal, lanes: readonly DryLane[]): Promise<number[]> {
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
    const inputs = gainedLanes(
      webMix(planar),
      runs.map((run) => run.gain),
    );
    runs.forEach((run, i) => {
      const own = inputs[i] as Float32Array[];
      run.meter.push(run.limiter ? run.limiter.process(own) : own);
    });
  }
  return runs.map((run) => {
    if (run.limiter) run.meter.push(run.limiter.flush());
    return run.meter.result().integratedLufs;
  });
}

/**
 * The plans with every gain under the limiter settled (step "settle"), starting from the gain each plan has.
 * `known`: the web signal's loudness at those gains when it has been measured already (the feed of an
 * encode at an estimated gain, fast.ts); the first dry run is then not made for them.
 */
export async function settleGains(
  s: WebSignal,
  plans: readonly FormatPlan[],
  known?: ReadonlyMap<WebFormat, number>,
): Promise<FormatPlan[]> {
  const work = plans.map((plan) => ({
    plan,
    gainDb: plan.gain.gainDb,
    expectedLufs: plan.step === "settle" ? plan.first.targetLufs : plan.gain.expectedLufs,
    open: plan.step === "settle",
    known: known?.get(plan.format),
  }));
  for (let run = 0; run < MAX_DRY_RUNS; run++) {
    const open = work.filter((x) => x.open);
    if (open.length === 0) break;
    const atStart = open.map((x) => x.known);
    const results =
      run === 0 && atStart.every((k) => k !== undefined)
        ? (atStart as number[])
        : await measureWeb(
            s,
            open.map((x) => ({ gain: 10 ** (x.gainDb / 20), limiterCeilingDbtp: x.plan.first.limiterCeilingDbtp })),
          );
    open.forEach((x, i) => {
      const miss = x.plan.first.targetLufs - ((results[i] as number) + x.plan.codecDb);
      // Predicted: as measured when no correction is needed, the target after a correction.
      if (Math.abs(miss) <= SETTLED_LU) {
        x.expectedLufs = x.plan.first.targetLufs - miss;
        x.open = false;
        return;
      }
      x.expectedLufs = x.plan.first.targetLufs;
      x.gainDb += miss;
      if (Math.abs(miss) <= RECHECK_LU) x.open = false;
    });
  }
  return work.map(({ plan, gainDb, expectedLufs }) => ({
    ...plan,
    gain:
      gainDb === plan.first.gainDb
        ? { ...plan.first, expectedLufs }
        : { ...plan.first, gainDb, gain: 10 ** (gainDb / 20), expectedLufs },
  }));
}
