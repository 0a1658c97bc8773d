/**
 * Redacted here, said there: for every manifest entry, the words it redacts that the transcript has said
 * again somewhere outside every range. A name redacted at 0:04 and spoken, unredacted, at 1:23 is the
 * commonest leak a manual redaction makes.
 *
 * Compared as words (compare.ts): case and the punctuation around a word are ignored, the commonest
 * words are not compared on their own, and numbers are compared as digits ("oh seven seven" is "077").
 * Each warning is located at the entry, like the plan's warnings (src/plan/warnings.ts), and names each
 * time the word is said again. `redact --strict` makes them errors.
 *
 * Pure: marked words (marks.ts) in, warnings out.
 */
import type { SourcePos } from "../errors.ts";
import { exactToNumber, formatTime } from "../manifest/time.ts";
import type { Manifest, ManifestEntry } from "../manifest/types.ts";
import type { Transcript } from "../suggest/transcript.ts";
import { digitRuns, isTelling, sameNumber, wordKey } from "./compare.ts";
import { entrySpans, type MarkedWord, markWords } from "./marks.ts";

export interface RepeatWarning {
  readonly kind: "repeat";
  /** The entry whose words are said again. */
  readonly entry: number;
  readonly pos: SourcePos;
  /** `redactions[3]`. */
  readonly field: string;
  /** What is said again, where, and what to do. */
  readonly message: string;
  /** Every place it is said again: the word as said, its time, and where in the transcript. */
  readonly again: readonly { readonly text: string; readonly seconds: number; readonly where: string }[];
}

/** At most this many places are named per word; the rest are counted. */
const MAX_PLACES = 5;

interface Occurrence {
  readonly text: string;
  readonly first: MarkedWord;
}

/** A word or number the entry redacts, and where it is said outside every range. */
interface Repeat {
  readonly said: string;
  readonly places: Occurrence[];
}

const quoted = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);

/**
 * The warnings for a transcript's marked words (each word with the entries that redact it), in manifest
 * order. `transcript` is the file as users see it (`transcripts/call4.srt`), for the places named.
 */
export function repeatWarnings(
  marked: readonly MarkedWord[],
  entries: readonly ManifestEntry[],
  transcript: string,
): RepeatWarning[] {
  // Words outside every range, in order: what a reader of the published transcript sees.
  const open = marked.filter((m) => m.entries.length === 0);
  const openTexts = open.map((m) => m.word.text);
  const openRuns = digitRuns(openTexts);
  const openByKey = new Map<string, MarkedWord[]>();
  for (const m of open) {
    const key = wordKey(m.word.text);
    if (!isTelling(key)) continue;
    const list = openByKey.get(key) ?? [];
    list.push(m);
    openByKey.set(key, list);
  }
  const where = (m: MarkedWord): string =>
    m.word.where.startsWith(transcript) ? m.word.where : `${transcript}: ${m.word.where}`;

  const byEntry = new Map<ManifestEntry, MarkedWord[]>();
  for (const m of marked) {
    for (const e of m.entries) {
      const list = byEntry.get(e) ?? [];
      list.push(m);
      byEntry.set(e, list);
    }
  }
  const out: RepeatWarning[] = [];
  for (const entry of entries) {
    const inside = byEntry.get(entry) ?? [];
    if (inside.length === 0) continue;
    const repeats: Repeat[] = [];
    const seen = new Set<string>();
    for (const m of inside) {
      const key = wordKey(m.word.text);
      if (!isTelling(key) || seen.has(key)) continue;
      seen.add(key);
      const places = openByKey.get(key);
      if (places) repeats.push({ said: m.word.text, places: places.map((p) => ({ text: p.word.text, first: p })) });
    }
    const insideTexts = inside.map((m) => m.word.text);
    for (const run of digitRuns(insideTexts)) {
      if (seen.has(`#${run.digits}`)) continue;
      seen.add(`#${run.digits}`);
      const places = openRuns
        .filter((o) => sameNumber(o.digits, run.digits))
        .map((o) => ({ text: openTexts.slice(o.from, o.to).join(" "), first: open[o.from] as MarkedWord }));
      if (places.length > 0) repeats.push({ said: insideTexts.slice(run.from, run.to).join(" "), places });
    }
    if (repeats.length === 0) continue;
    const parts = repeats.map((r) => {
      const shown = r.places.slice(0, MAX_PLACES).map((p) => {
        const same = wordKey(p.text) === wordKey(r.said) ? "" : ` as ${quoted(p.text)}`;
        return `${formatTime(exactToNumber(p.first.word.start))}${same} (${where(p.first)})`;
      });
      const more = r.places.length > MAX_PLACES ? ` and ${r.places.length - MAX_PLACES} more times` : "";
      return `${quoted(r.said)} is said again at ${shown.join(", ")}${more}`;
    });
    out.push({
      kind: "repeat",
      entry: entry.number,
      pos: entry.pos,
      field: `redactions[${entry.number}]`,
      message: `it redacts ${quoted(insideTexts.join(" "))} (${entry.category}, ${formatTime(exactToNumber(entry.start))}-${formatTime(exactToNumber(entry.end))}), but ${parts.join("; ")}, outside every range: redact it there too, or correct the transcript`,
      again: repeats.flatMap((r) =>
        r.places.map((p) => ({
          text: p.text,
          seconds: exactToNumber(p.first.word.start),
          where: where(p.first),
        })),
      ),
    });
  }
  return out;
}

/**
 * The repeats of a call's transcript under its manifest: at the recording's sample rate (`--check`,
 * `redact`), or in exact seconds when it is not known (`suggest`, which decodes nothing).
 */
export function callRepeats(
  manifest: Manifest,
  transcript: { readonly display: string; readonly transcript: Transcript },
  sampleRate: number | undefined,
): RepeatWarning[] {
  const marked = markWords(transcript.transcript.words, entrySpans(manifest, sampleRate), sampleRate);
  return repeatWarnings(marked, manifest.entries, transcript.display);
}
