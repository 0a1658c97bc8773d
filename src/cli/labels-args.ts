/** Command-line parsing for `npm run labels`: pure, no I/O. */
import { UsageError } from "../errors.ts";

export type LabelsCommand =
  | { readonly action: "help" }
  | {
      readonly action: "import";
      readonly call: string;
      readonly file: string;
      /** `--map TEXT=CATEGORY`, TEXT lower-cased. */
      readonly map: ReadonlyMap<string, string>;
      readonly dryRun: boolean;
    }
  | { readonly action: "export"; readonly call: string; readonly file?: string };

export const LABELS_HELP = `Move ranges between a manifest and an Audacity label file.

Usage:
  npm run labels -- import <call> <labels.txt> [--map TEXT=CATEGORY ...] [--dry-run]
  npm run labels -- export <call> [FILE]

import   reads an Audacity label file (File > Export > Export Labels: start<TAB>end<TAB>text
         lines) and adds every label to redactions/<call>.yaml as an entry, keeping the
         manifest's comments and layout. The label's text, or its first word, names the
         category: sensitive, obscenity, one defined under categories:, or one you map with
         --map (e.g. --map name=sensitive --map swear=obscenity); the rest of the text becomes
         the entry's private note. Labels already in the manifest are skipped. Point labels,
         unknown categories and malformed lines are errors (file:line:col), and then nothing
         is written.
export   writes the manifest's entries as a label file (default redactions/<call>.labels.txt;
         - for standard output), to check them over the waveform in Audacity
         (File > Import > Labels). Importing it back gives the same ranges.

Options:
  --map TEXT=CATEGORY   with import: labels whose text (or first word) is TEXT get CATEGORY
  --dry-run             with import: print what would be added; write nothing
  -h, --help            this text
`;

export function parseLabelsArgs(argv: readonly string[]): LabelsCommand {
  const positional: string[] = [];
  const map = new Map<string, string>();
  let dryRun = false;
  let help = false;
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (onlyPositional || !arg.startsWith("-") || arg === "-") {
      positional.push(arg);
    } else if (arg === "--") {
      onlyPositional = true;
    } else if (arg === "--help" || arg === "-h") {
      help = true;
    } else if (arg === "--dry-run") {
      dryRun = true;
    } else if (arg === "--map" || arg.startsWith("--map=")) {
      const value = arg === "--map" ? argv[++i] : arg.slice("--map=".length);
      const m = value === undefined ? null : /^([^=]+)=([^=]+)$/.exec(value);
      if (!m?.[1] || !m[2]) throw new UsageError("--map needs TEXT=CATEGORY, e.g. --map name=sensitive");
      const key = m[1].trim().toLowerCase();
      if (map.has(key)) throw new UsageError(`--map ${key}= is given twice; map each text once`);
      map.set(key, m[2].trim());
    } else {
      throw new UsageError(`unknown option ${arg.split("=")[0]}; see npm run labels -- --help`);
    }
  }
  if (help) return { action: "help" };
  const [action, call, file, ...extra] = positional;
  if (action === undefined) {
    throw new UsageError("say what to do: npm run labels -- import <call> <labels.txt>, or export <call>; see --help");
  }
  if (action === "import") {
    if (call === undefined || file === undefined) {
      throw new UsageError("import needs a call and a label file: npm run labels -- import call4 labels.txt");
    }
    if (extra.length > 0) throw new UsageError(`import takes one label file; unexpected ${extra.join(" ")}`);
    return { action, call, file, map, dryRun };
  }
  if (action === "export") {
    if (call === undefined) throw new UsageError("export needs a call: npm run labels -- export call4 [FILE]");
    if (extra.length > 0) throw new UsageError(`export writes one file; unexpected ${extra.join(" ")}`);
    if (map.size > 0 || dryRun) throw new UsageError("--map and --dry-run go with import");
    return file === undefined ? { action, call } : { action, call, file };
  }
  throw new UsageError(`unknown action "${action}": use import or export; see npm run labels -- --help`);
}
