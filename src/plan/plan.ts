/**
 * From a validated manifest to the plan the DSP core executes: every entry
 * becomes a half-open range of sample indices at the recording's own rate
 * (exactly, from the decimal text), padding is applied, ranges of the same
 * category that overlap or touch are merged, and ranges of different
 * categories that overlap are refused, naming both entries.
 */

import { dbToAmplitude, type ToneRange } from "../dsp/tone.ts";
import { formatPos, ManifestError, type ManifestIssue } from "../errors.ts";
import { formatTime, toSampleIndex } from "../manifest/time.ts";
import type { Manifest, ManifestEntry } from "../manifest/types.ts";
import { type ExactSeconds, type Hertz, type Seconds, sampleIndex, seconds } from "../units.ts";

export interface PlannedRange extends ToneRange {
  /** 1-based number of the merged range, in time order. */
  readonly number: number;
  readonly category: string;
  /** The manifest entries merged into this range, in time order. */
  readonly entries: readonly ManifestEntry[];
}

export interface Plan {
  readonly sampleRate: number;
  /** Sorted by start, disjoint. Ends may still lie past the recording until `fitPlan` clips padding. */
  readonly ranges: readonly PlannedRange[];
}

/** One entry in samples: padded range, and its unpadded end to check against the recording's length. */
interface EntrySpan {
  readonly entry: ManifestEntry;
  readonly start: number;
  readonly end: number;
  readonly unpaddedStart: number;
  readonly unpaddedEnd: number;
}

const subClampZero = (a: ExactSeconds, b: ExactSeconds): ExactSeconds => {
  const num = a.num * b.den - b.num * a.den;
  return num <= 0n ? { num: 0n, den: 1n } : { num, den: a.den * b.den };
};
const add = (a: ExactSeconds, b: ExactSeconds): ExactSeconds => ({
  num: a.num * b.den + b.num * a.den,
  den: a.den * b.den,
});

const describe = (e: ManifestEntry): string =>
  `redactions[${e.number}] (${e.category}, ${formatTime(e.start)}-${formatTime(e.end)}) at ${formatPos(e.pos)}`;

export function buildPlan(manifest: Manifest, sampleRate: number): Plan {
  const issues: ManifestIssue[] = [];
  const spans: EntrySpan[] = [];
  const ramp = Math.round((manifest.tone.rampMs * sampleRate) / 1000);
  for (const entry of manifest.entries) {
    const field = `redactions[${entry.number}]`;
    const category = manifest.categories.get(entry.category);
    if (category && category.frequency >= sampleRate / 2) {
      issues.push({
        pos: entry.pos,
        field: `${field}.category`,
        message: `the ${entry.category} tone (${category.frequency} Hz) cannot be played at this recording's ${sampleRate} Hz sample rate; choose a frequency under ${sampleRate / 2} Hz`,
      });
    }
    const unpaddedStart = toSampleIndex(entry.start, sampleRate);
    const unpaddedEnd = toSampleIndex(entry.end, sampleRate);
    if (!Number.isSafeInteger(unpaddedStart)) {
      // A start like 1e308 s: past the end of any recording (checked here, before the length is known,
      // because start and end would both round to the same huge double and look like an empty range).
      const secs = Number(entry.start.num) / Number(entry.start.den);
      issues.push({
        pos: entry.startPos,
        field: `${field}.start`,
        message: `${secs.toPrecision(3)} s is past the end of the recording (of any recording); ranges must lie inside the recording`,
      });
      continue;
    }
    if (unpaddedEnd <= unpaddedStart) {
      issues.push({
        pos: entry.pos,
        field,
        message: `the range ${formatTime(entry.start)}-${formatTime(entry.end)} is shorter than one sample at ${sampleRate} Hz; make it at least one sample (${1 / sampleRate} s) long`,
      });
      continue;
    }
    spans.push({
      entry,
      start: toSampleIndex(subClampZero(entry.start, manifest.pad), sampleRate),
      end: toSampleIndex(add(entry.end, manifest.pad), sampleRate),
      unpaddedStart,
      unpaddedEnd,
    });
  }

  // Different categories must not overlap (touching is fine): sweep in start order.
  const byStart = [...spans].sort((a, b) => a.start - b.start || a.entry.number - b.entry.number);
  let active: EntrySpan[] = [];
  for (const s of byStart) {
    active = active.filter((a) => a.end > s.start);
    for (const a of active) {
      if (a.entry.category !== s.entry.category) {
        const padNote = manifest.pad.num > 0n ? " (after padding by pad:)" : "";
        issues.push({
          pos: s.entry.pos,
          field: `redactions[${s.entry.number}]`,
          message: `${describe(s.entry)} overlaps ${describe(a.entry)}${padNote}; ranges of different categories must not overlap: move the end of one before the start of the other`,
        });
      }
    }
    active.push(s);
  }
  if (issues.length > 0) throw new ManifestError(issues, "E_PLAN");

  // Same category: merge overlapping or touching ranges.
  const merged: Array<{ start: number; end: number; category: string; entries: ManifestEntry[] }> = [];
  const open = new Map<string, { start: number; end: number; category: string; entries: ManifestEntry[] }>();
  for (const s of byStart) {
    const cur = open.get(s.entry.category);
    if (cur && s.start <= cur.end) {
      cur.end = Math.max(cur.end, s.end);
      cur.entries.push(s.entry);
    } else {
      const next = { start: s.start, end: s.end, category: s.entry.category, entries: [s.entry] };
      merged.push(next);
      open.set(s.entry.category, next);
    }
  }
  merged.sort((a, b) => a.start - b.start);
  const amplitude = dbToAmplitude(manifest.tone.levelDb);
  const ranges = merged.map((m, i): PlannedRange => {
    const category = manifest.categories.get(m.category);
    if (!category) throw new Error(`category ${m.category} missing after validation`);
    return {
      number: i + 1,
      category: m.category,
      entries: m.entries,
      start: sampleIndex(m.start),
      end: sampleIndex(m.end),
      frequency: category.frequency as Hertz,
      amplitude,
      rampSamples: ramp,
    };
  });
  return { sampleRate, ranges };
}

/**
 * Once the recording's length is known: every entry must lie inside it
 * (an error otherwise, never a silent clamp); padding is clipped at the end.
 */
export function fitPlan(plan: Plan, manifest: Manifest, totalSamples: number): Plan {
  const issues: ManifestIssue[] = [];
  const duration = formatTime(totalSamples / plan.sampleRate);
  for (const entry of manifest.entries) {
    const end = toSampleIndex(entry.end, plan.sampleRate);
    if (end > totalSamples) {
      const field = `redactions[${entry.number}].${entry.endField}`;
      const what =
        entry.endField === "end" ? `end ${formatTime(entry.end)}` : `start + duration = ${formatTime(entry.end)}`;
      issues.push({
        pos: entry.endPos,
        field,
        message: `${what} is past the end of the recording (${duration}, ${totalSamples} samples at ${plan.sampleRate} Hz); ranges must lie inside the recording`,
      });
    }
  }
  if (issues.length > 0) throw new ManifestError(issues, "E_PLAN");
  return {
    sampleRate: plan.sampleRate,
    ranges: plan.ranges.map((r) => (r.end > totalSamples ? { ...r, end: sampleIndex(totalSamples) } : r)),
  };
}

export const rangeSeconds = (r: ToneRange, sampleRate: number): { start: Seconds; end: Seconds } => ({
  start: seconds(r.start / sampleRate),
  end: seconds(r.end / sampleRate),
});
