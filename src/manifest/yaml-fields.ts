/**
 * Reading a YAML file that people write (a manifest, the site settings) field by field, with the
 * position of everything found wrong. Every settings file goes through here, so they all take the
 * same YAML and say the same things about it:
 *
 * - before the parser runs: the size limit, a BOM, nesting and indentation limits (the YAML parser
 *   recurses once per level, so a file nested thousands deep would overflow the stack);
 * - the parse: YAML 1.2 core schema, strict, one document; syntax errors and tab indentation as
 *   friendly messages; anchors and aliases refused, never expanded (an alias bomb costs nothing);
 * - mappings: plain keys only, no merge keys, duplicate keys with both positions, unknown keys with
 *   a did-you-mean;
 * - fields: text, one line of text, a paragraph, exact decimal numbers read from their source text
 *   (never through a JS float), lists.
 *
 * Each problem is recorded at `file:line:col` with its field path (`redactions[2].end`) and what
 * would be right; a file's reader records every problem, then throws one ManifestError carrying
 * them all, in file order. What each file's fields mean (times, categories, titles) is its own
 * reader's business: parse.ts for a manifest, site.ts for the site settings, formats.ts for `formats:`.
 */
import type { Document, YAMLMap } from "yaml";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";
import { ManifestError, type ManifestIssue, type SourcePos } from "../errors.ts";
import type { ExactSeconds } from "../units.ts";
import { didYouMean } from "./did-you-mean.ts";
import { NumberSyntaxError, parseDecimalNumberText } from "./time.ts";

/** A settings file larger than this is refused unread. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Deepest `[`/`{` nesting and widest indentation accepted (a manifest needs 3 levels, the site settings 1). */
const MAX_FLOW_DEPTH = 64;
const MAX_INDENT = 256;

/** A YAML node's `[start, value end, node end]` offsets in the text. */
type Range = readonly [number, number, number];

export const rangeOf = (node: unknown): Range | undefined => {
  const r = (node as { range?: Range | null } | null | undefined)?.range;
  return r ?? undefined;
};

/** One value to read: where it is, and what it is called in messages. */
export interface Field {
  /** `redactions[2].end`, `tone.level`, `formats[1]`, ... */
  readonly path: string;
  /** Where the key is (for a missing or empty value); for a list item, where the item is. */
  readonly keyOffset: number;
  /** The value node: Scalar, YAMLMap, YAMLSeq, Alias, or null when there is none. */
  readonly node: unknown;
}

/** A mapping's value, with its key as written. */
export interface KeyedField extends Field {
  readonly key: string;
}

/** No value at all, or an empty scalar (`key:` with nothing after it). */
export const isEmpty = (node: unknown): boolean => node == null || (isScalar(node) && node.value === null);

/** Text as quoted in messages: at most 40 characters. */
export const quoteText = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** What a node is, for "expected ..., found ...": `a list`, `the text "x"`, `the number 5`, `nothing`. */
export const describe = (node: unknown): string => {
  if (isEmpty(node)) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return `the text ${quoteText(v)}`;
    if (typeof v === "number") return `the number ${String(node.source ?? v)}`;
    if (typeof v === "boolean") return `${v}`;
  }
  return "something else";
};

/** Tabs, newlines and other C0 control characters, or DEL; newlines allowed when `newlines` says so. */
export const hasControlCharacters = (s: string, newlines = false): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(newlines && c === 0x0a)) || c === 0x7f) return true;
  }
  return false;
};

/** The first bidirectional embedding, override or isolate control (U+202A-U+202E, U+2066-U+2069), if any. */
export const bidiControl = (s: string): string | undefined => /[\u202a-\u202e\u2066-\u2069]/.exec(s)?.[0];

/** "U+202E" */
export const codePoint = (c: string): string =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/** The problems found in one file, each located; thrown together as one ManifestError. */
export class YamlContext {
  private readonly found: { offset: number; issue: ManifestIssue }[] = [];
  constructor(
    /** The file as users see it, e.g. `redactions/call4.yaml`. */
    readonly file: string,
    /** The text as parsed (without a BOM): offsets are into it. */
    readonly text: string,
    private readonly lines: LineCounter | undefined,
  ) {}

  /** 1-based line and column of an offset. */
  pos(offset: number): SourcePos {
    if (!this.lines) return { file: this.file, line: 1, col: 1 };
    const { line, col } = this.lines.linePos(offset);
    return line === 0 ? { file: this.file, line: 1, col: col + 1 } : { file: this.file, line, col };
  }

  /** Record a problem: where it is, the field at fault, what is wrong and what would be right. */
  add(offset: number, field: string, message: string): void {
    this.found.push({ offset, issue: { pos: this.pos(offset), field, message } });
  }

  get count(): number {
    return this.found.length;
  }

  /** Every issue, in the order they appear in the file (in the order found, at one place). */
  issues(): ManifestIssue[] {
    return this.found
      .map((f, i) => ({ ...f, i }))
      .sort((a, b) => a.offset - b.offset || a.i - b.i)
      .map((f) => f.issue);
  }

  /** Throw a ManifestError carrying every issue, if there is any. */
  throwIfAny(): void {
    if (this.found.length > 0) throw new ManifestError(this.issues());
  }

  /** Record a problem that ends the reading, and throw it with every other issue found so far. */
  fail(offset: number, field: string, message: string): never {
    this.add(offset, field, message);
    throw new ManifestError(this.issues());
  }

  /** Where a value is, or its key when the value is empty. */
  at(f: Field): number {
    return isEmpty(f.node) ? f.keyOffset : (rangeOf(f.node)?.[0] ?? f.keyOffset);
  }

  /** The exact source text of a number (or boolean) scalar: the slice of the file it came from. */
  numberText(node: { type?: string | undefined; source?: string | undefined; value: unknown }): string {
    const r = rangeOf(node);
    if (node.type === "PLAIN" && r) return this.text.slice(r[0], r[1]);
    return node.source ?? String(node.value);
  }
}

// ---------------------------------------------------------------------------------------------
// The document

/** What kind of file is read, for the messages about the file as a whole. */
export interface YamlFileKind {
  /** "manifest", "site settings file": said as "the manifest is ... bytes", "a manifest is one YAML document". */
  readonly name: string;
  /** The deepest `[ ]`/`{ }` nesting the file ever needs, said when the limit is passed. */
  readonly flowDepthNeeded: number;
}

/** Line starts without the YAML parser, for the checks made before it runs. */
const countLines = (text: string): LineCounter => {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
};

/** Nesting deeper than any settings file needs would make the YAML parser recurse without bound. */
const checkNesting = (ctx: YamlContext, kind: YamlFileKind): boolean => {
  const { text } = ctx;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) {
        ctx.add(
          i,
          "(document)",
          `nested more than ${MAX_FLOW_DEPTH} levels deep with [ ] or { }; a ${kind.name} needs ${kind.flowDepthNeeded}`,
        );
        return false;
      }
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  const re = /^[ \t?:-]*/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length > MAX_INDENT) {
      ctx.add(m.index, "(document)", `indented more than ${MAX_INDENT} columns; a ${kind.name} needs a few levels`);
      return false;
    }
    if (m[0] === "") re.lastIndex++;
  }
  return true;
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

/** A YAML parse error as a user reads it: what yaml says, and where to look. */
const syntaxMessage = (code: string, message: string): string =>
  code === "BLOCK_AS_IMPLICIT_KEY"
    ? `YAML syntax error: ${message}; if a value contains ": ", put it in quotes`
    : `YAML syntax error: ${message}; check the indentation and punctuation here`;

const TAB_MESSAGE = "tabs are not allowed for indentation; indent with spaces";

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
const refuseAliases = (ctx: YamlContext, doc: Document.Parsed): void => {
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

/** A parsed settings file: its top-level node, and the context that has its problems so far. */
export interface YamlDocument {
  readonly ctx: YamlContext;
  /** The first document's contents: a YAMLMap in a good file; null for an empty one. */
  readonly contents: unknown;
}

/**
 * Parse a settings file. Throws ManifestError (exit code 2) when the file cannot be read as YAML at
 * all: too large, nested too deep, broken syntax or tab indentation. Otherwise returns the first
 * document's contents; later documents, unknown tags, anchors and aliases are recorded in `ctx`
 * for the caller to throw with the problems it finds in the fields.
 */
export function readYamlDocument(rawText: string, file: string, kind: YamlFileKind): YamlDocument {
  const bytes = Buffer.byteLength(rawText, "utf8");
  if (bytes > MAX_MANIFEST_BYTES) {
    const ctx = new YamlContext(file, rawText, undefined);
    ctx.fail(0, "(document)", `the ${kind.name} is ${bytes} bytes; the limit is 1 MiB (${MAX_MANIFEST_BYTES} bytes)`);
  }
  const text = rawText.startsWith("\uFEFF") ? rawText.slice(1) : rawText; // a BOM is not column 1
  const pre = new YamlContext(file, text, countLines(text));
  if (!checkNesting(pre, kind)) pre.throwIfAny();

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false, // duplicates are found by readMap, with both positions and the field path
    merge: false,
    schema: "core", // also under a `%YAML 1.1` directive: no sexagesimal "2:27" numbers
    strict: true,
    keepSourceTokens: false,
  });
  const ctx = new YamlContext(file, text, lineCounter);
  const all: Document.Parsed[] = [...docs];
  const streamErrors = "empty" in docs ? docs.errors : [];

  // Syntax first: if the YAML itself is broken, the tree is a guess; report the syntax only. Tabs in
  // indentation throw the rest of the structure off, so when there are any, they are all that is reported.
  const tabs = new Set(text.includes("\t") ? tabIndents(text, textRanges(all)).values() : []);
  const yamlErrors = [...streamErrors, ...all.flatMap((d) => d.errors)];
  for (const err of yamlErrors) if (err.code === "TAB_AS_INDENT") tabs.add(err.pos[0]);
  for (const tab of tabs) ctx.add(tab, "(document)", TAB_MESSAGE);
  if (tabs.size === 0) {
    for (const err of yamlErrors) ctx.add(err.pos[0], "(document)", syntaxMessage(err.code, err.message));
  }
  ctx.throwIfAny();

  for (const w of [...("empty" in docs ? docs.warnings : []), ...all.flatMap((d) => d.warnings)]) {
    ctx.add(w.pos[0], "(document)", `${w.message}; remove it (plain YAML only)`);
  }
  const [doc, second] = all;
  if (second) {
    ctx.add(
      rangeOf(second)?.[0] ?? 0,
      "(document)",
      `a ${kind.name} is one YAML document; remove this --- and what follows, or merge it into the first`,
    );
  }
  if (doc) refuseAliases(ctx, doc);
  return { ctx, contents: doc?.contents ?? null };
}

// ---------------------------------------------------------------------------------------------
// Mappings

/**
 * A mapping's keys, checked: unknown keys (when `allowed` is given), duplicate keys, merge keys and
 * keys that are not plain text are reported, with `where` saying which keys the mapping takes; the
 * first of each key is returned, in the order written.
 */
export function readMap(
  ctx: YamlContext,
  map: YAMLMap,
  path: string,
  allowed: readonly string[] | undefined,
  where: string,
): Map<string, KeyedField> {
  const fields = new Map<string, KeyedField>();
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
}

/**
 * A value that must be a mapping; reports `expected <expected>; found ...` if it is not one.
 * An alias is reported with every alias, so it is passed over.
 */
export function expectMap(ctx: YamlContext, f: Field, expected: string): YAMLMap | undefined {
  const n = f.node;
  if (isMap(n)) return n;
  if (!isAlias(n)) ctx.add(ctx.at(f), f.path, `expected ${expected}; found ${describe(n)}`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Typed fields: each reports what is wrong and returns undefined, or returns the value.

/** Text: a string, or a number or boolean as written (`title: 2024` is the text "2024"). */
export function readText(ctx: YamlContext, f: Field, expected: string): string | undefined {
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
}

/** Text that ends up on published pages and tags: not blank, no control characters or bidi controls, bounded. */
function readPublishedText(
  ctx: YamlContext,
  f: Field,
  expected: string,
  maxLength: number,
  newlines: boolean,
): string | undefined {
  const s = readText(ctx, f, expected);
  if (s === undefined) return undefined;
  const fail = (message: string): undefined => {
    ctx.add(ctx.at(f), f.path, message);
    return undefined;
  };
  if (s.trim() === "") return fail(`is blank; expected ${expected}`);
  if (hasControlCharacters(s, newlines)) {
    const what = newlines
      ? "text without tabs or control characters"
      : "one line of text without tabs or control characters";
    return fail(`must be ${what}; expected ${expected}`);
  }
  const bidi = bidiControl(s);
  if (bidi !== undefined) {
    return fail(
      `holds the invisible direction control ${codePoint(bidi)}, which would turn the text around it on the published pages; remove it`,
    );
  }
  if (s.length > maxLength)
    return fail(`is ${s.length} characters long; keep it to ${maxLength} (expected ${expected})`);
  return s;
}

/** One line of text (titles, labels, tags), at most `maxLength` characters. */
export const readLine = (ctx: YamlContext, f: Field, expected: string, maxLength: number): string | undefined =>
  readPublishedText(ctx, f, expected, maxLength, false);

/** Text of one or more lines (a description): as readLine, with line breaks allowed. */
export const readParagraph = (ctx: YamlContext, f: Field, expected: string, maxLength: number): string | undefined =>
  readPublishedText(ctx, f, expected, maxLength, true);

/** A decimal number, exact from its source text. */
export interface ExactNumber {
  /** The magnitude. */
  readonly value: ExactSeconds;
  /** Written with a minus sign (only when read as `signed`). */
  readonly negative: boolean;
}

/**
 * A decimal number read exactly from its source text: unsigned, or with a sign when `signed`.
 * `.nan`, `.inf`, hexadecimal and a number in quotes are refused, saying so.
 */
export function readNumber(ctx: YamlContext, f: Field, expected: string, signed = false): ExactNumber | undefined {
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
}

/**
 * A list that must not be empty: its items as fields (`formats[1]`, counted from 1 as users count),
 * each located at the item. `textHint` is added when a text is found instead of a list.
 */
export function readList(ctx: YamlContext, f: Field, expected: string, textHint = ""): Field[] | undefined {
  const n = f.node;
  if (isAlias(n)) return undefined;
  if (isEmpty(n) || (isSeq(n) && n.items.length === 0)) {
    ctx.add(ctx.at(f), f.path, `is empty; expected ${expected}`);
    return undefined;
  }
  if (!isSeq(n)) {
    const hint = isScalar(n) && typeof n.value === "string" ? textHint : "";
    ctx.add(ctx.at(f), f.path, `expected ${expected}, found ${describe(n)}${hint}`);
    return undefined;
  }
  const listOffset = ctx.at(f);
  return n.items.map((item, i) => ({
    path: `${f.path}[${i + 1}]`,
    keyOffset: rangeOf(item)?.[0] ?? listOffset,
    node: item,
  }));
}
