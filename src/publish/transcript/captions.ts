/**
 * The published transcript's cues, from the transcript's words and the plan. Pure: marked words, the
 * fitted plan and the categories in, cues out; vtt.ts writes them as WebVTT, the call's page shows them.
 *
 * Redacted words: every word that overlaps a range by even one sample (src/transcript/marks.ts) is left
 * out whole: its text, its punctuation, its length, its first letter. Each merged range is one
 * placeholder cue in its category's words (`[sensitive]`, `[obscenity]`, a custom category's label)
 * whose time is the range's own: from its first sample to its end, in whole milliseconds (the start
 * rounded down and the end up, so that the cue covers the range). Every range has its placeholder,
 * including a range no word falls in: a listener hears the tone there, and a reader is told.
 *
 * The other words are grouped into cues of about one line, in time order:
 * - a cue ends before a range, when the speaker changes, after a sentence's end (. ? ! …) and before a
 *   pause longer than MAX_GAP_MS;
 * - a longer stretch is broken into the fewest cues of at most MAX_CUE_CHARS characters and MAX_CUE_MS
 *   each, as even as can be, preferring a break after a comma (splitPhrase);
 * - its time runs from its first word's start (rounded up to the millisecond) to its last word's end
 *   (rounded down), so that it lies within its words' own time and never reaches into a range.
 */

import { BUILTIN_CATEGORIES } from "../../manifest/parse.ts";
import type { Category } from "../../manifest/types.ts";
import type { PlannedRange } from "../../plan/plan.ts";
import { publishedLine as cleanText } from "../../text.ts";
import type { MarkedWord } from "../../transcript/marks.ts";

/** A cue is about one line of captions: at most this many characters... */
export const MAX_CUE_CHARS = 42;
/** ...and this many milliseconds (unless one word is longer)... */
export const MAX_CUE_MS = 5000;
/** ...and a pause longer than this ends it. */
export const MAX_GAP_MS = 1500;

export interface CaptionWord {
  /** As published: the transcript's text with whitespace collapsed, control and direction characters replaced. */
  readonly text: string;
  /** Where it starts, in whole milliseconds (for seeking to it on the page). */
  readonly startMs: number;
}

export interface TextCue {
  readonly kind: "text";
  readonly startMs: number;
  readonly endMs: number;
  readonly speaker?: string;
  readonly words: readonly CaptionWord[];
}

export interface PlaceholderCue {
  readonly kind: "placeholder";
  readonly startMs: number;
  readonly endMs: number;
  /** The merged range it stands for (numbered as the plan numbers them). */
  readonly range: number;
  readonly category: string;
  /** `[sensitive]`. */
  readonly text: string;
}

export type Cue = TextCue | PlaceholderCue;

/**
 * What a range is called in the published transcript: `[sensitive]` and `[obscenity]` for the built-in
 * categories, `[label]` for a category the manifest defines or relabels (its name when it has no label).
 */
export function placeholderText(category: Category): string {
  const builtin = BUILTIN_CATEGORIES.get(category.name);
  const own = builtin === undefined || builtin.label !== category.label;
  return `[${cleanText(own ? (category.label ?? category.name) : category.name)}]`;
}

/** A sample index as whole milliseconds, rounded down or up, exactly. */
export const floorMs = (sample: number, rate: number): number => Number((BigInt(sample) * 1000n) / BigInt(rate));
export const ceilMs = (sample: number, rate: number): number =>
  Number((BigInt(sample) * 1000n + BigInt(rate) - 1n) / BigInt(rate));

/** The sample a time on the sample grid (marks.ts, with a rate) stands for. */
const sampleOf = (t: { num: bigint; den: bigint }, rate: number): number => Number((t.num * BigInt(rate)) / t.den);

const SENTENCE_END = /[.?!…]["'”’)\]]*$/;

export interface CaptionInput {
  /** Every word of the transcript with the entries that redact it, marked at `sampleRate`. */
  readonly marked: readonly MarkedWord[];
  /** The fitted plan's merged ranges. */
  readonly ranges: readonly PlannedRange[];
  readonly categories: ReadonlyMap<string, Category>;
  readonly sampleRate: number;
  /** The recording's length in samples: no cue reaches past it. */
  readonly samples: number;
}

/** A word past the recording's end: the transcript is not this recording's (or not all of it is). */
export class WordPastEnd extends Error {
  constructor(readonly word: MarkedWord) {
    super(`word ${JSON.stringify(word.word.text)} at ${word.word.where} is past the end of the recording`);
  }
}

/** A word to publish, in samples. */
interface Timed {
  readonly m: MarkedWord;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A line ending in a comma (or a semicolon, a colon, a dash) is a good place to break. */
const PAUSE_MARK = /[,;:–—]["'”’)\]]*$/;
/** How much an even break is worth giving up for one at a comma: in squared characters of slack. */
const COMMA_BONUS = 150;

/**
 * A phrase as cues: the fewest that keep each within MAX_CUE_CHARS and MAX_CUE_MS (a word longer than that
 * on its own), then, among the ways to break it into that many, the one with the most even lines, a break
 * after a comma preferred (least squared slack: "How do you propose to / prove it's my computer?", not
 * "How do you propose to prove it's my / computer?").
 */
export function splitPhrase<W extends { readonly text: string; readonly start: number; readonly end: number }>(
  words: readonly W[],
  rate: number,
): W[][] {
  const n = words.length;
  // best[j]: the fewest lines for words[0..j), and the least cost among those; `from` where its last line starts.
  const best: { lines: number; cost: number; from: number }[] = [{ lines: 0, cost: 0, from: 0 }];
  for (let j = 1; j <= n; j++) {
    let pick = { lines: Number.POSITIVE_INFINITY, cost: Number.POSITIVE_INFINITY, from: j - 1 };
    let chars = -1;
    let end = Number.NEGATIVE_INFINITY;
    // words[i..j) on one line, i going back while it fits (a word on its own always does).
    for (let i = j - 1; i >= 0; i--) {
      const w = words[i] as W;
      chars += 1 + w.text.length;
      end = Math.max(end, w.end);
      const fits = chars <= MAX_CUE_CHARS && (end - w.start) * 1000 <= MAX_CUE_MS * rate;
      if (!fits && i < j - 1) break;
      const before = best[i] as { lines: number; cost: number };
      const slack = Math.max(0, MAX_CUE_CHARS - chars);
      const cost = before.cost + slack * slack - (j < n && PAUSE_MARK.test((words[j - 1] as W).text) ? COMMA_BONUS : 0);
      const lines = before.lines + 1;
      if (lines < pick.lines || (lines === pick.lines && cost < pick.cost)) pick = { lines, cost, from: i };
    }
    best.push(pick);
  }
  const out: W[][] = [];
  for (let j = n; j > 0; ) {
    const from = best[j]?.from ?? j - 1;
    out.unshift(words.slice(from, j));
    j = from;
  }
  return out;
}

/** The cues, in time order (a placeholder before a text cue starting at the same millisecond). */
export function buildCaptions(input: CaptionInput): Cue[] {
  const rate = input.sampleRate;
  const cues: Cue[] = input.ranges.map((r) => {
    const category = input.categories.get(r.category) ?? { name: r.category, frequency: r.frequency };
    return {
      kind: "placeholder",
      startMs: floorMs(r.start, rate),
      endMs: ceilMs(r.end, rate),
      range: r.number,
      category: r.category,
      text: placeholderText(category),
    };
  });

  const open: Timed[] = input.marked
    .filter((m) => m.entries.length === 0 && cleanText(m.word.text) !== "")
    .map((m) => ({
      m,
      text: cleanText(m.word.text),
      start: sampleOf(m.start, rate),
      end: Math.min(sampleOf(m.end, rate), input.samples),
    }))
    .sort((a, b) => a.start - b.start || a.m.index - b.m.index);
  for (const w of open) if (w.start >= input.samples) throw new WordPastEnd(w.m);

  // Phrases: runs of words that nothing separates (a range, a new speaker, a sentence's end, a pause).
  const rangeStarts = input.ranges.map((r) => r.start);
  const phrases: Timed[][] = [];
  let previous: Timed | undefined;
  for (const w of open) {
    const phrase = phrases[phrases.length - 1];
    const apart =
      !phrase ||
      !previous ||
      rangeStarts.some((s) => s >= (previous as Timed).start && s < w.start) ||
      (w.start - previous.end) * 1000 > MAX_GAP_MS * rate ||
      SENTENCE_END.test(previous.text) ||
      w.m.word.speaker !== previous.m.word.speaker;
    if (apart || !phrase) phrases.push([w]);
    else phrase.push(w);
    previous = w;
  }
  // Each phrase in as few cues as fit, as even as can be.
  for (const phrase of phrases) {
    for (const words of splitPhrase(phrase, rate)) {
      const first = words[0] as Timed;
      const startMs = ceilMs(first.start, rate);
      const endMs = Math.max(floorMs(Math.max(...words.map((w) => w.end)), rate), startMs + 1);
      const speaker = first.m.word.speaker;
      cues.push({
        kind: "text",
        startMs,
        endMs,
        ...(speaker === undefined ? {} : { speaker: cleanText(speaker) }),
        words: words.map((w) => ({ text: w.text, startMs: ceilMs(w.start, rate) })),
      });
    }
  }
  // Placeholders were pushed first: a stable sort keeps one before a text cue starting at the same time.
  return cues.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}
