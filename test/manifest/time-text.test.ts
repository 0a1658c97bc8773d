import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exact, parseDecimalNumberText, parseTimeText, toSampleIndex } from "../../src/manifest/time.ts";
import { formatExactClock, formatExactSeconds, timeOfSample } from "../../src/manifest/time-text.ts";

describe("exact time text", () => {
  it.each([
    [exact(411n, 100n), "4.110000", "0:04.110"],
    [exact(0n), "0.000000", "0:00.000"],
    [exact(20001n, 20000n), "1.000050", "0:01.00005"],
    [exact(201n, 200n), "1.005000", "0:01.005"],
    [exact(3723n), "3723.000000", "1:02:03.000"],
    [exact(1n, 1024n), "0.0009765625", "0:00.0009765625"],
  ])("%o -> %s and %s, nothing rounded", (t, seconds, clock) => {
    expect(formatExactSeconds(t)).toBe(seconds);
    expect(formatExactClock(t)).toBe(clock);
  });

  it("reads back to the same exact value, for any decimal time", () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 9 }))
      .map(([n, d]) => exact(n, 10n ** BigInt(d)));
    fc.assert(
      fc.property(decimal, (t) => {
        expect(parseDecimalNumberText(formatExactSeconds(t))).toEqual(t);
        expect(parseTimeText(formatExactClock(t))).toEqual(t);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it("refuses a time with no finite decimal expansion", () => {
    expect(() => formatExactSeconds(exact(1n, 3n))).toThrow(RangeError);
  });
});

describe("timeOfSample", () => {
  it("names every sample exactly, with the fewest decimals (3 or more)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3600 * 192000 }),
        fc.constantFrom(8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000),
        (sample, rate) => {
          const t = timeOfSample(sample, rate);
          expect(toSampleIndex(t, rate)).toBe(sample);
          const decimals = formatExactSeconds(t, 3).split(".")[1]?.length ?? 0;
          expect(decimals).toBeLessThanOrEqual(rate <= 50000 ? 5 : 6);
          // One decimal fewer (when above 3) would not name it: the shortest.
          if (decimals > 3) {
            const scale = 10n ** BigInt(decimals - 1);
            const near = [(t.num * scale) / t.den, (t.num * scale) / t.den + 1n].map((n) => exact(n, scale));
            for (const u of near) expect(toSampleIndex(u, rate)).not.toBe(sample);
          }
        },
      ),
    );
  });

  it("keeps milliseconds as they are", () => {
    expect(formatExactClock(timeOfSample(44321, 44100))).toBe("0:01.005");
    expect(formatExactSeconds(timeOfSample(8000 * 61 + 8, 8000), 3)).toBe("61.001");
  });
});
