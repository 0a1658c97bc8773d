/**
 * Which words of a transcript the manifest redacts. A word is redacted when its time overlaps a range by
 * even one sample: word [start, end) and range [start, end) are half-open, in samples of the recording
 * (index = round(seconds x rate), exactly, as the manifest's times are made samples in plan.ts), and they
 * overlap when each starts before the other ends. A word of no length (start = end) is a point: redacted
 * when it lies inside a range. A word whose end is before its start is taken from the earlier time to the
 * later one.
 *
 * The ranges are the manifest's entries as plan.ts makes them, padding included; an entry's own span is
 * kept so that a word is known by the entry (and so the line of the manifest) that redacts it. Their
 * union is the plan's merged ranges (merging joins spans, it adds no time to them), so "overlaps an
 * entry" and "overlaps a merged range" are one question.
 *
 * Without a sample rate (`npm run suggest` decodes nothing), the same comparison is made in exact
 * seconds: the spans are the manifest's own times, without rounding to samples.
 *
 * Pure: words, manifest and rate in, marks out.
 */
import { compareExact, exact, toSampleIndex } from "../manifest/time.ts";
import type { Manifest, ManifestEntry } from "../manifest/types.ts";
import type { Word } from "../suggest/transcript.ts";
import type { ExactSeconds } from "../units.ts";

/** A time on the scale the comparison is made on: samples (as exact seconds on the sample grid) or seconds. */
type Instant = ExactSeconds;

export interface EntrySpan {
  readonly entry: ManifestEntry;
  /** Padded, on the comparison's scale: [start, end). */
  readonly start: Instant;
  readonly end: Instant;
}

export interface MarkedWord {
  readonly word: Word;
  /** Its index in the transcript's words. */
  readonly index: number;
  readonly start: Instant;
  readonly end: Instant;
  /** The entries whose span it overlaps, in manifest order; empty when the word is published as said. */
  readonly entries: readonly ManifestEntry[];
}

const sub = (a: ExactSeconds, b: ExactSeconds): ExactSeconds => {
  const num = a.num * b.den - b.num * a.den;
  return num <= 0n ? exact(0n) : exact(num, a.den * b.den);
};
const add = (a: ExactSeconds, b: ExactSeconds): ExactSeconds => exact(a.num * b.den + b.num * a.den, a.den * b.den);

/** A time on the scale: its sample (as exact seconds) when the rate is known, else itself. */
export const onScale = (t: ExactSeconds, rate: number | undefined): Instant =>
  rate === undefined ? t : exact(BigInt(toSampleIndex(t, rate)), BigInt(rate));

/** Every entry's padded span, on the scale of `rate` (samples) or in exact seconds when it is undefined. */
export function entrySpans(manifest: Manifest, rate: number | undefined): EntrySpan[] {
  return manifest.entries.map((entry) => ({
    entry,
    start: onScale(sub(entry.start, manifest.pad), rate),
    end: onScale(add(entry.end, manifest.pad), rate),
  }));
}

const min = (a: Instant, b: Instant): Instant => (compareExact(a, b) <= 0 ? a : b);
const max = (a: Instant, b: Instant): Instant => (compareExact(a, b) >= 0 ? a : b);

/** Does [aStart, aEnd) (a point when empty) overlap [bStart, bEnd)? */
export function overlaps(aStart: Instant, aEnd: Instant, bStart: Instant, bEnd: Instant): boolean {
  if (compareExact(bStart, bEnd) >= 0) return false;
  if (compareExact(aStart, aEnd) === 0) return compareExact(bStart, aStart) <= 0 && compareExact(aStart, bEnd) < 0;
  return compareExact(aStart, bEnd) < 0 && compareExact(bStart, aEnd) < 0;
}

/** A time on the sample grid as its sample index. */
const sampleOf = (t: Instant, rate: number): number => Number((t.num * BigInt(rate)) / t.den);

/** Every word with the entries that redact it. */
export function markWords(words: readonly Word[], spans: readonly EntrySpan[], rate: number | undefined): MarkedWord[] {
  // With a rate every time is a whole sample: compared as numbers, which is the same and much faster.
  const inSamples = rate === undefined ? undefined : spans.map((s) => [sampleOf(s.start, rate), sampleOf(s.end, rate)]);
  return words.map((word, index) => {
    const a = onScale(word.start, rate);
    const b = onScale(word.end, rate);
    const start = min(a, b);
    const end = max(a, b);
    let hit: (s: EntrySpan, i: number) => boolean = (s) => overlaps(start, end, s.start, s.end);
    if (rate !== undefined && inSamples) {
      const [ws, we] = [sampleOf(start, rate), sampleOf(end, rate)];
      hit = (_, i) => {
        const [ss, se] = inSamples[i] as [number, number];
        return ss < se && (we > ws ? ws < se && ss < we : ss <= ws && ws < se);
      };
    }
    return { word, index, start, end, entries: spans.filter(hit).map((s) => s.entry) };
  });
}
