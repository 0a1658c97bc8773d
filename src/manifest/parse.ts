/**
 * The manifest parser: YAML text in, a validated Manifest out, or a ManifestError carrying every
 * issue found, each located at `file:line:col` with its field path and what would be right.
 *
 * Numbers are read from their source text, never through a JS float, so times stay exact.
 * Aliases and anchors are refused outright (and never expanded), so an alias bomb costs nothing.
 */

import type { Document, YAMLMap } from "yaml";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";
import type { ManifestIssue, SourcePos } from "../errors.ts";
import { ManifestError } from "../errors.ts";
import type { ExactSeconds } from "../units.ts";
import { hertz } from "../units.ts";
import {
  CATEGORIES_SHAPE,
  CATEGORY_SHAPE,
  ENTRY_SHAPE,
  fieldNames,
  fieldShape,
  MANIFEST_SHAPE,
  MAX_LINE_LENGTH,
  TONE_SHAPE,
} from "./definition.ts";
import { didYouMean } from "./did-you-mean.ts";
import { readFormatsNode } from "./formats.ts";
import {
  addExact,
  compareExact,
  exactToNumber,
  formatTime,
  msToExactSeconds,
  NumberSyntaxError,
  parseDecimalNumberText,
  parseTimeText,
  TimeSyntaxError,
  ZERO,
} from "./time.ts";
import type { Category, Manifest, ManifestEntry, ToneSettings } from "./types.ts";

/** A manifest larger than this is refused unread. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Deepest `[`/`{` nesting and widest indentation accepted (a real manifest needs 3 levels). */
const MAX_FLOW_DEPTH = 64;
const MAX_INDENT = 256;

export const BUILTIN_CATEGORIES: ReadonlyMap<string, Category> = new Map([
  ["sensitive", { name: "sensitive", frequency: hertz(440), label: "sensitive information" }],
  ["obscenity", { name: "obscenity", frequency: hertz(660), label: "obscenity" }],
]);

const LEVEL = fieldShape(TONE_SHAPE, "level", "number");
const RAMP = fieldShape(TONE_SHAPE, "ramp", "number");
export const DEFAULT_TONE: ToneSettings = { levelDb: LEVEL.default ?? -18, rampMs: RAMP.default ?? 5 };

/** The field path of a redaction entry, counted from 1 as users count: `redactions[2]`. */
export const entryField = (number: number, key?: string): string => `redactions[${number}]${key ? `.${key}` : ""}`;

// The keys each level takes come from definition.ts (the JSON Schema is generated from it too):
// add a new key there.
const TOP_KEYS = fieldNames(MANIFEST_SHAPE);
const ENTRY_KEYS = fieldNames(ENTRY_SHAPE);
const TONE_KEYS = fieldNames(TONE_SHAPE);
const CATEGORY_KEYS = fieldNames(CATEGORY_SHAPE);

const TIME_EXPECTED = 'a time: seconds as a number (e.g. 161.25) or a string such as "2:27.350" or "1:02:27.350"';
const ENTRY_EXPECTED = "each entry needs start:, end: (or duration:) and category:";

type Range = readonly [number, number, number];

interface Field {
  /** `redactions[2].end`, `tone.level`, ... */
  readonly path: string;
  /** Where the key is (for a missing or empty value). */
  readonly keyOffset: number;
  /** The value node: Scalar, YAMLMap, YAMLSeq, Alias, or null when there is none. */
  readonly node: unknown;
}

const rangeOf = (node: unknown): Range | undefined => {
  const r = (node as { range?: Range | null } | null | undefined)?.range;
  return r ?? undefined;
};

const isEmpty = (node: unknown): boolean => node == null || (isScalar(node) && node.value === null);

const describe = (node: unknown): string => {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    if (typeof v === "number") return `the number ${String(node.source ?? v)}`;
    if (typeof v === "boolean") return `${v}`;
    if (v === null) return "nothing";
  }
  return "something else";
};

/** Tabs, newlines and other C0 control characters, or DEL. */
const hasControlCharacters = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

/** The first bidirectional embedding, override or isolate control (U+202A-U+202E, U+2066-U+2069), if any. */
export const bidiControl = (s: string): string | undefined => /[\u202a-\u202e\u2066-\u2069]/.exec(s)?.[0];

/** "U+202E" */
export const codePoint = (c: string): string =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

const quoteText = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

class Ctx {
  private readonly found: { offset: number; issue: ManifestIssue }[] = [];
  constructor(
    readonly file: string,
    readonly text: string,
    private readonly lc: LineCounter | undefined,
  ) {}

  pos(offset: number): SourcePos {
    if (!this.lc) return { file: this.file, line: 1, col: 1 };
    const { line, col } = this.lc.linePos(offset);
    return line === 0 ? { file: this.file, line: 1, col: col + 1 } : { file: this.file, line, col };
  }

  add(offset: number, field: string, message: string): void {
    this.found.push({ offset, issue: { pos: this.pos(offset), field, message } });
  }

  get count(): number {
    return this.found.length;
  }

  /** Every issue, in the order they appear in the file. */
  issues(): ManifestIssue[] {
    return this.found
      .map((f, i) => ({ ...f, i }))
      .sort((a, b) => a.offset - b.offset || a.i - b.i)
      .map((f) => f.issue);
  }

  /** Where a value is, or its key when the value is empty. */
  at(f: Field): number {
    return isEmpty(f.node) ? f.keyOffset : (rangeOf(f.node)?.[0] ?? f.keyOffset);
  }

  /** The exact source text of a number scalar: the slice of the file it came from. */
  numberText(node: { type?: string | undefined; source?: string | undefined; value: unknown }): string {
    const r = rangeOf(node);
    if (node.type === "PLAIN" && r) return this.text.slice(r[0], r[1]);
    return node.source ?? String(node.value);
  }
}

/**
 * A mapping's keys, checked: unknown keys (when `allowed` is given), duplicate keys, merge keys and
 * keys that are not plain text are reported; the first of each key is returned.
 */
const readMap = (ctx: Ctx, map: YAMLMap, path: string, allowed: readonly string[] | undefined, where: string) => {
  const fields = new Map<string, Field & { readonly key: string }>();
  const mapOffset = rangeOf(map)?.[0] ?? 0;
  for (const pair of map.items) {
    const keyNode: unknown = pair.key;
    if (isAlias(keyNode)) continue; // reported with every alias
    const keyOffset = rangeOf(keyNode)?.[0] ?? mapOffset;
    let key: string | undefined;
    if (isScalar(keyNode) && keyNode.value !== null && typeof keyNode.value !== "object") {
      key = typeof keyNode.value === "string" ? keyNode.value : ctx.numberText(keyNode);
    }
    if (key === undefined) {
      ctx.add(
        keyOffset,
        path || "(document)",
        `keys must be plain names, found ${describe(keyNode)}${where ? `; ${where}` : ""}`,
      );
      continue;
    }
    const fieldPath = path ? `${path}.${key}` : key;
    if (key === "<<") {
      ctx.add(keyOffset, fieldPath, "merge keys (<<) are not supported; write the keys out in full");
      continue;
    }
    const first = fields.get(key);
    if (first) {
      const p = ctx.pos(first.keyOffset);
      ctx.add(keyOffset, fieldPath, `duplicate key "${key}" (first given at ${p.line}:${p.col}); give each key once`);
      continue;
    }
    if (allowed && !allowed.includes(key)) {
      ctx.add(keyOffset, fieldPath, `unknown key "${key}"${didYouMean(key, allowed)}; ${where}`);
      continue;
    }
    fields.set(key, { key, path: fieldPath, keyOffset, node: pair.value });
  }
  return fields;
};

/** A plain string value (numbers and booleans as written); undefined after reporting if it is not one. */
const readText = (ctx: Ctx, f: Field, expected: string): string | undefined => {
  const n = f.node;
  if (isAlias(n)) return undefined;
  if (isEmpty(n)) {
    ctx.add(ctx.at(f), f.path, `is empty; expected ${expected}`);
    return undefined;
  }
  if (isScalar(n)) {
    if (typeof n.value === "string") return n.value;
    if (typeof n.value === "number" || typeof n.value === "boolean") return ctx.numberText(n);
  }
  ctx.add(ctx.at(f), f.path, `expected ${expected}, found ${describe(n)}`);
  return undefined;
};

/** One line of text (titles and labels end up in published files). */
const readLine = (ctx: Ctx, f: Field, expected: string): string | undefined => {
  const s = readText(ctx, f, expected);
  if (s === undefined) return undefined;
  if (s.trim() === "") {
    ctx.add(ctx.at(f), f.path, `is blank; expected ${expected}`);
    return undefined;
  }
  if (hasControlCharacters(s)) {
    ctx.add(ctx.at(f), f.path, `must be one line of text without tabs or control characters; expected ${expected}`);
    return undefined;
  }
  const bidi = bidiControl(s);
  if (bidi !== undefined) {
    ctx.add(
      ctx.at(f),
      f.path,
      `holds the invisible direction control ${codePoint(bidi)}, which would turn the text around it on the published pages; remove it`,
    );
    return undefined;
  }
  if (s.length > MAX_LINE_LENGTH) {
    ctx.add(ctx.at(f), f.path, `is ${s.length} characters long; keep it to ${MAX_LINE_LENGTH} (expected ${expected})`);
    return undefined;
  }
  return s;
};

/** An unsigned decimal number, exact from its source text. */
const readNumber = (
  ctx: Ctx,
  f: Field,
  expected: string,
  signed = false,
): { readonly value: ExactSeconds; readonly negative: boolean } | undefined => {
  const n = f.node;
  if (isAlias(n)) return undefined;
  if (isEmpty(n)) {
    ctx.add(ctx.at(f), f.path, `is empty; expected ${expected}`);
    return undefined;
  }
  if (!isScalar(n) || typeof n.value !== "number") {
    const hint = isScalar(n) && typeof n.value === "string" ? " (write numbers without quotes)" : "";
    ctx.add(ctx.at(f), f.path, `expected ${expected}, found ${describe(n)}${hint}`);
    return undefined;
  }
  let text = ctx.numberText(n);
  let negative = false;
  if (signed && /^[+-][0-9.]/.test(text)) {
    negative = text.startsWith("-");
    text = text.slice(1);
  }
  try {
    return { value: parseDecimalNumberText(text), negative };
  } catch (e) {
    if (!(e instanceof NumberSyntaxError)) throw e;
    ctx.add(ctx.at(f), f.path, `${e.message} (expected ${expected})`);
    return undefined;
  }
};

/** A time: a YAML number (seconds, exact from its text) or a string in the time syntax. */
const readTime = (ctx: Ctx, f: Field): ExactSeconds | undefined => {
  const n = f.node;
  if (isAlias(n)) return undefined;
  if (isEmpty(n)) {
    ctx.add(ctx.at(f), f.path, `is empty; expected ${TIME_EXPECTED}`);
    return undefined;
  }
  if (isScalar(n) && typeof n.value === "number") {
    const text = ctx.numberText(n);
    try {
      return parseDecimalNumberText(text);
    } catch (e) {
      if (!(e instanceof NumberSyntaxError)) throw e;
      const why = text.startsWith("-") ? `${quoteText(text)} is negative; times cannot be negative` : e.message;
      ctx.add(ctx.at(f), f.path, `${why} (expected ${TIME_EXPECTED})`);
      return undefined;
    }
  }
  if (isScalar(n) && typeof n.value === "string") {
    try {
      return parseTimeText(n.value);
    } catch (e) {
      if (!(e instanceof TimeSyntaxError)) throw e;
      ctx.add(ctx.at(f), f.path, e.message);
      return undefined;
    }
  }
  ctx.add(ctx.at(f), f.path, `expected ${TIME_EXPECTED}, found ${describe(n)}`);
  return undefined;
};

const CATEGORY_NAMES = CATEGORIES_SHAPE.names ?? { pattern: "^[a-z0-9_-]+$", maxLength: 64 };
const CATEGORY_NAME = new RegExp(CATEGORY_NAMES.pattern);

interface CategoriesResult {
  readonly categories: Map<string, Category>;
  /** Every name the manifest defines, valid or not, so entries naming it are not reported twice. */
  readonly known: Set<string>;
}

const readCategories = (ctx: Ctx, f: Field | undefined): CategoriesResult => {
  const categories = new Map(BUILTIN_CATEGORIES);
  const known = new Set(categories.keys());
  if (!f || isAlias(f.node)) return { categories, known };
  if (!isMap(f.node)) {
    const found = isEmpty(f.node) ? "nothing" : describe(f.node);
    ctx.add(
      ctx.at(f),
      f.path,
      `expected a mapping of category names to settings, e.g. music: { frequency: 1000 }; found ${found}`,
    );
    return { categories, known };
  }
  for (const c of readMap(ctx, f.node, "categories", undefined, "").values()) {
    const name = c.key;
    known.add(name);
    let ok = true;
    if (!CATEGORY_NAME.test(name) || name.length > CATEGORY_NAMES.maxLength) {
      const cleaned = name
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, CATEGORY_NAMES.maxLength);
      const hint = cleaned && cleaned !== name ? `, e.g. "${cleaned}"` : "";
      ctx.add(
        c.keyOffset,
        c.path,
        `category names are plain lower-case words (a-z, 0-9, _ and -, up to ${CATEGORY_NAMES.maxLength})${hint}`,
      );
      ok = false;
    }
    const builtin = BUILTIN_CATEGORIES.get(name);
    const example = `${name}: { frequency: ${builtin?.frequency ?? 1000} }`;
    if (isAlias(c.node)) continue;
    if (!isMap(c.node)) {
      const found = isEmpty(c.node) ? "nothing" : describe(c.node);
      ctx.add(ctx.at(c), c.path, `expected the category's settings, e.g. ${example}; found ${found}`);
      continue;
    }
    const fields = readMap(ctx, c.node, c.path, CATEGORY_KEYS, "a category takes frequency (Hz) and label");
    let frequency = builtin?.frequency;
    const freqField = fields.get("frequency");
    if (freqField) {
      const r = readNumber(ctx, freqField, "a frequency in Hz above 0, e.g. 1000");
      if (!r) ok = false;
      else {
        const hz = exactToNumber(r.value);
        if (r.value.num === 0n || !Number.isFinite(hz)) {
          const why = r.value.num === 0n ? "must be above 0 Hz" : "is too large";
          ctx.add(ctx.at(freqField), freqField.path, `${why}; expected a frequency in Hz, e.g. 1000`);
          ok = false;
        } else frequency = hertz(hz);
      }
    } else if (!builtin) {
      ctx.add(rangeOf(c.node)?.[0] ?? c.keyOffset, `${c.path}.frequency`, `missing frequency:; write e.g. ${example}`);
      ok = false;
    }
    let label = builtin?.label;
    const labelField = fields.get("label");
    if (labelField) {
      const s = readLine(ctx, labelField, "a one-line label, e.g. background music");
      if (s === undefined) ok = false;
      else label = s;
    }
    if (ok && frequency !== undefined) {
      categories.set(name, label === undefined ? { name, frequency } : { name, frequency, label });
    }
  }
  return { categories, known };
};

const readTone = (ctx: Ctx, f: Field | undefined): ToneSettings => {
  if (!f || isAlias(f.node)) return DEFAULT_TONE;
  if (!isMap(f.node)) {
    const found = isEmpty(f.node) ? "nothing" : describe(f.node);
    ctx.add(ctx.at(f), f.path, `expected tone settings, e.g. { level: -18, ramp: 5 }; found ${found}`);
    return DEFAULT_TONE;
  }
  const fields = readMap(ctx, f.node, "tone", TONE_KEYS, "tone takes level (dBFS) and ramp (ms)");
  let { levelDb, rampMs } = DEFAULT_TONE;
  const levelField = fields.get("level");
  if (levelField) {
    const [min, max] = [LEVEL.minimum ?? -60, LEVEL.maximum ?? 0];
    const expected = `a tone peak in dBFS from ${min} to ${max}, e.g. ${LEVEL.default}`;
    const r = readNumber(ctx, levelField, expected, LEVEL.signed);
    if (r) {
      const magnitude = exactToNumber(r.value);
      const level = r.negative ? -magnitude : magnitude;
      if (!(level <= max && level >= min)) {
        const why = level > max ? `is above ${max} dBFS (full scale)` : `is below ${min} dBFS (too quiet to hear)`;
        ctx.add(ctx.at(levelField), levelField.path, `level ${why}; expected ${expected}`);
      } else levelDb = level + 0; // + 0 turns -0 into 0
    }
  }
  const rampField = fields.get("ramp");
  if (rampField) {
    const expected = "a fade length in ms, 0 or more, e.g. 5";
    const r = readNumber(ctx, rampField, expected);
    if (r) {
      const ms = exactToNumber(r.value);
      if (!Number.isFinite(ms)) ctx.add(ctx.at(rampField), rampField.path, `is too large; expected ${expected}`);
      else rampMs = ms;
    }
  }
  return { levelDb, rampMs };
};

const readRecording = (ctx: Ctx, f: Field): { path: string; pos: SourcePos } | undefined => {
  const expected = "a file under recordings/, e.g. call4.mp3";
  const p = readText(ctx, f, expected);
  if (p === undefined) return undefined;
  const fail = (why: string): undefined => {
    ctx.add(ctx.at(f), f.path, `${why}; expected ${expected}`);
    return undefined;
  };
  if (p === "") return fail("is empty");
  if (hasControlCharacters(p)) return fail("contains control characters");
  if (p.includes("\\"))
    return fail(`contains a backslash; separate folders with / (${quoteText(p.replace(/\\/g, "/"))})`);
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return fail(`${quoteText(p)} is an absolute path`);
  const segments = p.split("/");
  if (segments.includes("..")) return fail(`${quoteText(p)} leaves the recordings/ folder (a .. segment)`);
  const last = segments[segments.length - 1];
  if (last === "" || last === ".") return fail(`${quoteText(p)} names a folder, not a file`);
  return { path: p, pos: ctx.pos(ctx.at(f)) };
};

const readEntry = (ctx: Ctx, node: unknown, number: number, known: Set<string>): ManifestEntry | undefined => {
  const path = entryField(number);
  const at = rangeOf(node)?.[0] ?? 0;
  // An empty item has an empty node just after its "-": point at the "-" itself.
  const offset = isEmpty(node) ? Math.max(ctx.text.lastIndexOf("-", at), 0) : at;
  if (isAlias(node)) return undefined;
  if (!isMap(node)) {
    const found = isEmpty(node) ? "an empty entry" : describe(node);
    ctx.add(
      offset,
      path,
      `expected an entry such as { start: "2:27.350", end: "2:28.900", category: sensitive }; found ${found}`,
    );
    return undefined;
  }
  const before = ctx.count;
  const fields = readMap(ctx, node, path, ENTRY_KEYS, `an entry takes ${ENTRY_KEYS.join(", ")}`);
  const startField = fields.get("start");
  const endField = fields.get("end");
  const durationField = fields.get("duration");
  const categoryField = fields.get("category");
  const noteField = fields.get("note");

  let start: ExactSeconds | undefined;
  if (startField) start = readTime(ctx, startField);
  else ctx.add(offset, entryField(number, "start"), `missing start:; ${ENTRY_EXPECTED}`);

  let end: ExactSeconds | undefined;
  let endAt: Field | undefined;
  if (endField && durationField) {
    const later = endField.keyOffset > durationField.keyOffset ? endField : durationField;
    ctx.add(later.keyOffset, later.path, "give either end: or duration:, not both");
  } else if (endField) {
    endAt = endField;
    end = readTime(ctx, endField);
    if (end && start && compareExact(end, start) <= 0) {
      ctx.add(
        ctx.at(endField),
        endField.path,
        `end ${formatTime(end)} is not after start ${formatTime(start)}; end must be later than start`,
      );
      end = undefined;
    }
  } else if (durationField) {
    endAt = durationField;
    const duration = readTime(ctx, durationField);
    if (duration && compareExact(duration, ZERO) <= 0) {
      ctx.add(ctx.at(durationField), durationField.path, "duration must be more than 0");
    } else if (duration && start) end = addExact(start, duration);
  } else {
    ctx.add(offset, entryField(number, "end"), `missing end: (or duration:); ${ENTRY_EXPECTED}`);
  }

  let category: string | undefined;
  if (categoryField) {
    const name = readText(ctx, categoryField, "a category name, e.g. sensitive");
    if (name !== undefined && !known.has(name)) {
      const names = [...known];
      ctx.add(
        ctx.at(categoryField),
        categoryField.path,
        `unknown category ${quoteText(name)}${didYouMean(name, names)}; use one of ${names.join(", ")}` +
          " (or define it under categories:)",
      );
    } else category = name;
  } else ctx.add(offset, entryField(number, "category"), `missing category:; ${ENTRY_EXPECTED}`);

  let note: string | undefined;
  if (noteField && !isEmpty(noteField.node)) note = readText(ctx, noteField, "a private note (text)");

  if (ctx.count > before || !start || !end || !endAt || !startField || category === undefined) return undefined;
  const entry: ManifestEntry = {
    number,
    start,
    end,
    category,
    pos: ctx.pos(offset),
    startPos: ctx.pos(ctx.at(startField)),
    endPos: ctx.pos(ctx.at(endAt)),
    endField: endAt === durationField ? "duration" : "end",
    ...(note === undefined ? {} : { note }),
  };
  return entry;
};

/** Dotted field path of a node from yaml's `visit` ancestry: `redactions[2].start`. */
const pathOf = (ancestry: readonly unknown[], self: unknown): string => {
  const chain = [...ancestry, self];
  let out = "";
  for (let i = 0; i < chain.length; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (isSeq(a) && next !== undefined) out += `[${a.items.indexOf(next as never) + 1}]`;
    else if (a && typeof a === "object" && "key" in a && "value" in a && next === (a as { value: unknown }).value) {
      const k = (a as { key: unknown }).key;
      const name = isScalar(k) ? String(k.value) : "?";
      out += out ? `.${name}` : name;
    }
  }
  return out || "(document)";
};

/** Anchors (&a) and aliases (*a) anywhere in the document: refused, never expanded. */
const refuseAliases = (ctx: Ctx, doc: Document.Parsed): void => {
  visit(doc, {
    Alias(_, node, ancestry) {
      ctx.add(
        rangeOf(node)?.[0] ?? 0,
        pathOf(ancestry, node),
        `aliases (*${node.source}) are not supported; write the value out in full`,
      );
    },
    Node(_, node, ancestry) {
      if (isAlias(node) || !node.anchor) return;
      const at = rangeOf(node)?.[0] ?? 0;
      const amp = ctx.text.lastIndexOf(`&${node.anchor}`, at);
      ctx.add(
        amp >= 0 ? amp : at,
        pathOf(ancestry, node),
        `anchors (&${node.anchor}) are not supported; write the value out in full where it is used`,
      );
    },
  });
};

/** Scalars whose lines may start with tabs as content (block scalars, quoted strings), in document order. */
const textRanges = (docs: readonly Document.Parsed[]): Range[] => {
  const out: Range[] = [];
  for (const doc of docs) {
    visit(doc, {
      Scalar(_, node) {
        const r = rangeOf(node);
        if (r && node.type !== "PLAIN") out.push(r);
      },
    });
  }
  return out;
};

/** Lines indented with tabs (outside block and quoted scalars): offset of the first tab, by line start. */
const tabIndents = (text: string, exempt: readonly Range[]): Map<number, number> => {
  const out = new Map<number, number>();
  const re = /^([ \t]*)(\S?)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, lead = "", first = ""] = m;
    if (m[0] === "") re.lastIndex++;
    if (!lead.includes("\t") || first === "" || first === "#") continue;
    const lineStart = m.index;
    // exempt is in document order: find the last range starting before this line.
    let lo = 0;
    let hi = exempt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((exempt[mid]?.[0] ?? 0) < lineStart) lo = mid + 1;
      else hi = mid;
    }
    const r = exempt[lo - 1];
    if (r && lineStart < r[1]) continue;
    out.set(lineStart, lineStart + lead.indexOf("\t"));
  }
  return out;
};

const friendlyYamlMessage = (code: string, message: string): string => {
  switch (code) {
    case "BLOCK_AS_IMPLICIT_KEY":
      return `YAML syntax error: ${message}; if a value contains ": ", put it in quotes`;
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
      return `YAML syntax error: ${message}; check the indentation and punctuation here`;
    default:
      return `YAML: ${message}`;
  }
};

/** Line starts without the YAML parser, for the checks made before it runs. */
const countLines = (text: string): LineCounter => {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
};

/** Nesting deeper than any manifest needs would make the YAML parser recurse without bound. */
const checkNesting = (ctx: Ctx, text: string): boolean => {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) {
        ctx.add(i, "(document)", `nested more than ${MAX_FLOW_DEPTH} levels deep with [ ] or { }; a manifest needs 3`);
        return false;
      }
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  const re = /^[ \t?:-]*/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length > MAX_INDENT) {
      ctx.add(m.index, "(document)", `indented more than ${MAX_INDENT} columns; a manifest needs a few levels`);
      return false;
    }
    if (m[0] === "") re.lastIndex++;
  }
  return true;
};

export interface ParseManifestOptions {
  /** The manifest's path as shown to users, e.g. `redactions/call4.yaml`. */
  readonly file: string;
  /** The call name, e.g. `call4`. */
  readonly call: string;
}

/**
 * Parse and validate a manifest. Throws ManifestError (exit code 2) carrying every issue found,
 * in file order. Only checks what the manifest alone can tell: ranges past the end of the
 * recording, overlaps and the like are checked once the recording is known.
 */
export const parseManifest = (rawText: string, opts: ParseManifestOptions): Manifest => {
  const { file, call } = opts;
  const bytes = Buffer.byteLength(rawText, "utf8");
  if (bytes > MAX_MANIFEST_BYTES) {
    const ctx = new Ctx(file, rawText, undefined);
    ctx.add(0, "(document)", `the manifest is ${bytes} bytes; the limit is 1 MiB (${MAX_MANIFEST_BYTES} bytes)`);
    throw new ManifestError(ctx.issues());
  }
  const text = rawText.startsWith("\uFEFF") ? rawText.slice(1) : rawText; // a BOM is not column 1
  const pre = new Ctx(file, text, countLines(text));
  if (!checkNesting(pre, text)) throw new ManifestError(pre.issues());

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false, // duplicates are found below, with both positions and the field path
    merge: false,
    schema: "core", // also under a `%YAML 1.1` directive: no sexagesimal "2:27" numbers
    strict: true,
    keepSourceTokens: false,
  });
  const ctx = new Ctx(file, text, lineCounter);
  const all: Document.Parsed[] = [...docs];
  const streamErrors = "empty" in docs ? docs.errors : [];

  // Syntax first: if the YAML itself is broken, the tree is a guess; report the syntax only. Tabs in
  // indentation throw the rest of the structure off, so when there are any, they are all that is reported.
  const tabs = new Set(text.includes("\t") ? tabIndents(text, textRanges(all)).values() : []);
  const yamlErrors = [...streamErrors, ...all.flatMap((d) => d.errors)];
  for (const err of yamlErrors) if (err.code === "TAB_AS_INDENT") tabs.add(err.pos[0]);
  const TAB_MESSAGE = "tabs are not allowed for indentation; indent with spaces";
  for (const tab of tabs) ctx.add(tab, "(document)", TAB_MESSAGE);
  if (tabs.size === 0) {
    for (const err of yamlErrors) ctx.add(err.pos[0], "(document)", friendlyYamlMessage(err.code, err.message));
  }
  if (ctx.count > 0) throw new ManifestError(ctx.issues());

  for (const w of [...("empty" in docs ? docs.warnings : []), ...all.flatMap((d) => d.warnings)]) {
    ctx.add(w.pos[0], "(document)", `${w.message}; remove it (plain YAML only)`);
  }
  const [doc, second] = all;
  if (second) {
    const at = rangeOf(second)?.[0] ?? 0;
    ctx.add(
      at,
      "(document)",
      "a manifest is one YAML document; remove this --- and what follows, or merge it into the first",
    );
  }
  const contents: unknown = doc?.contents ?? null;
  if (doc) refuseAliases(ctx, doc);
  if (!isMap(contents)) {
    const found = isEmpty(contents) ? "an empty document" : describe(contents);
    ctx.add(
      isEmpty(contents) ? 0 : (rangeOf(contents)?.[0] ?? 0),
      "(document)",
      `expected a mapping with at least redactions: (a list of ranges, or [] for none); found ${found}`,
    );
    throw new ManifestError(ctx.issues());
  }

  const top = readMap(ctx, contents, "", TOP_KEYS, `the top level takes ${TOP_KEYS.join(", ")}`);
  const recordingField = top.get("recording");
  const recording = recordingField ? readRecording(ctx, recordingField) : undefined;
  const titleField = top.get("title");
  const title = titleField ? readLine(ctx, titleField, "a one-line title, e.g. Call 4") : undefined;
  const formatsField = top.get("formats");
  const formats = formatsField
    ? readFormatsNode(formatsField.node, formatsField.path, formatsField.keyOffset, (at, field, message) =>
        ctx.add(at, field, message),
      )
    : undefined;
  const { categories, known } = readCategories(ctx, top.get("categories"));
  const tone = readTone(ctx, top.get("tone"));

  let pad = ZERO;
  const padField = top.get("pad");
  if (padField) {
    const r = readNumber(ctx, padField, "milliseconds of padding, 0 or more, e.g. 50");
    if (r) pad = msToExactSeconds(r.value);
  }

  const entries: ManifestEntry[] = [];
  const redactionsField = top.get("redactions");
  const listExpected = "a list of ranges to redact (or [] for none)";
  if (!redactionsField) {
    ctx.add(rangeOf(contents)?.[0] ?? 0, "redactions", `missing redactions:; expected ${listExpected}`);
  } else if (isSeq(redactionsField.node)) {
    redactionsField.node.items.forEach((item, i) => {
      const entry = readEntry(ctx, item, i + 1, known);
      if (entry) entries.push(entry);
    });
  } else if (!isAlias(redactionsField.node)) {
    const found = isEmpty(redactionsField.node) ? "nothing" : describe(redactionsField.node);
    ctx.add(ctx.at(redactionsField), "redactions", `expected ${listExpected}; found ${found}`);
  }

  if (ctx.count > 0) throw new ManifestError(ctx.issues());
  return {
    file,
    call,
    ...(recording ? { recording } : {}),
    ...(title === undefined ? {} : { title }),
    ...(formats === undefined ? {} : { formats }),
    categories,
    tone,
    pad,
    entries,
  };
};
