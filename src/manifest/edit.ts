/**
 * Editing a manifest without disturbing what the person wrote. New entries are inserted as text
 * after the last entry of `redactions:` (or in place of an empty `[]`), indented like the entries
 * already there (appendEntries); existing entries are changed value by value, or removed with their
 * own comment lines (editEntries). Every other comment, blank line, quote and number in the file
 * stays byte for byte as it was. The YAML parser only says where things are. Pure: text in, text out.
 */
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { ExactSeconds } from "../units.ts";
import { addExact, exact, parseDecimalNumberText, parseTimeText } from "./time.ts";
import { formatExactClock, formatExactSeconds } from "./time-text.ts";

export interface NewEntry {
  readonly start: ExactSeconds;
  readonly end: ExactSeconds;
  readonly category: string;
  readonly note?: string;
  /** A comment line written above the entry, e.g. `from labels.txt:3`. */
  readonly comment?: string;
}

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
/** A plain YAML word that reads back as the same string. */
const plain = (s: string): string => (/^[a-z_][a-z0-9_-]*$/.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s));

/** One line of text: runs of spaces, tabs, newlines and other control characters become one space; trimmed. */
export function oneLine(s: string): string {
  let out = "";
  let gap = false;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c <= 0x20 || c === 0x7f) {
      gap = true;
      continue;
    }
    if (gap && out !== "") out += " ";
    gap = false;
    out += ch;
  }
  return out;
}

function entryLines(e: NewEntry, indent: string, eol: string): string {
  const item = `${indent}- `;
  const field = `${indent}  `;
  const out: string[] = [];
  if (e.comment !== undefined) out.push(`${indent}# ${oneLine(e.comment)}`);
  out.push(`${item}start: "${formatExactClock(e.start)}"`);
  out.push(`${field}end: "${formatExactClock(e.end)}"`);
  out.push(`${field}category: ${plain(e.category)}`);
  if (e.note !== undefined && oneLine(e.note) !== "") out.push(`${field}note: ${JSON.stringify(oneLine(e.note))}`);
  return out.map((l) => l + eol).join("");
}

/** Offset just past the end of the line holding `offset` (after its newline, or the text's end). */
const endOfLine = (text: string, offset: number): number => {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
};

/**
 * The manifest text with `entries` appended to its `redactions:` list. The text must be a valid
 * manifest (parse it first): `redactions:` is then a list, block or flow.
 */
export function appendEntries(text: string, entries: readonly NewEntry[]): string {
  if (entries.length === 0) return text;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const doc = parseDocument(text, { keepSourceTokens: false });
  const contents = doc.contents;
  if (!isMap(contents)) throw new Error("appendEntries: not a manifest (no mapping at the top)");
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === "redactions");
  const seq = pair?.value;
  if (!pair || !isSeq(seq) || !seq.range) throw new Error("appendEntries: the manifest has no redactions: list");
  const [seqStart, seqEnd] = seq.range;

  if (!seq.flow) {
    // Block list: indent like its first "-", insert after the last entry's last line.
    const lineStart = text.lastIndexOf("\n", seqStart - 1) + 1;
    const indent = text.slice(lineStart, seqStart);
    const last = seq.items[seq.items.length - 1] as { range?: [number, number, number] } | undefined;
    const lastEnd = last?.range?.[1] ?? seqEnd;
    const at = endOfLine(text, Math.max(lastEnd - 1, seqStart));
    const before = text.slice(0, at);
    const glue = before.endsWith("\n") ? "" : eol;
    return before + glue + entries.map((e) => entryLines(e, indent, eol)).join("") + text.slice(at);
  }

  if (seq.items.length === 0) {
    // `redactions: []`: replace the brackets by a block list under the key.
    const keyOffset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
    const keyLineStart = text.lastIndexOf("\n", keyOffset - 1) + 1;
    const indent = `${text.slice(keyLineStart, keyOffset)}  `;
    const afterBrackets = text.slice(seqEnd);
    const restOfLine = afterBrackets.slice(0, endOfLine(afterBrackets, 0));
    const lineTail = restOfLine.replace(/\r?\n$/, ""); // e.g. "  # none yet"
    const block = entries.map((e) => entryLines(e, indent, eol)).join("");
    return `${text.slice(0, seqStart).replace(/[ \t]+$/, "")}${lineTail}${eol}${block}${afterBrackets.slice(restOfLine.length)}`;
  }

  // A flow list with entries: add flow mappings before its closing bracket.
  const close = text.lastIndexOf("]", seqEnd - 1);
  const items = entries.map((e) => {
    const note = e.note !== undefined && oneLine(e.note) !== "" ? `, note: ${JSON.stringify(oneLine(e.note))}` : "";
    return `{ start: "${formatExactClock(e.start)}", end: "${formatExactClock(e.end)}", category: ${plain(e.category)}${note} }`;
  });
  const beforeClose = text.slice(0, close).replace(/[ \t]+$/, "");
  const space = text.slice(beforeClose.length, close); // kept: "[ a ]" stays "[ a, b ]"
  return `${beforeClose}, ${items.join(", ")}${space}${text.slice(close)}`;
}

/** A change to an existing entry of `redactions:`; a field left undefined stays byte for byte as written. */
export interface EntryChange {
  /** The entry, counted from 1 as in messages (`redactions[2]`). */
  readonly number: number;
  readonly start?: ExactSeconds;
  /** The new end: written to `end:`, or for an entry written with `duration:`, as the new duration. */
  readonly end?: ExactSeconds;
  readonly category?: string;
  /** A new private note; null or "" removes the note. */
  readonly note?: string | null;
}

/** Text to put in place of [from, to). Splices never overlap. */
interface Splice {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

type Ranged = { range?: [number, number, number] | null };
const rangeOfNode = (n: unknown): [number, number, number] => {
  const r = (n as Ranged | null)?.range;
  if (!r) throw new Error("editEntries: a node without a position");
  return r;
};

const lineStartOf = (text: string, offset: number): number => text.lastIndexOf("\n", offset - 1) + 1;

/** How a scalar was written, so that a new value is written the same way. */
function scalarStyle(node: unknown): "plain" | "double" | "single" {
  const type = isScalar(node) ? node.type : undefined;
  if (type === "QUOTE_SINGLE") return "single";
  if (type === "PLAIN") return "plain";
  return "double"; // double quotes, and block scalars (rewritten on one line)
}

const quoteAs = (style: "plain" | "double" | "single", s: string): string =>
  style === "single" ? `'${s.replace(/'/g, "''")}'` : style === "double" ? JSON.stringify(s) : s;

/**
 * A time as the old value was written: a YAML number stays seconds (`9.092`), a string keeps its quotes and
 * its form (`"0:04.110"`, or `"12.5"` for a string without a colon). Every digit is kept (exact).
 */
function timeText(old: unknown, t: ExactSeconds): string {
  if (isScalar(old) && typeof old.value === "number") return formatExactSeconds(t, 3);
  const clockForm = !(isScalar(old) && typeof old.value === "string" && !old.value.includes(":"));
  return quoteAs(scalarStyle(old), clockForm ? formatExactClock(t) : formatExactSeconds(t, 3));
}

const categoryText = (old: unknown, name: string): string => {
  const style = scalarStyle(old);
  return style === "plain" ? plain(name) : quoteAs(style, name);
};

/** The end of a value's own text: for a block scalar, up to its last line's newline (kept in place). */
function valueSpan(text: string, node: unknown): [number, number] {
  const [from, to] = rangeOfNode(node);
  const block = isScalar(node) && (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED");
  return [from, block && text[to - 1] === "\n" ? to - 1 : to];
}

type Pair = { key: unknown; value: unknown };
const keyName = (p: Pair): string | undefined => (isScalar(p.key) ? String(p.key.value) : undefined);

/** The splices that change one entry (a mapping) as `change` says. */
function changeSplices(text: string, item: unknown, change: EntryChange, eol: string): Splice[] {
  if (!isMap(item)) throw new Error(`editEntries: redactions[${change.number}] is not a mapping`);
  const pairs = item.items as Pair[];
  const find = (key: string): Pair | undefined => pairs.find((p) => keyName(p) === key);
  const out: Splice[] = [];
  const replace = (node: unknown, value: string): void => {
    const [from, to] = valueSpan(text, node);
    out.push({ from, to, text: value });
  };
  const start = find("start");
  if (change.start !== undefined && start) replace(start.value, timeText(start.value, change.start));
  const end = find("end");
  const duration = find("duration");
  if (end && change.end !== undefined) replace(end.value, timeText(end.value, change.end));
  if (duration && (change.end !== undefined || change.start !== undefined)) {
    // The entry's end stays start + duration: both are taken as they will be after the change.
    const startTime = change.start ?? readTimeValue(start?.value);
    const endTime = change.end ?? addExact(readTimeValue(start?.value), readTimeValue(duration.value));
    replace(duration.value, timeText(duration.value, subtractExact(endTime, startTime)));
  }
  const category = find("category");
  if (change.category !== undefined && category) replace(category.value, categoryText(category.value, change.category));
  if (change.note !== undefined) {
    const note = find("note");
    const wanted = change.note === null ? "" : oneLine(change.note);
    if (note && wanted !== "") replace(note.value, JSON.stringify(wanted));
    else if (note) out.push(removePair(text, item, note));
    else if (wanted !== "") out.push(addPair(text, item, `note: ${JSON.stringify(wanted)}`, eol));
  }
  return out;
}

/** The exact value of a time node as the parser reads it (the manifest was valid when it was opened). */
function readTimeValue(node: unknown): ExactSeconds {
  if (!isScalar(node)) throw new Error("editEntries: a time that is not a scalar");
  const source = (node as { source?: string }).source;
  return typeof node.value === "number"
    ? parseDecimalNumberText(source ?? String(node.value))
    : parseTimeText(String(node.value));
}

const subtractExact = (a: ExactSeconds, b: ExactSeconds): ExactSeconds =>
  exact(a.num * b.den - b.num * a.den, a.den * b.den);

/** A new `key: value` pair at the end of a mapping: a line of its own in a block mapping, `, k: v` in a flow one. */
function addPair(text: string, map: unknown, pairText: string, eol: string): Splice {
  if (!isMap(map)) throw new Error("editEntries: not a mapping");
  const pairs = map.items as Pair[];
  const last = pairs[pairs.length - 1];
  if (!last) throw new Error("editEntries: an empty entry");
  if (map.flow) {
    const [, , end] = rangeOfNode(map);
    const close = text.lastIndexOf("}", end - 1);
    const before = text.slice(0, close).replace(/[ \t]+$/, "");
    return { from: before.length, to: before.length, text: `, ${pairText}` };
  }
  const firstKey = rangeOfNode(pairs[0]?.key)[0];
  const column = firstKey - lineStartOf(text, firstKey);
  const [, lastEnd] = rangeOfNode(last.value ?? last.key);
  const at = endOfLine(text, Math.max(lastEnd - 1, firstKey));
  const glue = text[at - 1] === "\n" ? "" : eol;
  return { from: at, to: at, text: `${glue}${" ".repeat(column)}${pairText}${eol}` };
}

/** Remove one `key: value` pair from a mapping: its line(s) in a block mapping, `, k: v` in a flow one. */
function removePair(text: string, map: unknown, pair: Pair): Splice {
  if (!isMap(map)) throw new Error("editEntries: not a mapping");
  const pairs = map.items as Pair[];
  const i = pairs.indexOf(pair);
  const keyStart = rangeOfNode(pair.key)[0];
  const valueEnd = rangeOfNode(pair.value ?? pair.key)[1];
  const next = pairs[i + 1];
  if (i === 0 && next) {
    // The first pair (right after "- " or "{"): the next pair takes its place.
    return { from: keyStart, to: rangeOfNode(next.key)[0], text: "" };
  }
  if (map.flow) {
    const previous = pairs[i - 1];
    const from = previous ? rangeOfNode(previous.value ?? previous.key)[1] : keyStart;
    return { from, to: valueEnd, text: "" };
  }
  return { from: lineStartOf(text, keyStart), to: endOfLine(text, Math.max(valueEnd - 1, keyStart)), text: "" };
}

/**
 * Comment lines right above a block list's item, indented like its "-", with no blank line between: they
 * describe the entry (`# from labels.txt:3`, a demo's `# caller: "..."`) and go with it.
 */
function ownComments(text: string, dashLineStart: number, floor: number): number {
  const indent = /^[ \t]*/.exec(text.slice(dashLineStart))?.[0] ?? "";
  let start = dashLineStart;
  while (start > floor) {
    const previous = lineStartOf(text, start - 1);
    if (previous < floor) break;
    const line = text.slice(previous, start).replace(/\r?\n$/, "");
    if (!line.startsWith(`${indent}#`)) break;
    start = previous;
  }
  return start;
}

/**
 * The manifest text with entries changed and removed, and nothing else: every other byte (comments, blank
 * lines, quotes, the order and layout of the other entries and settings) stays as it was. A changed value
 * is written in the style of the value it replaces. Entries are numbered as in the text given, which must be
 * a valid manifest (parse it first); add entries afterwards with appendEntries.
 */
export function editEntries(text: string, changes: readonly EntryChange[], remove: readonly number[] = []): string {
  if (changes.length === 0 && remove.length === 0) return text;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const doc = parseDocument(text, { keepSourceTokens: false });
  const contents = doc.contents;
  if (!isMap(contents)) throw new Error("editEntries: not a manifest (no mapping at the top)");
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === "redactions");
  const seq = pair?.value;
  if (!pair || !isSeq(seq)) throw new Error("editEntries: the manifest has no redactions: list");
  const items = seq.items;
  const item = (number: number): unknown => {
    const node = items[number - 1];
    if (node === undefined) throw new Error(`editEntries: there is no redactions[${number}]`);
    return node;
  };
  const removed = new Set(remove);
  const splices: Splice[] = [];
  for (const change of changes) {
    if (removed.has(change.number)) throw new Error(`editEntries: redactions[${change.number}] is changed and removed`);
    splices.push(...changeSplices(text, item(change.number), change, eol));
  }
  const keyEnd = rangeOfNode(pair.key)[1];
  const remaining = items.length - [...removed].filter((n) => n >= 1 && n <= items.length).length;
  if (seq.flow) {
    // Each run of removed items goes with the comma before it (or, at the start, the one after it).
    for (let i = 0; i < items.length; i++) {
      if (!removed.has(i + 1)) continue;
      let j = i;
      while (j + 1 < items.length && removed.has(j + 2)) j++;
      const before = items[i - 1];
      const after = items[j + 1];
      const [from] = rangeOfNode(items[i]);
      const to = rangeOfNode(items[j])[1];
      if (before !== undefined) splices.push({ from: rangeOfNode(before)[1], to, text: "" });
      else if (after !== undefined) splices.push({ from, to: rangeOfNode(after)[0], text: "" });
      else splices.push({ from, to, text: "" });
      i = j;
    }
  } else {
    for (const n of removed) {
      const [from, to] = rangeOfNode(item(n));
      const dashLine = lineStartOf(text, from);
      const previous = items[n - 2];
      const floor = previous === undefined ? endOfLine(text, keyEnd) : endOfLine(text, rangeOfNode(previous)[1] - 1);
      splices.push({ from: ownComments(text, dashLine, floor), to: endOfLine(text, Math.max(to - 1, from)), text: "" });
    }
    // An emptied block list would read as "no redactions: list": it becomes [].
    if (remaining === 0 && items.length > 0) {
      const colon = text.indexOf(":", keyEnd);
      splices.push({ from: colon + 1, to: colon + 1, text: " []" });
    }
  }
  splices.sort((a, b) => b.from - a.from || b.to - a.to);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const s of splices) {
    if (s.to > limit) throw new Error("editEntries: overlapping edits");
    out = out.slice(0, s.from) + s.text + out.slice(s.to);
    limit = s.from;
  }
  return out;
}
