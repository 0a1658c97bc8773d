/**
 * `npm run redact <call> ...` and `--all`: the CLI side of a batch. Runs the prepared calls through
 * publishBatch, shows progress (board.ts), prints one line per finished call and, for more than one call,
 * a closing summary table; returns the exit status.
 */
import { RedactError } from "../errors.ts";
import { formatTime } from "../manifest/time.ts";
import type { Layout } from "../project/layout.ts";
import type { Report } from "../project/report.ts";
import { type BatchOptions, batchExitCode, type CallOutcome, defaultJobs, publishBatch } from "../publish/batch.ts";
import type { OutputSettings } from "../publish/fingerprint.ts";
import type { PreparedCall } from "../publish/redact-call.ts";
import { formatRepeat } from "../publish/transcript/publish.ts";
import { wrapWords } from "../text.ts";
import { progressBoard } from "./board.ts";
import { type ExitStatus, printError } from "./run.ts";
import { isInteractive } from "./terminal.ts";

export interface BatchCliOptions {
  readonly jobs?: number;
  readonly force: boolean;
  readonly quiet: boolean;
  readonly settings?: OutputSettings;
  readonly publish?: BatchOptions["publish"];
  /** Called once every call has finished, with every outcome (before the summary is printed). */
  readonly afterCalls?: (outcomes: readonly CallOutcome[]) => void;
}

/** A call that failed before the batch (its recording is missing, say): shown in the summary too. */
export interface Unprepared {
  readonly call: string;
  readonly error: RedactError;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const duration = (r: Report): string => formatTime(r.source.samples / r.source.sampleRate);

/** The line printed when a call is done, wrapped to `width` columns on a terminal (one line in a pipe). */
export function outcomeLine(o: CallOutcome, width?: number): string | undefined {
  if (o.status === "failed") return undefined; // its error is printed instead
  const r = o.report;
  const text =
    o.status === "skipped"
      ? `${o.call}: unchanged since its last run, skipped (--force rebuilds it)`
      : `${o.call}: ${plural(r.ranges.length, "range")} redacted, ${duration(r)}, web gain ${gain(r)} -> ${[
          ...Object.values(r.outputs).map((x) => `out/${x.file}`),
          `out/${o.call}.json`,
        ].join(" ")}`;
  return width === undefined ? text : wrapWords(text, width, 0, "  ");
}

const gain = (r: Report): string =>
  `${r.loudness.gainDb >= 0 ? "+" : ""}${r.loudness.gainDb.toFixed(1)} dB${r.loudness.limiter ? " + limiter" : ""}`;

/** First line of what went wrong, for the summary table. */
function reason(error: unknown): string {
  if (error instanceof RedactError) return error.message.split("\n")[0] ?? "";
  return "internal error (please report it)";
}

/** The closing table: call, status, ranges, duration, time, reason; then one line of totals. */
export function summaryTable(outcomes: readonly CallOutcome[], wallSeconds: number, jobs: number): string {
  const rows: string[][] = [["call", "status", "ranges", "duration", "time", "reason"]];
  for (const o of outcomes) {
    const r = o.status === "failed" ? undefined : o.report;
    rows.push([
      o.call,
      o.status,
      r ? String(r.ranges.length) : "-",
      r ? duration(r) : "-",
      `${o.seconds.toFixed(1)} s`,
      o.status === "failed" ? reason(o.error) : o.status === "skipped" ? "unchanged" : "",
    ]);
  }
  const right = new Set([2, 3, 4]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  const count = (s: CallOutcome["status"]): number => outcomes.filter((o) => o.status === s).length;
  const totals = [`${count("published")} published`, `${count("skipped")} skipped`, `${count("failed")} failed`];
  lines.push(
    `${plural(outcomes.length, "call")}: ${totals.join(", ")}, in ${wallSeconds.toFixed(1)} s (${jobs} at a time)`,
  );
  return lines.join("\n");
}

function printFailure(error: unknown): void {
  if (error instanceof RedactError) printError(error);
  else
    process.stderr.write(
      `internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
}

export async function runBatch(
  layout: Layout,
  /** Every call of the run, in the order named; `prepared` and `unprepared` split them. */
  names: readonly string[],
  prepared: readonly PreparedCall[],
  unprepared: readonly Unprepared[],
  opts: BatchCliOptions,
): Promise<ExitStatus> {
  const started = performance.now();
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), prepared.length));
  const board = progressBoard({
    err: process.stderr,
    out: process.stdout,
    interactive: !opts.quiet && isInteractive(process.stderr, process.env),
    quiet: opts.quiet,
  });
  let outcomes: CallOutcome[];
  try {
    outcomes =
      prepared.length === 0
        ? []
        : await publishBatch(layout, prepared, {
            jobs,
            force: opts.force,
            ...(opts.settings ? { settings: opts.settings } : {}),
            ...(opts.publish ? { publish: opts.publish } : {}),
            progress: board.update,
            onStart: board.start,
            onOutcome: (o) => {
              if (o.status === "failed") {
                board.finish(o.call);
                board.above(() => printFailure(o.error));
              } else {
                const warnings = o.warnings ?? [];
                if (warnings.length > 0 && !opts.quiet) {
                  board.above(() => process.stderr.write(`${warnings.map(formatRepeat).join("\n")}\n`));
                }
                board.finish(o.call, outcomeLine(o, process.stdout.isTTY ? process.stdout.columns || 80 : undefined));
              }
            },
          });
  } finally {
    board.close();
  }
  opts.afterCalls?.(outcomes);
  // The summary lists the calls in the order they were named (sorted, for --all).
  const order = new Map(names.map((n, i) => [n, i]));
  const all: CallOutcome[] = [
    ...outcomes,
    ...unprepared.map((u): CallOutcome => ({ call: u.call, status: "failed", error: u.error, seconds: 0 })),
  ].sort((a, b) => (order.get(a.call) ?? 0) - (order.get(b.call) ?? 0));
  const total = all.length;
  if (total > 1 && !opts.quiet) {
    process.stdout.write(`\n${summaryTable(all, (performance.now() - started) / 1000, jobs)}\n`);
  }
  const failed = all.filter((o) => o.status === "failed").length;
  if (failed > 0 && total > 1) process.stderr.write(`${failed} of ${total} calls failed\n`);
  return batchExitCode(all);
}
