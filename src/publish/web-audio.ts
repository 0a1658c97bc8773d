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
  const meter = new LoudnessMeter(s.sampleRate, s.webChannels);
  for await (const chunk of webChunks(s, gain, limiterCeilingDbtp)) meter.push(chunk);
  return meter.result();
}

/** A limited signal this close to the target needs no correction. */
const SETTLED_LU = 0.1;

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
  // (A second run would measure the small extra limiting the raise causes: a few hundredths of a
  // LU on speech, not worth another pass over an hour of audio.)
  const m = await measureWeb(s, first.gain, first.limiterCeilingDbtp);
  const miss = first.targetLufs - (m.integratedLufs + codecDb);
  const settled = Math.abs(miss) <= SETTLED_LU;
  const gainDb = settled ? first.gainDb : first.gainDb + miss;
  // Predicted: as measured when no correction was needed, the target after the correction.
  const expectedLufs = settled ? first.targetLufs - miss : first.targetLufs;
  return { ...first, gainDb, gain: 10 ** (gainDb / 20), expectedLufs };
}
