import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PeakMeter, PeakPyramid } from "../../src/dsp/peaks.ts";

/**
 * Reference: frame i belongs to column floor(i·C/N) (computed in BigInt), and a column's peaks are
 * the min and max of its frames over all channels, found by a plain scan of the whole signal.
 */
function reference(planar: readonly Float32Array[], columns: number): { min: number[]; max: number[] } {
  const n = planar[0]?.length ?? 0;
  const c = Math.min(columns, n);
  const min = new Array<number>(c).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(c).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const col = Number((BigInt(i) * BigInt(c)) / BigInt(n));
    for (const ch of planar) {
      const v = ch[i] as number;
      min[col] = Math.min(min[col] as number, v);
      max[col] = Math.max(max[col] as number, v);
    }
  }
  return { min, max };
}

function run(planar: readonly Float32Array[], columns: number, chunkSizes: readonly number[]) {
  const n = planar[0]?.length ?? 0;
  const meter = new PeakMeter(n, columns);
  let at = 0;
  let k = 0;
  while (at < n) {
    const size = Math.min(chunkSizes[k++ % chunkSizes.length] ?? n, n - at);
    meter.push(planar.map((ch) => ch.subarray(at, at + size)));
    at += size;
  }
  return meter.result();
}

describe("PeakMeter", () => {
  it("matches a plain scan for any length, column count, channel count and chunking", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
        fc.integer(),
        (channels, frames, columns, chunkSizes, seed) => {
          let s = seed | 0 || 1;
          const planar = Array.from({ length: channels }, () =>
            Float32Array.from({ length: frames }, () => {
              s ^= s << 13;
              s ^= s >>> 17;
              s ^= s << 5;
              return Math.fround((s >>> 0) / 2 ** 31 - 1);
            }),
          );
          const got = run(planar, columns, chunkSizes);
          const want = reference(planar, columns);
          expect(got.frames).toBe(frames);
          expect(Array.from(got.min)).toEqual(want.min);
          expect(Array.from(got.max)).toEqual(want.max);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("gives the same peaks when the chunks come in any order at their offsets (pushAt)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 5 }),
        fc.integer(),
        (frames, columns, chunkSizes, seed) => {
          let s = seed | 0 || 1;
          const x = Float32Array.from({ length: frames }, () => {
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            return Math.fround((s >>> 0) / 2 ** 31 - 1);
          });
          const chunks: [number, number][] = [];
          for (let at = 0, k = 0; at < frames; k++) {
            const size = Math.min(chunkSizes[k % chunkSizes.length] ?? frames, frames - at);
            chunks.push([at, size]);
            at += size;
          }
          // Out of order: the odd chunks from the end first, then the even ones.
          const order = [...chunks.filter((_, i) => i % 2 === 1).reverse(), ...chunks.filter((_, i) => i % 2 === 0)];
          const meter = new PeakMeter(frames, columns);
          for (const [at, size] of order) meter.pushAt(at, [x.subarray(at, at + size)]);
          const got = meter.result();
          const want = reference([x], columns);
          expect(Array.from(got.min)).toEqual(want.min);
          expect(Array.from(got.max)).toEqual(want.max);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("keeps a column's true extremes when a column is all positive or all negative", () => {
    const up = Float32Array.from({ length: 100 }, (_, i) => 0.1 + i / 1000);
    const down = Float32Array.from({ length: 100 }, (_, i) => -0.5 - i / 1000);
    const p = run([Float32Array.from([...up, ...down])], 2, [33]);
    expect(Array.from(p.min)).toEqual([Math.fround(0.1), Math.fround(-0.599)]);
    expect(Array.from(p.max)).toEqual([Math.fround(0.199), Math.fround(-0.5)]);
  });

  it("finds a one-sample click, wherever the chunks split", () => {
    const x = new Float32Array(48000);
    x[31337] = -0.9;
    const p = run([x], 1000, [4096]);
    const col = Math.floor((31337 * 1000) / 48000);
    expect(p.min[col]).toBe(Math.fround(-0.9));
    expect(Array.from(p.min).filter((v) => v !== 0)).toHaveLength(1);
  });

  it("uses no more columns than frames, and refuses more frames than announced or too few", () => {
    expect(run([new Float32Array([0.5, -0.5, 0.25])], 1000, [2]).max.length).toBe(3);
    const m = new PeakMeter(10, 4);
    m.push([new Float32Array(6)]);
    expect(() => m.result()).toThrow(/6 of 10/);
    expect(() => m.push([new Float32Array(5)])).toThrow(/more than the 10 frames/);
  });
});

describe("PeakPyramid", () => {
  it("gives at every level the min and max of each column's frames over all channels, however the stream is cut", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
        fc.integer(),
        (channels, frames, chunkSizes, seed) => {
          let s = seed | 0 || 1;
          const planar = Array.from({ length: channels }, () =>
            Float32Array.from({ length: frames }, () => {
              s ^= s << 13;
              s ^= s >>> 17;
              s ^= s << 5;
              return Math.fround((s >>> 0) / 2 ** 31 - 1);
            }),
          );
          const widths = [3, 12, 48];
          const pyramid = new PeakPyramid(widths);
          let at = 0;
          let k = 0;
          while (at < frames) {
            const size = Math.min(chunkSizes[k++ % chunkSizes.length] ?? frames, frames - at);
            pyramid.push(planar.map((ch) => ch.subarray(at, at + size)));
            at += size;
          }
          const got = pyramid.result();
          expect(got.frames).toBe(frames);
          expect(got.levels.map((l) => l.framesPerColumn)).toEqual(widths);
          for (const level of got.levels) {
            const w = level.framesPerColumn;
            const n = Math.ceil(frames / w);
            const min: number[] = [];
            const max: number[] = [];
            for (let c = 0; c < n; c++) {
              const values = planar.flatMap((ch) => Array.from(ch.subarray(c * w, (c + 1) * w)));
              min.push(Math.min(...values));
              max.push(Math.max(...values));
            }
            expect(Array.from(level.min)).toEqual(min);
            expect(Array.from(level.max)).toEqual(max);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps blocks of columns, not one array that grows: a long stream crosses block edges", () => {
    const p = new PeakPyramid([1, 4]);
    const ramp = Float32Array.from({ length: 40000 }, (_, i) => (i % 7) / 8);
    p.push([ramp]);
    const { levels } = p.result();
    expect(levels[0]?.max[39999]).toBe(ramp[39999]);
    expect(levels[1]?.min.length).toBe(10000);
  });

  it("refuses levels that do not nest", () => {
    expect(() => new PeakPyramid([])).toThrow(RangeError);
    expect(() => new PeakPyramid([4, 6])).toThrow(RangeError);
  });
});
