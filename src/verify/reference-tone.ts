/**
 * What the master must hold inside a range, written out from the README's
 * contract on its own (not by calling the pipeline's tone generator), so that
 * verification does not share a mistake with the code it checks: a sine at
 * the range's frequency, phase zero at the range's first sample, peaking at
 * the tone level, with raised-cosine fades of `rampSamples` inside the range
 * (at most half the range each).
 */
import { phaseAt } from "../dsp/tonefit.ts";

export interface ExpectedRange {
  /** 1-based number of the merged range. */
  readonly number: number;
  readonly start: number;
  readonly end: number;
  readonly frequency: number;
  readonly category: string;
  /** Linear peak amplitude. */
  readonly amplitude: number;
  /** Fade length asked for, in samples (before shortening to half the range). */
  readonly rampSamples: number;
}

/** The fade length a range really gets. */
export const fadeLength = (r: ExpectedRange): number =>
  Math.max(0, Math.min(Math.round(r.rampSamples), Math.floor((r.end - r.start) / 2)));

/** The tone's value (in [-1, 1]) at absolute sample n, which lies in [r.start, r.end). */
export function expectedToneAt(r: ExpectedRange, n: number, sampleRate: number, fade = fadeLength(r)): number {
  const k = n - r.start;
  const d = Math.min(k, r.end - 1 - n);
  const gain = fade === 0 || d >= fade ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * d) / fade);
  return r.amplitude * gain * Math.sin(phaseAt(k, r.frequency, sampleRate));
}

/** The 16-bit value the master should hold for a tone value: x * 32768, clipped to the int16 range (unrounded). */
export const expectedS16 = (x: number): number => Math.min(32767, Math.max(-32768, x * 32768));
