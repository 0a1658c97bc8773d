/** Small independent signal measurements for assertions. */

/** Power of one frequency in x (Goertzel), normalised so a full-scale sine gives about 0.25 * length^2 ... as a fraction of total energy. */
export function toneEnergyFraction(x: Float32Array, frequency: number, sampleRate: number): number {
  const w = (2 * Math.PI * frequency) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    const s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += v * v;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(f)|^2
  // A pure sine of amplitude a over N samples has |X|^2 = (a N / 2)^2 and energy a^2 N / 2.
  return energy === 0 ? 0 : (2 * power) / (x.length * energy);
}

/** Independent reference for sample indices: round(seconds x rate), halves up, from decimal text, in BigInt. */
export function refSampleIndex(decimal: string, rate: number): number {
  const [whole = "0", frac = ""] = decimal.split(".");
  const den = 10n ** BigInt(frac.length);
  const num = BigInt(whole + frac) * BigInt(rate);
  return Number((2n * num + den) / (2n * den));
}

/** Independent reference tone (same formula as the spec, written out plainly). */
export function refTone(k: number, length: number, frequency: number, sampleRate: number, levelDb = -18, rampMs = 5) {
  const amplitude = 10 ** (levelDb / 20);
  const ramp = Math.min(Math.round((rampMs * sampleRate) / 1000), Math.floor(length / 2));
  const d = Math.min(k, length - 1 - k);
  const w = ramp === 0 || d >= ramp ? 1 : 0.5 * (1 - Math.cos((Math.PI * d) / ramp));
  return amplitude * w * Math.sin((2 * Math.PI * frequency * k) / sampleRate);
}
