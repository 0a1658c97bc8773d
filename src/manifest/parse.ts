/**
 * The manifest parser: YAML text in, a validated Manifest out, or a ManifestError carrying every
 * issue found, each located at `file:line:col` with its field path and what would be right.
 *
 * This file holds the manifest's own rules: its keys, entries and times, categories, tone, pad and
 * the recording's path. Reading YAML itself (size and nesting limits, syntax, anchors, duplicate and
 * unknown keys, text and exact numbers) is yaml-fields.ts, shared with the site settings.
 */

import { isAlias, isMap, isScalar, isSeq } from "yaml";
import type { SourcePos } from "../errors.ts";
import type { ExactSeconds } from "../units.ts";
import { hertz } from "../units.ts";
import {
  CATEGORIES_SHAPE,
  CATEGORY_SHAPE,
  DATE_PATTERN,
  ENTRY_SHAPE,
  fieldNames,
  fieldShape,
  MANIFEST_SHAPE,
  MAX_LINE_LENGTH,
  TONE_SHAPE,
} from "./definition.ts";
import { didYouMean } from "./did-you-mean.ts";
import { readFormats } from "./formats.ts";
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
import {
  describe,
  expectMap,
  type Field,
  hasControlCharacters,
  isEmpty,
  quoteText,
  rangeOf,
  readLine,
  readMap,
  readNumber,
  readText,
  readYamlDocument,
  type YamlContext,
  type YamlFileKind,
} from "./yaml-fields.ts";

export { MAX_MANIFEST_BYTES } from "./yaml-fields.ts";

const MANIFEST: YamlFileKind = { name: "manifest", flowDepthNeeded: 3 };

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

/** A time: a YAML number (seconds, exact from its text) or a string in the time syntax. */
const readTime = (ctx: YamlContext, f: Field): ExactSeconds | undefined => {
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

const readCategories = (ctx: YamlContext, f: Field | undefined): CategoriesResult => {
  const categories = new Map(BUILTIN_CATEGORIES);
  const known = new Set(categories.keys());
  const map = f && expectMap(ctx, f, "a mapping of category names to settings, e.g. music: { frequency: 1000 }");
  if (!map) return { categories, known };
  for (const c of readMap(ctx, map, "categories", undefined, "").values()) {
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
    const settings = expectMap(ctx, c, `the category's settings, e.g. ${example}`);
    if (!settings) continue;
    const fields = readMap(ctx, settings, c.path, CATEGORY_KEYS, "a category takes frequency (Hz) and label");
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
      ctx.add(
        rangeOf(settings)?.[0] ?? c.keyOffset,
        `${c.path}.frequency`,
        `missing frequency:; write e.g. ${example}`,
      );
      ok = false;
    }
    let label = builtin?.label;
    const labelField = fields.get("label");
    if (labelField) {
      const s = readLine(ctx, labelField, "a one-line label, e.g. background music", MAX_LINE_LENGTH);
      if (s === undefined) ok = false;
      else label = s;
    }
    if (ok && frequency !== undefined) {
      categories.set(name, label === undefined ? { name, frequency } : { name, frequency, label });
    }
  }
  return { categories, known };
};

const readTone = (ctx: YamlContext, f: Field | undefined): ToneSettings => {
  const map = f && expectMap(ctx, f, "tone settings, e.g. { level: -18, ramp: 5 }");
  if (!map) return DEFAULT_TONE;
  const fields = readMap(ctx, map, "tone", TONE_KEYS, "tone takes level (dBFS) and ramp (ms)");
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

/** A file under one of the project's folders (recordings/, transcripts/), as `recording:` and `transcript:` name it. */
const readFileIn = (
  ctx: YamlContext,
  f: Field,
  folder: string,
  example: string,
): { path: string; pos: SourcePos } | undefined => {
  const expected = `a file under ${folder}/, e.g. ${example}`;
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
  if (segments.includes("..")) return fail(`${quoteText(p)} leaves the ${folder}/ folder (a .. segment)`);
  const last = segments[segments.length - 1];
  if (last === "" || last === ".") return fail(`${quoteText(p)} names a folder, not a file`);
  return { path: p, pos: ctx.pos(ctx.at(f)) };
};

/** `date:`: a day that exists, or a day and a time with its zone. */
const readDate = (ctx: YamlContext, f: Field): string | undefined => {
  const expected = "a date such as 2024-03-01, or a date and time with its zone such as 2024-03-01T14:05:00Z";
  const text = readText(ctx, f, expected);
  if (text === undefined) return undefined;
  const m = new RegExp(DATE_PATTERN).exec(text);
  const [year, month, day] = text.split(/[-T ]/).map(Number);
  const days =
    month === 2
      ? (year ?? 0) % 4 === 0 && ((year ?? 0) % 100 !== 0 || (year ?? 0) % 400 === 0)
        ? 29
        : 28
      : [4, 6, 9, 11].includes(month ?? 0)
        ? 30
        : 31;
  if (!m || (day ?? 0) > days) {
    const why = m ? `${quoteText(text)} is not a day of the calendar` : `${quoteText(text)} is not a date`;
    ctx.add(ctx.at(f), f.path, `${why}; expected ${expected}`);
    return undefined;
  }
  return text;
};

const readEntry = (ctx: YamlContext, node: unknown, number: number, known: Set<string>): ManifestEntry | undefined => {
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
  const { ctx, contents } = readYamlDocument(rawText, file, MANIFEST);
  if (!isMap(contents)) {
    const found = isEmpty(contents) ? "an empty document" : describe(contents);
    return ctx.fail(
      isEmpty(contents) ? 0 : (rangeOf(contents)?.[0] ?? 0),
      "(document)",
      `expected a mapping with at least redactions: (a list of ranges, or [] for none); found ${found}`,
    );
  }

  const top = readMap(ctx, contents, "", TOP_KEYS, `the top level takes ${TOP_KEYS.join(", ")}`);
  const recordingField = top.get("recording");
  const recording = recordingField ? readFileIn(ctx, recordingField, "recordings", "call4.mp3") : undefined;
  const transcriptField = top.get("transcript");
  const transcript = transcriptField ? readFileIn(ctx, transcriptField, "transcripts", `${call}.srt`) : undefined;
  const dateField = top.get("date");
  const date = dateField ? readDate(ctx, dateField) : undefined;
  const titleField = top.get("title");
  const title = titleField ? readLine(ctx, titleField, "a one-line title, e.g. Call 4", MAX_LINE_LENGTH) : undefined;
  const formatsField = top.get("formats");
  const formats = formatsField ? readFormats(ctx, formatsField) : undefined;
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
    ctx.add(ctx.at(redactionsField), "redactions", `expected ${listExpected}; found ${describe(redactionsField.node)}`);
  }

  ctx.throwIfAny();
  return {
    file,
    call,
    ...(recording ? { recording } : {}),
    ...(transcript ? { transcript } : {}),
    ...(date === undefined ? {} : { date }),
    ...(title === undefined ? {} : { title }),
    ...(formats === undefined ? {} : { formats }),
    categories,
    tone,
    pad,
    entries,
  };
};
