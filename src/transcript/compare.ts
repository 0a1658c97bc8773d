/**
 * Words compared as words: what "the same word" means when a redacted word is looked for elsewhere in a
 * transcript (repeats.ts) and in a published transcript (src/verify/transcript-check.ts).
 *
 * - A word's key is its text in lower case, without the punctuation around it ("Rosalind," and
 *   "rosalind" are the same word; "partner's" keeps its apostrophe), as the word lists compare words.
 * - Numbers are compared as digits, however they were said or written: a run of number words ("oh seven
 *   seven", "double seven", "forty two", "two hundred and five" without the "and") is its digit string
 *   ("077", "77", "42", "205"), and so is "077" or "01632-960983" written as digits.
 * - A few hundred of the commonest English words ("the", "and", "you", "one") say nothing about a person
 *   and are not compared on their own: "the" redacted inside "the Elm Road house" and said elsewhere is
 *   no repeat.
 *
 * Pure: text in, keys out.
 */
import { normalise } from "../suggest/lists.ts";

/** The word as compared: lower case, no punctuation around it (inner apostrophes and hyphens stay). */
export const wordKey = (text: string): string => normalise(text);

const DIGIT: Readonly<Record<string, string>> = {
  zero: "0",
  oh: "0",
  o: "0",
  nought: "0",
  naught: "0",
  nil: "0",
  one: "1",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  nine: "9",
};
const TEEN: Readonly<Record<string, string>> = {
  ten: "10",
  eleven: "11",
  twelve: "12",
  thirteen: "13",
  fourteen: "14",
  fifteen: "15",
  sixteen: "16",
  seventeen: "17",
  eighteen: "18",
  nineteen: "19",
};
const TENS: Readonly<Record<string, string>> = {
  twenty: "2",
  thirty: "3",
  forty: "4",
  fifty: "5",
  sixty: "6",
  seventy: "7",
  eighty: "8",
  ninety: "9",
};
const REPEAT: Readonly<Record<string, number>> = { double: 2, triple: 3 };
const SCALE: Readonly<Record<string, number>> = { hundred: 2, thousand: 3 };

/** A number written in digits, with the separators people put in phone numbers: 077, 01632-960983, +44 (0)20. */
const WRITTEN_NUMBER = /^\+?[0-9][0-9().\-/]*$/;

/** Is this word part of a number, said or written? ("oh" only between other number words: see digitRuns.) */
export function isNumberWord(text: string): boolean {
  const w = wordKey(text);
  if (WRITTEN_NUMBER.test(w)) return true;
  if (w in DIGIT || w in TEEN || w in TENS || w in REPEAT || w in SCALE) return true;
  const compound = /^([a-z]+)-([a-z]+)$/.exec(w);
  return compound !== null && (compound[1] ?? "") in TENS && (compound[2] ?? "") in DIGIT;
}

/**
 * The digits a run of number words stands for: "oh seven seven" 077, "double seven" 77, "forty two" 42,
 * "twenty" 20, "two hundred five" 205, "eight hundred" 800, "01632 960983" 01632960983. A word that is not
 * a number (or a "double" with no digit after it) gives undefined.
 */
export function spokenDigits(texts: readonly string[]): string | undefined {
  let out = "";
  /** Trailing zeros of "hundred"/"thousand" that the next tens or units may fill: "two hundred [forty two]". */
  let fillable = 0;
  const put = (digits: string, canFill: boolean): void => {
    if (canFill && fillable >= digits.length && digits.length > 0) {
      out = out.slice(0, out.length - digits.length) + digits;
      fillable = digits.length < fillable ? fillable - digits.length : 0;
      // "two hundred five": 205, the 5 fills the last zero; the tens zero stays.
    } else {
      out += digits;
      fillable = 0;
    }
  };
  for (let i = 0; i < texts.length; i++) {
    const w = wordKey(texts[i] ?? "");
    const next = wordKey(texts[i + 1] ?? "");
    if (WRITTEN_NUMBER.test(w)) put(w.replace(/[^0-9]/g, ""), false);
    else if (w in REPEAT) {
      const d = DIGIT[next];
      if (d === undefined) return undefined;
      put(d.repeat(REPEAT[w] as number), false);
      i++;
    } else if (w in SCALE) {
      if (out === "") return undefined;
      out += "0".repeat(SCALE[w] as number);
      fillable = SCALE[w] as number;
    } else if (w in TEEN) put(TEEN[w] as string, true);
    else if (w in TENS) {
      const unit = DIGIT[next];
      if (unit !== undefined && unit !== "0" && next !== "o" && next !== "oh") {
        put(`${TENS[w]}${unit}`, true);
        i++;
      } else put(`${TENS[w]}0`, true);
    } else {
      const compound = /^([a-z]+)-([a-z]+)$/.exec(w);
      const tens = compound ? TENS[compound[1] ?? ""] : undefined;
      const unit = compound ? DIGIT[compound[2] ?? ""] : undefined;
      if (tens !== undefined && unit !== undefined) put(`${tens}${unit}`, true);
      else if (w in DIGIT) {
        const d = DIGIT[w] as string;
        // After "hundred", a unit fills the last zero; between plain digits it is one more digit.
        put(d, fillable > 0);
      } else return undefined;
    }
  }
  return out === "" ? undefined : out;
}

/** One number said in a transcript: words [from, to) of the list given, and its digits. */
export interface DigitRun {
  readonly from: number;
  readonly to: number;
  readonly digits: string;
}

/**
 * The numbers said in a list of words: each maximal run of number words, as digits. "o" and "oh" count
 * only next to another number word ("oh seven seven"), never alone ("oh, I see").
 */
export function digitRuns(texts: readonly string[]): DigitRun[] {
  const runs: DigitRun[] = [];
  const isNumber = texts.map((t) => isNumberWord(t));
  for (let i = 0; i < texts.length; ) {
    if (!isNumber[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < texts.length && isNumber[j]) j++;
    const digits = spokenDigits(texts.slice(i, j));
    const only = j - i === 1 ? wordKey(texts[i] ?? "") : "";
    if (digits !== undefined && only !== "o" && only !== "oh" && !(only in REPEAT) && !(only in SCALE)) {
      runs.push({ from: i, to: j, digits });
    }
    i = j;
  }
  return runs;
}

/**
 * Do two numbers said in different places say the same thing? The same digits, at least two of them; or
 * one holding the other, the shorter at least three digits long ("nine six oh" is part of 01632 960983).
 */
export function sameNumber(a: string, b: string): boolean {
  if (a === b) return a.length >= 2;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.includes(short);
}

/**
 * The commonest English words, which say nothing about a person on their own: not compared as repeats.
 * Numbers are compared as digits instead (see above).
 */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below " +
    "between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each " +
    "few for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her here here's " +
    "hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just " +
    "let's like me more most mustn't my myself no nor not now of off on once only or other ought our ours " +
    "ourselves out over own said same say says shan't she she'd she'll she's should shouldn't so some such " +
    "than that that's the their theirs them themselves then there there's these they they'd they'll they're " +
    "they've this those through to too under until up very was wasn't we we'd we'll we're we've were weren't " +
    "what what's when when's where where's which while who who's whom why why's will with won't would " +
    "wouldn't yes yeah you you'd you'll you're you've your yours yourself yourselves ok okay oh uh um hmm " +
    "hello hi bye goodbye please thank thanks sir madam mr mrs ms well right know go going come calling call " +
    "one two three four five six seven eight nine ten zero"
  ).split(" "),
);

/** Is this word worth looking for elsewhere on its own (not one of the commonest words, not a number)? */
export const isTelling = (key: string): boolean => key !== "" && !COMMON_WORDS.has(key) && !isNumberWord(key);
