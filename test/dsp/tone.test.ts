import { describe, expect, it } from "vitest";
import { dbToAmplitude, effectiveRamp, type ToneRange, toneSample } from "../../src/dsp/tone.ts";
import { type Hertz, hertz, type SampleIndex, sampleIndex } from "../../src/units.ts";

const range = (start: number, length: number, frequency: number, rampSamples: number): ToneRange => ({
  start: sampleIndex(start),
  end: sampleIndex(start + length) as SampleIndex,
  frequency: hertz(frequency) as Hertz,
  amplitude: dbToAmplitude(-18),
  rampSamples,
});

/*
 * Golden values computed outside this code base, in Python:
 *   A = 10**(-18/20); d = min(k, L-1-k)
 *   w = 1 if d >= R else 0.5*(1-cos(pi*d/R))
 *   A * w * sin(2*pi*f*k/fs)
 */
const GOLDEN: Array<{ fs: number; f: number; L: number; R: number; values: Array<[number, number]> }> = [
  {
    fs: 8000,
    f: 440,
    L: 400,
    R: 40,
    values: [
      [0, 0],
      [1, 6.572950037543402e-5],
      [2, 0.0004939864098497195],
      [20, 0.03699888953944199],
      [39, 0.09932129890213613],
      [40, 0.11973092164164022],
      [200, 5.553377315119604e-16],
      [360, -0.11954637640501707],
      [398, -0.0001236872457124305],
      [399, 0],
    ],
  },
  {
    fs: 44100,
    f: 660,
    L: 44100,
    R: 220,
    values: [
      [0, 0],
      [1, 6.026039906698056e-7],
      [2, 4.799289077763545e-6],
      [110, -0.050040822647097555],
      [219, 0.12400464952283945],
      [220, 0.12142703408138827],
      [22050, -3.7011086427489485e-14],
      [43880, -0.12142084391386565],
      [44098, -1.1998834376966773e-6],
      [44099, 0],
    ],
  },
  {
    fs: 48000,
    f: 1000,
    L: 960,
    R: 240,
    values: [
      [0, 0],
      [1, 7.038963903254661e-7],
      [2, 5.582756518628495e-6],
      [239, -0.016431570132665673],
      [958, -1.395748918255659e-6],
      [959, 0],
    ],
  },
];

describe("toneSample", () => {
  for (const g of GOLDEN) {
    it(`matches the golden values at ${g.fs} Hz, ${g.f} Hz, ${g.R}-sample ramps (tolerance 1e-12)`, () => {
      const r = range(1000, g.L, g.f, g.R);
      for (const [k, expected] of g.values) {
        expect(Math.abs(toneSample(r, 1000 + k, g.fs) - expected)).toBeLessThan(1e-12);
      }
    });
  }

  it("starts at zero and rises (phase zero, sin) at the first sample when there is no ramp", () => {
    const r = range(500, 100, 440, 0);
    expect(toneSample(r, 500, 8000)).toBe(0);
    expect(toneSample(r, 501, 8000)).toBeGreaterThan(0);
    // Without a ramp the peak is the tone level: a quarter period at 2000 Hz / 8000 Hz is exactly sample 1.
    expect(toneSample(range(0, 100, 2000, 0), 1, 8000)).toBeCloseTo(dbToAmplitude(-18), 12);
  });

  it("shortens the ramps so that they never overlap in a short range", () => {
    expect(effectiveRamp(range(0, 10, 440, 40))).toBe(5);
    expect(effectiveRamp(range(0, 1, 440, 40))).toBe(0);
    expect(effectiveRamp(range(0, 1000, 440, 40))).toBe(40);
  });

  it("keeps its phase exact deep into a long range", () => {
    // 440 Hz at 8000 Hz repeats every 200 samples: an hour in, the value is the same as at the start.
    const r = range(0, 8000 * 3600 + 1000, 440, 0);
    const later = 8000 * 3600 - 200 * 1000 + 37; // a multiple of the period, plus 37
    expect(toneSample(r, later, 8000)).toBeCloseTo(toneSample(r, 37, 8000), 12);
  });
});
