/**
 * TruePeakMeter skips the interpolation of blocks that cannot raise its maximum; the history it keeps
 * from a skipped block must still be exact, because the next block's first interpolated values read it.
 * Signals here put a new, higher peak right after a long skipped stretch, at every position around the
 * 512-frame block boundaries, and feed the meter in awkward chunkings; the result must equal, bit for
 * bit, the maximum over every interpolated value computed directly (same filter, same summation order).
 */
import { describe, expect, it } from "vitest";
import { TRUE_PEAK_FIR, TruePeakMeter } from "../../src/dsp/truepeak.ts";
import { chunked, rng } from "./signals.ts";

/** max of |samples| and |interpolated values| (the stream zero outside), each value summed tap by tap. */
function directPeak(planar: readonly Float32Array[]): number {
  let best = 0;
  for (const x of planar) {
    for (const v of x) best = Math.max(best, Math.abs(v));
    for (let m = 0; m < x.length + 11; m++) {
      for (const phase of TRUE_PEAK_FIR) {
        let y = 0;
        for (let j = 0; j < 12; j++) {
          const n = m - j;
          y += (phase[j] as number) * (n >= 0 && n < x.length ? (x[n] as number) : 0);
        }
        best = Math.max(best, Math.abs(y));
      }
    }
  }
  return best;
}

/** An early peak sets the maximum; a quiet stretch follows (skipped), with strong samples near its end;
 *  then a higher peak at `at`, whose inter-sample overshoot depends on the samples before it. */
function crafted(frames: number, at: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = (r() * 2 - 1) * 0.05;
  x[3] = 0.6;
  for (let i = at - 11; i < at; i++) x[i] = (i % 2 ? 0.29 : -0.29) * (0.8 + 0.2 * r());
  x[at] = 0.7;
  x[at + 1] = -0.65;
  return x;
}

describe("TruePeakMeter with skipped blocks", () => {
  it("keeps an exact history across skipped blocks, for any chunking", () => {
    for (const at of [1024, 1025, 1030, 1034, 1035, 1036, 1040, 1535, 1536, 1547, 2048 + 300]) {
      const x = crafted(4096, at, at);
      const y = crafted(4096, at + 3, at + 1).map((v) => v * 0.9);
      const expected = directPeak([x, y]);
      for (const sizes of [[], [1], [5, 3, 700], [511, 1, 2], [10, 10, 10, 4000], [1025, 11, 12]]) {
        const meter = new TruePeakMeter(2);
        for (const chunk of chunked([x, y], sizes)) meter.push(chunk);
        expect(meter.maxAbs, `peak at ${at}, chunks ${sizes.join(",")}`).toBe(expected);
      }
    }
  });
});
