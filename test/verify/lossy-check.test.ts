/**
 * The per-range analysis of a lossy file, on synthetic streams (no codec):
 * what it says about a clean file, a file where the speech leaks through under
 * the tone, and a file shifted in time; and that its results do not depend on
 * how the streams are cut into blocks.
 */
import { describe, expect, it } from "vitest";
import { LossyRangeAnalyzer, type LossyRangeResult } from "../../src/verify/lossy-check.ts";
import type { ExpectedRange } from "../../src/verify/reference-tone.ts";
import { rng, speechLike } from "../helpers/audio.ts";
import { refTone } from "../helpers/signal.ts";

const RATE = 8000;
const FRAMES = RATE * 4;
const speech = Float32Array.from(speechLike(RATE, 1, FRAMES, 11)[0] as Int16Array, (v) => v / 32768);

const RANGES: ExpectedRange[] = [
  {
    number: 1,
    start: 8000,
    end: 13000,
    frequency: 440,
    category: "sensitive",
    amplitude: 10 ** (-18 / 20),
    rampSamples: 40,
  },
  {
    number: 2,
    start: 20000,
    end: 20100,
    frequency: 660,
    category: "obscenity",
    amplitude: 10 ** (-18 / 20),
    rampSamples: 40,
  },
  {
    number: 3,
    start: 24000,
    end: 30000,
    frequency: 660,
    category: "obscenity",
    amplitude: 10 ** (-18 / 20),
    rampSamples: 40,
  },
];

/** The expected master: the speech, each range replaced by the reference tone (written out in the test helpers). */
const expected = speech.slice();
for (const r of RANGES) {
  for (let n = r.start; n < r.end; n++) expected[n] = refTone(n - r.start, r.end - r.start, r.frequency, RATE, -18, 5);
}

const GAIN = 10 ** (4 / 20);

function lossyFrom(f: (n: number) => number): Float32Array {
  return Float32Array.from({ length: FRAMES }, (_, n) => f(n));
}

function analyse(lossy: Float32Array, block = 4096, frame = 192): LossyRangeResult[] {
  const a = new LossyRangeAnalyzer(RANGES, { sampleRate: RATE, channels: 1, frame, totalSamples: FRAMES });
  for (let pos = 0; pos < FRAMES; pos += block) {
    const to = Math.min(FRAMES, pos + block);
    if (a.needs(pos, to)) a.push([expected.subarray(pos, to)], [lossy.subarray(pos, to)], [speech.subarray(pos, to)]);
    else a.skip(to - pos);
  }
  return a.finish();
}

describe("LossyRangeAnalyzer", () => {
  const noise = rng(5);
  // A clean file: the expected master with a gain and a little noise (1e-4, about 80 dB under the tone).
  const clean = lossyFrom((n) => GAIN * (expected[n] as number) + 1e-4 * (noise() * 2 - 1));
  const results = analyse(clean);

  it("finds the edges where they are, the tone holding the range, and nothing of the speech", () => {
    const [r1, r2, r3] = results;
    for (const r of [r1, r3]) {
      expect(r?.startLag?.lag).toBe(0);
      expect(r?.endLag?.lag).toBe(0);
      expect(r?.toneShare).toBeGreaterThan(0.9999);
      expect(r?.gainDb).toBeCloseTo(4, 1);
      expect(Math.abs(r?.correlation ?? 1)).toBeLessThan(0.1);
      expect(r?.residualDb).toBeLessThan(-50);
      // Nothing of the speech follows: the correlation is within chance.
      expect(Math.abs(r?.correlation ?? 1)).toBeLessThan(3 * (r?.chanceCorrelation ?? 0));
    }
    // 100 samples: too short to measure inside, its edges still found.
    expect(r2?.measuredSamples).toBe(0);
    expect(r2?.startLag?.lag).toBe(0);
  });

  it("gives the same results however the streams are cut into blocks", () => {
    expect(analyse(clean, 1000)).toEqual(results);
    expect(analyse(clean, 7777)).toEqual(results);
  });

  it("sees speech left under the tone at -40 dB: it correlates and is far over -50 dB", () => {
    const leaky = lossyFrom((n) => {
      const inRange = RANGES.some((r) => n >= r.start && n < r.end);
      return GAIN * ((expected[n] as number) + (inRange ? 0.01 * (speech[n] as number) : 0));
    });
    const [r1, , r3] = analyse(leaky);
    for (const r of [r1, r3]) {
      expect(r?.correlation).toBeGreaterThan(0.9);
      expect(r?.residualDb).toBeGreaterThan(-45);
      expect(r?.residualDb).toBeLessThan(-35);
      expect(r?.speechPartDb).toBeGreaterThan(-45);
      // Far beyond what chance gives signals like these.
      expect(r?.correlation).toBeGreaterThan(4 * (r?.chanceCorrelation ?? 1));
    }
  });

  it("measures a file that is late by 37 samples as 37 samples late at both edges", () => {
    const late = lossyFrom((n) => GAIN * (expected[n - 37] ?? 0));
    const [r1, , r3] = analyse(late);
    for (const r of [r1, r3]) {
      expect(r?.startLag?.lag).toBe(37);
      expect(r?.endLag?.lag).toBe(37);
      // Measured at the lag it found, the inside is as clean as ever.
      expect(r?.toneShare).toBeGreaterThan(0.9999);
    }
  });

  it("finds a wrong frequency: the expected tone holds little of the range", () => {
    const wrong = lossyFrom((n) => {
      const r = RANGES.find((x) => n >= x.start && n < x.end);
      return r ? 0.1 * Math.sin((2 * Math.PI * 450 * (n - r.start)) / RATE) : GAIN * (speech[n] as number);
    });
    const [r1] = analyse(wrong);
    expect(r1?.toneShare).toBeLessThan(0.95);
  });
});
