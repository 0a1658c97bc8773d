/**
 * The hook at the end of every `redact`: verify the call's outputs while they
 * are still temporary files, before anything is renamed into place. A failure
 * publishes nothing (the caller discards the temporary files) and exits 1,
 * naming every failing check.
 */
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import type { OutputSet } from "../project/atomic.ts";
import type { ProgressListener } from "../publish/progress.ts";
import type { InspectedCall } from "../publish/redact-call.ts";
import { type Report, serialiseReport } from "../publish/report.ts";
import { expectedRanges, verifyCall } from "./call.ts";
import { verificationTable } from "./table.ts";
import type { EarlyChecks, Verification } from "./verify-call.ts";

export type VerifiedReport = Report & { readonly verification: Verification };

/** Where an output named in the report is while redact runs: its temporary file, else out/. */
export const pathIn =
  (outputs: OutputSet, outDir: string) =>
  (file: string): string =>
    outputs.tempOf(file) ?? join(outDir, file);

export async function verifyBeforePublishing(
  call: InspectedCall,
  report: Report,
  outputs: OutputSet,
  outDir: string,
  progress: ProgressListener,
  early: EarlyChecks = {},
): Promise<VerifiedReport> {
  const verification = await verifyCall(
    call,
    report,
    serialiseReport(report),
    pathIn(outputs, outDir),
    (fraction) => progress({ call: call.call, stage: "verifying", fraction }),
    early,
  );
  if (!verification.passed) {
    const table = verificationTable(
      call.call,
      verification,
      expectedRanges(call.plan),
      call.format.sampleRate,
      "failures",
    );
    throw new RedactError(
      "E_VERIFY",
      1,
      `${call.call}: the new outputs failed verification, so nothing was published (out/ is as it was):\n${table}`,
    );
  }
  return { ...report, verification };
}
