import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactChunk } from "../../src/dsp/redact.ts";
import { dbToAmplitude, type ToneRange } from "../../src/dsp/tone.ts";
import { hertz, sampleIndex } from "../../src/units.ts";

const RATE = 8000;
const tone = (start: number, end: number, frequency: number, rampSamples = 40): ToneRange => ({
  start: sampleIndex(start),
  end: sampleIndex(end),
  frequency: hertz(frequency),
  amplitude: dbToAmplitude(-18),
  rampSamples,
});

const signal = (channels: number, length: number): Float32Array[] =>
  Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length }, (_, i) => Math.sin(i * 0.01 * (c + 1)) * 0.5),
  );

describe("redactChunk", () => {
  it("replaces every channel inside [start, end) with the tone and leaves everything else bit-identical", () => {
    const original = signal(2, 2000);
    const planar = original.map((c) => c.slice());
    const ranges = [tone(100, 400, 440), tone(1000, 1500, 660)];
    const replaced = redactChunk(planar, sampleIndex(0), ranges, RATE);
    expect(replaced).toBe(300 + 500);
    for (let i = 0; i < 2000; i++) {
      const inside = (i >= 100 && i < 400) || (i >= 1000 && i < 1500);
      if (!inside) {
        expect(planar[0]?.[i]).toBe(original[0]?.[i]);
        expect(planar[1]?.[i]).toBe(original[1]?.[i]);
      } else {
        // Same tone in both channels; nothing of the original mixed in.
        expect(planar[0]?.[i]).toBe(planar[1]?.[i]);
      }
    }
    // Exact boundaries: the first sample of a range is the tone's zero, the sample before is original.
    expect(planar[0]?.[99]).toBe(original[0]?.[99]);
    expect(planar[0]?.[100]).toBe(0);
    expect(planar[0]?.[399]).toBe(0);
    expect(planar[0]?.[400]).toBe(original[0]?.[400]);
  });

  it("works at any absolute offset: a chunk in the middle of a range", () => {
    const whole = signal(1, 1000);
    const ranges = [tone(200, 800, 440)];
    redactChunk(whole, sampleIndex(0), ranges, RATE);
    const part = signal(1, 1000).map((c) => c.slice(300, 350));
    redactChunk(part, sampleIndex(300), ranges, RATE);
    expect(Array.from(part[0] ?? [])).toEqual(Array.from((whole[0] ?? new Float32Array()).slice(300, 350)));
  });

  it("gives the same output however the stream is chunked (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 600 })), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 200 }),
        (channels, rawRanges, cuts, ramp) => {
          // Disjoint sorted ranges from arbitrary (start, length) pairs.
          const ranges: ToneRange[] = [];
          let cursor = 0;
          for (const [start, length] of [...rawRanges].sort((a, b) => a[0] - b[0])) {
            const s = Math.max(start, cursor);
            const e = Math.min(s + length, 3000);
            if (e > s) ranges.push(tone(s, e, ranges.length % 2 ? 660 : 440, ramp));
            cursor = e;
          }
          const one = signal(channels, 3000);
          redactChunk(one, sampleIndex(0), ranges, RATE);
          const pieces = signal(channels, 3000);
          const bounds = [0, ...[...new Set(cuts)].sort((a, b) => a - b), 3000];
          for (let i = 0; i + 1 < bounds.length; i++) {
            const from = bounds[i] as number;
            const to = bounds[i + 1] as number;
            const chunk = pieces.map((c) => c.subarray(from, to));
            redactChunk(chunk, sampleIndex(from), ranges, RATE);
          }
          for (let c = 0; c < channels; c++) {
            const a = Buffer.from((pieces[c] as Float32Array).buffer);
            const b = Buffer.from((one[c] as Float32Array).buffer);
            expect(a.equals(b)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
