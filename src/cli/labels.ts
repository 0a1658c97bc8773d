/**
 * `npm run labels`: import an Audacity label file into a manifest (keeping its comments and
 * layout), or export a manifest's entries as a label file. Signals and exit codes: run.ts.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { ManifestError, type ManifestIssue, UsageError } from "../errors.ts";
import { entryLabelText, labelCategory, parseLabels, writeLabels } from "../labels/audacity.ts";
import { appendEntries, type NewEntry } from "../manifest/edit.ts";
import { parseManifest } from "../manifest/parse.ts";
import { compareExact } from "../manifest/time.ts";
import { formatExactClock } from "../manifest/time-text.ts";
import type { ManifestEntry } from "../manifest/types.ts";
import { writeTextAtomically } from "../project/atomic.ts";
import { display, projectLayout } from "../project/layout.ts";
import { readInputText, readManifestFile } from "../project/manifest-file.ts";
import type { ExactSeconds } from "../units.ts";
import { asTyped } from "./invocation.ts";
import { LABELS_HELP, parseLabelsArgs } from "./labels-args.ts";
import { type ExitStatus, runCommand } from "./run.ts";

const sameRange = (
  a: { start: ExactSeconds; end: ExactSeconds; category: string },
  b: { start: ExactSeconds; end: ExactSeconds; category: string },
): boolean => a.category === b.category && compareExact(a.start, b.start) === 0 && compareExact(a.end, b.end) === 0;

/** A path the user gave, as they would recognise it. */
const shown = (root: string, path: string): string => {
  const rel = relative(root, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel.split("\\").join("/");
};

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const cmd = parseLabelsArgs(argv);
  if (cmd.action === "help") {
    process.stdout.write(asTyped(LABELS_HELP));
    return 0;
  }
  const root = process.cwd();
  const layout = projectLayout(root);
  const mf = readManifestFile(layout, cmd.call);
  const { manifest } = mf;

  if (cmd.action === "export") {
    const toStdout = cmd.file === "-";
    const target = resolve(root, cmd.file ?? `redactions/${cmd.call}.labels.txt`);
    if (!toStdout) {
      const rel = relative(layout.recordingsDir, target);
      if (!rel.startsWith("..") && !isAbsolute(rel)) {
        throw new UsageError(
          "labels are not written into recordings/ (recordings are only ever read); name another file",
        );
      }
      if (target === mf.path) throw new UsageError(`${mf.display} is the manifest; name another file for the labels`);
    }
    const text = writeLabels(
      manifest.entries.map((e: ManifestEntry) => ({
        start: e.start,
        end: e.end,
        text: entryLabelText(e.category, e.note),
      })),
    );
    if (toStdout) {
      process.stdout.write(text);
      return 0;
    }
    const where = shown(root, target);
    writeTextAtomically(target, text, where);
    const n = manifest.entries.length;
    process.stdout.write(
      `${where}: ${n} label${n === 1 ? "" : "s"} from ${mf.display}; in Audacity open the recording, then File > Import > Labels\n`,
    );
    return 0;
  }

  // import
  const known = new Set(manifest.categories.keys());
  for (const [text, category] of cmd.map) {
    if (!known.has(category)) {
      throw new UsageError(
        `--map ${text}=${category}: unknown category "${category}"; use one of ${[...known].join(", ")} (or define it under categories: in ${mf.display})`,
      );
    }
  }
  const labelPath = resolve(root, cmd.file);
  const labelName = shown(root, labelPath);
  const labels = parseLabels(readInputText(labelPath, labelName), labelName);
  const issues: ManifestIssue[] = [];
  const added: NewEntry[] = [];
  let skipped = 0;
  for (const label of labels) {
    const choice = labelCategory(label.text, known, cmd.map);
    if ("error" in choice) {
      issues.push({ pos: label.textPos, field: choice.field, message: choice.error });
      continue;
    }
    const entry: NewEntry = {
      start: label.start,
      end: label.end,
      category: choice.category,
      ...(choice.note === undefined ? {} : { note: choice.note }),
      comment: `from ${labelName}:${label.pos.line}`,
    };
    if (manifest.entries.some((e) => sameRange(e, entry)) || added.some((e) => sameRange(e, entry))) skipped++;
    else added.push(entry);
  }
  if (issues.length > 0) throw new ManifestError(issues, "E_LABELS");

  const updated = appendEntries(mf.text, added);
  // The result must be a valid manifest; appendEntries only adds well-formed entries.
  parseManifest(updated, { file: mf.display, call: cmd.call });
  const list = added.map((e) => `  + ${formatExactClock(e.start)}-${formatExactClock(e.end)} ${e.category}`);
  const already = skipped > 0 ? ` (${skipped} already there)` : "";
  if (cmd.dryRun) {
    process.stdout.write(
      [`${mf.display}: would add ${added.length} of ${labels.length} labels${already}`, ...list, ""].join("\n"),
    );
    return 0;
  }
  if (added.length > 0) writeTextAtomically(mf.path, updated, display(layout, mf.path));
  process.stdout.write(
    [
      `${mf.display}: added ${added.length} of ${labels.length} labels from ${labelName}${already}`,
      ...list,
      asTyped(`check them against the recording: npm run redact -- --check ${cmd.call}`),
      "",
    ].join("\n"),
  );
  return 0;
}

runCommand(main);
