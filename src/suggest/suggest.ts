/**
 * Proposals from a transcript: words and phrases from the lists, and runs of spoken digits long
 * enough to be a phone number. Matches of the same category on consecutive words join into one
 * proposal from the first word's start to the last word's end; each proposal says what triggered
 * it. Pure: words and patterns in, proposals out.
 */
import { compareExact } from "../manifest/time.ts";
import type { ManifestEntry } from "../manifest/types.ts";
import type { ExactSeconds } from "../units.ts";
import { type ListPattern, normalise, type Token } from "./lists.ts";
import type { Word } from "./transcript.ts";

export interface Proposal {
  readonly start: ExactSeconds;
  readonly end: ExactSeconds;
  readonly category: string;
  /** The words covered, as spoken. */
  readonly words: string;
  /** What proposed it: `"bloody" (redactions/lists/obscenities.txt:3)`, `11 spoken digits ...`. */
  readonly triggers: readonly string[];
  /** Some word's times were estimated by the recogniser's neighbours (WhisperX). */
  readonly estimated: boolean;
}

/** The fewest digits that make a run worth proposing: a local phone number without its area code. */
export const PHONE_DIGITS = 7;

const DIGIT_WORDS = new Map(
  ["zero", "oh", "o", "nought", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"].map((w) => [
    w,
    1,
  ]),
);
const TEENS = new Set([
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
]);
const TENS = new Set(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]);
const UNITS = new Set(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);

/**
 * How many digits a spoken word stands for inside a number ("double" and "triple" repeat the next
 * digit; "twenty one" is two digits), or undefined when it is not part of a number.
 */
export function digitsOf(word: string, previous: string | undefined): number | undefined {
  const w = normalise(word);
  if (/^\+?[0-9][0-9().\- ]*$/.test(w)) return w.replace(/[^0-9]/g, "").length;
  if (UNITS.has(w) && previous !== undefined && TENS.has(normalise(previous))) return 0;
  const d = DIGIT_WORDS.get(w);
  if (d !== undefined) return d;
  if (TEENS.has(w) || TENS.has(w)) return 2;
  const compound = /^([a-z]+)-([a-z]+)$/.exec(w); // forty-two
  if (compound && TENS.has(compound[1] ?? "") && UNITS.has(compound[2] ?? "")) return 2;
  if (w === "double") return 1;
  if (w === "triple") return 2;
  if (w === "hundred") return 2;
  if (w === "thousand") return 3;
  return undefined;
}

const isNumberWord = (word: string): boolean => {
  const w = normalise(word);
  return /^[0-9]+$/.test(w) || digitsOf(word, undefined) !== undefined;
};

const tokenMatches = (t: Token, word: string): boolean => {
  switch (t.kind) {
    case "word":
      return normalise(word) === t.word;
    case "prefix":
      return normalise(word).startsWith(t.prefix);
    case "any":
      return true;
    case "number":
      return isNumberWord(word) && normalise(word) !== "o" && normalise(word) !== "oh";
  }
};

interface Span {
  from: number;
  to: number; // exclusive, in words
  category: string;
  triggers: string[];
}

export interface SuggestOptions {
  /** Digits in a run of spoken numbers that make it a proposal (default PHONE_DIGITS). */
  readonly minDigits?: number;
  /** The category for digit runs (default sensitive). */
  readonly numberCategory?: string;
}

export function suggest(
  allWords: readonly Word[],
  patterns: readonly ListPattern[],
  opts: SuggestOptions = {},
): Proposal[] {
  const words = allWords.filter((w) => normalise(w.text) !== "");
  const spans: Span[] = [];

  // Lists: at each word, the longest pattern that matches from there.
  for (let i = 0; i < words.length; i++) {
    let best: { length: number; p: ListPattern } | undefined;
    for (const p of patterns) {
      if (i + p.tokens.length > words.length) continue;
      if (!p.tokens.every((t, k) => tokenMatches(t, words[i + k]?.text ?? ""))) continue;
      if (!best || p.tokens.length > best.length) best = { length: p.tokens.length, p };
    }
    if (best) {
      const said = words
        .slice(i, i + best.length)
        .map((w) => w.text)
        .join(" ");
      spans.push({
        from: i,
        to: i + best.length,
        category: best.p.category,
        triggers: [`${JSON.stringify(best.p.text)} (${best.p.where}) matched ${JSON.stringify(said)}`],
      });
    }
  }

  // Runs of spoken digits.
  const minDigits = opts.minDigits ?? PHONE_DIGITS;
  for (let i = 0; i < words.length; ) {
    let digits = 0;
    let j = i;
    while (j < words.length) {
      const d = digitsOf(words[j]?.text ?? "", j > i ? words[j - 1]?.text : undefined);
      if (d === undefined) break;
      digits += d;
      j++;
    }
    if (digits >= minDigits) {
      const said = words
        .slice(i, j)
        .map((w) => w.text)
        .join(" ");
      spans.push({
        from: i,
        to: j,
        category: opts.numberCategory ?? "sensitive",
        triggers: [
          `${digits} spoken digits in a row (phone-number length, ${minDigits} or more): ${JSON.stringify(said)}`,
        ],
      });
    }
    i = j > i ? j : i + 1;
  }

  // Join spans of the same category that overlap or sit on consecutive words.
  spans.sort((a, b) => a.from - b.from || b.to - a.to);
  const joined: Span[] = [];
  for (const s of spans) {
    const open = [...joined].reverse().find((o) => o.category === s.category);
    if (open && s.from <= open.to) {
      open.to = Math.max(open.to, s.to);
      for (const t of s.triggers) if (!open.triggers.includes(t)) open.triggers.push(t);
    } else joined.push({ ...s, triggers: [...s.triggers] });
  }

  return joined.map((s) => {
    const covered = words.slice(s.from, s.to);
    const first = covered[0] as Word;
    const last = covered[covered.length - 1] as Word;
    let end = last.end;
    for (const w of covered) if (compareExact(w.end, end) > 0) end = w.end;
    return {
      start: first.start,
      end,
      category: s.category,
      words: covered.map((w) => w.text).join(" "),
      triggers: s.triggers,
      estimated: covered.some((w) => w.estimated === true),
    };
  });
}

/** Is the proposal already in the manifest: inside one entry of the same category? Such proposals are left out. */
export const coveredBy = (entries: readonly ManifestEntry[], p: Proposal): boolean =>
  entries.some(
    (e) => e.category === p.category && compareExact(e.start, p.start) <= 0 && compareExact(p.end, e.end) <= 0,
  );
