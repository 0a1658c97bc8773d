import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TruePeakLimiterOptions } from "../../src/dsp/limiter.ts";
import { TruePeakLimiter } from "../../src/dsp/limiter.ts";
import { TruePeakMeter } from "../../src/dsp/truepeak.ts";
import { chunked, concat, dbToGain, joinOutputs, lowpassNoise, rng, silence, sine } from "./signals.ts";

function limit(opts: TruePeakLimiterOptions, planar: readonly Float32Array[], sizes: readonly number[] = []) {
  const lim = new TruePeakLimiter(opts);
  const outputs = chunked(planar, sizes).map((chunk) => lim.process(chunk));
  outputs.push(lim.flush());
  return { out: joinOutputs(outputs, planar.length), lim };
}

/** Index of the first frame where a and b differ in bits (or length), -1 if identical. Fast for long arrays. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

function truePeakDb(planar: readonly Float32Array[]): number {
  const m = new TruePeakMeter(planar.length);
  m.push(planar);
  return 20 * Math.log10(m.maxAbs);
}

/** Speech-like material with hard peaks: bursts of band-limited noise, clicks, a square wave, a hot tone. */
function hardPeaks(rate: number, seconds: number, seed: number): Float32Array {
  const n = Math.round(rate * seconds);
  const x = lowpassNoise(n, -4, seed);
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const syllable = Math.max(0, Math.sin((2 * Math.PI * 3 * i) / rate));
    x[i] = x[i]! * syllable;
  }
  // Clicks far over full scale, some right at the start and the end.
  for (const at of [0, 1, 7, Math.floor(n / 3), Math.floor(n / 3) + 3, n - 2, n - 1]) x[at] = r() < 0.5 ? 2.5 : -2.5;
  // A burst of square wave (inter-sample overs) and a tone at fs/4 with 45 degree phase.
  for (let i = Math.floor(n / 2); i < Math.floor(n / 2) + rate / 20; i++) x[i] = Math.floor(i / 5) % 2 ? 1.4 : -1.4;
  const tone = sine(rate, rate / 4, 1, Math.floor(rate / 10), Math.PI / 4);
  x.set(tone, Math.floor((3 * n) / 4));
  return x;
}

describe("TruePeakLimiter", () => {
  it("keeps the true peak at or under the ceiling on signals with hard peaks", () => {
    for (const rate of [8000, 16000, 44100, 48000]) {
      const x = hardPeaks(rate, 1.5, rate);
      const y = x.map((v, i) => v * 0.7 + (i % 3) * 0.2);
      expect(truePeakDb([x])).toBeGreaterThan(6);
      for (const ceilingDbtp of [-1, -2.5]) {
        const { out } = limit({ sampleRate: rate, channels: 2, ceilingDbtp }, [x, y], [1000, 1, 0, 4097]);
        expect(truePeakDb(out)).toBeLessThanOrEqual(ceilingDbtp);
        // It limits, it does not crush: most of the signal stays close to its level.
        expect(truePeakDb(out)).toBeGreaterThan(ceilingDbtp - 0.5);
      }
    }
  });

  it("keeps the ceiling under harsh random level jumps, with short look-aheads too", () => {
    for (const [rate, lookaheadMs] of [
      [8000, 5],
      [8000, 1],
      [44100, 5],
      [22050, 2],
    ] as const) {
      for (let seed = 1; seed <= 4; seed++) {
        const r = rng(seed);
        let env = 1;
        const x = new Float32Array(12000).map((_, i) => {
          if (i % [5, 30, 200, 1000][seed - 1]! === 0) env = dbToGain(r() * 40 - 10);
          return (seed % 2 ? r() * 2 - 1 : r() < 0.5 ? 1 : -1) * env;
        });
        const { out } = limit({ sampleRate: rate, channels: 1, ceilingDbtp: -1, lookaheadMs }, [x]);
        expect(truePeakDb(out)).toBeLessThanOrEqual(-1);
      }
    }
  });

  it("passes signal under the ceiling through bit-identical, with the same length and no delay", () => {
    const rate = 44100;
    const x = concat(lowpassNoise(rate, -1.5, 1), silence(100), sine(rate, 997, -3, 5000));
    const y = lowpassNoise(x.length, -6, 2);
    expect(truePeakDb([x, y])).toBeLessThan(-1);
    for (const sizes of [[], [1, 1, 1, 0, 5], [300, 17, 4096, 9000]]) {
      const { out } = limit({ sampleRate: rate, channels: 2, ceilingDbtp: -1 }, [x, y], sizes);
      expect(firstDifference(out[0]!, x)).toBe(-1);
      expect(firstDifference(out[1]!, y)).toBe(-1);
    }
  });

  it("touches only the neighbourhood of a peak: exact before the look-ahead and after the release", () => {
    const rate = 16000;
    const x = lowpassNoise(rate * 5, -3, 3);
    const peakAt = rate * 2;
    x[peakAt] = 3; // +9.5 dB
    const { out, lim } = limit({ sampleRate: rate, channels: 1, ceilingDbtp: -1 }, [x], [777]);
    const y = out[0]!;
    expect(y.length).toBe(x.length);
    // Gain is 1 until the look-ahead (plus the 7-frame hold and 6 interpolation taps) reaches the peak...
    const firstTouched = firstDifference(y, x);
    expect(firstTouched).toBeGreaterThanOrEqual(peakAt - lim.lookahead - 7 - 6);
    expect(firstTouched).toBeLessThan(peakAt);
    // ...and exactly 1 again once the release has run out (the gain only ever rises there).
    let lastTouched = -1;
    for (let i = 0; i < y.length; i++) if (y[i] !== x[i]) lastTouched = i;
    expect(lastTouched).toBeGreaterThan(peakAt);
    expect(lastTouched).toBeLessThan(peakAt + rate * 2.5);
    // The peak itself is brought under the ceiling, and no sample is ever made louder.
    expect(Math.abs(y[peakAt]!)).toBeLessThanOrEqual(dbToGain(-1));
    expect(y.findIndex((v, i) => Math.abs(v) > Math.abs(x[i]!))).toBe(-1);
  });

  it("uses one gain for all channels", () => {
    const rate = 8000;
    const x = hardPeaks(rate, 1, 5);
    const quiet = x.map((v) => v * 0.01);
    const { out } = limit({ sampleRate: rate, channels: 2, ceilingDbtp: -1 }, [x, quiet]);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === 0) continue;
      worst = Math.max(worst, Math.abs(out[0]![i]! / x[i]! - out[1]![i]! / quiet[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it("gives identical output however the input is chunked", () => {
    const rate = 8000;
    const x = hardPeaks(rate, 1, 9);
    const y = x.map((v, i) => (i % 2 ? v : -v) * 0.8);
    const opts = { sampleRate: rate, channels: 2, ceilingDbtp: -1.5, lookaheadMs: 3, releaseMs: 50 };
    const { out: whole } = limit(opts, [x, y]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 20 }), (sizes) => {
        const { out } = limit(opts, [x, y], sizes);
        expect(firstDifference(out[0]!, whole[0]!)).toBe(-1);
        expect(firstDifference(out[1]!, whole[1]!)).toBe(-1);
      }),
      { numRuns: 40 },
    );
    // Frame by frame, with the output checked to come out in step.
    const lim = new TruePeakLimiter(opts);
    const pieces: Float32Array[][] = [];
    let total = 0;
    for (let i = 0; i < 3000; i++) {
      const o = lim.process([x.subarray(i, i + 1), y.subarray(i, i + 1)]);
      total += o[0]!.length;
      expect(total).toBe(Math.max(0, i + 1 - lim.latency));
      pieces.push(o);
    }
    pieces.push(lim.process([x.subarray(3000), y.subarray(3000)]), lim.flush());
    const joined = joinOutputs(pieces, 2);
    expect(firstDifference(joined[0]!, whole[0]!)).toBe(-1);
    expect(firstDifference(joined[1]!, whole[1]!)).toBe(-1);
  });

  it("handles empty and very short streams", () => {
    for (const n of [0, 1, 2, 5, 40, 46, 47, 48, 53, 54, 55, 100]) {
      // Latency at 8 kHz with 5 ms: 40 + 7 + 6 = 53 frames.
      const loud = new Float32Array(n).map((_, i) => (i % 2 ? 2 : -1.5));
      const { out } = limit({ sampleRate: 8000, channels: 1, ceilingDbtp: -1 }, [loud], [1]);
      expect(out[0]!.length).toBe(n);
      if (n > 0) {
        expect(truePeakDb(out)).toBeLessThanOrEqual(-1);
        expect(truePeakDb(out)).toBeGreaterThan(-1.5);
      }
      const quiet = new Float32Array(n).map((_, i) => (i % 3) * 0.1 + 0.05);
      const { out: same } = limit({ sampleRate: 8000, channels: 1, ceilingDbtp: -1 }, [quiet], [2, 3]);
      expect(firstDifference(same[0]!, quiet)).toBe(-1);
    }
    const lim = new TruePeakLimiter({ sampleRate: 8000, channels: 1, ceilingDbtp: -1 });
    expect(lim.flush()[0]!.length).toBe(0);
    expect(lim.flush()[0]!.length).toBe(0);
    expect(() => lim.process([new Float32Array(1)])).toThrow();
  });

  it("rejects bad options and chunks", () => {
    const ok = { sampleRate: 44100, channels: 1, ceilingDbtp: -1 };
    expect(() => new TruePeakLimiter({ ...ok, channels: 0 })).toThrow(RangeError);
    expect(() => new TruePeakLimiter({ ...ok, ceilingDbtp: Number.NaN })).toThrow(RangeError);
    expect(() => new TruePeakLimiter({ ...ok, lookaheadMs: 0 })).toThrow(RangeError);
    expect(() => new TruePeakLimiter({ ...ok, releaseMs: -1 })).toThrow(RangeError);
    expect(() => new TruePeakLimiter(ok).process([new Float32Array(1), new Float32Array(1)])).toThrow(RangeError);
  });
});
