/**
 * Exact times written back as text, for files this tool writes for people to edit (manifest
 * entries added from labels or suggestions, Audacity label files). Unlike formatTime, nothing is
 * rounded: every time that came from decimal text has a finite decimal expansion, and all of it
 * is written, so reading the text back gives the same exact value.
 */
import type { ExactSeconds } from "../units.ts";
import { exact, toSampleIndex } from "./time.ts";

/** The decimal digits of num/den: whole part and fraction digits (at least `minDecimals`). */
function decimalParts(t: ExactSeconds, minDecimals: number): { whole: bigint; fraction: string } {
  if (t.num < 0n || t.den <= 0n) throw new RangeError("a time is never negative");
  // den = 2^a 5^b for every decimal time; the expansion then has max(a, b) digits.
  let rest = t.den;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest !== 1n && t.num % rest !== 0n) throw new RangeError("this time has no finite decimal expansion");
  const digits = Math.max(twos, fives, minDecimals);
  const scaled = (t.num * 10n ** BigInt(digits)) / t.den; // exact: den divides num·10^digits
  const scale = 10n ** BigInt(digits);
  let fraction = (scaled % scale).toString().padStart(digits, "0");
  while (fraction.length > minDecimals && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  return { whole: scaled / scale, fraction };
}

/** Seconds as a plain decimal with at least `minDecimals` decimals: 4.11 -> "4.110000" (6). */
export function formatExactSeconds(t: ExactSeconds, minDecimals = 6): string {
  const { whole, fraction } = decimalParts(t, minDecimals);
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}

/** `m:ss.fff` (or `h:mm:ss.fff` from one hour on), every digit kept: 4.11 -> "0:04.110", 1.0005 -> "0:01.0005". */
export function formatExactClock(t: ExactSeconds): string {
  const { whole, fraction } = decimalParts(t, 3);
  const h = whole / 3600n;
  const m = (whole / 60n) % 60n;
  const s = (whole % 60n).toString().padStart(2, "0");
  const tail = `${s}.${fraction}`;
  return h > 0n ? `${h}:${m.toString().padStart(2, "0")}:${tail}` : `${m}:${tail}`;
}

/**
 * The shortest decimal time, with 3 decimals or more, that names sample `sample` at `rate`: reading it back
 * (round(t × rate), halves up) gives that sample exactly. 5 decimals always do at 44.1 kHz, 6 at 192 kHz.
 */
export function timeOfSample(sample: number, rate: number): ExactSeconds {
  if (!Number.isSafeInteger(sample) || sample < 0) throw new RangeError(`timeOfSample: bad sample ${sample}`);
  if (!Number.isSafeInteger(rate) || rate <= 0) throw new RangeError(`timeOfSample: bad rate ${rate}`);
  const r = BigInt(rate);
  for (let digits = 3; ; digits++) {
    const scale = 10n ** BigInt(digits);
    const num = (2n * BigInt(sample) * scale + r) / (2n * r); // round(sample / rate × scale), halves up
    const t = exact(num, scale);
    if (toSampleIndex(t, rate) === sample) return t;
  }
}
