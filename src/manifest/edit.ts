/**
 * Adding entries to a manifest without disturbing what the person wrote: the new entries are
 * inserted as text after the last entry of `redactions:` (or in place of an empty `[]`), indented
 * like the entries already there, so every comment, blank line, quote and number in the file stays
 * byte for byte as it was. The YAML parser only says where the list is. Pure: text in, text out.
 */
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { ExactSeconds } from "../units.ts";
import { formatExactClock } from "./time-text.ts";

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
