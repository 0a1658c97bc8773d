/**
 * The published transcript, out/<call>.vtt, checked from the file, the source transcript and the manifest
 * alone (never from what the pipeline computed):
 *
 * - it reads as WebVTT as this tool writes it (vtt-read.ts);
 * - its cues are in order (by start), each ends after it starts, and none reaches past the recording;
 * - every placeholder (a `<c.redacted.CATEGORY>` cue) sits on a merged range of that category, from the
 *   range's first sample to its end in whole milliseconds (start rounded down, end up), and says only
 *   `[category]` or `[label]`; every range has exactly one;
 * - no other cue reaches into a range (by more than the millisecond WebVTT times are rounded to);
 * - every word of every other cue is a word the source transcript says there, outside every range
 *   (compared as words: case and the punctuation around them ignored). So no word the transcript places
 *   inside a range is published where it was said; and a word said only inside ranges (a "secret" word)
 *   appears in no cue and no speaker's name at all, nor among the words of the page's transcript.
 *
 * Which words are inside a range is worked out here on its own: each word's [start, end) in samples
 * (round(seconds x rate), as the manifest's times) against the merged ranges, by even one sample.
 */
import { compareExact, formatTime, toSampleIndex } from "../manifest/time.ts";
import type { Category } from "../manifest/types.ts";
import type { VerificationRow } from "../project/record.ts";
import type { Word } from "../suggest/transcript.ts";
import { publishedLine } from "../text.ts";
import { wordKey } from "../transcript/compare.ts";
import { checkRow, plural } from "./audio-rows.ts";
import type { ExpectedRange } from "./reference-tone.ts";
import { readVtt, type VttCue } from "./vtt-read.ts";

export interface TranscriptToCheck {
  /** The published file's name (call4.vtt) and where it is now; undefined path: not there. */
  readonly file: string;
  readonly text: string | undefined;
  /** The source transcript's words, as users see the file named (transcripts/call4.srt). */
  readonly source: { readonly display: string; readonly words: readonly Word[] };
  readonly ranges: readonly ExpectedRange[];
  readonly categories: ReadonlyMap<string, Category>;
  readonly sampleRate: number;
  readonly samples: number;
  /** The call's page, when it is there: its transcript's words are checked for secret words too. */
  readonly page?: string;
}

/** A source word in samples, with the ranges it overlaps. */
interface SourceWord {
  readonly word: Word;
  readonly keys: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly ranges: readonly number[];
}

/** The keys of a published text's words ("Hello, Rosalind" -> hello, rosalind); punctuation alone is no word. */
export const keysOf = (text: string): string[] =>
  publishedLine(text)
    .split(" ")
    .map(wordKey)
    .filter((k) => k !== "");

/** Each source word in samples, and the merged ranges it overlaps by at least one sample. */
export function sourceWords(words: readonly Word[], ranges: readonly ExpectedRange[], rate: number): SourceWord[] {
  return words.map((word) => {
    const [a, b] = compareExact(word.start, word.end) <= 0 ? [word.start, word.end] : [word.end, word.start];
    const start = toSampleIndex(a, rate);
    const end = toSampleIndex(b, rate);
    // A word of no length is a point: inside a range when it lies in it.
    const hit = (r: ExpectedRange): boolean =>
      end > start ? start < r.end && r.start < end : r.start <= start && start < r.end;
    return { word, keys: keysOf(word.text), start, end, ranges: ranges.filter(hit).map((r) => r.number) };
  });
}

/** Words said only inside ranges: by key, with the first range each is in. */
export function secretWords(words: readonly SourceWord[]): Map<string, number> {
  const open = new Set(words.filter((w) => w.ranges.length === 0).flatMap((w) => w.keys));
  const secret = new Map<string, number>();
  for (const w of words) {
    if (w.ranges.length === 0) continue;
    for (const k of w.keys) if (!open.has(k) && !secret.has(k)) secret.set(k, w.ranges[0] as number);
  }
  return secret;
}

const floorMs = (sample: number, rate: number): number => Math.floor((sample * 1000) / rate);
const ceilMs = (sample: number, rate: number): number => Math.ceil((sample * 1000) / rate);
const clock = (ms: number): string => formatTime(ms / 1000);

/** Text of the page's transcript panel (`<ol id="transcript">`), tags removed and escapes decoded. */
function panelText(html: string): string | undefined {
  const m = /<ol id="transcript"[^>]*>([\s\S]*?)<\/ol>/.exec(html);
  if (!m) return undefined;
  return (m[1] ?? "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

export function checkTranscript(t: TranscriptToCheck): VerificationRow {
  if (t.text === undefined) return { range: null, file: t.file, status: "fail", detail: "cannot be read" };
  const parsed = readVtt(t.text);
  if ("problem" in parsed) {
    return {
      range: null,
      file: t.file,
      status: "fail",
      detail: `not WebVTT as this tool writes it: ${parsed.problem}`,
    };
  }
  const rate = t.sampleRate;
  const problems: string[] = [];
  const cues = parsed.cues;
  const words = sourceWords(t.source.words, t.ranges, rate);
  const secret = secretWords(words);
  const endMs = ceilMs(t.samples, rate);
  const say = (c: VttCue): string => `cue ${c.number} (${clock(c.startMs)})`;

  let previous = -1;
  for (const c of cues) {
    if (c.startMs < previous) problems.push(`${say(c)} starts before the cue above it`);
    previous = c.startMs;
    if (c.endMs <= c.startMs) problems.push(`${say(c)} ends at ${clock(c.endMs)}, not after it starts`);
    if (c.endMs > endMs) problems.push(`${say(c)} ends at ${clock(c.endMs)}, past the recording's end`);
  }

  // Placeholders: each on a range of its category, saying only what the category is; one per range.
  const placed = new Map<number, number>();
  for (const c of cues.filter((x) => x.classes !== undefined)) {
    const [kind, category, ...rest] = c.classes ?? [];
    const range = t.ranges.find(
      (r) => r.category === category && floorMs(r.start, rate) === c.startMs && ceilMs(r.end, rate) === c.endMs,
    );
    const cat = category === undefined ? undefined : t.categories.get(category);
    const allowed = cat ? [`[${cat.name}]`, ...(cat.label === undefined ? [] : [`[${publishedLine(cat.label)}]`])] : [];
    if (kind !== "redacted" || rest.length > 0 || c.speaker !== undefined) {
      problems.push(`${say(c)} has the class span <c.${(c.classes ?? []).join(".")}>, which this tool never writes`);
    } else if (!range) {
      problems.push(
        `${say(c)} is a ${category} placeholder at ${clock(c.startMs)}-${clock(c.endMs)}, on no ${category} range`,
      );
    } else {
      placed.set(range.number, (placed.get(range.number) ?? 0) + 1);
      if (!allowed.includes(c.text)) {
        problems.push(
          `${say(c)} says ${JSON.stringify(c.text)} for range ${range.number}; a placeholder says ${allowed.join(" or ")}`,
        );
      }
    }
  }
  for (const r of t.ranges) {
    const n = placed.get(r.number) ?? 0;
    if (n !== 1) problems.push(`range ${r.number} has ${n === 0 ? "no placeholder" : `${n} placeholders`}`);
  }

  // Every other cue: outside the ranges, and only words the transcript says there, outside the ranges.
  // The words by start, to find those near a cue without looking at them all.
  const byStart = [...words].sort((a, b) => a.start - b.start);
  const longest = Math.max(1, ...words.map((w) => w.end - w.start));
  const firstFrom = (sample: number): number => {
    let lo = 0;
    let hi = byStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((byStart[mid] as SourceWord).start < sample) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const c of cues.filter((x) => x.classes === undefined)) {
    for (const r of t.ranges) {
      const overlap = Math.min(c.endMs, ceilMs(r.end, rate)) - Math.max(c.startMs, floorMs(r.start, rate));
      if (overlap > 1) problems.push(`${say(c)} reaches ${overlap} ms into range ${r.number}`);
    }
    const from = Math.floor(((c.startMs - 1) * rate) / 1000);
    const to = Math.ceil(((c.endMs + 1) * rate) / 1000);
    const near = byStart.slice(firstFrom(from - longest), firstFrom(to));
    const there = near.filter((w) => from < Math.max(w.end, w.start + 1));
    const said = new Set(there.filter((w) => w.ranges.length === 0).flatMap((w) => w.keys));
    for (const key of keysOf(c.text)) {
      if (said.has(key)) continue;
      const inside = there.find((w) => w.ranges.length > 0 && w.keys.includes(key));
      if (inside) {
        problems.push(`${say(c)} holds a word that ${t.source.display} places inside range ${inside.ranges[0]}`);
      } else if (secret.has(key)) {
        problems.push(`${say(c)} holds a word said only inside range ${secret.get(key)}`);
      } else {
        problems.push(`${say(c)} holds a word ${t.source.display} does not say there`);
      }
    }
    for (const key of keysOf(c.speaker ?? "")) {
      if (secret.has(key))
        problems.push(`${say(c)}'s speaker name holds a word said only inside range ${secret.get(key)}`);
    }
  }

  if (t.page !== undefined) {
    const panel = panelText(t.page);
    if (panel === undefined) problems.push("the call's page shows no transcript");
    else {
      const found = new Set(keysOf(panel).filter((k) => secret.has(k)));
      for (const k of found)
        problems.push(`the page's transcript holds a word said only inside range ${secret.get(k)}`);
    }
  }

  const placeholders = cues.filter((x) => x.classes !== undefined).length;
  return checkRow(
    null,
    t.file,
    problems,
    `${plural(cues.length, "cue")} in order inside the recording; ${plural(placeholders, "placeholder")}, one on each range; every other word said there, outside the ranges, in ${t.source.display}`,
  );
}

/** The texts of the words said only inside ranges, for the leak check (leaks.ts): each as written, once. */
export function redactedTexts(
  words: readonly Word[],
  ranges: readonly ExpectedRange[],
  rate: number,
): { readonly range: number; readonly text: string }[] {
  const source = sourceWords(words, ranges, rate);
  const secret = secretWords(source);
  const out = new Map<string, { range: number; text: string }>();
  for (const w of source) {
    if (w.ranges.length === 0) continue;
    for (const piece of publishedLine(w.word.text).split(" ")) {
      const key = wordKey(piece);
      const range = secret.get(key);
      if (range === undefined) continue;
      // The word as written, and as its key: a published file would hold one or the other.
      const core = piece.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      for (const text of new Set([core, key])) if (!out.has(text)) out.set(text, { range, text });
    }
  }
  return [...out.values()];
}
