import { describe, expect, it } from "vitest";
import { dbToAmplitude, effectiveRamp, type ToneRange, toneAt, toneSample, writeTone } from "../../src/dsp/tone.ts";
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

describe("writeTone", () => {
  // The per-sample definition is toneAt; writeTone must give exactly its values (stored as float32), for
  // whole-number frequencies (the phase advanced by additions) and any other (toneAt itself).
  const cases: Array<[rate: number, frequency: number, length: number, ramp: number, k0: number]> = [
    [8000, 440, 5000, 40, 0],
    [44100, 440, 44100 * 3, 220, 0],
    [44100, 660, 44100 * 3, 220, 44100 * 2 + 17],
    [48000, 1000, 96000, 0, 12345],
    [22050, 660, 3000, 2000, 0], // ramps shortened to half the range
    [16000, 17000, 4000, 80, 3], // above the rate: the phase still reduced each step
    [44100, 440, 44100 * 3600 * 5, 220, 44100 * 3600 * 5 - 50000], // five hours in
    [44100, 440.5, 9000, 100, 250], // not a whole number: toneAt's own arithmetic
  ];
  for (const [rate, frequency, length, rampSamples, k0] of cases) {
    it(`equals toneAt bit for bit: ${frequency} Hz at ${rate} Hz from offset ${k0} of ${length}`, () => {
      const r = range(1000, length, frequency, rampSamples);
      const ramp = effectiveRamp(r);
      const n = Math.min(length - k0, 50000);
      const out = new Float32Array(n);
      writeTone(out, k0, r, length, ramp, rate);
      const want = Float32Array.from({ length: n }, (_, i) => toneAt(r, k0 + i, length, ramp, rate));
      const differ = out.findIndex((v, i) => !Object.is(v, want[i]));
      expect(differ).toBe(-1);
      expect(out.some((v) => v !== 0)).toBe(true);
    });
  }
});
