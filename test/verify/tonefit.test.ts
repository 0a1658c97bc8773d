/**
 * The measurements verification relies on: fitting a sine of known frequency,
 * finding the lag between two signals, the notch. Reference values come from
 * how the test signals are built, not from the code under test.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BiquadCascade, bestLag, fft, fitTone, notchCoefficients, phaseAt } from "../../src/dsp/tonefit.ts";
import { rng } from "../helpers/audio.ts";

const RATE = 8000;

function noiseArray(n: number, amplitude: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => amplitude * (r() * 2 - 1));
}

describe("fitTone", () => {
  it("recovers a sine's amplitude and phase and leaves exactly the rest", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.9, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(440, 660, 1000),
        (amp, phase, k0, f) => {
          const n = 400;
          const noise = noiseArray(n, 1e-3, k0 + 1);
          // y = amp sin(w k + phase) + noise, with k counted from the tone's zero phase, k0 samples earlier.
          const y = Float64Array.from(
            { length: n },
            (_, i) => amp * Math.sin((2 * Math.PI * f * (k0 + i)) / RATE + phase) + (noise[i] as number),
          );
          const res = new Float64Array(n);
          const fit = fitTone(y, 0, n, k0, f, RATE, res);
          // sin(a + p) = cos p sin a + sin p cos a
          expect(fit.sinCoef).toBeCloseTo(amp * Math.cos(phase), 3);
          expect(fit.cosCoef).toBeCloseTo(amp * Math.sin(phase), 3);
          let resE = 0;
          let noiseE = 0;
          for (let i = 0; i < n; i++) {
            resE += (res[i] as number) ** 2;
            noiseE += (noise[i] as number) ** 2;
          }
          // Least squares takes out at most the noise's own projection on the sine: the rest stays.
          expect(resE).toBeLessThanOrEqual(noiseE * 1.0000001);
          expect(resE).toBeGreaterThan(noiseE * 0.9);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("keeps full precision for offsets hours into a range", () => {
    const k = 44100 * 3600 * 3 + 17; // three hours in
    expect(phaseAt(k, 440, 44100)).toBeCloseTo((2 * Math.PI * ((440 * 17) % 44100)) / 44100, 12);
  });

  it("fits nothing to a block too short to tell sine from cosine", () => {
    const fit = fitTone(new Float64Array([0.5]), 0, 1, 0, 440, RATE);
    expect(fit.toneEnergy).toBe(0);
  });
});

describe("bestLag", () => {
  it("finds a known shift of noise", () => {
    fc.assert(
      fc.property(fc.integer({ min: -64, max: 64 }), (shift) => {
        const n = 300;
        const maxLag = 64;
        const long = noiseArray(n + 4 * maxLag, 0.5, 7);
        const ref = long.slice(2 * maxLag, 2 * maxLag + n);
        // sig[j] is the signal at ref index j - maxLag, delayed by `shift`: sig[n + shift] = ref[n].
        const sig = Float64Array.from({ length: n + 2 * maxLag }, (_, j) => long[2 * maxLag + j - maxLag - shift] ?? 0);
        const found = bestLag(ref, sig, maxLag);
        expect(found.lag).toBe(shift);
        expect(found.correlation).toBeGreaterThan(0.999);
      }),
      { numRuns: 40 },
    );
  });

  it("finds the right period of a tone when a little speech tells them apart", () => {
    // A tone (period 12.12 samples) with speech-like noise 30 dB under it: only the noise tells the
    // periods apart, so every lag must be tried, not a coarse grid.
    const n = 384;
    const maxLag = 384;
    const noise = noiseArray(n + 4 * maxLag, 0.004, 9);
    const x = Float64Array.from(noise, (v, i) => v + 0.126 * Math.sin((2 * Math.PI * 660 * i) / RATE));
    const ref = x.slice(2 * maxLag, 2 * maxLag + n);
    const sig = Float64Array.from({ length: n + 2 * maxLag }, (_, j) => x[2 * maxLag + j - maxLag - 37] ?? 0);
    expect(bestLag(ref, sig, maxLag).lag).toBe(37);
  });

  it("says 0 correlation for silence", () => {
    expect(bestLag(new Float64Array(10), new Float64Array(14), 2).correlation).toBe(0);
  });
});

describe("the notch", () => {
  it("takes a steady tone out by more than 80 dB and passes speech frequencies two octaves away", () => {
    const c = notchCoefficients(440, RATE, 2);
    const gainAt = (f: number): number => {
      const cascade = new BiquadCascade(c, 2);
      const x = Float64Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / RATE));
      cascade.process(x);
      let e = 0;
      for (let i = 8000; i < 16000; i++) e += (x[i] as number) ** 2;
      return 10 * Math.log10(e / 4000); // a unit sine holds 1/2 per sample
    };
    expect(gainAt(440)).toBeLessThan(-80);
    expect(gainAt(2500)).toBeGreaterThan(-1);
    expect(gainAt(100)).toBeGreaterThan(-2);
  });

  it("filters the same however the stream is cut", () => {
    const x = noiseArray(1000, 0.3, 3);
    const whole = x.slice();
    new BiquadCascade(notchCoefficients(660, RATE, 2), 2).process(whole);
    const cascade = new BiquadCascade(notchCoefficients(660, RATE, 2), 2);
    const parts = x.slice();
    for (const [a, b] of [
      [0, 1],
      [1, 333],
      [333, 1000],
    ] as const)
      cascade.process(parts.subarray(a, b));
    expect([...parts]).toEqual([...whole]);
  });
});

describe("fft", () => {
  it("matches the DFT written out, forward and inverse", () => {
    const n = 64;
    const x = noiseArray(n, 1, 12);
    const re = x.slice();
    const im = new Float64Array(n);
    fft(re, im);
    for (const k of [0, 1, 5, 31, 32, 63]) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        sr += (x[j] as number) * Math.cos((2 * Math.PI * j * k) / n);
        si -= (x[j] as number) * Math.sin((2 * Math.PI * j * k) / n);
      }
      expect(re[k]).toBeCloseTo(sr, 10);
      expect(im[k]).toBeCloseTo(si, 10);
    }
    fft(re, im, true);
    for (let j = 0; j < n; j++) expect((re[j] as number) / n).toBeCloseTo(x[j] as number, 12);
  });
});
