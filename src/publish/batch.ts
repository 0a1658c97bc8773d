/**
 * Many calls at once: a bounded pool runs prepared calls concurrently (each call is mostly ffmpeg
 * processes, so calls in parallel use the machine's cores), skips those whose inputs and outputs are
 * unchanged since their last report, and keeps going when one fails. It prints nothing: each outcome goes
 * to `onOutcome` as soon as it is known, and all of them, in the order given, are the result.
 *
 * Every manifest has been parsed and validated before this runs (prepareCall), so a batch never starts
 * decoding while another call's manifest is invalid.
 */
import { availableParallelism } from "node:os";
import { RedactError } from "../errors.ts";
import { chooseFormats, type WebFormat } from "../manifest/formats.ts";
import { DEFAULT_SITE, type SiteSettings } from "../manifest/site.ts";
import { type Layout, listCalls, locksDir } from "../project/layout.ts";
import { acquireLock } from "../project/lock.ts";
import type { Report } from "../project/report.ts";
import type { RepeatWarning } from "../transcript/repeats.ts";
import { type OutputSettings, settingsDigest } from "./fingerprint.ts";
import { checkFreshness } from "./freshness.ts";
import { noProgress, type ProgressListener } from "./progress.ts";
import { type PreparedCall, type PublishOptions, redactCall } from "./redact-call.ts";
import { checkRepeats } from "./transcript/publish.ts";
import { fastPathsOn } from "./web/fast.ts";

/** Words the call redacts that its transcript says again elsewhere (src/transcript/repeats.ts). */
type Warned = { readonly warnings?: readonly RepeatWarning[] };

export type CallOutcome =
  | ({
      readonly call: string;
      readonly status: "published";
      readonly report: Report;
      readonly seconds: number;
    } & Warned)
  /** Nothing changed since `report` was written; no decoding or encoding was done. */
  | ({ readonly call: string; readonly status: "skipped"; readonly report: Report; readonly seconds: number } & Warned)
  | {
      readonly call: string;
      readonly status: "failed";
      /** A RedactError for anything a user can cause; anything else is a bug, reported as such. */
      readonly error: unknown;
      readonly seconds: number;
    };

export interface BatchOptions {
  /** Calls at most in flight; default: the number of cores. */
  readonly jobs?: number;
  /** Rebuild even when nothing changed. */
  readonly force?: boolean;
  /** Options of the run that change the outputs (part of the fingerprint). */
  readonly settings?: OutputSettings;
  /** Passed to every redactCall (site settings, --formats); what changes the outputs must be in `settings` too. */
  readonly publish?: Omit<PublishOptions, "settingsSha256" | "settings" | "calls">;
  readonly progress?: ProgressListener;
  /** Called once per call, when it starts work. */
  readonly onStart?: (call: string) => void;
  /** Called once per call, as soon as its outcome is known (in completion order). */
  readonly onOutcome?: (outcome: CallOutcome) => void;
}

/** The options of a run that publishes (`npm run redact`, the studio) that change what it writes. */
export interface RunOptions {
  readonly site: SiteSettings;
  /** `--formats`: undefined when not given. */
  readonly formats?: readonly WebFormat[];
  readonly verify: boolean;
  readonly acceptDecodeErrors: boolean;
}

/**
 * What a run's options put into each private record's fingerprint (fingerprint.ts), so that a call published
 * by one command is skipped as unchanged by another run with the same options.
 */
export function runSettings(o: RunOptions): OutputSettings {
  // The site's address only makes the feed's links: changing it republishes no call.
  const { file: _, url: _url, ...siteValues } = o.site;
  return {
    formats: o.formats?.join(",") ?? "",
    site: JSON.stringify(siteValues),
    // A call published unverified is verified by the next run that verifies.
    ...(o.verify ? {} : { verify: "off" }),
    // A decode that would be refused is published as it decodes: not what a run without it writes.
    ...(o.acceptDecodeErrors ? { decodeErrors: "accepted" } : {}),
    // The speed paths off (CALL_REDACTOR_FAST=0, for measuring them) give other bytes for long recordings.
    ...(fastPathsOn() ? {} : { fast: "off" }),
  };
}

/** The default number of calls in flight: one per core the process may use. */
export const defaultJobs = (): number => Math.max(1, availableParallelism());

/** The exit status a set of outcomes calls for: 2 if any failure is a manifest or usage problem, else 1. */
export function batchExitCode(outcomes: readonly CallOutcome[]): 0 | 1 | 2 {
  let code: 0 | 1 | 2 = 0;
  for (const o of outcomes) {
    if (o.status !== "failed") continue;
    if (o.error instanceof RedactError && o.error.exitCode === 2) return 2;
    code = 1;
  }
  return code;
}

export async function publishBatch(
  layout: Layout,
  calls: readonly PreparedCall[],
  opts: BatchOptions = {},
): Promise<CallOutcome[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), calls.length));
  const progress = opts.progress ?? noProgress;
  const settings = opts.settings ?? {};
  const settingsSha256 = await settingsDigest(settings);
  const known = listCalls(layout);
  const publish: PublishOptions = { ...opts.publish, settingsSha256, settings, calls: known };

  const runOne = async (call: PreparedCall): Promise<CallOutcome> => {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    opts.onStart?.(call.call);
    try {
      // One writer per call, whichever run or machine: another run publishing it is waited for.
      const lock = await acquireLock(locksDir(layout), call.call, {
        onWait: () => progress({ call: call.call, stage: "waiting" }),
      });
      try {
        if (!opts.force) {
          const formats = chooseFormats(publish.formats, call.manifest.formats, (publish.site ?? DEFAULT_SITE).formats);
          const fresh = await checkFreshness(layout, call, formats, known, settingsSha256);
          if (fresh.fresh) {
            // Its outputs stand, but the transcript's repeats are said (and under --strict, refused) as for any call.
            const warnings = checkRepeats(call, fresh.report.source.sampleRate, publish.strict === true);
            return { call: call.call, status: "skipped", report: fresh.report, seconds: seconds(), warnings };
          }
        }
        const report = await redactCall(layout, call, progress, publish);
        const warnings = checkRepeats(call, report.source.sampleRate, false);
        return { call: call.call, status: "published", report, seconds: seconds(), warnings };
      } finally {
        lock.release();
      }
    } catch (error) {
      return { call: call.call, status: "failed", error, seconds: seconds() };
    }
  };

  return runPool(calls, jobs, runOne, (outcome) => opts.onOutcome?.(outcome));
}

/**
 * Runs `task` on every item, at most `jobs` at a time, starting them in order; `task` must not reject
 * (turn failures into results). Results come back in the items' order; `onResult` sees each as it lands.
 */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  task: (item: T, index: number) => Promise<R>,
  onResult?: (result: R, index: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const result = await task(items[i] as T, i);
      results[i] = result;
      onResult?.(result, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}
