/**
 * Building the public report, out/<call>.json (its shape and reader: project/report.ts). Deterministic: no
 * dates, no paths, nothing of the recording's name or bytes but its format and length, no notes.
 */
import type { Normalisation } from "../dsp/normalise.ts";
import type { PcmFormat } from "../media/wav.ts";
import type { Plan } from "../plan/plan.ts";
import type { OutputRecord, Report, WebOutputRecord } from "../project/report.ts";

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const finiteOrNull = (x: number, digits: number): number | null => (Number.isFinite(x) ? round(x, digits) : null);

export function buildReport(args: {
  call: string;
  format: PcmFormat;
  samples: number;
  title: string;
  plan: Plan;
  tone: { levelDb: number; rampMs: number; padMs: number };
  measured: { integratedLufs: number; truePeakDbtp: number };
  normalisation: Normalisation & { readonly expectedLufs: number };
  encoderLevelDb: number;
  outputs: Record<string, OutputRecord | WebOutputRecord>;
  tool: { name: string; version: string };
  /** The manifest's `date:`, as written. */
  date?: string;
}): Report {
  const rate = args.format.sampleRate;
  return {
    call: args.call,
    title: args.title,
    ...(args.date === undefined ? {} : { date: args.date }),
    source: { sampleRate: rate, channels: args.format.channels, samples: args.samples },
    ranges: args.plan.ranges.map((r) => ({
      startSample: r.start,
      endSample: r.end,
      startSeconds: r.start / rate,
      endSeconds: r.end / rate,
      category: r.category,
      frequency: r.frequency,
      entries: r.entries.map((e) => e.number),
    })),
    tone: args.tone,
    loudness: {
      measuredLufs: finiteOrNull(args.measured.integratedLufs, 2),
      measuredTruePeakDbtp: finiteOrNull(args.measured.truePeakDbtp, 2),
      targetLufs: args.normalisation.targetLufs,
      gainDb: round(args.normalisation.gainDb, 2),
      limiter: args.normalisation.limiter,
      encoderLevelDb: round(args.encoderLevelDb, 2),
      expectedLufs: finiteOrNull(args.normalisation.expectedLufs, 2),
    },
    outputs: args.outputs,
    tool: args.tool,
  };
}
