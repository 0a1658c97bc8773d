/**
 * The limiter against a plain, frame-by-frame transcription of the algorithm its header documents
 * (frame peaks from the BS.1770 interpolation, required gains, hold window, release, boxcar), written
 * here independently of the streaming implementation: the two must agree bit for bit. The signals
 * alternate long quiet stretches (where the implementation takes its at-rest shortcut) with bursts
 * that need limiting, so the shortcut's entries and exits are all exercised.
 */
import { describe, expect, it } from "vitest";
import { TruePeakLimiter } from "../../src/dsp/limiter.ts";
import { TRUE_PEAK_FIR } from "../../src/dsp/truepeak.ts";
import { chunked, joinOutputs, lowpassNoise, rng } from "./signals.ts";

const ONE = 2 ** 32;
const E = 7;

/** Largest |interpolated value| of the interval closed by input frame m (zeros outside the stream). */
function intervalPeak(x: readonly Float32Array[], m: number): number {
  let best = 0;
  for (const ch of x) {
    for (const phase of TRUE_PEAK_FIR) {
      let y = 0;
      for (let j = 0; j < 12; j++) {
        const n = m - j;
        y += (phase[j] as number) * (n >= 0 && n < ch.length ? (ch[n] as number) : 0);
      }
      best = Math.max(best, Math.abs(y));
    }
  }
  return best;
}

/** Frame peaks as the limiter's header defines them. */
function framePeaks(x: readonly Float32Array[]): Float64Array {
  const n = x[0]?.length ?? 0;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const ch of x) v = Math.max(v, Math.abs(ch[i] as number));
    // Interval (i-1, i) is closed by input frame i+5, interval (i, i+1) by frame i+6.
    v = Math.max(v, intervalPeak(x, i + 5), intervalPeak(x, i + 6));
    if (i === 0) for (let m = 0; m < 5; m++) v = Math.max(v, intervalPeak(x, m));
    if (i === n - 1) for (let m = n + 6; m <= n + 10; m++) v = Math.max(v, intervalPeak(x, m));
    p[i] = v;
  }
  return p;
}

function referenceLimit(
  x: readonly Float32Array[],
  sampleRate: number,
  ceilingDbtp: number,
  lookaheadMs = 5,
  releaseMs = 100,
): Float32Array[] {
  const n = x[0]?.length ?? 0;
  const ceiling = 10 ** (ceilingDbtp / 20);
  const L = Math.max(1, Math.round((lookaheadMs * sampleRate) / 1000));
  const target = ceiling * (1 - Math.min(0.1, Math.max(1e-5, 2 / (L + 1) ** 1.5)));
  const release = Math.exp(-1000 / (releaseMs * sampleRate));
  const peaks = framePeaks(x);
  const r = (i: number): number => {
    if (i < 0 || i >= n) return ONE;
    const p = peaks[i] as number;
    return p <= ceiling ? ONE : p > 0 ? Math.floor((target / p) * ONE) : 0;
  };
  // h2 for frames -L .. n-1 (index + L); frames before -L hold 1.
  const h2 = new Float64Array(n + L);
  let prev = ONE;
  for (let i = -L; i < n; i++) {
    let h = ONE;
    for (let k = i - E; k <= i + L + E; k++) h = Math.min(h, r(k));
    let v = prev === ONE ? ONE : ONE - Math.floor((ONE - prev) * release);
    if (h < v) v = h;
    h2[i + L] = v;
    prev = v;
  }
  const full = (L + 1) * ONE;
  return x.map((ch) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = i - L; k <= i; k++) sum += k < -L ? ONE : (h2[k + L] as number);
      out[i] = sum === full ? (ch[i] as number) : (ch[i] as number) * (sum / full);
    }
    return out;
  });
}

/** Quiet speech-like noise with hot bursts (and clicks at both ends) every so often. */
function burstySignal(frames: number, channels: number, seed: number, burstEvery: number): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: channels }, (_, c) => {
    const x = lowpassNoise(frames, -12, seed * 10 + c);
    for (let at = Math.floor(r() * burstEvery); at < frames; at += Math.floor(burstEvery * (0.5 + r()))) {
      const len = 1 + Math.floor(r() * 200);
      for (let i = at; i < Math.min(frames, at + len); i++) x[i] = (x[i] as number) * 8 * (1 + r());
    }
    x[0] = c ? -1.8 : 1.6;
    x[frames - 1] = 1.9;
    return x;
  });
}

function implementation(x: readonly Float32Array[], sampleRate: number, releaseMs: number, sizes: number[]) {
  const lim = new TruePeakLimiter({ sampleRate, channels: x.length, ceilingDbtp: -2, releaseMs });
  const outs = chunked(x, sizes).map((chunk) => lim.process(chunk));
  outs.push(lim.flush());
  return joinOutputs(outs, x.length);
}

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe("TruePeakLimiter against the documented algorithm", () => {
  // The release reaches exactly 1 after about 22 release time constants: bursts further apart than that
  // leave stretches at rest between them.
  for (const [rate, channels, seconds, burstEvery, releaseMs] of [
    [8000, 1, 3, 3000, 10],
    [8000, 2, 3, 6000, 5],
    [44100, 1, 2, 40000, 10],
    [16000, 1, 6, 40000, 100],
  ] as const) {
    it(`agrees bit for bit at ${rate} Hz, ${channels} channel(s), release ${releaseMs} ms`, () => {
      const x = burstySignal(rate * seconds, channels, rate + channels, burstEvery);
      const expected = referenceLimit(x, rate, -2, 5, releaseMs);
      // The reference really limits here (it is not a pass-through), and leaves most frames alone.
      const changed = expected[0]?.filter((v, i) => v !== x[0]?.[i]).length ?? 0;
      expect(changed).toBeGreaterThan(rate / 100);
      expect(changed, `${changed} of ${rate * seconds}`).toBeLessThan((rate * seconds) / 2);
      for (const sizes of [[], [1, 4096, 3, 777], [16384]]) {
        const got = implementation(x, rate, releaseMs, sizes);
        for (let c = 0; c < channels; c++) {
          expect(
            Buffer.from(bits(got[c] as Float32Array).buffer).equals(
              Buffer.from(bits(expected[c] as Float32Array).buffer),
            ),
          ).toBe(true);
        }
      }
    });
  }
});
