/**
 * `npm run suggest -- call4 --transcript FILE`: propose entries from a transcript's word timings
 * and the word lists in redactions/lists/. Proposals go to redactions/<call>.suggested.yaml (and,
 * with --labels, an Audacity label file beside it): nothing is redacted until the person copies
 * the entries they accept into the manifest. Signals and exit codes: run.ts.
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { writeLabels } from "../labels/audacity.ts";
import { oneLine } from "../manifest/edit.ts";
import { formatExactClock } from "../manifest/time-text.ts";
import { writeTextAtomically } from "../project/atomic.ts";
import { display, projectLayout } from "../project/layout.ts";
import { readInputText, readManifestFile } from "../project/manifest-file.ts";
import { loadTranscript } from "../project/transcript-file.ts";
import { listsDir, readWordLists } from "../project/word-lists.ts";
import { coveredBy, PHONE_DIGITS, type Proposal, suggest } from "../suggest/suggest.ts";
import { parseTranscript, type Transcript } from "../suggest/transcript.ts";
import { callRepeats } from "../transcript/repeats.ts";
import { asTyped } from "./invocation.ts";
import { formatWarning } from "./plan-view.ts";
import { type ExitStatus, runCommand } from "./run.ts";

const SUGGEST_HELP = `Propose redactions from a transcript with word timings.

Usage:
  npm run suggest -- <call> [--transcript FILE] [--labels] [--min-digits N]

Reads the words and their times from FILE (whisper.cpp full JSON from -ojf, WhisperX JSON,
or WebVTT / SRT with one word per cue) and proposes an entry for
  - every word or phrase in the lists in redactions/lists/*.txt (obscenities.txt gives
    obscenity, every other list sensitive, unless its first line is "# category: NAME"),
  - every run of spoken digits or number words of phone-number length (${PHONE_DIGITS} digits or more).
Proposals already covered by an entry of the manifest are left out.

The proposals go to redactions/<call>.suggested.yaml, each with the word or pattern that
triggered it. Nothing is redacted until you copy the entries you accept into
redactions/<call>.yaml (redact and --all never read the .suggested file).

Options:
  --transcript FILE   the transcript (default: the call's own, transcript: in the manifest or
                      the one transcripts/<call>.* file)
  --labels            also write redactions/<call>.suggested.labels.txt, to review the proposals
                      over the waveform in Audacity and import the ones you keep with
                      npm run labels -- import <call> <file>
  --min-digits N      digits that make a run of numbers a proposal (default ${PHONE_DIGITS})
  -h, --help          this text
`;

interface SuggestArgs {
  readonly call: string;
  readonly transcript?: string;
  readonly labels: boolean;
  readonly minDigits: number;
}

function parseSuggestArgs(argv: readonly string[]): SuggestArgs | "help" {
  const positional: string[] = [];
  let transcript: string | undefined;
  let labels = false;
  let minDigits = PHONE_DIGITS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value; see npm run suggest -- --help`);
      return v;
    };
    if (name === "--help" || name === "-h") return "help";
    if (name === "--transcript") transcript = value();
    else if (name === "--labels") labels = true;
    else if (name === "--min-digits") {
      const v = value();
      if (!/^[1-9][0-9]?$/.test(v)) throw new UsageError(`--min-digits takes a whole number from 1 to 99, not "${v}"`);
      minDigits = Number(v);
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`unknown option ${name}; see npm run suggest -- --help`);
    } else positional.push(arg);
  }
  const [call, ...extra] = positional;
  if (call === undefined) {
    throw new UsageError("name a call: npm run suggest -- call4 --transcript call4.json; see --help");
  }
  if (extra.length > 0) throw new UsageError(`one call at a time; unexpected ${extra.join(" ")}`);
  return { call, ...(transcript === undefined ? {} : { transcript }), labels, minDigits };
}

function suggestionsYaml(call: string, source: string, manifestFile: string, proposals: readonly Proposal[]): string {
  const lines = [
    `# Suggestions for ${call}, from ${source} (npm run suggest).`,
    "# NOTHING HERE IS REDACTED. Listen to each one, then copy the entries you accept (adjusting",
    `# the times by ear if needed) under redactions: in ${manifestFile}, and run`,
    `# npm run redact -- --check ${call}. Each comment says what proposed the entry.`,
  ];
  if (proposals.length === 0) {
    lines.push("suggestions: []");
    return `${lines.join("\n")}\n`;
  }
  lines.push("suggestions:");
  for (const p of proposals) {
    for (const t of p.triggers) lines.push(`  # ${oneLine(t)}`);
    if (p.estimated) lines.push("  # times estimated: the recogniser gave no times for some of these words");
    lines.push(`  - start: "${formatExactClock(p.start)}"`);
    lines.push(`    end: "${formatExactClock(p.end)}"`);
    lines.push(`    category: ${p.category}`);
    lines.push(`    note: ${JSON.stringify(`suggested: ${oneLine(p.words)}`)}`);
  }
  return `${lines.join("\n")}\n`;
}

const shownPath = (root: string, path: string): string => {
  const rel = relative(root, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel.split("\\").join("/");
};

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const args = parseSuggestArgs(argv);
  if (args === "help") {
    process.stdout.write(asTyped(SUGGEST_HELP));
    return 0;
  }
  const root = process.cwd();
  const layout = projectLayout(root);
  const mf = readManifestFile(layout, args.call);
  const categories = new Set(mf.manifest.categories.keys());
  let transcriptName: string;
  let transcript: Transcript;
  if (args.transcript !== undefined) {
    const transcriptPath = resolve(root, args.transcript);
    transcriptName = shownPath(root, transcriptPath);
    transcript = parseTranscript(readInputText(transcriptPath, transcriptName), transcriptName);
  } else {
    // The call's own transcript, found as redact finds it.
    const own = loadTranscript(layout, mf.manifest);
    if (!own) {
      throw new UsageError(
        `say which transcript: npm run suggest -- ${args.call} --transcript FILE (${args.call} has none in transcripts/, and ${mf.display} names none with transcript:)`,
      );
    }
    transcriptName = own.display;
    transcript = own.transcript;
  }
  const patterns = readWordLists(layout, categories);

  const all = suggest(transcript.words, patterns, { minDigits: args.minDigits });
  const fresh = all.filter((p) => !coveredBy(mf.manifest.entries, p));

  const yamlPath = join(layout.redactionsDir, `${args.call}.suggested.yaml`);
  const yamlShown = display(layout, yamlPath);
  writeTextAtomically(yamlPath, suggestionsYaml(args.call, transcriptName, mf.display, fresh), yamlShown);
  const written = [yamlShown];
  if (args.labels) {
    const labelsPath = join(layout.redactionsDir, `${args.call}.suggested.labels.txt`);
    const text = writeLabels(
      fresh.map((p) => ({ start: p.start, end: p.end, text: `${p.category}: suggested: ${p.words}` })),
    );
    writeTextAtomically(labelsPath, text, display(layout, labelsPath));
    written.push(display(layout, labelsPath));
  }
  const already = all.length - fresh.length;
  const lines = [
    `${transcriptName}: ${transcript.words.length} words (${transcript.format}), ${patterns.length} list patterns` +
      (patterns.length === 0
        ? ` (no lists in ${display(layout, listsDir(layout))}/: only runs of digits are looked for)`
        : ""),
    `${written.join(", ")}: ${fresh.length} proposal${fresh.length === 1 ? "" : "s"}` +
      (already > 0 ? ` (${already} more already in ${mf.display})` : ""),
    ...fresh.map(
      (p) =>
        `  ${formatExactClock(p.start)}-${formatExactClock(p.end)} ${p.category.padEnd(9)} ${JSON.stringify(p.words)}`,
    ),
    `nothing is redacted until you copy the entries you accept into ${mf.display}`,
    // What the manifest redacts already, but the transcript says again outside every range (in exact
    // seconds: suggest decodes nothing, so the ranges are not yet rounded to the recording's samples).
    ...callRepeats(mf.manifest, { display: transcriptName, transcript }, undefined).map(formatWarning),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

runCommand(main);
