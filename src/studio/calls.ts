/**
 * The calls of a project as the studio shows them: every manifest in redactions/ and every recording in
 * recordings/ that has none yet, each with its state; and one call opened, with everything its page needs.
 * Every name and path goes through project/layout.ts, as the CLI's do.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { ManifestError, RedactError } from "../errors.ts";
import { chooseFormats } from "../manifest/formats.ts";
import { BUILTIN_CATEGORIES, parseManifest } from "../manifest/parse.ts";
import type { SiteSettings } from "../manifest/site.ts";
import { toSampleIndex } from "../manifest/time.ts";
import { formatExactClock } from "../manifest/time-text.ts";
import type { Manifest } from "../manifest/types.ts";
import { sha256File } from "../media/hash.ts";
import { planSource, type SourcePlan } from "../media/source.ts";
import { buildPlan, fitPlan } from "../plan/plan.ts";
import {
  callOfRecording,
  checkCallName,
  display,
  findManifest,
  findRecording,
  type Layout,
  listCalls,
  listRecordings,
} from "../project/layout.ts";
import { readSettingsBytes, settingsText } from "../project/manifest-file.ts";
import { readRecord, recordPath } from "../project/record.ts";
import { loadSiteSettings } from "../project/site-settings.ts";
import { loadTranscript } from "../project/transcript-file.ts";
import { readWordLists } from "../project/word-lists.ts";
import { runSettings } from "../publish/batch.ts";
import { settingsDigest, sha256Hex } from "../publish/fingerprint.ts";
import { checkFreshness } from "../publish/freshness.ts";
import { categoryColours } from "../publish/page/colours.ts";
import { prepareCall } from "../publish/redact-call.ts";
import { coveredBy, suggest } from "../suggest/suggest.ts";
import type { Transcript } from "../suggest/transcript.ts";
import { listOut } from "../verify/inventory.ts";
import { BLOCK_COLUMNS, cachedLength, type DecodedAudio, decodeCached } from "./decode-cache.ts";
import { checkText, entryId, type ShownIssue } from "./draft.ts";

export interface StudioContext {
  readonly layout: Layout;
  readonly acceptDecodeErrors: boolean;
}

/** Hashes of files already read, by path, kept while the file's size and time stay the same. */
const hashes = new Map<string, { readonly stamp: string; readonly sha256: Promise<string> }>();

const stampOf = (path: string): string => {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return "missing";
  }
};

/** The SHA-256 of a file, read again only when it has changed. */
export function hashOf(path: string, shown: string): Promise<string> {
  const stamp = stampOf(path);
  const known = hashes.get(path);
  if (known && known.stamp === stamp) return known.sha256;
  const sha256 = sha256File(path, shown);
  sha256.catch(() => hashes.delete(path));
  hashes.set(path, { stamp, sha256 });
  return sha256;
}

export type CallState = "new" | "problems" | "ready" | "published" | "stale";

export interface CallSummary {
  readonly call: string;
  readonly state: CallState;
  /** What the state means for this call, in a sentence. */
  readonly detail: string;
  readonly title?: string;
  /** recordings/<file>, when known. */
  readonly recording?: string;
}

const firstLine = (err: RedactError): string => err.message.split("\n")[0] ?? err.message;

/** A manifest with no entries, for a call that has none yet: the recording is found as redact would find it. */
const emptyManifest = (layout: Layout, call: string): Manifest =>
  parseManifest("redactions: []\n", { file: display(layout, join(layout.redactionsDir, `${call}.yaml`)), call });

/** Freshness results, by a stamp of every file they depend on. */
const freshness = new Map<string, { readonly stamp: string; readonly result: Promise<PublishedState> }>();

export interface PublishedState {
  readonly state: "ready" | "published" | "stale";
  readonly detail: string;
  /** /out/<call>.html when the call has a page in out/. */
  readonly page: string | null;
  readonly publishedAt: string | null;
  readonly verification: {
    readonly passed: boolean;
    readonly at: string;
    readonly rows: readonly { range: number | null; file: string; status: string; detail: string }[];
  } | null;
}

/** The settings `npm run redact <call>` publishes with (no options), as its private records' fingerprint has them. */
export const studioRunSettings = (site: SiteSettings, acceptDecodeErrors: boolean) =>
  runSettings({ site, verify: true, acceptDecodeErrors });

/**
 * Whether the call's files in out/ are what `npm run redact <call>` would publish now (publish/freshness.ts),
 * remembered until one of the files it depends on changes.
 */
export function publishedState(ctx: StudioContext, call: string, site: SiteSettings): Promise<PublishedState> {
  const { layout } = ctx;
  const outs = listOut(layout.outDir).filter((n) => n.startsWith(`${call}.`));
  let manifestPath = "";
  try {
    manifestPath = findManifest(layout, call);
  } catch {
    // stamped as missing
  }
  const stamp = [manifestPath, recordPath(layout, call), ...outs.map((n) => join(layout.outDir, n))]
    .map((p) => `${p}=${stampOf(p)}`)
    .join("|");
  const known = freshness.get(call);
  if (known && known.stamp === `${stamp}|${JSON.stringify(site)}`) return known.result;
  const result = (async (): Promise<PublishedState> => {
    const record = readRecord(layout, call);
    const page = outs.includes(`${call}.html`) ? `/out/${encodeURIComponent(call)}.html` : null;
    const verification = record?.verification ?? null;
    const base = { page, publishedAt: record?.publishedAt ?? null, verification };
    if (!record) return { ...base, state: "ready", detail: "not published yet" };
    const prepared = prepareCall(layout, call, { acceptDecodeErrors: ctx.acceptDecodeErrors });
    const formats = chooseFormats(undefined, prepared.manifest.formats, site.formats);
    const settingsSha256 = await settingsDigest(studioRunSettings(site, ctx.acceptDecodeErrors));
    const fresh = await checkFreshness(layout, prepared, formats, listCalls(layout), settingsSha256);
    return fresh.fresh
      ? { ...base, state: "published", detail: "published and up to date" }
      : { ...base, state: "stale", detail: `published, but out of date: ${fresh.why}` };
  })();
  freshness.set(call, { stamp: `${stamp}|${JSON.stringify(site)}`, result });
  result.catch(() => freshness.delete(call));
  return result;
}

/** Every call: those with a manifest, then the recordings without one. */
export async function listStudioCalls(ctx: StudioContext): Promise<CallSummary[]> {
  const { layout } = ctx;
  let site: SiteSettings | undefined;
  let siteError: RedactError | undefined;
  try {
    site = loadSiteSettings(layout);
  } catch (err) {
    if (!(err instanceof RedactError)) throw err;
    siteError = err;
  }
  const out: CallSummary[] = [];
  const used = new Set<string>();
  for (const call of listCalls(layout)) {
    used.add(call);
    try {
      const prepared = prepareCall(layout, call, { acceptDecodeErrors: ctx.acceptDecodeErrors });
      used.add(callOfRecording(prepared.recordingDisplay.replace(/^recordings\//, "")));
      const about = {
        call,
        recording: prepared.recordingDisplay,
        ...(prepared.manifest.title === undefined ? {} : { title: prepared.manifest.title }),
      };
      if (!site) {
        out.push({ ...about, state: "problems", detail: firstLine(siteError as RedactError) });
        continue;
      }
      // Ranges against the recording (past its end, overlapping), when it has been decoded before.
      const known = cachedLength(layout, await hashOf(prepared.recordingPath, prepared.recordingDisplay));
      if (known) fitPlan(buildPlan(prepared.manifest, known.sampleRate), prepared.manifest, known.frames);
      const published = await publishedState(ctx, call, site);
      out.push({ ...about, state: published.state, detail: published.detail });
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      out.push({ call, state: "problems", detail: firstLine(err) });
    }
  }
  for (const file of listRecordings(layout)) {
    const call = callOfRecording(file);
    if (used.has(call)) continue;
    try {
      checkCallName(call);
    } catch {
      continue; // not a name a call can have: write a manifest with recording: to use it
    }
    used.add(call);
    out.push({ call, state: "new", detail: "no manifest yet", recording: `recordings/${file}` });
  }
  return out;
}

/** An opened call, as its page needs it. Times are in samples of the decoded recording. */
export interface CallView {
  readonly call: string;
  readonly manifest: {
    readonly file: string;
    readonly exists: boolean;
    /** SHA-256 of the manifest's bytes as opened ("" when there is no manifest yet): a save names it. */
    readonly sha256: string;
    /** The entries can be edited: the manifest is valid (or there is none yet) and the recording decoded. */
    readonly editable: boolean;
  };
  readonly title: string | null;
  /** What stops the call from being edited or published: a manifest that cannot be read, no recording. */
  readonly problems: readonly ShownIssue[];
  readonly recording: {
    readonly file: string;
    readonly sampleRate: number;
    readonly channels: number;
    readonly frames: number;
    /** Frames per column of peak level k + 1 (level 0 is single frames), and how many columns it has. */
    readonly levels: readonly { readonly framesPerColumn: number; readonly columns: number }[];
    readonly blockColumns: number;
  } | null;
  readonly categories: readonly { name: string; frequency: number; colour: string; label: string | null }[];
  readonly entries: readonly ViewEntry[];
  readonly errors: readonly ShownIssue[];
  readonly warnings: readonly ShownIssue[];
  readonly transcript: TranscriptView | null;
  readonly published: PublishedState | null;
}

export interface ViewEntry {
  readonly id: string;
  readonly number: number;
  readonly start: number;
  readonly end: number;
  readonly category: string;
  readonly note: string | null;
}

export interface TranscriptView {
  readonly file: string;
  readonly format?: string;
  /** Why the transcript or the lists could not be used. */
  readonly error?: string;
  readonly words: readonly { text: string; start: number; end: number }[];
  readonly suggestions: readonly {
    readonly id: string;
    readonly start: number;
    readonly end: number;
    readonly startText: string;
    readonly endText: string;
    readonly category: string;
    readonly words: string;
    readonly why: string;
    readonly estimated: boolean;
  }[];
}

/** What a route needs of an opened call: its files and its decoded recording. */
export interface OpenedCall {
  readonly view: CallView;
  readonly manifestPath: string | null;
  readonly text: string | null;
  readonly manifest: Manifest | null;
  readonly audio: DecodedAudio | null;
  readonly source: SourcePlan | null;
}

const problem = (err: RedactError): ShownIssue[] =>
  err instanceof ManifestError
    ? err.issues.map((i) => ({
        entry: null,
        field: i.field,
        message: i.message,
        where: `${i.pos.file}:${i.pos.line}:${i.pos.col}`,
      }))
    : [{ entry: null, field: "", message: err.message, where: "" }];

/** Open a call: read its manifest, find and decode its recording (from the cache when it can), check it. */
export async function openCall(
  ctx: StudioContext,
  call: string,
  onFrames?: (frames: number, expected: number | undefined) => void,
): Promise<OpenedCall> {
  const { layout } = ctx;
  checkCallName(call);
  const problems: ShownIssue[] = [];
  let manifestPath: string | null = null;
  let text: string | null = null;
  let sha256 = "";
  let manifest: Manifest | null = null;
  let readable = true;
  try {
    manifestPath = findManifest(layout, call);
  } catch (err) {
    if (!(err instanceof RedactError)) throw err;
    if (err.code !== "E_NO_MANIFEST" || err.message.startsWith("two manifests")) {
      readable = false;
      problems.push(...problem(err));
    }
  }
  const file = manifestPath
    ? display(layout, manifestPath)
    : display(layout, join(layout.redactionsDir, `${call}.yaml`));
  if (manifestPath) {
    try {
      const bytes = readSettingsBytes(manifestPath, file, "the manifest");
      sha256 = sha256Hex(bytes);
      text = settingsText(bytes);
      manifest = parseManifest(text, { file, call });
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      readable = false;
      problems.push(...problem(err));
    }
  }
  // The recording: as the manifest says, or (no manifest, or one that cannot be read) recordings/<call>.*.
  let audio: DecodedAudio | null = null;
  let source: SourcePlan | null = null;
  try {
    const recordingPath = findRecording(layout, manifest ?? emptyManifest(layout, call));
    const shown = display(layout, recordingPath);
    source = planSource(recordingPath, shown, { acceptDecodeErrors: ctx.acceptDecodeErrors });
    const expected = source.stated?.frames;
    const sha = await hashOf(recordingPath, shown);
    audio = await decodeCached({
      layout,
      source,
      sha256: sha,
      ...(onFrames ? { onFrames: (f: number) => onFrames(f, expected) } : {}),
    });
  } catch (err) {
    if (!(err instanceof RedactError)) throw err;
    problems.push(...problem(err));
  }
  const meta = audio?.meta;
  const categoriesMap = manifest?.categories ?? BUILTIN_CATEGORIES;
  const colours = categoryColours(categoriesMap.keys());
  const categories = [...categoriesMap.values()].map((c) => ({
    name: c.name,
    frequency: c.frequency as number,
    colour: colours.get(c.name) ?? "#888888",
    label: c.label ?? null,
  }));
  const entries: ViewEntry[] =
    manifest && meta
      ? manifest.entries.map((e) => ({
          id: entryId(e.number),
          number: e.number,
          start: toSampleIndex(e.start, meta.sampleRate),
          end: toSampleIndex(e.end, meta.sampleRate),
          category: e.category,
          note: e.note ?? null,
        }))
      : [];
  const checked =
    manifest && meta && text !== null
      ? checkText(
          text,
          { file, call },
          meta.sampleRate,
          meta.frames,
          entries.map((e) => e.id),
        )
      : { errors: [], warnings: [] };
  let published: PublishedState | null = null;
  if (manifest && audio) {
    try {
      published = await publishedState(ctx, call, loadSiteSettings(layout));
    } catch (err) {
      if (!(err instanceof RedactError)) throw err;
      problems.push(...problem(err));
    }
  }
  const view: CallView = {
    call,
    manifest: { file, exists: manifestPath !== null, sha256, editable: readable && audio !== null },
    title: manifest?.title ?? null,
    problems,
    recording:
      meta && source
        ? {
            file: source.display,
            sampleRate: meta.sampleRate,
            channels: meta.channels,
            frames: meta.frames,
            levels: meta.levels.map((l) => ({ framesPerColumn: l.framesPerColumn, columns: l.columns })),
            blockColumns: BLOCK_COLUMNS,
          }
        : null,
    categories,
    entries,
    errors: checked.errors,
    warnings: checked.warnings,
    transcript: meta ? transcriptView(ctx, call, manifest, meta.sampleRate) : null,
    published,
  };
  return { view, manifestPath, text, manifest, audio, source };
}

/** The call's transcript, its words in samples, and what `npm run suggest` would propose from it. */
function transcriptView(
  ctx: StudioContext,
  call: string,
  manifest: Manifest | null,
  rate: number,
): TranscriptView | null {
  const { layout } = ctx;
  let file: string;
  let transcript: Transcript;
  try {
    // Found as redact finds it: the manifest's transcript:, else the one transcripts/<call>.<ext>.
    const loaded = loadTranscript(layout, manifest ?? { call, file: `redactions/${call}.yaml` });
    if (!loaded) return null;
    file = loaded.display;
    transcript = loaded.transcript;
  } catch (err) {
    if (!(err instanceof RedactError)) throw err;
    return { file: "", error: err.message, words: [], suggestions: [] };
  }
  try {
    const categories = manifest?.categories ?? BUILTIN_CATEGORIES;
    const patterns = readWordLists(layout, new Set(categories.keys()));
    const proposals = suggest(transcript.words, patterns).filter((p) => !coveredBy(manifest?.entries ?? [], p));
    return {
      file,
      format: transcript.format,
      words: transcript.words.map((w) => ({
        text: w.text,
        start: toSampleIndex(w.start, rate),
        end: toSampleIndex(w.end, rate),
      })),
      suggestions: proposals.map((p, i) => ({
        id: `s${i + 1}`,
        start: toSampleIndex(p.start, rate),
        end: toSampleIndex(p.end, rate),
        startText: formatExactClock(p.start),
        endText: formatExactClock(p.end),
        category: p.category,
        words: p.words,
        why: p.triggers.join("; "),
        estimated: p.estimated,
      })),
    };
  } catch (err) {
    if (!(err instanceof RedactError)) throw err;
    return { file, error: err.message, words: [], suggestions: [] };
  }
}
