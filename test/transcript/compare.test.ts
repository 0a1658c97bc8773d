import { describe, expect, it } from "vitest";
import { digitRuns, isTelling, sameNumber, spokenDigits, wordKey } from "../../src/transcript/compare.ts";

describe("words compared as words", () => {
  it("ignores case and the punctuation around a word, not inside it", () => {
    expect(wordKey("Rosalind,")).toBe("rosalind");
    expect(wordKey("“Featherstone?”")).toBe("featherstone");
    expect(wordKey("partner's")).toBe("partner's");
    expect(wordKey("...")).toBe("");
  });

  it("does not compare the commonest words or numbers on their own", () => {
    expect(isTelling("the")).toBe(false);
    expect(isTelling("you")).toBe(false);
    expect(isTelling("seven")).toBe(false);
    expect(isTelling("077")).toBe(false);
    expect(isTelling("rosalind")).toBe(true);
    expect(isTelling("bloody")).toBe(true);
  });
});

describe("numbers compared as digits", () => {
  it.each([
    [["oh", "seven", "seven"], "077"],
    [["077"], "077"],
    [["double", "seven"], "77"],
    [["triple", "oh"], "000"],
    [["forty", "two"], "42"],
    [["forty-two"], "42"],
    [["twenty"], "20"],
    [["nineteen", "eighty", "four"], "1984"],
    [["two", "hundred", "five"], "205"],
    [["two", "hundred", "forty", "two"], "242"],
    [["eight", "hundred"], "800"],
    [["oh", "one", "six", "three", "two,", "nine", "six", "oh,", "nine", "eight", "three"], "01632960983"],
    [["01632-960983"], "01632960983"],
  ])("%j is %s", (words, digits) => {
    expect(spokenDigits(words)).toBe(digits);
  });

  it("finds each number in a stretch of words, and no number in a lone 'oh'", () => {
    const words = "Oh, I see: my number is oh seven seven double nine, not 42".split(" ");
    expect(digitRuns(words).map((r) => [r.digits, words.slice(r.from, r.to).join(" ")])).toEqual([
      ["07799", "oh seven seven double nine,"],
      ["42", "42"],
    ]);
  });

  it("takes numbers as the same when their digits are, or one holds the other's three or more", () => {
    expect(sameNumber("077", "077")).toBe(true);
    expect(sameNumber("960", "01632960983")).toBe(true);
    expect(sameNumber("42", "42")).toBe(true);
    expect(sameNumber("7", "7")).toBe(false);
    expect(sameNumber("42", "01642")).toBe(false);
    expect(sameNumber("888", "01632960983")).toBe(false);
  });
});
