import { describe, expect, it } from "vitest";
import { parseStudioArgs } from "../../src/cli/studio-args.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { toSampleIndex } from "../../src/manifest/time.ts";
import { applyDraft, checkText, type DraftEntry, readDraft } from "../../src/studio/draft.ts";

const RATE = 8000;
const TEXT = `# my call
redactions:
  # first
  - start: "0:01.000"
    end: 1.5
    category: sensitive
    note: n1
  - start: 3
    duration: 0.5
    category: obscenity
`;
const WHERE = { file: "redactions/c.yaml", call: "c" };
const opened = parseManifest(TEXT, WHERE);
const as = (id: string, start: number, end: number, category: string, note: string | null = null): DraftEntry => ({
  id,
  start,
  end,
  category,
  note,
});
const unchanged = [as("m1", 8000, 12000, "sensitive", "n1"), as("m2", 24000, 28000, "obscenity")];

describe("applyDraft", () => {
  it("changes nothing when nothing changed", () => {
    const r = applyDraft(TEXT, opened, RATE, { base: "", entries: unchanged });
    expect(r).toEqual({ text: TEXT, ids: ["m1", "m2"], changed: false });
  });

  it("writes a moved edge as the shortest decimal that names its sample, and only that value", () => {
    const r = applyDraft(TEXT, opened, RATE, {
      base: "",
      entries: [as("m1", 8000, 12001, "sensitive", "n1"), unchanged[1] as DraftEntry],
    });
    expect(r.text).toBe(TEXT.replace("end: 1.5", "end: 1.5001"));
    // A duration: entry keeps its end when its start moves.
    const d = applyDraft(TEXT, opened, RATE, {
      base: "",
      entries: [unchanged[0] as DraftEntry, as("m2", 23999, 28000, "obscenity")],
    });
    expect(d.text).toBe(TEXT.replace("start: 3\n", "start: 2.9999\n").replace("duration: 0.5", "duration: 0.5001"));
    const e = parseManifest(d.text, WHERE).entries[1];
    expect(e && [toSampleIndex(e.start, RATE), toSampleIndex(e.end, RATE)]).toEqual([23999, 28000]);
  });

  it("removes, recategorises and appends, numbering the new text's entries by the draft's ids", () => {
    const r = applyDraft(TEXT, opened, RATE, {
      base: "",
      entries: [
        as("m2", 24000, 28000, "sensitive"),
        { ...as("n7", 40000, 40800, "obscenity"), startText: "5", endText: "0:05.1", comment: "from t.srt" },
        as("n8", 100, 200, "sensitive", "a note"),
      ],
    });
    expect(r.ids).toEqual(["m2", "n7", "n8"]);
    expect(r.text).toBe(
      `# my call
redactions:
  - start: 3
    duration: 0.5
    category: sensitive
  # from t.srt
  - start: "5"
    end: "0:05.1"
    category: obscenity
  - start: "0:00.0125"
    end: "0:00.025"
    category: sensitive
    note: "a note"
`
        .replace('start: "5"', 'start: "0:05.000"')
        .replace('end: "0:05.1"', 'end: "0:05.100"'),
    );
  });

  it("refuses an id of the opened manifest that it does not have", () => {
    expect(() => applyDraft(TEXT, opened, RATE, { base: "", entries: [as("m9", 1, 2, "sensitive")] })).toThrow(/m9/);
  });
});

describe("readDraft", () => {
  it("takes a well-formed draft and refuses anything else, saying what", () => {
    const base = "a".repeat(64);
    expect(readDraft({ base, entries: [{ id: "m1", start: 1, end: 2, category: "x" }] })).toEqual({
      base,
      entries: [{ id: "m1", start: 1, end: 2, category: "x", note: null }],
    });
    for (const [body, why] of [
      [null, /no draft/],
      [{ base: "zz", entries: [] }, /SHA-256/],
      [{ base, entries: {} }, /not a list/],
      [{ base, entries: [{ id: "a", start: 1.5, end: 2, category: "x" }] }, /sample numbers/],
      [{ base, entries: [{ id: "a", start: -1, end: 2, category: "x" }] }, /sample numbers/],
      [{ base, entries: [{ id: "a", start: 1, end: 2 }] }, /no category/],
      [{ base, entries: [{ id: "a", start: 1, end: 2, category: "x", note: 5 }] }, /note is not text/],
      [
        {
          base,
          entries: [
            { id: "a", start: 1, end: 2, category: "x" },
            { id: "a", start: 1, end: 2, category: "x" },
          ],
        },
        /two entries are a/,
      ],
    ] as const) {
      expect(() => readDraft(body)).toThrow(why);
    }
  });
});

describe("checkText", () => {
  it("says what --check says, each error and warning beside the draft's entry", () => {
    const overlap = `redactions:
  - { start: 1, end: 2, category: sensitive }
  - { start: 1.5, end: 1.52, category: obscenity }
  - { start: 5, end: 5.01, category: sensitive }
`;
    const c = checkText(overlap, WHERE, RATE, 80000, ["m1", "n1", "n2"]);
    expect(c.plan).toBeUndefined();
    expect(c.errors.map((e) => [e.entry, e.where])).toEqual([["n1", "redactions/c.yaml:3:5"]]);
    expect(c.errors[0]?.message).toMatch(/overlaps/);
    const short = checkText(overlap.replace("1.5, end: 1.52", "3, end: 4"), WHERE, RATE, 80000, ["m1", "n1", "n2"]);
    expect(short.errors).toEqual([]);
    expect(short.warnings.map((w) => [w.entry, w.kind])).toEqual([
      ["n2", "short"],
      ["n2", "ramp"],
    ]);
    const past = checkText(overlap.replace("5.01", "11"), WHERE, RATE, 80000, ["m1", "n1", "n2"]);
    expect(past.errors.map((e) => e.entry)).toEqual(["n1"]);
    const fitted = checkText("redactions:\n  - { start: 9, end: 11, category: sensitive }\n", WHERE, RATE, 80000, [
      "n1",
    ]);
    expect(fitted.errors.map((e) => [e.entry, e.field])).toEqual([["n1", "redactions[1].end"]]);
    const broken = checkText("redactions: [\n", WHERE, RATE, 80000, []);
    expect(broken.manifest).toBeUndefined();
    expect(broken.errors[0]?.entry).toBeNull();
  });
});

describe("npm run studio's arguments", () => {
  it("takes --port, --open and --accept-decode-errors, and refuses the rest", () => {
    expect(parseStudioArgs([])).toEqual({ port: 0, open: false, acceptDecodeErrors: false });
    expect(parseStudioArgs(["--port", "8080", "--open"])).toEqual({
      port: 8080,
      open: true,
      acceptDecodeErrors: false,
    });
    expect(parseStudioArgs(["--port=0", "--accept-decode-errors"])).toEqual({
      port: 0,
      open: false,
      acceptDecodeErrors: true,
    });
    expect(parseStudioArgs(["-h"])).toBe("help");
    expect(() => parseStudioArgs(["--port", "70000"])).toThrow(/0 to 65535/);
    expect(() => parseStudioArgs(["--port"])).toThrow(/not nothing|nothing/);
    expect(() => parseStudioArgs(["call4"])).toThrow(/unknown option or argument call4/);
  });
});
