import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InterSamplePeaks, TRUE_PEAK_FIR, TRUE_PEAK_GAIN_BOUND, TruePeakMeter } from "../../src/dsp/truepeak.ts";
import { chunked, noise, rng, sine } from "./signals.ts";

/**
 * Reference: the textbook 4x interpolator. Zero-stuff the (zero-padded) signal by 4, convolve with the
 * 48-tap prototype h[4j + k] = phase k tap j, and take |values|; no polyphase tricks, no skipping.
 * Returns the interpolated values in order, each with its position in input frames.
 */
function referenceInterpolation(x: Float32Array): { t: number; v: number }[] {
  const h: number[] = [];
  for (let j = 0; j < 12; j++) for (let k = 0; k < 4; k++) h[4 * j + k] = TRUE_PEAK_FIR[k]![j]!;
  const n = x.length;
  const up = new Float64Array(4 * (n + 12));
  for (let i = 0; i < n; i++) up[4 * i] = x[i]!;
  const out: { t: number; v: number }[] = [];
  for (let m = 0; m < up.length; m++) {
    let acc = 0;
    for (let t = 0; t < 48; t++) if (m - t >= 0) acc += h[t]! * up[m - t]!;
    // Group delay 23.5 upsampled samples.
    out.push({ t: (m - 23.5) / 4, v: acc });
  }
  return out;
}

function referencePeak(planar: readonly Float32Array[]): number {
  let max = 0;
  for (const x of planar) {
    for (const { v } of referenceInterpolation(x)) max = Math.max(max, Math.abs(v));
    for (const v of x) max = Math.max(max, Math.abs(v));
  }
  return max;
}

describe("BS.1770-4 Annex 2 filter", () => {
  it("is the symmetric 48-tap prototype of the recommendation", () => {
    // Spot values from the printed table.
    expect(TRUE_PEAK_FIR[0]![6]).toBe(0.97216796875);
    expect(TRUE_PEAK_FIR[1]![0]).toBe(-0.0291748046875);
    for (let k = 0; k < 4; k++) {
      expect([...TRUE_PEAK_FIR[3 - k]!].reverse()).toEqual([...TRUE_PEAK_FIR[k]!]);
      // The short filter's DC gain per phase is 1 only to within 2.7 % (0.973 or 1.027): its known ripple.
      const dc = TRUE_PEAK_FIR[k]!.reduce((s, c) => s + c, 0);
      expect(Math.abs(dc - 1)).toBeLessThan(0.03);
    }
    expect(TRUE_PEAK_GAIN_BOUND).toBeGreaterThan(1.5);
    expect(TRUE_PEAK_GAIN_BOUND).toBeLessThan(2.5);
  });
});

describe("TruePeakMeter", () => {
  it("reads a sine at fs/4 with a 45 degree phase (samples at 0.707) as a 0 dBTP peak, +3 dB over the samples", () => {
    const x = sine(48000, 12000, 0, 4800, Math.PI / 4);
    const samplePeak = Math.max(...x.map(Math.abs));
    expect(20 * Math.log10(samplePeak)).toBeCloseTo(-3.01, 2);
    const m = new TruePeakMeter(1);
    m.push([x]);
    const dbtp = 20 * Math.log10(m.maxAbs);
    expect(Math.abs(dbtp)).toBeLessThan(0.3);
    expect(dbtp - 20 * Math.log10(samplePeak)).toBeGreaterThan(2.7);
  });

  it("is 0 for silence and nothing, and never below the sample peak", () => {
    const m = new TruePeakMeter(2);
    expect(m.maxAbs).toBe(0);
    m.push([new Float32Array(0), new Float32Array(0)]);
    m.push([new Float32Array(1000), new Float32Array(1000)]);
    expect(m.maxAbs).toBe(0);
    // A lone full-scale sample: the interpolated values around it are 0.972 at most, the sample is 1.
    const impulse = new Float32Array(50);
    impulse[20] = -1;
    m.push([new Float32Array(50), impulse]);
    expect(m.maxAbs).toBe(1);
  });

  it("matches a plain zero-stuff-and-convolve 4x interpolator, ringing past the ends included", () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      // Varying levels so that both skipped and computed blocks occur.
      const x = new Float32Array(3000).map((_, i) => (r() * 2 - 1) * (i % 1000 < 500 ? 0.9 : 0.05 + i / 6000));
      const y = noise(3000, -6, seed + 10);
      const m = new TruePeakMeter(2);
      m.push([x, y]);
      expect(m.maxAbs).toBeCloseTo(referencePeak([x, y]), 12);
    }
    // Short signals: all of it is history and tail.
    for (const len of [1, 2, 5, 11, 12, 13]) {
      const x = noise(len, 0, len);
      const m = new TruePeakMeter(1);
      m.push([x]);
      expect(m.maxAbs).toBeCloseTo(referencePeak([x]), 12);
    }
  });

  it("gives exactly the same result however the stream is chunked", () => {
    const r = rng(7);
    const x = new Float32Array(6000).map((_, i) => (r() * 2 - 1) * (0.1 + (i % 1700) / 1700));
    const y = sine(44100, 9000, -2, 6000, 1);
    const whole = new TruePeakMeter(2);
    whole.push([x, y]);
    const expected = whole.maxAbs;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1300 }), { maxLength: 30 }), (sizes) => {
        const m = new TruePeakMeter(2);
        for (const chunk of chunked([x, y], sizes)) {
          m.push(chunk);
          void m.maxAbs; // reading mid-stream must not disturb it
        }
        expect(m.maxAbs).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("rejects chunks with the wrong shape", () => {
    const m = new TruePeakMeter(2);
    expect(() => m.push([new Float32Array(3)])).toThrow(RangeError);
    expect(() => m.push([new Float32Array(3), new Float32Array(4)])).toThrow(RangeError);
    expect(() => new TruePeakMeter(0)).toThrow(RangeError);
  });
});

describe("InterSamplePeaks", () => {
  /** Per-frame reference: max |x| and |interpolated values| within (i-1, i+1), ends absorbing the ringing. */
  function referenceFramePeaks(planar: readonly Float32Array[]): Float64Array {
    const n = planar[0]!.length;
    const out = new Float64Array(n);
    for (const x of planar) {
      for (let i = 0; i < n; i++) out[i] = Math.max(out[i]!, Math.abs(x[i]!));
      for (const { t, v } of referenceInterpolation(x)) {
        const a = Math.abs(v);
        const lo = Math.min(n - 1, Math.max(0, Math.floor(t)));
        const hi = Math.min(n - 1, Math.max(0, Math.ceil(t)));
        out[lo] = Math.max(out[lo]!, a);
        out[hi] = Math.max(out[hi]!, a);
      }
    }
    return out;
  }

  function run(planar: readonly Float32Array[], sizes: readonly number[], threshold?: number): Float64Array {
    const det = new InterSamplePeaks(planar.length);
    const n = planar[0]!.length;
    const out = new Float64Array(n);
    let k = 0;
    for (const chunk of chunked(planar, sizes)) {
      const buf = new Float64Array(chunk[0]!.length);
      const got = det.process(chunk, buf, threshold);
      out.set(buf.subarray(0, got), k);
      k += got;
    }
    const buf = new Float64Array(InterSamplePeaks.DELAY);
    const got = det.flush(buf, threshold);
    out.set(buf.subarray(0, got), k);
    k += got;
    expect(k).toBe(n);
    return out;
  }

  it("gives one peak per frame, matching the reference, for any chunking", () => {
    const x = noise(2500, -3, 1);
    const y = sine(16000, 3000, -1, 2500, 0.4);
    const expected = referenceFramePeaks([x, y]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 12 }), (sizes) => {
        const got = run([x, y], sizes);
        for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 12);
      }),
      { numRuns: 25 },
    );
    for (const len of [0, 1, 3, 6, 7, 20]) {
      const s = noise(len, 0, len + 1);
      const got = run([s], [2, 1]);
      const ref = referenceFramePeaks([s]);
      for (let i = 0; i < len; i++) expect(got[i]).toBeCloseTo(ref[i]!, 12);
    }
  });

  it("with a threshold, reports max(threshold, peak) for any chunking", () => {
    const r = rng(5);
    const x = new Float32Array(5000).map((_, i) => (r() * 2 - 1) * (Math.floor(i / 600) % 3 === 0 ? 1.2 : 0.2));
    const exact = referenceFramePeaks([x]);
    const whole = run([x], [], 0.8);
    let above = 0;
    for (let i = 0; i < x.length; i++) {
      if (exact[i]! > 0.8) above++;
      expect(whole[i]).toBeCloseTo(Math.max(0.8, exact[i]!), 12);
    }
    expect(above).toBeGreaterThan(100);
    for (const sizes of [
      [1234, 1, 999],
      [1, 2, 3, 511, 513],
      [10, 0, 4000],
    ]) {
      expect(run([x], sizes, 0.8)).toEqual(whole);
    }
  });
});
