/**
 * `npm run verify <call> ...` / `npm run verify -- --all`: check what out/ holds for each call, from the
 * files themselves, against its recording, manifest and the site settings as they are now (src/verify); print
 * one row per check; put the result in the call's private record (private/<call>.json, never in out/); exit 1
 * if any check fails. With --all, also every file of out/ that belongs to no call.
 */
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import { chooseFormats } from "../manifest/formats.ts";
import { listCalls, locksDir, projectLayout } from "../project/layout.ts";
import { acquireLock } from "../project/lock.ts";
import { ownerOf, SITE_FILES } from "../project/outputs.ts";
import { recordVerification, type Verification, type VerificationRow } from "../project/record.ts";
import { loadSiteSettings } from "../project/site-settings.ts";
import { inspectCall, prepareCall } from "../publish/redact-call.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { listOut, references, target } from "../verify/inventory.ts";
import { verificationSummary, verificationTable } from "../verify/table.ts";
import { expectedRanges, verifyCall } from "../verify/verify-call.ts";
import { asTyped } from "./invocation.ts";
import { type ExitStatus, printError, runCommand } from "./run.ts";
import { parseVerifyArgs, VERIFY_HELP } from "./verify-args.ts";

/** An empty `.gitkeep`, which keeps the folder in a git checkout (this repository's has one): says nothing. */
function isPlaceholder(outDir: string, name: string): boolean {
  if (name !== ".gitkeep") return false;
  try {
    return readRegularFileSync(join(outDir, name), 1).length === 0;
  } catch {
    return false;
  }
}

/** Files of out/ that are no call's (a call's manifest removed, a file put there by hand), and index links to them. */
function orphanRows(outDir: string, calls: readonly string[]): VerificationRow[] {
  const rows: VerificationRow[] = [];
  const names = listOut(outDir);
  for (const name of names) {
    if (SITE_FILES.includes(name) || ownerOf(name, calls) !== undefined || isPlaceholder(outDir, name)) continue;
    rows.push({ range: null, file: name, status: "fail", detail: "belongs to no call in redactions/; remove it" });
  }
  if (names.includes("index.html")) {
    let html = "";
    try {
      html = readRegularFileSync(join(outDir, "index.html"), 64 << 20).toString("utf8");
    } catch {
      // reported with each call
    }
    for (const ref of references(html)) {
      const t = target(ref.value);
      if (t.kind === "file" && !SITE_FILES.includes(t.name) && ownerOf(t.name, calls) === undefined) {
        rows.push({
          range: null,
          file: "index.html",
          status: "fail",
          detail: `refers to out/${t.name}, no call's file`,
        });
      }
    }
  }
  return rows;
}

/** The terminal's width when stdout is one (rows are wrapped to it); none in a pipe (one line per row). */
const columns = (): number | undefined => (process.stdout.isTTY ? process.stdout.columns || 80 : undefined);

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const opts = parseVerifyArgs(argv, process.env);
  if (opts.help) {
    process.stdout.write(asTyped(VERIFY_HELP));
    return 0;
  }
  const layout = projectLayout(process.cwd());
  const site = loadSiteSettings(layout);
  const calls = listCalls(layout);
  const names = opts.all ? calls : opts.calls;
  if (names.length === 0) {
    throw new RedactError("E_USAGE", 2, "no manifests in redactions/: nothing to verify");
  }
  const show = opts.failures || opts.quiet ? "failures" : "all";
  const results: Array<{ call: string } & Verification> = [];
  let worst: ExitStatus = 0;
  for (const name of names) {
    try {
      const prepared = prepareCall(layout, name, { acceptDecodeErrors: opts.acceptDecodeErrors });
      // Not while a run publishes the call: it would see half of the old files and half of the new.
      const lock = await acquireLock(locksDir(layout), name, {
        onWait: () => {
          if (!opts.quiet) process.stderr.write(`${name}: waiting for another run that is publishing it\n`);
        },
      });
      try {
        const inspected = await inspectCall(prepared);
        const source = {
          sampleRate: inspected.format.sampleRate,
          channels: inspected.format.channels,
          samples: inspected.samples,
        };
        const call = {
          call: name,
          manifest: prepared.manifest,
          site,
          formats: chooseFormats(opts.formats, prepared.manifest.formats, site.formats),
          calls,
          recording: {
            path: prepared.recordingPath,
            display: prepared.recordingDisplay,
            sha256: inspected.sourceSha256,
            decode: prepared.source,
          },
          manifestSha256: prepared.manifestSha256,
          ...(prepared.transcript ? { transcript: prepared.transcript } : {}),
          source,
          outDir: layout.outDir,
        };
        const verification = await verifyCall(call);
        recordVerification(layout, name, verification);
        if (opts.json) results.push({ call: name, ...verification });
        else if (!(opts.quiet && verification.passed)) {
          const table = verificationTable(name, verification, expectedRanges(call), source.sampleRate, show, columns());
          if (show === "all" || !verification.passed) process.stdout.write(`${table}\n`);
        }
        if (!opts.quiet && !opts.json) process.stdout.write(`${verificationSummary(name, verification)}\n\n`);
        if (!verification.passed && worst === 0) worst = 1;
      } finally {
        lock.release();
      }
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      printError(err);
      if (err.exitCode === 2) worst = 2;
      else if (worst === 0) worst = 1;
    }
  }
  const orphans = opts.all ? orphanRows(layout.outDir, calls) : [];
  if (opts.json) {
    const all = orphans.length > 0 ? [...results, { call: "", passed: false, rows: orphans }] : results;
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  } else if (orphans.length > 0) {
    process.stdout.write(`${verificationTable("out/", { passed: false, rows: orphans }, [], 1, "all")}\n`);
    process.stdout.write(`out/: ${orphans.length} file${orphans.length === 1 ? "" : "s"} of no call\n`);
  }
  if (orphans.length > 0 && worst === 0) worst = 1;
  return worst;
}

runCommand(main);
