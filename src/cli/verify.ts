/**
 * `npm run verify <call> ...` / `npm run verify -- --all`: check what out/ holds
 * for each call against its recording and manifest as they are now, print one
 * row per range and file, write the result into out/<call>.json (as
 * `verification`) and exit 1 if any check fails.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import { OutputSet } from "../project/atomic.ts";
import { listCalls, projectLayout } from "../project/layout.ts";
import { inspectCall, prepareCall } from "../publish/redact-call.ts";
import { expectedRanges, verifyCall } from "../verify/call.ts";
import { verificationSummary, verificationTable } from "../verify/table.ts";
import type { ReportView } from "../verify/verify-call.ts";
import { type ExitStatus, printError, runCommand } from "./run.ts";
import { parseVerifyArgs, VERIFY_HELP } from "./verify-args.ts";

/** The parts of out/<call>.json that verification needs, checked for shape. */
function readReport(path: string, display: string): { report: ReportView & Record<string, unknown>; text: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new RedactError("E_IO", 1, `${display} not found: publish the call first (npm run redact <call>)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RedactError("E_IO", 1, `${display} is not valid JSON (${(err as Error).message}); redact the call again`);
  }
  const r = data as Partial<ReportView> | null;
  const okSource =
    typeof r?.source?.sha256 === "string" &&
    Number.isInteger(r.source.sampleRate) &&
    Number.isInteger(r.source.channels) &&
    Number.isInteger(r.source.samples);
  const okRanges =
    Array.isArray(r?.ranges) &&
    r.ranges.every(
      (x) =>
        Number.isInteger(x?.startSample) &&
        Number.isInteger(x?.endSample) &&
        typeof x?.category === "string" &&
        typeof x?.frequency === "number",
    );
  const okOutputs =
    typeof r?.outputs === "object" &&
    r.outputs !== null &&
    Object.values(r.outputs).every((o) => typeof o?.file === "string" && typeof o?.sha256 === "string");
  if (!okSource || !okRanges || !okOutputs) {
    throw new RedactError(
      "E_IO",
      1,
      `${display} is not a report of this tool (source, ranges or outputs missing); redact the call again`,
    );
  }
  return { report: data as ReportView & Record<string, unknown>, text };
}

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const opts = parseVerifyArgs(argv, process.env);
  if (opts.help) {
    process.stdout.write(VERIFY_HELP);
    return 0;
  }
  const layout = projectLayout(process.cwd());
  const names = opts.all ? listCalls(layout) : opts.calls;
  if (names.length === 0) {
    throw new RedactError("E_USAGE", 2, "no manifests in redactions/: nothing to verify");
  }
  let worst: ExitStatus = 0;
  for (const name of names) {
    try {
      const prepared = prepareCall(layout, name, { acceptDecodeErrors: opts.acceptDecodeErrors });
      const reportFile = `${name}.json`;
      const { report, text } = readReport(join(layout.outDir, reportFile), `out/${reportFile}`);
      const inspected = await inspectCall(prepared);
      const verification = await verifyCall(inspected, report, text, (file) => join(layout.outDir, file));
      // Into the report, in place of any earlier result; the rest of it as it was (its hashes still hold).
      const updated = `${JSON.stringify({ ...report, verification }, null, 2)}\n`;
      if (updated !== text) {
        const out = new OutputSet(layout.outDir);
        try {
          const tmp = out.temp(reportFile);
          writeFileSync(tmp, updated);
          out.commit();
        } catch (err) {
          out.discard();
          throw err instanceof RedactError
            ? err
            : new RedactError("E_IO", 1, `writing out/${reportFile}: ${(err as Error).message}`, { cause: err });
        }
      }
      const ranges = expectedRanges(inspected.plan);
      const rate = inspected.format.sampleRate;
      const show = opts.failures || opts.quiet ? "failures" : "all";
      if (!(opts.quiet && verification.passed)) {
        const table = verificationTable(name, verification, ranges, rate, show);
        if (show === "all" || !verification.passed) process.stdout.write(`${table}\n`);
      }
      if (!opts.quiet) process.stdout.write(`${verificationSummary(name, verification)}\n\n`);
      if (!verification.passed && worst === 0) worst = 1;
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      printError(err);
      if (err.exitCode === 2) worst = 2;
      else if (worst === 0) worst = 1;
    }
  }
  return worst;
}

runCommand(main);
