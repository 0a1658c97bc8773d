/**
 * The report, out/<call>.json: what was redacted, in samples and seconds, and
 * the hashes of the source and of every published file. Deterministic: no
 * dates, no absolute paths, no private notes.
 */
import type { Normalisation } from "../dsp/normalise.ts";
import type { PcmFormat } from "../media/wav.ts";
import type { Plan } from "../plan/plan.ts";
import type { ReportInputs } from "./fingerprint.ts";

export interface OutputRecord {
  readonly file: string;
  readonly sha256: string;
}

export interface Report {
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly sampleRate: number;
    readonly channels: number;
    readonly samples: number;
  };
  readonly title: string;
  readonly ranges: ReadonlyArray<{
    readonly startSample: number;
    readonly endSample: number;
    readonly startSeconds: number;
    readonly endSeconds: number;
    readonly category: string;
    readonly frequency: number;
    /** Which manifest entries (1-based) this merged range covers. */
    readonly entries: readonly number[];
  }>;
  readonly tone: { readonly levelDb: number; readonly rampMs: number; readonly padMs: number };
  readonly loudness: {
    readonly measuredLufs: number | null;
    readonly measuredTruePeakDbtp: number | null;
    readonly targetLufs: number;
    readonly gainDb: number;
    readonly limiter: boolean;
    /** The level change the MP3 encoder makes, compensated in gainDb. */
    readonly encoderLevelDb: number;
    /** The web files' loudness as the pipeline predicts it (in-process measurement plus encoder level). */
    readonly expectedLufs: number | null;
  };
  readonly outputs: Readonly<Record<string, OutputRecord>>;
  readonly tool: { readonly name: string; readonly version: string };
  /** What the outputs were made from; a run that finds the same inputs and outputs skips the call. */
  readonly inputs?: ReportInputs;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const finiteOrNull = (x: number, digits: number): number | null => (Number.isFinite(x) ? round(x, digits) : null);

export function buildReport(args: {
  sourceFile: string;
  sourceSha256: string;
  format: PcmFormat;
  samples: number;
  title: string;
  plan: Plan;
  tone: { levelDb: number; rampMs: number; padMs: number };
  measured: { integratedLufs: number; truePeakDbtp: number };
  normalisation: Normalisation & { readonly expectedLufs: number };
  encoderLevelDb: number;
  outputs: Record<string, OutputRecord>;
  tool: { name: string; version: string };
  inputs?: ReportInputs;
}): Report {
  const rate = args.format.sampleRate;
  return {
    source: {
      file: args.sourceFile,
      sha256: args.sourceSha256,
      sampleRate: rate,
      channels: args.format.channels,
      samples: args.samples,
    },
    title: args.title,
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
    ...(args.inputs ? { inputs: args.inputs } : {}),
  };
}

export const serialiseReport = (r: Report): string => `${JSON.stringify(r, null, 2)}\n`;
