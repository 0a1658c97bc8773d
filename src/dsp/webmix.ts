/**
 * What the web files carry: mono stays mono, stereo stays stereo, and a
 * recording with more than two channels is published as the mono average of
 * all of them (every channel holds the same tone, so the tone is unchanged).
 */
export const webChannelCount = (channels: number): 1 | 2 => (channels === 2 ? 2 : 1);

export function webMix(planar: readonly Float32Array[]): Float32Array[] {
  if (planar.length <= 2) return [...planar];
  const length = planar[0]?.length ?? 0;
  const out = new Float32Array(length);
  const scale = 1 / planar.length;
  for (const ch of planar) for (let i = 0; i < length; i++) out[i] = (out[i] as number) + (ch[i] as number);
  for (let i = 0; i < length; i++) out[i] = (out[i] as number) * scale;
  return [out];
}

/** Multiply every sample by a linear gain, in place. */
export function applyGain(planar: readonly Float32Array[], gain: number): void {
  if (gain === 1) return;
  for (const ch of planar) for (let i = 0; i < ch.length; i++) ch[i] = (ch[i] as number) * gain;
}

/**
 * The mix with each of several gains, one set of channels per gain, for lanes that each go their own
 * way (their own limiter, meter or encoder). The last takes the mix's own arrays, changed in place;
 * the others are copies taken before that.
 */
export function gainedLanes(mix: readonly Float32Array[], gains: readonly number[]): Float32Array[][] {
  return gains.map((gain, i) => {
    const own = i === gains.length - 1 ? [...mix] : mix.map((ch) => ch.slice());
    applyGain(own, gain);
    return own;
  });
}
