/**
 * The signal the web files carry, made from the master: web mix, one linear
 * gain, and a true-peak limiter only when that gain needs it.
 *
 * When the limiter is needed it takes a little loudness with the peaks, so the
 * gain is settled first by dry runs over the master (no encoding: the
 * in-process limiter and meter only), each correcting the gain by what the
 * previous one missed. Without the limiter the gain is exact in one step.
 */
import { TruePeakLimiter } from "../dsp/limiter.ts";
import { LoudnessMeter } from "../dsp/loudness.ts";
import { type Measured, type Normalisation, planNormalisation } from "../dsp/normalise.ts";
import { applyGain, webMix } from "../dsp/webmix.ts";
import { openWavFile } from "../media/decode.ts";

export interface WebSignal {
  readonly masterPath: string;
  readonly masterDisplay: string;
  readonly sampleRate: number;
  readonly webChannels: 1 | 2;
}

/** The web PCM, chunk by chunk, with `gain` and (if `limiterCeilingDbtp` is set) the limiter. */
export async function* webChunks(
  s: WebSignal,
  gain: number,
  limiterCeilingDbtp: number | undefined,
  onFrames?: (framesDone: number) => void,
): AsyncGenerator<Float32Array[]> {
  const master = await openWavFile(s.masterPath, s.masterDisplay);
  const limiter =
    limiterCeilingDbtp === undefined
      ? undefined
      : new TruePeakLimiter({ sampleRate: s.sampleRate, channels: s.webChannels, ceilingDbtp: limiterCeilingDbtp });
  for await (const { offset, planar } of master.chunks()) {
    const web = webMix(planar);
    applyGain(web, gain);
    yield limiter ? limiter.process(web) : web;
    onFrames?.(offset + (planar[0]?.length ?? 0));
  }
  if (limiter) yield limiter.flush();
}

/** Loudness of the web signal as it would be published with this gain (in-process, no encoding). */
async function measureWeb(s: WebSignal, gain: number, limiterCeilingDbtp: number | undefined): Promise<Measured> {
  const meter = new LoudnessMeter(s.sampleRate, s.webChannels);
  for await (const chunk of webChunks(s, gain, limiterCeilingDbtp)) meter.push(chunk);
  return meter.result();
}

/** Dry runs stop when the limited signal is this close to the target, or after MAX_DRY_RUNS. */
const SETTLED_LU = 0.1;
const MAX_DRY_RUNS = 3;

export interface SettledGain extends Normalisation {
  /** The web signal's loudness with the final gain, as measured in the last dry run (or predicted exactly). */
  readonly expectedLufs: number;
}

/**
 * The gain that puts the published file on target. `codecDb` is the level
 * change the encoder itself makes (see mp3LevelChangeDb): the PCM is aimed
 * that much higher so that the decoded file lands on the target.
 */
export async function settleGain(s: WebSignal, measured: Measured, codecDb: number): Promise<SettledGain> {
  const first = planNormalisation(
    { integratedLufs: measured.integratedLufs + codecDb, truePeakDbtp: measured.truePeakDbtp - codecDb },
    s.webChannels,
  );
  if (!first.limiter || !Number.isFinite(measured.integratedLufs)) {
    return { ...first, expectedLufs: measured.integratedLufs + first.gainDb + codecDb };
  }
  let gainDb = first.gainDb;
  let expectedLufs = Number.NaN;
  for (let run = 0; run < MAX_DRY_RUNS; run++) {
    const m = await measureWeb(s, 10 ** (gainDb / 20), first.limiterCeilingDbtp);
    expectedLufs = m.integratedLufs + codecDb;
    const miss = first.targetLufs - expectedLufs;
    if (Math.abs(miss) <= SETTLED_LU) break;
    gainDb += miss;
  }
  return { ...first, gainDb, gain: 10 ** (gainDb / 20), expectedLufs };
}
