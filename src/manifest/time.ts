/**
 * Exact times. A manifest's times are decimal text ("2:27.350", 161.25); they are kept as exact
 * rationals (num / den seconds) and only turned into sample indices at the very end, in BigInt, so
 * 1.005 s at 44100 Hz is sample 44321 and not the 44320 that binary floating point would give.
 */
import type { ExactSeconds } from "../units.ts";

/** A time string that does not follow `ss[.fraction]`, `m:ss[.fraction]` or `h:mm:ss[.fraction]`. */
export class TimeSyntaxError extends Error {
  /** The text as written. */
  readonly text: string;
  constructor(text: string, message: string) {
    super(message);
    this.name = "TimeSyntaxError";
    this.text = text;
  }
}

/** A number's source text that is not a plain, unsigned, finite decimal number. */
export class NumberSyntaxError extends Error {
  /** The text as written. */
  readonly text: string;
  constructor(text: string, message: string) {
    super(message);
    this.name = "NumberSyntaxError";
    this.text = text;
  }
}

export const ZERO: ExactSeconds = { num: 0n, den: 1n };

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

const gcd = (a: bigint, b: bigint): bigint => {
  let x = abs(a);
  let y = abs(b);
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

/** num / den in lowest terms with a positive denominator. */
export const exact = (num: bigint, den: bigint = 1n): ExactSeconds => {
  if (den === 0n) throw new RangeError("exact: zero denominator");
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
};

/** Floor division for BigInt (BigInt `/` truncates toward zero). */
const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

export const addExact = (a: ExactSeconds, b: ExactSeconds): ExactSeconds =>
  exact(a.num * b.den + b.num * a.den, a.den * b.den);

/** -1, 0 or 1 as a is before, equal to or after b; exact. */
export const compareExact = (a: ExactSeconds, b: ExactSeconds): -1 | 0 | 1 => {
  // Denominators are positive (see `exact`), so cross-multiplying keeps the order.
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};

/** The nearest double to num / den (correctly rounded while num and den are safe integers). */
export const exactToNumber = (a: ExactSeconds): number => {
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  if (abs(a.num) <= safe && a.den <= safe) return Number(a.num) / Number(a.den);
  const whole = a.num / a.den;
  const rest = a.num % a.den;
  const scale = 10n ** 20n;
  return Number(whole) + Number((rest * scale) / a.den) / 1e20;
};

/**
 * The sample at time t: round(t x sampleRate), halves rounding up (toward +infinity), computed
 * exactly in BigInt. sampleRate must be a positive integer. Times too far out to be a safe integer
 * index come back as the nearest double (always past any real recording's end).
 */
export const toSampleIndex = (t: ExactSeconds, sampleRate: number): number => {
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`toSampleIndex: sample rate must be a positive integer, got ${sampleRate}`);
  }
  // round(x) with halves up = floor(x + 1/2) = floor((2 num rate + den) / (2 den))
  const index = floorDiv(2n * t.num * BigInt(sampleRate) + t.den, 2n * t.den);
  return Number(index);
};

/** Milliseconds (exact) to seconds (exact): ms / 1000. */
export const msToExactSeconds = (msExact: ExactSeconds): ExactSeconds => exact(msExact.num, msExact.den * 1000n);

const quote = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

const TIME_FORMS = "write seconds (e.g. 12.5), m:ss.fff (e.g. 2:27.350) or h:mm:ss.fff (e.g. 1:02:27.350)";

/** The exact value of a string in the time syntax, or undefined if it is not one (no message). */
const matchTime = (text: string): ExactSeconds | undefined => {
  const m = /^(?:(?:([0-9]+):([0-5][0-9]):)|(?:([0-9]+):))?([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (!m) return undefined;
  const [, hh, hm, mOnly, ss, frac] = m;
  if (hh !== undefined && (hm === undefined || hm.length !== 2)) return undefined;
  if ((hh !== undefined || mOnly !== undefined) && (ss === undefined || ss.length !== 2 || Number(ss) >= 60)) {
    return undefined;
  }
  const hours = BigInt(hh ?? "0");
  const minutes = BigInt(hm ?? mOnly ?? "0");
  const secs = BigInt(ss ?? "0");
  const whole = hours * 3600n + minutes * 60n + secs;
  const digits = frac ?? "";
  const den = 10n ** BigInt(digits.length);
  return exact(whole * den + BigInt(digits === "" ? "0" : digits), den);
};

/**
 * Parse a time string: `ss[.fraction]`, `m:ss[.fraction]` or `h:mm:ss[.fraction]`.
 * Throws TimeSyntaxError saying what is wrong and what to write instead.
 */
export const parseTimeText = (text: string): ExactSeconds => {
  const ok = matchTime(text);
  if (ok) return ok;
  const q = quote(text);
  const fail = (why: string): never => {
    throw new TimeSyntaxError(text, `${q} is not a time: ${why}`);
  };
  if (text === "") fail(`it is empty; ${TIME_FORMS}`);
  const trimmed = text.trim();
  if (trimmed === "") fail(`it is only spaces; ${TIME_FORMS}`);
  if (trimmed !== text) {
    fail(
      matchTime(trimmed) ? `remove the spaces around it: "${trimmed}"` : `remove the spaces around it; ${TIME_FORMS}`,
    );
  }
  if (text.startsWith("-")) fail(`times cannot be negative; ${TIME_FORMS}`);
  if (text.startsWith("+")) {
    fail(
      matchTime(text.slice(1))
        ? `write it without a sign: "${text.slice(1)}"`
        : `write it without a sign; ${TIME_FORMS}`,
    );
  }
  if (text.includes(",")) {
    const dotted = text.replace(/,/g, ".");
    fail(
      matchTime(dotted)
        ? `use a decimal point, not a comma: "${dotted}"`
        : `commas are not allowed; use a decimal point for fractions of a second; ${TIME_FORMS}`,
    );
  }
  const parts = text.split(":");
  if (parts.length > 3) fail(`too many colons; ${TIME_FORMS}`);
  const last = parts[parts.length - 1] ?? "";
  const dot = last.indexOf(".");
  const secs = dot < 0 ? last : last.slice(0, dot);
  const frac = dot < 0 ? undefined : last.slice(dot + 1);
  const heads = parts.slice(0, -1);
  const allDigits = (s: string): boolean => /^[0-9]+$/.test(s);
  if (!heads.every(allDigits) || (secs !== "" && !allDigits(secs)) || (frac !== undefined && !allDigits(frac || "0"))) {
    fail(TIME_FORMS);
  }
  if (frac === "") fail(`a fraction needs at least one digit after the dot: "${text}0" or "${text.slice(0, -1)}"`);
  if (secs === "") {
    fail(
      parts.length === 1
        ? `write a digit before the dot: "0${text}"`
        : `seconds are missing after the colon; ${TIME_FORMS}`,
    );
  }
  const fracText = frac === undefined ? "" : `.${frac}`;
  if (parts.length === 2) {
    const [m] = heads;
    if (secs.length !== 2) {
      fail(
        secs.length === 1
          ? `seconds after a colon are two digits: "${m}:0${secs}${fracText}"`
          : `seconds after a colon are two digits (00 to 59); write m:ss.fff, e.g. 1:39.000`,
      );
    }
    fail("seconds must be under 60 when minutes are given; write m:ss.fff, e.g. 1:39.000");
  }
  const [h, mm] = heads as [string, string];
  if (mm.length !== 2) {
    fail(
      mm.length === 1
        ? `minutes are two digits when hours are given: "${h}:0${mm}:${secs}${fracText}"`
        : "minutes are two digits (00 to 59) when hours are given; write h:mm:ss.fff, e.g. 1:02:27.350",
    );
  }
  if (Number(mm) >= 60) fail("minutes must be under 60 when hours are given; write h:mm:ss.fff, e.g. 1:02:27.350");
  if (secs.length !== 2) {
    fail(
      secs.length === 1
        ? `seconds after a colon are two digits: "${h}:${mm}:0${secs}${fracText}"`
        : "seconds after a colon are two digits (00 to 59); write h:mm:ss.fff, e.g. 1:02:27.350",
    );
  }
  return fail("seconds must be under 60 when minutes are given; write h:mm:ss.fff, e.g. 1:02:27.350");
};

/** Longest number text accepted, and the largest exponent: bounds the BigInt work. */
const MAX_NUMBER_TEXT = 400;
const MAX_EXPONENT = 1000n;

/**
 * The exact value of a YAML plain number from its source text: `10`, `161.25`, `1.005`, `.5`, `5.`,
 * `1e2`, `2.5E-3`. Refuses signs (`-1`, `-0`, `+1`), `.nan`, `.inf`, hex and octal, and anything
 * else, with a NumberSyntaxError saying what to write instead.
 */
export const parseDecimalNumberText = (text: string): ExactSeconds => {
  const q = quote(text);
  const fail = (why: string): never => {
    throw new NumberSyntaxError(text, `${q} ${why}`);
  };
  if (text.length > MAX_NUMBER_TEXT) fail(`is too long for a number (over ${MAX_NUMBER_TEXT} characters)`);
  const m = /^(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!m) {
    if (/^[+-]?\.(?:nan|inf)$/i.test(text)) {
      if (/nan$/i.test(text)) fail("is not a number; write a number such as 1.5");
      fail("is infinite; write a finite number such as 1.5");
    }
    if (text.startsWith("-")) fail("has a minus sign; write a number of 0 or more, without a sign");
    if (text.startsWith("+")) fail(`has a sign; write it without the +: ${text.slice(1)}`);
    if (/^0[xXoObB]/.test(text)) fail("is not a decimal number; write it in decimal digits, e.g. 1.5");
    fail("is not a decimal number; write digits with an optional decimal point, e.g. 161.25");
  }
  const [, intPart, fracPart, leadFrac, expPart] = m as RegExpExecArray;
  const whole = intPart ?? "0";
  const frac = fracPart ?? leadFrac ?? "";
  const exp = BigInt(expPart ?? "0");
  if (exp > MAX_EXPONENT || exp < -MAX_EXPONENT) fail(`has an exponent beyond ±${MAX_EXPONENT}; write a plain number`);
  const digits = BigInt(whole + frac);
  const scale = exp - BigInt(frac.length); // value = digits x 10^scale
  return scale >= 0n ? exact(digits * 10n ** scale) : exact(digits, 10n ** -scale);
};

/**
 * `m:ss.mmm`, or `h:mm:ss.mmm` from one hour on, rounded to the millisecond (halves up); for
 * messages and plans. Exact times are rounded exactly.
 */
export const formatTime = (t: ExactSeconds | number): string => {
  let totalMs: bigint;
  if (typeof t === "number") {
    if (!Number.isFinite(t)) return String(t);
    totalMs = BigInt(Math.round(t * 1000));
  } else {
    totalMs = floorDiv(2n * t.num * 1000n + t.den, 2n * t.den);
  }
  const sign = totalMs < 0n ? "-" : "";
  const ms = abs(totalMs);
  const h = ms / 3_600_000n;
  const m = (ms / 60_000n) % 60n;
  const s = (ms / 1000n) % 60n;
  const frac = (ms % 1000n).toString().padStart(3, "0");
  const ss = s.toString().padStart(2, "0");
  if (h > 0n) return `${sign}${h}:${m.toString().padStart(2, "0")}:${ss}.${frac}`;
  return `${sign}${m}:${ss}.${frac}`;
};
