import { describe, expect, it } from "vitest";
import {
  addExact,
  compareExact,
  exactToNumber,
  formatTime,
  msToExactSeconds,
  NumberSyntaxError,
  parseDecimalNumberText,
  parseTimeText,
  TimeSyntaxError,
  toSampleIndex,
} from "../../src/manifest/time.ts";
import type { ExactSeconds } from "../../src/units.ts";

const ex = (num: bigint, den: bigint = 1n): ExactSeconds => ({ num, den });

/** The error a function throws (fails the test when it does not throw). */
const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an exception");
};

describe("parseTimeText: accepted", () => {
  it.each([
    ["0", ex(0n)],
    ["5", ex(5n)],
    ["07", ex(7n)],
    ["161.25", ex(645n, 4n)],
    ["1.005", ex(201n, 200n)],
    ["1.0050", ex(201n, 200n)],
    ["0.001", ex(1n, 1000n)],
    ["1:02", ex(62n)],
    ["2:27.350", ex(2947n, 20n)], // 147.35
    ["02:27.350", ex(2947n, 20n)],
    ["59:59.999", ex(3599999n, 1000n)],
    ["90:00", ex(5400n)], // minutes without hours may be 60 or more
    ["1:02:27.350", ex(74947n, 20n)], // 3747.35
    ["0:00:00", ex(0n)],
    ["10:00:00", ex(36000n)],
    ["123:59:59.5", ex(892799n, 2n)], // 123 h 59 min 59.5 s = 446399.5
    ["3600", ex(3600n)], // plain seconds may be any size
  ])("%s", (text, expected) => {
    expect(parseTimeText(text)).toEqual(expected);
  });
});

describe("parseTimeText: rejected, saying what is wrong and what to write", () => {
  it.each([
    ["", /it is empty; write seconds \(e\.g\. 12\.5\), m:ss\.fff/],
    ["   ", /only spaces/],
    [" 1:02", /remove the spaces around it: "1:02"/],
    ["1:02 ", /remove the spaces around it: "1:02"/],
    ["1,5", /use a decimal point, not a comma: "1\.5"/],
    ["2:27,350", /use a decimal point, not a comma: "2:27\.350"/],
    ["1,5,5", /commas are not allowed/],
    ["-1", /times cannot be negative/],
    ["-0:01", /times cannot be negative/],
    ["+1.5", /without a sign: "1\.5"/],
    ["1:5", /seconds after a colon are two digits: "1:05"/],
    ["1:123", /seconds after a colon are two digits \(00 to 59\)/],
    ["1:2:03", /minutes are two digits when hours are given: "1:02:03"/],
    ["1:60:00", /minutes must be under 60 when hours are given/],
    ["1:00:60", /seconds must be under 60/],
    ["1:02:03:04", /too many colons/],
    ["1.", /a fraction needs at least one digit after the dot: "1\.0" or "1"/],
    ["1:02.", /"1:02\.0" or "1:02"/],
    [".5", /write a digit before the dot: "0\.5"/],
    ["1:", /seconds are missing after the colon/],
    [":30", /write seconds/],
    ["1e2", /write seconds/],
    ["2m30s", /write seconds/],
    ["1.5.5", /write seconds/],
    ["\u0661", /write seconds/], // ARABIC-INDIC DIGIT ONE: only ASCII digits
  ])("%j", (text, message) => {
    const e = thrown(() => parseTimeText(text));
    expect(e).toBeInstanceOf(TimeSyntaxError);
    expect((e as TimeSyntaxError).text).toBe(text);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`${JSON.stringify(text)} is not a time: `)).toBe(true);
  });

  it("explains 99:99 in full", () => {
    expect(() => parseTimeText("99:99")).toThrow(
      '"99:99" is not a time: seconds must be under 60 when minutes are given; write m:ss.fff, e.g. 1:39.000',
    );
  });
});

describe("parseDecimalNumberText", () => {
  it.each([
    ["0", ex(0n)],
    ["10", ex(10n)],
    ["007", ex(7n)],
    ["161.25", ex(645n, 4n)],
    ["1.005", ex(201n, 200n)],
    ["2.50", ex(5n, 2n)], // lowest terms
    ["0.000", ex(0n)],
    ["1e2", ex(100n)],
    ["1E+2", ex(100n)],
    ["2.5E-3", ex(1n, 400n)],
    [".5", ex(1n, 2n)],
    ["5.", ex(5n)],
    ["1.0000000000000000001", ex(10000000000000000001n, 10000000000000000000n)], // a double would say 1
    ["1e308", ex(10n ** 308n)],
  ])("%s", (text, expected) => {
    expect(parseDecimalNumberText(text)).toEqual(expected);
  });

  it.each([
    ["-0", /has a minus sign/],
    ["-1", /has a minus sign; write a number of 0 or more, without a sign/],
    ["+1", /has a sign; write it without the \+: 1/],
    [".nan", /is not a number/],
    [".NaN", /is not a number/],
    [".inf", /is infinite/],
    ["-.inf", /is infinite/],
    ["0x1F", /is not a decimal number; write it in decimal digits/],
    ["0o17", /is not a decimal number; write it in decimal digits/],
    ["1_000", /is not a decimal number/],
    ["", /is not a decimal number/],
    [" 1", /is not a decimal number/],
    ["1e", /is not a decimal number/],
    ["1,5", /is not a decimal number/],
    ["1e1001", /exponent beyond/],
    ["1".repeat(401), /too long/],
  ])("refuses %j", (text, message) => {
    const e = thrown(() => parseDecimalNumberText(text));
    expect(e).toBeInstanceOf(NumberSyntaxError);
    expect(e.message).toMatch(message);
  });
});

describe("exact arithmetic", () => {
  it("adds exactly where binary floating point does not", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const sum = addExact(parseDecimalNumberText("0.1"), parseDecimalNumberText("0.2"));
    expect(sum).toEqual(ex(3n, 10n));
    expect(compareExact(sum, parseDecimalNumberText("0.3"))).toBe(0);
  });

  it("adds a duration to a time", () => {
    expect(addExact(parseTimeText("2:41.25"), parseDecimalNumberText("1.5"))).toEqual(ex(651n, 4n)); // 162.75
  });

  it("compares", () => {
    expect(compareExact(ex(1n, 3n), ex(333n, 1000n))).toBe(1);
    expect(compareExact(ex(333n, 1000n), ex(1n, 3n))).toBe(-1);
    expect(compareExact(parseDecimalNumberText("1.005"), parseTimeText("1.0050"))).toBe(0);
    expect(compareExact(parseTimeText("1:00"), parseDecimalNumberText("60"))).toBe(0);
  });

  it("converts to the nearest double", () => {
    expect(exactToNumber(ex(645n, 4n))).toBe(161.25);
    expect(exactToNumber(ex(1n, 3n))).toBe(1 / 3);
    expect(exactToNumber(ex(201n, 200n))).toBe(1.005);
    expect(exactToNumber(ex(10n ** 308n))).toBeCloseTo(1e308, -300);
  });

  it("turns milliseconds into seconds exactly", () => {
    expect(msToExactSeconds(ex(5n))).toEqual(ex(1n, 200n));
    expect(msToExactSeconds(parseDecimalNumberText("12.5"))).toEqual(ex(1n, 80n));
    expect(msToExactSeconds(ex(0n))).toEqual(ex(0n));
  });
});

describe("toSampleIndex", () => {
  it("gets 1.005 s at 44100 Hz right where floating point does not", () => {
    // 1.005 x 44100 = 44320.5 exactly; halves round up.
    expect(Math.round(1.005 * 44100)).toBe(44320); // the trap
    expect(toSampleIndex(parseDecimalNumberText("1.005"), 44100)).toBe(44321);
    expect(toSampleIndex(parseTimeText("1.005"), 44100)).toBe(44321);
  });

  it.each([
    // text, rate, exact product (by hand), expected index, what Math.round(float) gives
    ["0.35", 22050, "7717.5", 7718, 7717],
    ["0.57", 22050, "12568.5", 12569, 12568],
    ["0.175", 44100, "7717.5", 7718, 7717],
    ["0.285", 44100, "12568.5", 12569, 12568],
    ["0.345", 44100, "15214.5", 15215, 15214],
  ])("%s s at %i Hz = %s -> %i (float: %i)", (text, rate, _product, expected, floaty) => {
    expect(Math.round(Number(text) * rate)).toBe(floaty);
    expect(toSampleIndex(parseDecimalNumberText(text), rate)).toBe(expected);
  });

  it("matches the spec's report example", () => {
    expect(toSampleIndex(parseTimeText("2:27.350"), 44100)).toBe(6498135);
    expect(toSampleIndex(parseTimeText("2:29.050"), 44100)).toBe(6573105);
  });

  it("rounds halves up and everything else to nearest", () => {
    // t = k / 96000 s at 48000 Hz is k / 2 samples
    expect(toSampleIndex(ex(1n, 96000n), 48000)).toBe(1); // 0.5
    expect(toSampleIndex(ex(3n, 96000n), 48000)).toBe(2); // 1.5
    expect(toSampleIndex(ex(5n, 96000n), 48000)).toBe(3); // 2.5 (not 2, as round-half-even would give)
    expect(toSampleIndex(ex(4999n, 960000000n), 48000)).toBe(0); // 0.24995
    expect(toSampleIndex(ex(99999n, 9600000000n), 48000)).toBe(0); // 0.499995
    expect(toSampleIndex(ex(100001n, 9600000000n), 48000)).toBe(1); // 0.500005
    expect(toSampleIndex(ex(0n), 48000)).toBe(0);
    expect(toSampleIndex(ex(10n), 8000)).toBe(80000);
  });

  it("computes in BigInt for long times", () => {
    // 10 h 0 min 0.000011 s at 96000 Hz: 3456000001.056 -> 3456000001
    expect(toSampleIndex(parseTimeText("10:00:00.000011"), 96000)).toBe(3456000001);
    const far = toSampleIndex(parseDecimalNumberText("1e308"), 44100);
    expect(far).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
  });

  it("refuses a sample rate that is not a positive integer", () => {
    expect(() => toSampleIndex(ex(1n), 0)).toThrow(RangeError);
    expect(() => toSampleIndex(ex(1n), 44100.5)).toThrow(RangeError);
    expect(() => toSampleIndex(ex(1n), Number.NaN)).toThrow(RangeError);
  });
});

describe("formatTime", () => {
  it.each([
    ["0:00.000", ex(0n)],
    ["2:27.350", ex(2947n, 20n)],
    ["2:41.250", ex(645n, 4n)],
    ["1:02:27.350", ex(74947n, 20n)],
    ["10:00:00.000", ex(36000n)],
    ["59:59.000", ex(3599n)],
    ["1:00:00.000", ex(3600n)],
    ["0:00.001", ex(1n, 2000n)], // 0.0005 s: half a millisecond rounds up
    ["1:00.000", ex(599999n, 10000n)], // 59.9999 s rounds into the next minute
    ["0:00.333", ex(1n, 3n)],
  ])("%s", (expected, t) => {
    expect(formatTime(t)).toBe(expected);
  });

  it("formats plain numbers too", () => {
    expect(formatTime(161.25)).toBe("2:41.250");
    expect(formatTime(3747.35)).toBe("1:02:27.350");
    expect(formatTime(0)).toBe("0:00.000");
    expect(formatTime(-1.5)).toBe("-0:01.500");
    expect(formatTime(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });
});
