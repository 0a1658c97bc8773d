/**
 * The redaction core: replace every sample inside the ranges, in every
 * channel, with the range's tone. Nothing of the original is kept or mixed in.
 * Works on one planar chunk at a time at its absolute sample offset, so the
 * result is the same however the stream is cut into chunks.
 */
import type { SampleIndex } from "../units.ts";
import { effectiveRamp, type ToneRange, writeTone } from "./tone.ts";

/** Index of the first range that ends after sample n (ranges sorted by start, disjoint). */
function firstRangeEndingAfter(ranges: readonly ToneRange[], n: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ranges[mid] as ToneRange).end <= n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Overwrite, in place, the samples of `planar` (one Float32Array per channel,
 * all the same length, first sample at absolute index `offset`) that fall
 * inside `ranges` (sorted by start, non-overlapping, half-open).
 * Returns the number of samples per channel that were replaced.
 */
export function redactChunk(
  planar: readonly Float32Array[],
  offset: SampleIndex,
  ranges: readonly ToneRange[],
  sampleRate: number,
): number {
  const length = planar[0]?.length ?? 0;
  const chunkEnd = offset + length;
  let replaced = 0;
  for (let i = firstRangeEndingAfter(ranges, offset); i < ranges.length; i++) {
    const r = ranges[i] as ToneRange;
    if (r.start >= chunkEnd) break;
    const from = Math.max(r.start, offset);
    const to = Math.min(r.end, chunkEnd);
    if (to <= from) continue;
    const first = planar[0] as Float32Array;
    const tone = first.subarray(from - offset, to - offset);
    writeTone(tone, from - r.start, r, r.end - r.start, effectiveRamp(r), sampleRate);
    for (let c = 1; c < planar.length; c++) (planar[c] as Float32Array).set(tone, from - offset);
    replaced += to - from;
  }
  return replaced;
}
