/**
 * Verification of a call as the pipeline sees it: the expected ranges from the
 * plan, the notes and title from the manifest. Used at the end of every
 * `redact` (on the temporary files, before they are renamed into place) and by
 * `npm run verify` (on out/).
 */
import type { Manifest } from "../manifest/types.ts";
import type { SourcePlan } from "../media/source.ts";
import type { Plan } from "../plan/plan.ts";
import type { ExpectedRange } from "./reference-tone.ts";
import {
  type EarlyChecks,
  type MasterVerification,
  type ReportView,
  type Verification,
  type VerifyRequest,
  verifyMaster,
  verifyOutputs,
} from "./verify-call.ts";

export interface CallToVerify {
  readonly call: string;
  readonly manifest: Manifest;
  readonly plan: Plan;
  readonly recordingPath: string;
  readonly recordingDisplay: string;
  /** How the recording is decoded (the same decode as the pipeline's). */
  readonly source: SourcePlan;
  readonly sourceSha256: string;
  readonly format: { readonly sampleRate: number; readonly channels: number };
  readonly samples: number;
}

export const expectedRanges = (plan: Plan): ExpectedRange[] =>
  plan.ranges.map((r) => ({
    number: r.number,
    start: r.start,
    end: r.end,
    frequency: r.frequency,
    category: r.category,
    amplitude: r.amplitude,
    rampSamples: r.rampSamples,
  }));

const sourceOf = (call: CallToVerify): VerifyRequest["source"] => ({
  path: call.recordingPath,
  display: call.recordingDisplay,
  decode: call.source,
  sha256: call.sourceSha256,
  sampleRate: call.format.sampleRate,
  channels: call.format.channels,
  samples: call.samples,
});

/** The master checked against the source as soon as it is written (for verifyCall's `early`). */
export function verifyCallMaster(
  call: CallToVerify,
  masterFile: string,
  pathOf: (file: string) => string,
): Promise<MasterVerification> {
  return verifyMaster({ source: sourceOf(call), ranges: expectedRanges(call.plan), pathOf }, masterFile);
}

export function verifyCall(
  call: CallToVerify,
  report: ReportView,
  reportText: string,
  pathOf: (file: string) => string,
  progress?: (fraction: number) => void,
  early: EarlyChecks = {},
): Promise<Verification> {
  const req: VerifyRequest = {
    call: call.call,
    source: sourceOf(call),
    ranges: expectedRanges(call.plan),
    report,
    reportFile: `${call.call}.json`,
    reportText,
    pathOf,
    notes: call.manifest.entries.flatMap((e) => (e.note ? [{ entry: e.number, text: e.note }] : [])),
    // What the outputs carry on purpose: the title and tags, the call's and the recording's names, the categories.
    exempt: [
      report.title ?? call.manifest.title ?? call.call,
      ...tagTexts(report),
      call.call,
      report.source.file,
      ...[...call.manifest.categories.values()].flatMap((c) => [c.name, c.label ?? ""]),
    ].filter((t) => t !== ""),
    ...(progress ? { progress } : {}),
  };
  return verifyOutputs(req, early);
}

/** Tags the report says were written on purpose (if it lists any). */
function tagTexts(report: ReportView): string[] {
  const tags = (report as { tags?: unknown }).tags;
  if (typeof tags !== "object" || tags === null) return [];
  return Object.values(tags).filter((t): t is string => typeof t === "string");
}
