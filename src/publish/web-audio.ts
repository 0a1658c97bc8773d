/**
 * The signal the web files carry, made from the master: web mix, one linear
 * gain, and a true-peak limiter only when that gain needs it.
 *
 * When the limiter is needed it takes a little loudness with the peaks, so the
 * gain is settled first by a dry run over the master (no encoding: the
 * in-process limiter and meter only) and corrected by what it missed.
 * Without the limiter the gain is exact in one step.
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
  // Only the loudness is used: the true peak, half the meter's work, is left out.
  const meter = new LoudnessMeter(s.sampleRate, s.webChannels, { truePeak: false });
  for await (const chunk of webChunks(s, gain, limiterCeilingDbtp)) meter.push(chunk);
  return meter.result();
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

/**
 * The gain that puts the published file on target. `codecDb` is the level
 * change the encoder itself makes (see mp3LevelChangeDb): the PCM is aimed
 * that much higher so that the decoded file lands on the target.
 */
export async function settleGain(
  s: WebSignal,
  measured: Measured,
  codecDb: number,
  encoderHeadroomDb?: number,
): Promise<SettledGain> {
  const first = planNormalisation(
    { integratedLufs: measured.integratedLufs + codecDb, truePeakDbtp: measured.truePeakDbtp },
    s.webChannels,
    encoderHeadroomDb,
  );
  if (!first.limiter || !Number.isFinite(measured.integratedLufs)) {
    return { ...first, expectedLufs: measured.integratedLufs + first.gainDb + codecDb };
  }
  // One dry run measures what the limiter takes at this gain; the gain is raised by that much.
  // (Another run would measure the small extra limiting the raise causes: a few hundredths of a
  // LU on speech, not worth another pass over an hour of audio. Only when the limiter takes a lot,
  // as a full-scale tone over much of a short recording does, is the next run made: a 1.3 LU
  // correction fell 1.3 LU short there, outside the 1 LU the contract allows.)
  let gainDb = first.gainDb;
  let expectedLufs: number = first.targetLufs;
  for (let run = 0; run < MAX_DRY_RUNS; run++) {
    const m = await measureWeb(s, 10 ** (gainDb / 20), first.limiterCeilingDbtp);
    const miss = first.targetLufs - (m.integratedLufs + codecDb);
    // Predicted: as measured when no correction is needed, the target after a correction.
    expectedLufs = Math.abs(miss) <= SETTLED_LU ? first.targetLufs - miss : first.targetLufs;
    if (Math.abs(miss) <= SETTLED_LU) break;
    gainDb += miss;
    if (Math.abs(miss) <= RECHECK_LU) break;
  }
  return { ...first, gainDb, gain: 10 ** (gainDb / 20), expectedLufs };
}
