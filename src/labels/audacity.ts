/**
 * Audacity label files: UTF-8 lines `start<TAB>end<TAB>text`, times in seconds (Audacity writes six
 * decimals), optionally each followed by a frequency line `\<TAB>low<TAB>high` (spectral
 * selections; ignored here). Reading is exact (times are kept as decimal fractions) and strict:
 * every problem is reported at `labels.txt:LINE:COL`, all at once. Pure: text in, labels out.
 */
import type { ManifestIssue, SourcePos } from "../errors.ts";
import { ManifestError } from "../errors.ts";
import { oneLine } from "../manifest/edit.ts";
import { compareExact, NumberSyntaxError, parseDecimalNumberText } from "../manifest/time.ts";
import { formatExactSeconds } from "../manifest/time-text.ts";
import type { ExactSeconds } from "../units.ts";

export interface Label {
  readonly start: ExactSeconds;
  readonly end: ExactSeconds;
  /** The label's text, as written (may be empty). */
  readonly text: string;
  /** Where the label's line starts, and where its text is. */
  readonly pos: SourcePos;
  readonly textPos: SourcePos;
}

const SECONDS = /^[0-9]+(?:\.[0-9]+)?$/;

/** An exact time from a label field, or a reason it is not one. */
function readSeconds(field: string): ExactSeconds | string {
  const t = field.trim();
  if (t === "") return "is empty; expected seconds such as 4.110000";
  if (SECONDS.test(t)) {
    try {
      return parseDecimalNumberText(t);
    } catch (e) {
      if (!(e instanceof NumberSyntaxError)) throw e;
      return e.message;
    }
  }
  const q = JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
  if (t.startsWith("-")) return `${q} is negative; a label must lie inside the recording`;
  if (/^[0-9]+,[0-9]+$/.test(t)) return `${q} has a decimal comma; write a point: ${t.replace(",", ".")}`;
  return `${q} is not a time in seconds; expected digits with a decimal point, such as 4.110000`;
}

/**
 * Parse an Audacity label file. Throws a ManifestError (code E_LABELS, exit 2) listing every
 * malformed line, point label and reversed range, located at `file:line:col`.
 */
export function parseLabels(text: string, file: string): Label[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  const issues: ManifestIssue[] = [];
  const labels: Label[] = [];
  const at = (line: number, col: number): SourcePos => ({ file, line, col });
  let previousWasLabel = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fail = (col: number, field: string, message: string): void => {
      issues.push({ pos: at(line, col), field, message });
    };
    if (raw.trim() === "") {
      previousWasLabel = false;
      return;
    }
    if (raw.startsWith("\\")) {
      // A spectral selection belonging to the label above: `\<TAB>low<TAB>high`.
      if (!previousWasLabel) {
        fail(1, "frequency line", "a line starting with \\ (a frequency range) must follow a label line");
      }
      previousWasLabel = false;
      return;
    }
    previousWasLabel = true;
    const fields = raw.split("\t");
    if (fields.length < 2) {
      const hint = /\s/.test(raw.trim())
        ? "; fields are separated by tabs and this line has none (export labels from Audacity with File > Export > Export Labels)"
        : "";
      fail(1, "label", `expected start<TAB>end<TAB>text, found one field${hint}`);
      return;
    }
    const [startText = "", endText = ""] = fields;
    const endCol = startText.length + 2;
    const textCol = endCol + endText.length + 1;
    const labelText = fields.slice(2).join(" ");
    const start = readSeconds(startText);
    if (typeof start === "string") fail(1, "start", start);
    if (fields.length === 2 && !SECONDS.test(endText.trim())) {
      fail(
        endCol,
        "end",
        "a point label (a start and a text, no end): labels to import must mark a stretch; select the words in Audacity and add a label to the selection (Ctrl+B)",
      );
      return;
    }
    const end = readSeconds(endText);
    if (typeof end === "string") fail(endCol, "end", end);
    if (typeof start === "string" || typeof end === "string") return;
    const order = compareExact(end, start);
    if (order === 0) {
      fail(
        endCol,
        "end",
        `a point label (start = end = ${endText.trim()}): labels to import must mark a stretch; select the words in Audacity and add a label to the selection (Ctrl+B)`,
      );
      return;
    }
    if (order < 0) {
      fail(endCol, "end", `end ${endText.trim()} is before start ${startText.trim()}; end must be later than start`);
      return;
    }
    labels.push({ start, end, text: labelText, pos: at(line, 1), textPos: at(line, textCol) });
  });
  if (issues.length > 0) throw new ManifestError(issues, "E_LABELS");
  return labels;
}

/** A label file (Audacity's format: six decimals at least, more where a time needs them to stay exact). */
export function writeLabels(labels: readonly { start: ExactSeconds; end: ExactSeconds; text: string }[]): string {
  return labels
    .map((l) => `${formatExactSeconds(l.start)}\t${formatExactSeconds(l.end)}\t${oneLine(l.text)}\n`)
    .join("");
}

/** The label text an entry is exported as: `category` or `category: note`. */
export const entryLabelText = (category: string, note?: string): string =>
  note === undefined || oneLine(note) === "" ? category : `${category}: ${oneLine(note)}`;

export type CategoryChoice =
  | { readonly category: string; readonly note?: string }
  | { readonly error: string; readonly field: string };

/**
 * The category a label names. The whole text, or else its first word (a trailing `:` dropped),
 * is looked up first in `map` (the user's `--map TEXT=CATEGORY`, case-insensitive) and then
 * among `categories`; when it was the first word, the rest of the text becomes the entry's note.
 */
export function labelCategory(
  text: string,
  categories: ReadonlySet<string>,
  map: ReadonlyMap<string, string>,
): CategoryChoice {
  const t = oneLine(text);
  const known = [...categories].join(", ");
  if (t === "") {
    return {
      field: "text",
      error: `the label has no text; write its category (${known}) as the label's text, or give --map`,
    };
  }
  const lookup = (word: string): string | undefined => {
    const lower = word.toLowerCase();
    const mapped = map.get(lower);
    if (mapped !== undefined) return mapped;
    return categories.has(lower) ? lower : categories.has(word) ? word : undefined;
  };
  const whole = lookup(t);
  if (whole !== undefined) return { category: whole };
  const m = /^([^\s:]+):?\s*(.*)$/.exec(t);
  const word = m?.[1] ?? t;
  const rest = m?.[2] ?? "";
  const first = lookup(word);
  if (first !== undefined) return rest === "" ? { category: first } : { category: first, note: rest };
  const q = JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}…` : word);
  return {
    field: "text",
    error: `unknown category ${q}; the label's text (or its first word) must be one of ${known}, a category defined under categories: in the manifest, or mapped with --map ${word.toLowerCase()}=sensitive`,
  };
}
