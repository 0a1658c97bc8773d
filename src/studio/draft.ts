/**
 * What the page edits, and how it becomes a manifest. The page holds the entries in samples of the
 * recording (its drawing and playback are of the pipeline's decode); the server turns them back into the
 * manifest's text, changing only what changed (manifest/edit.ts), and checks the result exactly as
 * `npm run redact -- --check` would: parseManifest, the plan fitted to the decoded length, planWarnings.
 */
import { formatPos, ManifestError, type ManifestIssue, UsageError } from "../errors.ts";
import { appendEntries, type EntryChange, editEntries, type NewEntry } from "../manifest/edit.ts";
import { parseManifest } from "../manifest/parse.ts";
import { parseTimeText, TimeSyntaxError, toSampleIndex } from "../manifest/time.ts";
import { timeOfSample } from "../manifest/time-text.ts";
import type { Manifest } from "../manifest/types.ts";
import { buildPlan, fitPlan, type Plan } from "../plan/plan.ts";
import { type PlanWarning, planWarnings } from "../plan/warnings.ts";
import type { ExactSeconds } from "../units.ts";

/** One entry as the page has it. */
export interface DraftEntry {
  /** `m3` for entry 3 of the manifest as it was opened; any other id is a new entry. */
  readonly id: string;
  /** Samples of the recording, [start, end). */
  readonly start: number;
  readonly end: number;
  readonly category: string;
  readonly note?: string | null;
  /** The exact time text an entry came with (a transcript's word times), kept when it names the same sample. */
  readonly startText?: string;
  readonly endText?: string;
  /** A comment line written above a new entry (what proposed it). */
  readonly comment?: string;
}

/** A draft: the entries the page shows, against the manifest text it opened (by the SHA-256 of its bytes). */
export interface Draft {
  readonly base: string;
  readonly entries: readonly DraftEntry[];
}

/** The most entries, and the longest text field, a draft may carry. */
const MAX_ENTRIES = 20_000;
const MAX_TEXT = 2_000;

const bad = (why: string): never => {
  throw new UsageError(`the studio page sent an edit that cannot be applied: ${why}`);
};

/** A draft from a request body, checked field by field (a page is not trusted to send what it should). */
export function readDraft(body: unknown): Draft {
  const b = body as { base?: unknown; entries?: unknown } | null;
  if (typeof b !== "object" || b === null) return bad("no draft");
  if (typeof b.base !== "string" || !/^(?:[0-9a-f]{64})?$/.test(b.base)) return bad("base is not a SHA-256");
  if (!Array.isArray(b.entries) || b.entries.length > MAX_ENTRIES) return bad("entries is not a list");
  const ids = new Set<string>();
  const entries = b.entries.map((raw: unknown, i: number): DraftEntry => {
    const e = raw as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null) return bad(`entry ${i + 1} is not an object`);
    const text = (key: string, optional: boolean): string | undefined => {
      const v = e[key];
      if (v === undefined || v === null) return optional ? undefined : bad(`entry ${i + 1} has no ${key}`);
      if (typeof v !== "string" || v.length > MAX_TEXT) return bad(`entry ${i + 1}: ${key} is not text`);
      return v;
    };
    const id = text("id", false) as string;
    if (ids.has(id)) bad(`two entries are ${id}`);
    ids.add(id);
    const { start, end } = e;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0) {
      bad(`entry ${i + 1}: start and end must be sample numbers`);
    }
    const out: DraftEntry = {
      id,
      start: start as number,
      end: end as number,
      category: text("category", false) as string,
      note: text("note", true) ?? null,
    };
    const startText = text("startText", true);
    const endText = text("endText", true);
    const comment = text("comment", true);
    return {
      ...out,
      ...(startText === undefined ? {} : { startText }),
      ...(endText === undefined ? {} : { endText }),
      ...(comment === undefined ? {} : { comment }),
    };
  });
  return { base: b.base, entries };
}

/** The id of entry `number` (1-based) of an opened manifest. */
export const entryId = (number: number): string => `m${number}`;

/** The exact time of sample `sample`: the text given when it names that sample, else the shortest decimal. */
function timeFor(sample: number, rate: number, text: string | undefined): ExactSeconds {
  if (text !== undefined) {
    try {
      const t = parseTimeText(text);
      if (toSampleIndex(t, rate) === sample) return t;
    } catch (e) {
      if (!(e instanceof TimeSyntaxError)) throw e;
    }
  }
  return timeOfSample(sample, rate);
}

export interface AppliedDraft {
  readonly text: string;
  /** The draft's id of each entry of the new text, in order (entry n is ids[n - 1]). */
  readonly ids: readonly string[];
  /** Something changed. */
  readonly changed: boolean;
}

/**
 * The manifest text with the draft applied to it: entries of `opened` missing from the draft removed, those
 * that differ changed (only the fields that differ), new ones appended. `opened` is `text` parsed.
 */
export function applyDraft(text: string, opened: Manifest, rate: number, draft: Draft): AppliedDraft {
  const byId = new Map(draft.entries.map((e) => [e.id, e]));
  const changes: EntryChange[] = [];
  const remove: number[] = [];
  const ids: string[] = [];
  for (const e of opened.entries) {
    const d = byId.get(entryId(e.number));
    if (!d) {
      remove.push(e.number);
      continue;
    }
    ids.push(d.id);
    const start = toSampleIndex(e.start, rate) === d.start ? undefined : timeFor(d.start, rate, d.startText);
    const end = toSampleIndex(e.end, rate) === d.end ? undefined : timeFor(d.end, rate, d.endText);
    const category = d.category === e.category ? undefined : d.category;
    const note = (d.note ?? "") === (e.note ?? "") ? undefined : (d.note ?? null);
    if (start || end || category !== undefined || note !== undefined) {
      changes.push({
        number: e.number,
        ...(start ? { start } : {}),
        ...(end ? { end } : {}),
        ...(category === undefined ? {} : { category }),
        ...(note === undefined ? {} : { note }),
      });
    }
  }
  const known = new Set(opened.entries.map((e) => entryId(e.number)));
  const added: NewEntry[] = [];
  for (const d of draft.entries) {
    if (known.has(d.id)) continue;
    if (/^m\d+$/.test(d.id)) bad(`${d.id} is not an entry of the manifest as it was opened (reload it)`);
    ids.push(d.id);
    added.push({
      start: timeFor(d.start, rate, d.startText),
      end: timeFor(d.end, rate, d.endText),
      category: d.category,
      ...(d.note ? { note: d.note } : {}),
      ...(d.comment ? { comment: d.comment } : {}),
    });
  }
  const edited = appendEntries(editEntries(text, changes, remove), added);
  return { text: edited, ids, changed: edited !== text };
}

/** A problem as the page shows it: beside the entry it concerns (by the draft's id), or for the whole file. */
export interface ShownIssue {
  readonly entry: string | null;
  readonly field: string;
  readonly message: string;
  /** `redactions/call4.yaml:12:5`: where it is in the text that was checked. */
  readonly where: string;
  /** For a warning, what kind (plan/warnings.ts); undefined for an error. */
  readonly kind?: string;
  /** Every entry a warning concerns. */
  readonly entries?: readonly string[];
}

export interface Checked {
  /** Undefined when the text is not a valid manifest. */
  readonly manifest?: Manifest;
  /** The plan fitted to the recording; undefined when the manifest or its ranges are invalid. */
  readonly plan?: Plan;
  readonly errors: readonly ShownIssue[];
  readonly warnings: readonly ShownIssue[];
  /** The errors as the parser and the plan give them (located in the text checked). */
  readonly issues: readonly ManifestIssue[];
}

const ENTRY_FIELD = /^redactions\[(\d+)\]/;

const shown = (i: ManifestIssue, ids: readonly string[]): ShownIssue => {
  const n = ENTRY_FIELD.exec(i.field)?.[1];
  return {
    entry: n === undefined ? null : (ids[Number(n) - 1] ?? null),
    field: i.field,
    message: i.message,
    where: formatPos(i.pos),
  };
};

/**
 * What `npm run redact -- --check` says about a manifest text against a recording of `frames` samples at
 * `rate`: every error (the manifest, then its ranges against the recording) and every warning.
 */
export function checkText(
  text: string,
  where: { readonly file: string; readonly call: string },
  rate: number,
  frames: number,
  ids: readonly string[],
): Checked {
  let manifest: Manifest;
  try {
    manifest = parseManifest(text, where);
  } catch (err) {
    if (err instanceof ManifestError) {
      return { errors: err.issues.map((i) => shown(i, ids)), warnings: [], issues: err.issues };
    }
    throw err;
  }
  let plan: Plan;
  try {
    plan = fitPlan(buildPlan(manifest, rate), manifest, frames);
  } catch (err) {
    if (err instanceof ManifestError) {
      return { manifest, errors: err.issues.map((i) => shown(i, ids)), warnings: [], issues: err.issues };
    }
    throw err;
  }
  const warnings = planWarnings(plan, frames).map((w: PlanWarning) => ({
    ...shown({ pos: w.pos, field: w.field, message: w.message }, ids),
    kind: w.kind,
    entries: w.entries.map((n) => ids[n - 1]).filter((id): id is string => id !== undefined),
  }));
  return { manifest, plan, errors: [], warnings, issues: [] };
}
