import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactChunk } from "../../src/dsp/redact.ts";
import { dbToAmplitude, type ToneRange } from "../../src/dsp/tone.ts";
import { patchRanges, planarToS16, s16ToPlanar } from "../../src/media/pcm.ts";
import { hertz, sampleIndex } from "../../src/units.ts";

const RATE = 8000;

/** Disjoint sorted ranges from a list of (gap, length) pairs, starting before the chunk sometimes. */
function rangesFrom(pairs: readonly (readonly [number, number])[], first: number): ToneRange[] {
  const out: ToneRange[] = [];
  let at = first;
  for (const [gap, length] of pairs) {
    const start = at + gap;
    out.push({
      start: sampleIndex(start),
      end: sampleIndex(start + length),
      frequency: hertz(440 + out.length * 110),
      amplitude: dbToAmplitude(-18 + out.length),
      rampSamples: 7,
    });
    at = start + length;
  }
  return out;
}

describe("s16ToPlanar", () => {
  it("reads int16 / 32768 per channel, whatever the buffer's alignment", () => {
    for (const channels of [1, 2, 3]) {
      const frames = 1000;
      const aligned = Buffer.alloc(frames * channels * 2 + 1);
      for (let i = 0; i < frames * channels; i++) aligned.writeInt16LE(((i * 7919) % 65536) - 32768, 2 * i);
      const shifted = Buffer.alloc(aligned.length);
      aligned.copy(shifted, 1, 0, frames * channels * 2);
      for (const bytes of [aligned.subarray(0, frames * channels * 2), shifted.subarray(1)]) {
        const planar = s16ToPlanar(bytes, channels);
        expect(planar.length).toBe(channels);
        for (let c = 0; c < channels; c++) {
          for (let i = 0; i < frames; i++) {
            if (planar[c]?.[i] !== aligned.readInt16LE(2 * (i * channels + c)) / 32768) {
              throw new Error(`channel ${c} frame ${i} (offset ${bytes.byteOffset % 2})`);
            }
          }
        }
      }
    }
  });
});

describe("patchRanges", () => {
  it("gives the same bytes as converting the whole redacted chunk, for any chunk and ranges", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: -300, max: 700 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 300 })), { maxLength: 6 }),
        fc.integer(),
        (channels, frames, offset, firstRange, pairs, seed) => {
          // Random int16 samples, including the extremes, interleaved as ffmpeg sends them.
          const bytes = Buffer.alloc(frames * channels * 2);
          let s = seed | 0 || 1;
          for (let i = 0; i < frames * channels; i++) {
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            const v = i % 97 === 0 ? -32768 : i % 89 === 0 ? 32767 : (s % 32768) | 0;
            bytes.writeInt16LE(v, 2 * i);
          }
          const ranges = rangesFrom(pairs, Math.max(0, offset + firstRange));
          const planar = s16ToPlanar(bytes, channels);
          redactChunk(planar, sampleIndex(offset), ranges, RATE);
          const expected = planarToS16(planar);
          const got = patchRanges(Buffer.from(bytes), planar, offset, ranges);
          expect(got.equals(expected)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("converts the ranges' samples at the chunk's edges, one frame wide", () => {
    const frames = 50;
    const offset = 100;
    const bytes = Buffer.alloc(frames * 4, 0x11); // 2 channels of 0x1111
    const one = (start: number, end: number): ToneRange => ({
      start: sampleIndex(start),
      end: sampleIndex(end),
      frequency: hertz(1000),
      amplitude: 0.5,
      rampSamples: 0,
    });
    for (const ranges of [
      [one(99, 101)],
      [one(149, 150)],
      [one(90, 100), one(150, 160)],
      [one(120, 121), one(149, 155)],
    ]) {
      const planar = s16ToPlanar(bytes, 2);
      redactChunk(planar, sampleIndex(offset), ranges, RATE);
      expect(patchRanges(Buffer.from(bytes), planar, offset, ranges).equals(planarToS16(planar))).toBe(true);
    }
  });

  it("refuses bytes that do not match the samples", () => {
    expect(() => patchRanges(Buffer.alloc(6), [new Float32Array(2)], 0, [])).toThrow(RangeError);
  });
});
