/**
 * The tone that replaces a redacted range: a sine at the category's frequency,
 * phase zero at the range's first sample, with raised-cosine fades inside the
 * range. Pure maths; every value depends only on the absolute sample index.
 */
import type { Hertz, SampleIndex } from "../units.ts";

export interface ToneRange {
  /** First sample of the range (inclusive). */
  readonly start: SampleIndex;
  /** One past the last sample (exclusive): the range is [start, end). */
  readonly end: SampleIndex;
  readonly frequency: Hertz;
  /** Linear peak amplitude, e.g. 10^(-18/20) for -18 dBFS. */
  readonly amplitude: number;
  /** Length of each fade in samples; shortened to half the range if the range is shorter than two fades. */
  readonly rampSamples: number;
}

export const dbToAmplitude = (db: number): number => 10 ** (db / 20);

/** Fade length actually used for a range: the fades never overlap. */
export const effectiveRamp = (r: ToneRange): number =>
  Math.max(0, Math.min(Math.round(r.rampSamples), Math.floor((r.end - r.start) / 2)));

/**
 * Raised-cosine gain at offset k into a range of `length` samples with fades of
 * `ramp` samples: 0 at the first and last sample, 1 in the middle.
 */
export function rampGain(k: number, length: number, ramp: number): number {
  if (ramp <= 0) return 1;
  const fromEnd = length - 1 - k;
  const d = Math.min(k, fromEnd);
  if (d >= ramp) return 1;
  return 0.5 * (1 - Math.cos((Math.PI * d) / ramp));
}

/**
 * Phase of the sine at offset k, reduced exactly before the multiplication by
 * 2 pi so that hours-long ranges keep full precision: (f k mod fs) / fs.
 */
export function tonePhase(k: number, frequency: number, sampleRate: number): number {
  return (2 * Math.PI * ((frequency * k) % sampleRate)) / sampleRate;
}

/** The tone at offset k into a range of `length` samples whose fades are `ramp` samples long. */
export function toneAt(r: ToneRange, k: number, length: number, ramp: number, sampleRate: number): number {
  return r.amplitude * rampGain(k, length, ramp) * Math.sin(tonePhase(k, r.frequency, sampleRate));
}

/**
 * The tone at offsets k0, k0 + 1, ... of a range (as many as `out` holds), written into `out`: the values
 * toneAt gives, bit for bit, computed faster. For a whole-number frequency and rate the reduced phase
 * f k mod fs is a whole number that advances by f each sample, so the division toneAt makes per sample
 * (a floating-point remainder) becomes an addition; any other frequency takes toneAt itself.
 */
export function writeTone(
  out: Float32Array,
  k0: number,
  r: ToneRange,
  length: number,
  ramp: number,
  sampleRate: number,
): void {
  const n = out.length;
  const f = r.frequency;
  if (!(Number.isInteger(f) && f >= 0 && Number.isInteger(sampleRate) && f * (k0 + n) <= Number.MAX_SAFE_INTEGER)) {
    for (let i = 0; i < n; i++) out[i] = toneAt(r, k0 + i, length, ramp, sampleRate);
    return;
  }
  const a = r.amplitude;
  const step = f % sampleRate;
  let p = (f * k0) % sampleRate;
  for (let i = 0; i < n; i++) {
    out[i] = a * rampGain(k0 + i, length, ramp) * Math.sin((2 * Math.PI * p) / sampleRate);
    p += step;
    if (p >= sampleRate) p -= sampleRate;
  }
}

/** The tone's value at absolute sample n (which must lie in [start, end)). */
export function toneSample(r: ToneRange, n: number, sampleRate: number): number {
  return toneAt(r, n - r.start, r.end - r.start, effectiveRamp(r), sampleRate);
}
