/**
 * Things a plan may do that are legal but are likely mistakes, for `--check`: a range too short
 * to hear, two ranges of the same category almost touching, fades that take most of a range, and
 * a range at the very start or end of the recording. Pure: a fitted plan and the recording's
 * length in, warnings out. Every comparison is made in whole samples, exactly.
 */
import type { SourcePos } from "../errors.ts";
import { formatTime } from "../manifest/time.ts";
import type { Plan, PlannedRange } from "./plan.ts";

/** The thresholds, in milliseconds. */
export const WARN_SHORT_MS = 50;
export const WARN_GAP_MS = 20;
export const WARN_EDGE_MS = 10;
/** A ramp longer than this fraction of its range is warned about. */
export const WARN_RAMP_FRACTION = 1 / 3;

export type PlanWarningKind = "short" | "gap" | "ramp" | "edge";

export interface PlanWarning {
  readonly kind: PlanWarningKind;
  /** The merged range(s) concerned, numbered as in the plan. */
  readonly ranges: readonly number[];
  /** The manifest entries concerned. */
  readonly entries: readonly number[];
  /** Where the (first) entry concerned is. */
  readonly pos: SourcePos;
  /** `redactions[3]`: the field of the (first) entry concerned. */
  readonly field: string;
  /** What looks wrong and what to do if it is a mistake. */
  readonly message: string;
}

const ms = (samples: number, rate: number): string => `${((samples * 1000) / rate).toFixed(1)} ms`;

/** Is `samples` under `limitMs` milliseconds at `rate`? Exact: samples × 1000 < limitMs × rate. */
const underMs = (samples: number, limitMs: number, rate: number): boolean => samples * 1000 < limitMs * rate;

const entryNumbers = (r: PlannedRange): number[] => r.entries.map((e) => e.number);

const firstEntry = (r: PlannedRange): { pos: SourcePos; field: string } => {
  const e = r.entries[0];
  if (!e) throw new Error(`range ${r.number} has no entries`);
  return { pos: e.pos, field: `redactions[${e.number}]` };
};

const span = (r: PlannedRange, rate: number): string =>
  `range ${r.number} (${r.category}, ${formatTime(r.start / rate)}-${formatTime(r.end / rate)})`;

/**
 * The warnings for a plan fitted to a recording of `totalSamples` samples, in range order.
 * Fades are the plan's own (tone.ramp in samples).
 */
export function planWarnings(plan: Plan, totalSamples: number): PlanWarning[] {
  const rate = plan.sampleRate;
  const out: PlanWarning[] = [];
  const lastOfCategory = new Map<string, PlannedRange>();
  for (const r of plan.ranges) {
    const length = r.end - r.start;
    const at = firstEntry(r);
    const entries = entryNumbers(r);
    const warn = (kind: PlanWarningKind, message: string, ranges: number[] = [r.number], more: number[] = []) =>
      out.push({ kind, ranges, entries: [...more, ...entries], ...at, message });

    if (underMs(length, WARN_SHORT_MS, rate)) {
      warn(
        "short",
        `${span(r, rate)} is only ${ms(length, rate)} long, under ${WARN_SHORT_MS} ms: too short to hear as a tone; check its start and end`,
      );
    }
    const previous = lastOfCategory.get(r.category);
    if (previous) {
      const gap = r.start - previous.end;
      if (underMs(gap, WARN_GAP_MS, rate)) {
        warn(
          "gap",
          `${span(r, rate)} starts ${ms(gap, rate)} after range ${previous.number} of the same category ends, under ${WARN_GAP_MS} ms: a click of the original between two tones; join them into one range if they belong together`,
          [previous.number, r.number],
          entryNumbers(previous),
        );
      }
    }
    lastOfCategory.set(r.category, r);
    if (r.rampSamples > 0 && r.rampSamples > length * WARN_RAMP_FRACTION) {
      warn(
        "ramp",
        `${span(r, rate)} is ${ms(length, rate)} long and its fades (tone.ramp) ${ms(r.rampSamples, rate)} each, more than a third of it: the tone hardly reaches full level; shorten tone.ramp or lengthen the range`,
      );
    }
    if (underMs(r.start, WARN_EDGE_MS, rate)) {
      warn(
        "edge",
        `${span(r, rate)} starts in the first ${WARN_EDGE_MS} ms of the recording: is the time right (not relative to something else)?`,
      );
    }
    if (underMs(totalSamples - r.end, WARN_EDGE_MS, rate)) {
      warn(
        "edge",
        `${span(r, rate)} ends in the last ${WARN_EDGE_MS} ms of the recording (${formatTime(totalSamples / rate)}): is the time right?`,
      );
    }
  }
  return out;
}
