import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.ts";
import { entryLabelText, labelCategory, parseLabels, writeLabels } from "../../src/labels/audacity.ts";
import { exact } from "../../src/manifest/time.ts";

const FILE = "labels.txt";
const issuesOf = (text: string): string[] => {
  try {
    parseLabels(text, FILE);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    expect(e.code).toBe("E_LABELS");
    expect(e.exitCode).toBe(2);
    return e.message.split("\n");
  }
  throw new Error("expected a ManifestError");
};

describe("parseLabels", () => {
  it("reads Audacity's lines exactly, skipping frequency lines, blank lines, CRLF and a BOM", () => {
    const labels = parseLabels(
      "\uFEFF4.110000\t5.450000\tsensitive\r\n\\\t300.000000\t3400.000000\r\n\r\n9.0920001\t10.432\tobscenity: rude\r\n",
      FILE,
    );
    expect(labels.map((l) => [l.start, l.end, l.text, l.pos.line, l.textPos.col])).toEqual([
      [exact(411n, 100n), exact(545n, 100n), "sensitive", 1, 19],
      [exact(90920001n, 10000000n), exact(10432n, 1000n), "obscenity: rude", 4, 18],
    ]);
  });

  it("accepts an empty file", () => {
    expect(parseLabels("", FILE)).toEqual([]);
  });

  it("reports every bad line at file:line:col, all at once", () => {
    expect(
      issuesOf(
        [
          "1.000000\t2.000000\tsensitive", // fine
          "3.5\t3.5\tsensitive", // point label
          "4.0\tname", // point label without end
          "5,25\t6.0\tsensitive", // decimal comma
          "7.0\t6.0\tsensitive", // reversed
          "-1.0\t2.0\tsensitive", // negative
          "8.0 9.0 sensitive", // spaces instead of tabs
          "\\\t1\t2", // frequency line after a bad line is still fine: it follows a label line
          "",
          "\\\t1\t2", // frequency line with no label
          "10.0\tabc\tsensitive",
        ].join("\n"),
      ),
    ).toEqual([
      "labels.txt:2:5: end: a point label (start = end = 3.5): labels to import must mark a stretch; select the words in Audacity and add a label to the selection (Ctrl+B)",
      "labels.txt:3:5: end: a point label (a start and a text, no end): labels to import must mark a stretch; select the words in Audacity and add a label to the selection (Ctrl+B)",
      'labels.txt:4:1: start: "5,25" has a decimal comma; write a point: 5.25',
      "labels.txt:5:5: end: end 6.0 is before start 7.0; end must be later than start",
      'labels.txt:6:1: start: "-1.0" is negative; a label must lie inside the recording',
      "labels.txt:7:1: label: expected start<TAB>end<TAB>text, found one field; fields are separated by tabs and this line has none (export labels from Audacity with File > Export > Export Labels)",
      "labels.txt:10:1: frequency line: a line starting with \\ (a frequency range) must follow a label line",
      'labels.txt:11:6: end: "abc" is not a time in seconds; expected digits with a decimal point, such as 4.110000',
    ]);
  });
});

describe("writeLabels", () => {
  it("writes six decimals, more when a time needs them, one line of text each", () => {
    expect(
      writeLabels([
        { start: exact(411n, 100n), end: exact(545n, 100n), text: "sensitive" },
        { start: exact(1n, 1024n), end: exact(3n), text: "obscenity: a\tb\nc" },
      ]),
    ).toBe("4.110000\t5.450000\tsensitive\n0.0009765625\t3.000000\tobscenity: a b c\n");
  });

  it("round-trips exactly through parseLabels", () => {
    const labels = [
      { start: exact(1n, 1024n), end: exact(20001n, 20000n), text: "sensitive" },
      { start: exact(3n), end: exact(4n), text: "obscenity: x" },
    ];
    expect(parseLabels(writeLabels(labels), FILE).map((l) => ({ start: l.start, end: l.end, text: l.text }))).toEqual(
      labels,
    );
  });
});

describe("labelCategory", () => {
  const known = new Set(["sensitive", "obscenity", "music"]);
  const none = new Map<string, string>();
  it.each([
    ["sensitive", { category: "sensitive" }],
    ["Sensitive", { category: "sensitive" }],
    ["obscenity: second swear word", { category: "obscenity", note: "second swear word" }],
    ["music intro jingle", { category: "music", note: "intro jingle" }],
  ])("%s", (text, want) => {
    expect(labelCategory(text, known, none)).toEqual(want);
  });

  it("uses --map for the whole text or its first word", () => {
    const map = new Map([
      ["name", "sensitive"],
      ["swear word", "obscenity"],
    ]);
    expect(labelCategory("Swear word", known, map)).toEqual({ category: "obscenity" });
    expect(labelCategory("name: Rosalind", known, map)).toEqual({ category: "sensitive", note: "Rosalind" });
  });

  it("says what to write for an unknown category or an empty text", () => {
    expect(labelCategory("swear", known, none)).toEqual({
      field: "text",
      error:
        'unknown category "swear"; the label\'s text (or its first word) must be one of sensitive, obscenity, music, a category defined under categories: in the manifest, or mapped with --map swear=sensitive',
    });
    expect(labelCategory("  ", known, none)).toMatchObject({
      field: "text",
      error: expect.stringContaining("no text"),
    });
  });

  it("exports an entry as its category and note, which import reads back", () => {
    expect(entryLabelText("sensitive")).toBe("sensitive");
    expect(entryLabelText("sensitive", "partner's\nname")).toBe("sensitive: partner's name");
    expect(labelCategory(entryLabelText("obscenity", "first one"), known, none)).toEqual({
      category: "obscenity",
      note: "first one",
    });
  });
});
