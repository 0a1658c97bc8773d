/**
 * `npm run redact`: the thin shell over the pipeline: reads the options,
 * runs each call and prints what happened. Signals and exit codes: run.ts.
 */

import { RedactError } from "../errors.ts";
import { formatTime } from "../manifest/time.ts";
import { listCalls, projectLayout } from "../publish/layout.ts";
import { inspectCall, type PreparedCall, prepareCall, publishCall } from "../publish/redact-call.ts";
import { TOOL } from "../version.ts";
import { HELP, parseArgs } from "./args.ts";
import { planJson, planTable } from "./plan-view.ts";
import { type ExitStatus, printError, runCommand } from "./run.ts";
import { isInteractive, statusLine } from "./terminal.ts";

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const opts = parseArgs(argv, process.env);
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`${TOOL.name} ${TOOL.version}\n`);
    return 0;
  }
  const layout = projectLayout(process.cwd());
  const names = opts.all ? listCalls(layout) : opts.calls;
  if (names.length === 0) {
    throw new RedactError("E_USAGE", 2, "no manifests in redactions/: write redactions/<call>.yaml first (see README)");
  }
  const status = statusLine(process.stderr, !opts.quiet && isInteractive(process.stderr, process.env));
  const out = (line: string): void => {
    status.clear();
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };

  // Every manifest is read and validated before anything is decoded or written.
  const prepared: PreparedCall[] = [];
  const failures: RedactError[] = [];
  for (const name of names) {
    try {
      prepared.push(prepareCall(layout, name));
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      failures.push(err);
      printError(err);
    }
  }
  // An invalid manifest stops the whole run before anything is decoded or written.
  if (failures.some((f) => f.exitCode === 2)) return 2;

  const jsonPlans: object[] = [];
  for (const call of prepared) {
    try {
      const inspected = await inspectCall(call, status.update);
      if (opts.check) {
        if (opts.json) jsonPlans.push(planJson(inspected));
        else out(planTable(inspected));
        continue;
      }
      const rep = await publishCall(layout, inspected, status.update);
      const files = Object.values(rep.outputs).map((o) => `out/${o.file}`);
      const gain = `${rep.loudness.gainDb >= 0 ? "+" : ""}${rep.loudness.gainDb.toFixed(1)} dB`;
      out(
        `${call.call}: ${rep.ranges.length} range${rep.ranges.length === 1 ? "" : "s"} redacted, ${formatTime(rep.source.samples / rep.source.sampleRate)}; web gain ${gain}${rep.loudness.limiter ? " + limiter" : ""} -> ${[...files, `out/${call.call}.json`].join(", ")}`,
      );
    } catch (err) {
      status.clear();
      if (!(err instanceof RedactError)) throw err;
      failures.push(err);
      printError(err);
    }
  }
  if (opts.json)
    process.stdout.write(`${JSON.stringify(jsonPlans.length === 1 ? jsonPlans[0] : jsonPlans, null, 2)}\n`);
  if (failures.length === 0) return 0;
  if (names.length > 1) {
    process.stderr.write(`${failures.length} of ${names.length} calls failed\n`);
  }
  return failures.some((f) => f.exitCode === 2) ? 2 : 1;
}

runCommand(main);
