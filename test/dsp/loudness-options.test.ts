import { describe, expect, it } from "vitest";
import { LoudnessMeter } from "../../src/dsp/loudness.ts";
import { chunked, lowpassNoise, sine } from "./signals.ts";

describe("LoudnessMeter without the true peak", () => {
  it("gives exactly the same loudness and sample peak, and NaN for the true peak", () => {
    for (const [rate, channels] of [
      [8000, 1],
      [44100, 2],
    ] as const) {
      const x = lowpassNoise(rate * 3, -6, rate);
      const planar = Array.from({ length: channels }, (_, c) => (c ? sine(rate, 997, -9, x.length) : x));
      const full = new LoudnessMeter(rate, channels);
      const light = new LoudnessMeter(rate, channels, { truePeak: false });
      for (const chunk of chunked(planar, [1000, 7, 4096])) {
        full.push(chunk);
        light.push(chunk);
      }
      const a = full.result();
      const b = light.result();
      expect(Number.isFinite(a.integratedLufs)).toBe(true);
      expect(b.integratedLufs).toBe(a.integratedLufs);
      expect(b.samplePeakDbfs).toBe(a.samplePeakDbfs);
      expect(Number.isFinite(a.truePeakDbtp)).toBe(true);
      expect(b.truePeakDbtp).toBeNaN();
    }
  });
});
