/**
 * The site settings, `redactions/site.yaml`: what is the same for every call
 * published from this project. YAML text in, validated SiteSettings out, or a
 * ManifestError carrying every issue found, located `file:line:col: field:
 * what is wrong; what is right`, exactly as manifest errors are. Pure: no I/O.
 *
 *   title: "Windows support scam calls"   # the index page's heading; each call page links back to it
 *   description: "Four calls from ..."    # optional: a paragraph under the heading of the index page
 *   artist: "Jane Doe"                    # optional: the artist tag of every MP3 and Opus file
 *   album: "Scam calls"                   # optional: the album tag of every MP3 and Opus file
 *   formats: [mp3, opus]                  # optional: the web formats published (default: [mp3])
 *
 * The same YAML rules as a manifest: one document, no anchors or aliases, no
 * tab indentation, no duplicate or unknown keys.
 */
import type { Document, Scalar } from "yaml";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";
import { ManifestError, type ManifestIssue, type SourcePos } from "../errors.ts";
import { didYouMean } from "./did-you-mean.ts";
import { DEFAULT_WEB_FORMATS, readFormatsNode, type WebFormat } from "./formats.ts";
import { bidiControl, codePoint, MAX_MANIFEST_BYTES } from "./parse.ts";

export interface SiteSettings {
  /** The settings file as users see it (`redactions/site.yaml`), or undefined when there is none. */
  readonly file?: string;
  readonly title: string;
  readonly description?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly formats: readonly WebFormat[];
}

export const DEFAULT_SITE_TITLE = "Call recordings";

export const DEFAULT_SITE: SiteSettings = { title: DEFAULT_SITE_TITLE, formats: DEFAULT_WEB_FORMATS };

/** The keys, in the order messages list them, with what each expects. */
const KEYS = {
  title: 'a one-line title for the index page, e.g. "Windows support scam calls"',
  description: "a paragraph of text for the index page",
  artist: 'a one-line artist tag for the audio files, e.g. "Jane Doe"',
  album: 'a one-line album tag for the audio files, e.g. "Scam calls"',
  formats: "the web formats to publish, e.g. [mp3, opus]",
} as const;
type Key = keyof typeof KEYS;
const KEY_NAMES = Object.keys(KEYS) as Key[];
const isKey = (k: string): k is Key => (KEY_NAMES as string[]).includes(k);

/** Titles and tags longer than this are refused (they end up in tags and headings). */
const MAX_LINE = 200;
const MAX_DESCRIPTION = 2000;

const rangeStart = (node: unknown): number | undefined =>
  (node as { range?: readonly number[] | null } | null | undefined)?.range?.[0];

const isEmpty = (node: unknown): boolean => node == null || (isScalar(node) && node.value === null);

const describe = (node: unknown): string => {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isEmpty(node)) return "nothing";
  return "something else";
};

/** C0 control characters and DEL; newlines allowed only where `newlines` says so. */
const badCharacter = (s: string, newlines: boolean): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(newlines && c === 0x0a)) || c === 0x7f) return true;
  }
  return false;
};

class Issues {
  private readonly found: { offset: number; issue: ManifestIssue }[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}
  pos(offset: number): SourcePos {
    const { line, col } = this.lines.linePos(offset);
    return line === 0 ? { file: this.file, line: 1, col: col + 1 } : { file: this.file, line, col };
  }
  add = (offset: number, field: string, message: string): void => {
    this.found.push({ offset, issue: { pos: this.pos(offset), field, message } });
  };
  get count(): number {
    return this.found.length;
  }
  throwIfAny(): void {
    if (this.found.length === 0) return;
    const sorted = this.found.map((f, i) => ({ ...f, i })).sort((a, b) => a.offset - b.offset || a.i - b.i);
    throw new ManifestError(sorted.map((f) => f.issue));
  }
}

/** A text value as written: strings as they are, numbers and booleans as their source text. */
const textOf = (text: string, node: Scalar): string | undefined => {
  if (typeof node.value === "string") return node.value;
  if (typeof node.value === "number" || typeof node.value === "boolean") {
    const r = node.range;
    return node.type === "PLAIN" && r ? text.slice(r[0], r[1]) : String(node.source ?? node.value);
  }
  return undefined;
};

export function parseSiteSettings(rawText: string, file: string): SiteSettings {
  const bytes = Buffer.byteLength(rawText, "utf8");
  const text = rawText.startsWith("\uFEFF") ? rawText.slice(1) : rawText;
  const lines = new LineCounter();
  const issues = new Issues(file, lines);
  if (bytes > MAX_MANIFEST_BYTES) {
    lines.addNewLine(0);
    issues.add(0, "(document)", `the file is ${bytes} bytes; site settings are a few lines (the limit is 1 MiB)`);
    issues.throwIfAny();
  }
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false, // duplicates are reported below, with both positions
    merge: false,
    schema: "core",
    strict: true,
  });
  const all: Document.Parsed[] = [...docs];
  const yamlErrors = [...("empty" in docs ? docs.errors : []), ...all.flatMap((d) => d.errors)];
  for (const err of yamlErrors) {
    const message =
      err.code === "TAB_AS_INDENT"
        ? "tabs are not allowed for indentation; indent with spaces"
        : `YAML syntax error: ${err.message}; check the indentation and punctuation here`;
    issues.add(err.pos[0], "(document)", message);
  }
  issues.throwIfAny();

  const [doc, second] = all;
  if (second) {
    issues.add(
      rangeStart(second.contents) ?? 0,
      "(document)",
      "site settings are one YAML document; remove this --- and what follows",
    );
  }
  if (doc) {
    visit(doc, {
      Alias(_, node) {
        issues.add(
          rangeStart(node) ?? 0,
          "(document)",
          `aliases (*${node.source}) are not supported; write the value out in full`,
        );
      },
      Node(_, node) {
        if (isAlias(node) || !node.anchor) return;
        const at = rangeStart(node) ?? 0;
        const amp = text.lastIndexOf(`&${node.anchor}`, at);
        issues.add(
          amp >= 0 ? amp : at,
          "(document)",
          `anchors (&${node.anchor}) are not supported; write the value out in full`,
        );
      },
    });
  }
  const contents: unknown = doc?.contents ?? null;
  // A file with nothing but comments means "the defaults".
  if (isEmpty(contents)) {
    issues.throwIfAny();
    return { ...DEFAULT_SITE, file };
  }
  if (!isMap(contents)) {
    issues.add(
      rangeStart(contents) ?? 0,
      "(document)",
      `expected a mapping of settings (${KEY_NAMES.join(", ")}); found ${describe(contents)}`,
    );
    issues.throwIfAny();
    throw new Error("unreachable");
  }

  const settings: { -readonly [K in keyof SiteSettings]: SiteSettings[K] } = { ...DEFAULT_SITE, file };
  const seen = new Map<string, number>();
  for (const pair of contents.items) {
    const keyNode: unknown = pair.key;
    if (isAlias(keyNode)) continue;
    const keyOffset = rangeStart(keyNode) ?? rangeStart(contents) ?? 0;
    const key = isScalar(keyNode) ? textOf(text, keyNode) : undefined;
    if (key === undefined) {
      issues.add(
        keyOffset,
        "(document)",
        `keys must be plain names (${KEY_NAMES.join(", ")}), found ${describe(keyNode)}`,
      );
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      const p = issues.pos(first);
      issues.add(keyOffset, key, `duplicate key "${key}" (first given at ${p.line}:${p.col}); give each key once`);
      continue;
    }
    seen.set(key, keyOffset);
    if (!isKey(key)) {
      issues.add(
        keyOffset,
        key,
        `unknown key "${key}"${didYouMean(key, KEY_NAMES)}; site settings take ${KEY_NAMES.join(", ")}`,
      );
      continue;
    }
    const value: unknown = pair.value;
    const at = isEmpty(value) ? keyOffset : (rangeStart(value) ?? keyOffset);
    if (isAlias(value)) continue;
    if (key === "formats") {
      const formats = readFormatsNode(value, "formats", keyOffset, issues.add);
      if (formats) settings.formats = formats;
      continue;
    }
    const expected = KEYS[key];
    const s = isScalar(value) && !isEmpty(value) ? textOf(text, value) : undefined;
    if (s === undefined) {
      const found = describe(value);
      issues.add(
        at,
        key,
        found === "nothing" ? `is empty; expected ${expected}` : `expected ${expected}, found ${found}`,
      );
      continue;
    }
    const multiline = key === "description";
    const max = multiline ? MAX_DESCRIPTION : MAX_LINE;
    if (s.trim() === "") issues.add(at, key, `is blank; expected ${expected}`);
    else if (badCharacter(s, multiline)) {
      const what = multiline ? "tabs or control characters" : "line breaks, tabs or control characters";
      issues.add(at, key, `must be text without ${what}; expected ${expected}`);
    } else if (bidiControl(s) !== undefined) {
      const c = codePoint(bidiControl(s) as string);
      issues.add(
        at,
        key,
        `holds the invisible direction control ${c}, which would turn the text around it on the published pages; remove it`,
      );
    } else if (s.length > max) issues.add(at, key, `is ${s.length} characters long; keep it under ${max}`);
    else settings[key] = multiline ? s.trim() : s;
  }
  issues.throwIfAny();
  return settings;
}
