/**
 * `npm run redact`: the thin shell over the pipeline: reads the options,
 * runs each call and prints what happened. Signals and exit codes: run.ts.
 */

import { RedactError } from "../errors.ts";
import { listCalls, projectLayout } from "../project/layout.ts";
import { loadSiteSettings } from "../project/site-settings.ts";
import { runSettings } from "../publish/batch.ts";
import { inspectCall, type PreparedCall, prepareCall } from "../publish/redact-call.ts";
import { inShard, type Shard } from "../publish/shard.ts";
import { feedMessage, rebuildFeed } from "../publish/site-feed.ts";
import { indexIsDue, rebuildIndex } from "../publish/site-index.ts";
import { checkRepeats } from "../publish/transcript/publish.ts";
import { TOOL } from "../version.ts";
import { HELP, parseArgs } from "./args.ts";
import { runBatch, type Unprepared } from "./batch.ts";
import { asTyped } from "./invocation.ts";
import { planJson, planTable } from "./plan-view.ts";
import { runPreview } from "./preview.ts";
import { type ExitStatus, printError, runCommand } from "./run.ts";
import { isInteractive, statusLine } from "./terminal.ts";

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const opts = parseArgs(argv, process.env);
  if (opts.help) {
    process.stdout.write(asTyped(HELP));
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`${TOOL.name} ${TOOL.version}\n`);
    return 0;
  }
  const layout = projectLayout(process.cwd());
  const decoding = { acceptDecodeErrors: opts.acceptDecodeErrors };
  if (opts.preview) return runPreview(layout, opts.preview, opts.quiet, decoding);
  // The site settings are checked first, like a manifest: an error there stops the run (exit 2).
  const site = loadSiteSettings(layout);
  const named = opts.all ? listCalls(layout) : opts.calls;
  if (named.length === 0) {
    throw new RedactError("E_USAGE", 2, "no manifests in redactions/: write redactions/<call>.yaml first (see README)");
  }
  const names = opts.shard ? inShard(named, opts.shard) : named;
  if (names.length === 0) {
    if (!opts.quiet) process.stdout.write(`${shardNote(named.length, opts.shard)}\n`);
    return 0;
  }
  const status = statusLine(process.stderr, !opts.quiet && isInteractive(process.stderr, process.env));
  const out = (line: string): void => {
    status.clear();
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };

  // Every manifest is read and validated before anything is decoded or written.
  const prepared: PreparedCall[] = [];
  const failures: RedactError[] = [];
  const unprepared: Unprepared[] = [];
  for (const name of names) {
    try {
      prepared.push(prepareCall(layout, name, decoding));
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      failures.push(err);
      unprepared.push({ call: name, error: err });
      printError(err);
    }
  }
  // An invalid manifest stops the whole run before anything is decoded or written.
  if (failures.some((f) => f.exitCode === 2)) return 2;
  // Redacting: concurrent calls, skipping unchanged ones, a summary at the end (batch.ts).
  if (!opts.check) {
    let statuses: readonly string[] = [];
    const code = await runBatch(layout, names, prepared, unprepared, {
      afterCalls: (outcomes) => {
        statuses = outcomes.map((o) => o.status);
      },
      force: opts.force,
      quiet: opts.quiet,
      ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }),
      // What changes the outputs beyond the manifest: part of each private record's fingerprint.
      settings: runSettings({
        site,
        ...(opts.formats ? { formats: opts.formats } : {}),
        verify: opts.verify,
        acceptDecodeErrors: opts.acceptDecodeErrors,
      }),
      publish: {
        site,
        ...(opts.formats ? { formats: opts.formats } : {}),
        ...(opts.verify ? {} : { verify: false }),
        ...(opts.strict ? { strict: true } : {}),
      },
    });
    // The index is rebuilt once, after every call of the run has finished, from all reports in out/
    // (when a call was published, or when it is missing; a run that published nothing leaves out/ as it was).
    try {
      if (!indexIsDue(layout, statuses)) return code;
      const listed = await rebuildIndex(layout, site);
      if (!opts.quiet) process.stdout.write(`out/index.html: ${listed} call${listed === 1 ? "" : "s"} listed\n`);
      // The feed beside it, the same way; without the site's address, the run says once why there is none.
      const feed = await rebuildFeed(layout, site);
      if (!opts.quiet) process.stdout.write(`${feedMessage(feed, site.file)}\n`);
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      printError(err);
      return code === 0 ? 1 : code;
    }
    return code;
  }

  const jsonPlans: object[] = [];
  for (const call of prepared) {
    try {
      const inspected = await inspectCall(call, status.update);
      if (opts.json) jsonPlans.push(planJson(inspected));
      else out(planTable(inspected));
      // --strict: the transcript's repeats are errors (exit 2) here as in a run that publishes.
      if (opts.strict) checkRepeats(inspected, inspected.format.sampleRate, true);
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

const shardNote = (total: number, shard: Shard | undefined): string =>
  `shard ${shard?.index}/${shard?.count}: none of the ${total} call${total === 1 ? "" : "s"} falls in this share; nothing to do`;

runCommand(main);
