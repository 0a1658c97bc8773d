/**
 * Loudness policy for the web files (podcast practice, Apple's published
 * targets): -16 LUFS integrated for stereo, -19 LUFS for mono, true peak at
 * most -1 dBTP. Reached by one linear gain; a true-peak limiter is added only
 * when that gain would push the peaks over the ceiling.
 */
export const TRUE_PEAK_MAX_DBTP = -1;
/** Lossy encoding adds a little to the peaks; the limiter aims this far below the maximum. */
export const ENCODER_HEADROOM_DB = 1;
export const LIMITER_CEILING_DBTP = TRUE_PEAK_MAX_DBTP - ENCODER_HEADROOM_DB;

export const targetLufs = (webChannels: number): number => (webChannels === 2 ? -16 : -19);

export interface Measured {
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
}

export interface Normalisation {
  readonly targetLufs: number;
  /** The one linear gain, in dB (0 for silence). */
  readonly gainDb: number;
  readonly gain: number;
  /** True when the gain would push the true peak above the limiter ceiling. */
  readonly limiter: boolean;
  readonly limiterCeilingDbtp: number;
}

/**
 * `encoderHeadroomDb`: how far under the -1 dBTP maximum the PCM's true peak is held, for the
 * overshoot the lossy encoder adds on decoding (each codec says its own; ENCODER_HEADROOM_DB by default).
 */
export function planNormalisation(
  m: Measured,
  webChannels: number,
  encoderHeadroomDb: number = ENCODER_HEADROOM_DB,
): Normalisation {
  const target = targetLufs(webChannels);
  const ceiling = TRUE_PEAK_MAX_DBTP - encoderHeadroomDb;
  const gainDb = Number.isFinite(m.integratedLufs) ? target - m.integratedLufs : 0;
  const limiter = Number.isFinite(m.truePeakDbtp) && m.truePeakDbtp + gainDb > ceiling;
  return { targetLufs: target, gainDb, gain: 10 ** (gainDb / 20), limiter, limiterCeilingDbtp: ceiling };
}
