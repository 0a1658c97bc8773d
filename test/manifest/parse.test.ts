import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.ts";
import { entryField, MAX_MANIFEST_BYTES, parseManifest } from "../../src/manifest/parse.ts";
import type { Manifest } from "../../src/manifest/types.ts";
import type { ExactSeconds } from "../../src/units.ts";

const FILE = "redactions/call4.yaml";
const parse = (text: string): Manifest => parseManifest(text, { file: FILE, call: "call4" });
const ex = (num: bigint, den: bigint = 1n): ExactSeconds => ({ num, den });

/** The ManifestError a text raises (fails the test when it parses). */
const errorOf = (text: string): ManifestError => {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error("expected a ManifestError");
};

/** Every issue as `line:col field: message`. */
const issues = (text: string): string[] =>
  errorOf(text).issues.map((i) => {
    expect(i.pos.file).toBe(FILE);
    return `${i.pos.line}:${i.pos.col} ${i.field}: ${i.message}`;
  });

/** The one issue a text raises, as `line:col field: message`. */
const issue = (text: string): string => {
  const all = issues(text);
  expect(all).toHaveLength(1);
  return all[0] ?? "";
};

const lines = (...ls: string[]): string => `${ls.join("\n")}\n`;

const SPEC_EXAMPLE = lines(
  "recording: call4.mp3          # optional",
  "title: Call 4",
  "redactions:",
  '  - start: "2:27.350"',
  '    end: "2:28.900"',
  "    category: sensitive",
  "    note: partner's name",
  "  - start: 161.25",
  "    duration: 1.5",
  "    category: obscenity",
  "categories:",
  "  music: { frequency: 1000 }",
  "tone:",
  "  level: -18",
  "  ramp: 5",
  "pad: 0",
);

describe("a valid manifest", () => {
  it("parses the spec's example exactly", () => {
    const m = parse(SPEC_EXAMPLE);
    expect(m.file).toBe(FILE);
    expect(m.call).toBe("call4");
    expect(m.recording).toEqual({ path: "call4.mp3", pos: { file: FILE, line: 1, col: 12 } });
    expect(m.title).toBe("Call 4");
    expect(m.tone).toEqual({ levelDb: -18, rampMs: 5 });
    expect(m.pad).toEqual(ex(0n));
    expect([...m.categories.values()]).toEqual([
      { name: "sensitive", frequency: 440, label: "sensitive information" },
      { name: "obscenity", frequency: 660, label: "obscenity" },
      { name: "music", frequency: 1000 },
    ]);
    expect(m.entries).toEqual([
      {
        number: 1,
        start: ex(2947n, 20n), // 147.35
        end: ex(1489n, 10n), // 148.9
        category: "sensitive",
        pos: { file: FILE, line: 4, col: 5 },
        startPos: { file: FILE, line: 4, col: 12 },
        endPos: { file: FILE, line: 5, col: 10 },
        endField: "end",
        note: "partner's name",
      },
      {
        number: 2,
        start: ex(645n, 4n), // 161.25
        end: ex(651n, 4n), // 162.75 = 161.25 + 1.5, exactly
        category: "obscenity",
        pos: { file: FILE, line: 8, col: 5 },
        startPos: { file: FILE, line: 8, col: 12 },
        endPos: { file: FILE, line: 9, col: 15 },
        endField: "duration",
      },
    ]);
  });

  it("applies defaults: built-in categories, tone -18 dBFS with 5 ms ramps, no pad, no recording or title", () => {
    const m = parse("redactions: []\n");
    expect(m.entries).toEqual([]);
    expect(m.recording).toBeUndefined();
    expect(m.title).toBeUndefined();
    expect(m.tone).toEqual({ levelDb: -18, rampMs: 5 });
    expect(m.pad).toEqual(ex(0n));
    expect([...m.categories.keys()]).toEqual(["sensitive", "obscenity"]);
    expect(m.categories.get("sensitive")?.frequency).toBe(440);
    expect(m.categories.get("obscenity")?.frequency).toBe(660);
  });

  it("reads numbers from their source text, never through a double", () => {
    const m = parse(
      lines(
        "redactions:",
        "  - { start: 1.005, end: 1.0000000000000000001e1, category: sensitive }",
        "  - { start: 0.1, duration: 0.2, category: sensitive }",
        "  - { start: 1e2, end: 2.5E+2, category: sensitive }",
      ),
    );
    expect(m.entries.map((e) => [e.start, e.end])).toEqual([
      [ex(201n, 200n), ex(10000000000000000001n, 1000000000000000000n)],
      [ex(1n, 10n), ex(3n, 10n)], // 0.1 + 0.2 = 0.3 exactly
      [ex(100n), ex(250n)],
    ]);
  });

  it("takes times as numbers, plain strings and quoted strings", () => {
    const m = parse(
      lines(
        "redactions:",
        "  - { start: 2:27.350, end: '2:28.9', category: sensitive }",
        '  - { start: "1:02:03", end: 3724.5, category: sensitive }',
        '  - { start: !!str 4000, end: "4001", category: sensitive }',
      ),
    );
    expect(m.entries.map((e) => [e.start, e.end])).toEqual([
      [ex(2947n, 20n), ex(1489n, 10n)],
      [ex(3723n), ex(7449n, 2n)],
      [ex(4000n), ex(4001n)],
    ]);
  });

  it("keeps YAML 1.2 meaning under a %YAML 1.1 directive (2:27 is a time string, not the number 147)", () => {
    const m = parse(lines("%YAML 1.1", "---", "redactions: [{ start: 2:27, end: 2:28.5, category: sensitive }]"));
    expect(m.entries[0]?.start).toEqual(ex(147n));
    expect(m.entries[0]?.end).toEqual(ex(297n, 2n));
  });

  it("stores pad exactly in seconds", () => {
    expect(parse("redactions: []\npad: 12.5\n").pad).toEqual(ex(1n, 80n));
    expect(parse("redactions: []\npad: 0.1\n").pad).toEqual(ex(1n, 10000n));
    expect(parse("redactions: []\npad: 250\n").pad).toEqual(ex(1n, 4n));
  });

  it("re-tunes built-in categories and adds new ones", () => {
    const m = parse(
      lines(
        "categories:",
        "  sensitive: { frequency: 500 }",
        "  obscenity: { label: rude words }",
        "  music:",
        "    frequency: 1000.5",
        "    label: background music",
        "  x_1-b: { frequency: 880 }",
        "redactions:",
        "  - { start: 1, end: 2, category: music }",
        "  - { start: 3, end: 4, category: x_1-b }",
      ),
    );
    expect(Object.fromEntries(m.categories)).toEqual({
      sensitive: { name: "sensitive", frequency: 500, label: "sensitive information" },
      obscenity: { name: "obscenity", frequency: 660, label: "rude words" },
      music: { name: "music", frequency: 1000.5, label: "background music" },
      "x_1-b": { name: "x_1-b", frequency: 880 },
    });
    expect(m.entries.map((e) => e.category)).toEqual(["music", "x_1-b"]);
  });

  it("accepts tone levels from -60 to 0 dBFS and any ramp of 0 ms or more", () => {
    expect(parse("redactions: []\ntone: { level: 0, ramp: 0 }\n").tone).toEqual({ levelDb: 0, rampMs: 0 });
    expect(parse("redactions: []\ntone: { level: -0 }\n").tone.levelDb).toBe(0);
    expect(Object.is(parse("redactions: []\ntone: { level: -0 }\n").tone.levelDb, 0)).toBe(true);
    expect(parse("redactions: []\ntone: { level: -60, ramp: 2.5 }\n").tone).toEqual({ levelDb: -60, rampMs: 2.5 });
    expect(parse("redactions: []\ntone: { level: -20.5 }\n").tone).toEqual({ levelDb: -20.5, rampMs: 5 });
  });

  it("keeps a note private in the entry, and treats an empty note as none", () => {
    const m = parse(lines("redactions:", "  - { start: 1, end: 2, category: sensitive, note: }"));
    expect(m.entries[0]).not.toHaveProperty("note");
  });

  it("accepts a time past any recording's end (1e308): that is checked against the recording later", () => {
    const m = parse("redactions: [{ start: 1, end: 1e308, category: sensitive }]\n");
    expect(m.entries[0]?.end).toEqual(ex(10n ** 308n));
  });

  it("accepts recordings in sub-folders, a BOM, CRLF line ends, comments and --- / ... markers", () => {
    expect(parse("redactions: []\nrecording: 2024/call4.mp3\n").recording?.path).toBe("2024/call4.mp3");
    const m = parse(
      "\uFEFF---\r\n# comment\r\nredactions:\r\n  - start: 1 # c\r\n    end: 2\r\n    category: sensitive\r\n...\r\n",
    );
    expect(m.entries[0]?.pos).toEqual({ file: FILE, line: 4, col: 5 });
    expect(m.entries[0]?.endPos).toEqual({ file: FILE, line: 5, col: 10 });
  });

  it("names entries from 1, as users count", () => {
    expect(entryField(2)).toBe("redactions[2]");
    expect(entryField(2, "end")).toBe("redactions[2].end");
  });
});

describe("errors carry file:line:col, the field and what is expected", () => {
  it("formats the error as the CLI prints it, with exit code 2", () => {
    const e = errorOf(lines("redactions:", "  - start: 1", "    end: 2", "    category: swear"));
    expect(e.code).toBe("E_MANIFEST");
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `${FILE}:4:15: redactions[1].category: unknown category "swear"; use one of sensitive, obscenity ` +
        "(or define it under categories:)",
    );
  });

  it("reports every issue at once, in file order", () => {
    const text = lines(
      "title: [x]", // 1
      "redactions:", // 2
      "  - start: 1,5", // 3
      "    end: 1", // 4
      "    category: swear", // 5
      "  - start: 5", // 6
      "    end: 4", // 7
      "    category: sensitive", // 8
      "    colour: red", // 9
      "tone:", // 10
      "  level: 6", // 11
      "pad: -1", // 12
      "extra: 1", // 13
    );
    expect(issues(text)).toEqual([
      "1:8 title: expected a one-line title, e.g. Call 4, found a list",
      '3:12 redactions[1].start: "1,5" is not a time: use a decimal point, not a comma: "1.5"',
      '5:15 redactions[1].category: unknown category "swear"; use one of sensitive, obscenity (or define it under ' +
        "categories:)",
      "7:10 redactions[2].end: end 0:04.000 is not after start 0:05.000; end must be later than start",
      '9:5 redactions[2].colour: unknown key "colour"; an entry takes start, end, duration, category, note',
      "11:10 tone.level: level is above 0 dBFS (full scale); expected a tone peak in dBFS from -60 to 0, e.g. -18",
      '12:6 pad: "-1" has a minus sign; write a number of 0 or more, without a sign (expected milliseconds of ' +
        "padding, 0 or more, e.g. 50)",
      '13:1 extra: unknown key "extra"; the top level takes recording, transcript, date, title, redactions, categories, tone, pad, formats',
    ]);
  });
});

describe("document-level rules", () => {
  it("refuses a manifest over 1 MiB at 1:1, counting bytes, not characters", () => {
    const big = `redactions: []\n# ${"x".repeat(MAX_MANIFEST_BYTES)}\n`;
    expect(issue(big)).toBe(`1:1 (document): the manifest is ${big.length} bytes; the limit is 1 MiB (1048576 bytes)`);
    const wide = `redactions: []\n# ${"é".repeat(MAX_MANIFEST_BYTES / 2)}\n`; // 2 bytes each in UTF-8
    expect(wide.length).toBeLessThan(MAX_MANIFEST_BYTES);
    expect(issue(wide)).toMatch(/^1:1 \(document\): the manifest is \d+ bytes; the limit is 1 MiB/);
  });

  it("accepts a manifest of exactly 1 MiB", () => {
    const head = "redactions: []\n# ";
    const text = `${head}${"x".repeat(MAX_MANIFEST_BYTES - head.length - 1)}\n`;
    expect(Buffer.byteLength(text)).toBe(MAX_MANIFEST_BYTES);
    expect(parse(text).entries).toEqual([]);
  });

  it.each([
    [
      "",
      "1:1 (document): expected a mapping with at least redactions: (a list of ranges, or [] for none); found an " +
        "empty document",
    ],
    [
      "# only a comment\n",
      "1:1 (document): expected a mapping with at least redactions: (a list of ranges, or [] for none); found an " +
        "empty document",
    ],
    [
      "---\n",
      "1:1 (document): expected a mapping with at least redactions: (a list of ranges, or [] for none); found an " +
        "empty document",
    ],
    [
      "- start: 1\n",
      "1:1 (document): expected a mapping with at least redactions: (a list of ranges, or [] for none); found a list",
    ],
    [
      "\n\nhello\n",
      "3:1 (document): expected a mapping with at least redactions: (a list of ranges, or [] for none); found the " +
        'text "hello"',
    ],
  ])("refuses a document that is not a mapping: %j", (text, expected) => {
    expect(issue(text)).toBe(expected);
  });

  it("requires redactions, as a list", () => {
    expect(issue("title: x\n")).toBe(
      "1:1 redactions: missing redactions:; expected a list of ranges to redact (or [] for none)",
    );
    expect(issue("title: x\nredactions:\n")).toBe(
      "2:1 redactions: expected a list of ranges to redact (or [] for none); found nothing",
    );
    expect(issue("redactions: { start: 1 }\n")).toBe(
      "1:13 redactions: expected a list of ranges to redact (or [] for none); found a mapping",
    );
  });

  it("refuses several YAML documents in one file", () => {
    expect(issue("redactions: []\n---\nredactions: []\n")).toBe(
      "2:1 (document): a manifest is one YAML document; remove this --- and what follows, or merge it into the first",
    );
  });

  it("reports YAML syntax errors at yaml's own position", () => {
    expect(issue('redactions: []\ntitle: "Call 4\n')).toBe(
      '3:1 (document): YAML syntax error: Missing closing "quote; check the indentation and punctuation here',
    );
    expect(issue("redactions: [\n")).toMatch(
      /^2:1 \(document\): YAML syntax error: Flow sequence .* must be sufficiently/,
    );
    expect(issue("redactions: []\nnote: a: b\n")).toBe(
      "2:7 (document): YAML syntax error: Nested mappings are not allowed in compact mappings; if a value contains " +
        '": ", put it in quotes',
    );
  });

  it("refuses tab indentation, at the tab", () => {
    expect(issue("redactions:\n\t- start: 1\n")).toBe(
      "2:1 (document): tabs are not allowed for indentation; indent with spaces",
    );
    expect(issue(lines("redactions:", "  - start: 1", "  \t end: 2", "    category: sensitive"))).toBe(
      "3:3 (document): tabs are not allowed for indentation; indent with spaces",
    );
    expect(issue(lines("tone:", "  level: -18", "  \tramp: 5", "redactions: []"))).toBe(
      "3:3 (document): tabs are not allowed for indentation; indent with spaces",
    );
    expect(issue(lines("redactions:", "  -\tstart: 1", "    end: 2", "    category: sensitive"))).toMatch(
      /^2:4 \(document\): tabs are not allowed for indentation/,
    );
  });

  it("allows tabs that are not indentation: in comments, after a value, inside quoted or block text", () => {
    const m = parse(
      lines(
        "redactions:\t# list",
        "  - start:\t1",
        "    end: 2",
        "    category: sensitive",
        "    note: |",
        "      line",
        "      \tindented with a tab inside the text",
        '  - { start: 3, end: 4, category: sensitive, note: "a\tb" }',
        "\t# a comment line",
      ),
    );
    expect(m.entries.map((e) => e.note)).toEqual(["line\n\tindented with a tab inside the text\n", "a\tb"]);
  });

  it("refuses duplicate keys, naming the first", () => {
    expect(issue("redactions: []\npad: 1\npad: 2\n")).toBe(
      '3:1 pad: duplicate key "pad" (first given at 2:1); give each key once',
    );
    expect(issue(lines("redactions:", "  - start: 1", "    end: 2", "    category: sensitive", "    start: 3"))).toBe(
      '5:5 redactions[1].start: duplicate key "start" (first given at 2:5); give each key once',
    );
    expect(issue("redactions: []\ntone: { ramp: 1, ramp: 2 }\n")).toBe(
      '2:18 tone.ramp: duplicate key "ramp" (first given at 2:9); give each key once',
    );
    expect(
      issue(lines("redactions: []", "categories:", "  music: { frequency: 1 }", "  music: { frequency: 2 }")),
    ).toBe('4:3 categories.music: duplicate key "music" (first given at 3:3); give each key once');
  });

  it("refuses unknown keys everywhere, suggesting near misses", () => {
    expect(issue("redactions: []\nrecordings: x.mp3\n")).toBe(
      '2:1 recordings: unknown key "recordings" (did you mean "recording"?); the top level takes recording, transcript, date, title, ' +
        "redactions, categories, tone, pad, formats",
    );
    expect(issue("redactions: [{ start: 1, durration: 2, duration: 1, category: sensitive }]\n")).toBe(
      '1:26 redactions[1].durration: unknown key "durration" (did you mean "duration"?); an entry takes start, ' +
        "end, duration, category, note",
    );
    expect(issue("redactions: []\ntone: { Level: -20 }\n")).toBe(
      '2:9 tone.Level: unknown key "Level" (did you mean "level"?); tone takes level (dBFS) and ramp (ms)',
    );
    expect(issue("redactions: []\ncategories: { music: { frequency: 1000, hz: 3 } }\n")).toBe(
      '2:41 categories.music.hz: unknown key "hz"; a category takes frequency (Hz) and label',
    );
  });

  it("reads formats: (a per-call override of the site's formats) and locates its mistakes", () => {
    expect(parse("redactions: []\nformats: [opus]\n").formats).toEqual(["opus"]);
    expect(parse("redactions: []\nformats:\n  - opus\n  - mp3\n").formats).toEqual(["mp3", "opus"]);
    expect(parse("redactions: []\n").formats).toBeUndefined();
    expect(issue("redactions: []\nformats: [mp3, wav]\n")).toBe(
      '2:16 formats[2]: unknown format "wav"; expected one of mp3, opus',
    );
    expect(issue("redactions: []\nformats: []\n")).toBe(
      "2:10 formats: is empty; expected a list of web formats, e.g. [mp3, opus]: mp3, opus or both",
    );
  });

  it("refuses merge keys", () => {
    expect(issue("redactions: []\n<<: { pad: 1 }\n")).toBe(
      "2:1 <<: merge keys (<<) are not supported; write the keys out in full",
    );
  });

  it("refuses keys that are not plain names", () => {
    expect(issue("redactions: []\n? [a, b]\n: 1\n")).toBe(
      "2:3 (document): keys must be plain names, found a list; the top level takes recording, transcript, date, title, redactions, " +
        "categories, tone, pad, formats",
    );
  });

  it("refuses tags it does not know", () => {
    expect(issue("redactions: [{ start: 1, end: 2, category: !cat sensitive }]\n")).toBe(
      "1:44 (document): Unresolved tag: !cat; remove it (plain YAML only)",
    );
  });

  it("refuses anchors and aliases outright, at each one", () => {
    const text = lines(
      "redactions:",
      "  - &first { start: 1, end: 2, category: sensitive }",
      "  - *first",
      "pad: &p 5",
    );
    expect(issues(text)).toEqual([
      "2:5 redactions[1]: anchors (&first) are not supported; write the value out in full where it is used",
      "3:5 redactions[2]: aliases (*first) are not supported; write the value out in full",
      "4:6 pad: anchors (&p) are not supported; write the value out in full where it is used",
    ]);
  });

  it("refuses an alias bomb (billion laughs) in milliseconds, without expanding it", () => {
    let text = 'redactions: []\nlol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    for (let i = 1; i <= 12; i++) {
      text += `lol${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(", ")}]\n`;
    } // 9^13 = 2.5e12 strings if expanded
    const t0 = performance.now();
    const e = errorOf(text);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(500);
    expect(e.issues.some((i) => i.message.startsWith("aliases (*l11) are not supported"))).toBe(true);
    expect(e.issues.some((i) => i.message.startsWith("anchors (&l12) are not supported"))).toBe(true);
  });

  it("refuses absurd nesting before the YAML parser can recurse on it", () => {
    const t0 = performance.now();
    expect(issue(`redactions: ${"[".repeat(100000)}${"]".repeat(100000)}\n`)).toBe(
      "1:77 (document): nested more than 64 levels deep with [ ] or { }; a manifest needs 3",
    );
    expect(issue(`redactions: []\ntitle:\n  ${"- ".repeat(200)}x\n`)).toBe(
      "3:1 (document): indented more than 256 columns; a manifest needs a few levels",
    );
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe("redaction entries", () => {
  const entry = (body: string): string => `redactions:\n  - ${body}\n`;

  it("requires start, end or duration, and category, at the entry", () => {
    expect(issues("redactions:\n  - note: x\n")).toEqual([
      "2:5 redactions[1].start: missing start:; each entry needs start:, end: (or duration:) and category:",
      "2:5 redactions[1].end: missing end: (or duration:); each entry needs start:, end: (or duration:) and category:",
      "2:5 redactions[1].category: missing category:; each entry needs start:, end: (or duration:) and category:",
    ]);
  });

  it("refuses both end and duration, at the second", () => {
    expect(issue(entry("{ start: 1, end: 3, duration: 2, category: sensitive }"))).toBe(
      "2:25 redactions[1].duration: give either end: or duration:, not both",
    );
    expect(issue(entry("{ start: 1, duration: 2, end: 3, category: sensitive }"))).toBe(
      "2:30 redactions[1].end: give either end: or duration:, not both",
    );
  });

  it("requires end after start, compared exactly", () => {
    expect(issue(entry("{ start: 1.005, end: 1.0050, category: sensitive }"))).toBe(
      "2:26 redactions[1].end: end 0:01.005 is not after start 0:01.005; end must be later than start",
    );
    expect(issue(entry('{ start: "1:00", end: 59.999, category: sensitive }'))).toBe(
      "2:27 redactions[1].end: end 0:59.999 is not after start 1:00.000; end must be later than start",
    );
    // Exactly one part in 10^20 later is later.
    expect(parse(entry("{ start: 1, end: 1.00000000000000000001, category: sensitive }")).entries).toHaveLength(1);
  });

  it("requires a duration above 0", () => {
    expect(issue(entry("{ start: 1, duration: 0.000, category: sensitive }"))).toBe(
      "2:27 redactions[1].duration: duration must be more than 0",
    );
  });

  it.each([
    [
      "{ start: .nan, end: 2, category: sensitive }",
      '2:14 redactions[1].start: ".nan" is not a number; write a number such as 1.5',
    ],
    [
      "{ start: .inf, end: 2, category: sensitive }",
      '2:14 redactions[1].start: ".inf" is infinite; write a finite number such as 1.5',
    ],
    [
      "{ start: 1, end: .Inf, category: sensitive }",
      '2:22 redactions[1].end: ".Inf" is infinite; write a finite number such as 1.5',
    ],
    [
      "{ start: -1, end: 2, category: sensitive }",
      '2:14 redactions[1].start: "-1" is negative; times cannot be negative',
    ],
    [
      "{ start: -0, end: 2, category: sensitive }",
      '2:14 redactions[1].start: "-0" is negative; times cannot be negative',
    ],
    [
      "{ start: +1, end: 2, category: sensitive }",
      '2:14 redactions[1].start: "+1" has a sign; write it without the +: 1',
    ],
    [
      "{ start: 0x10, end: 20, category: sensitive }",
      '2:14 redactions[1].start: "0x10" is not a decimal number; write it in decimal digits, e.g. 1.5',
    ],
    [
      "{ start: 0o17, end: 20, category: sensitive }",
      '2:14 redactions[1].start: "0o17" is not a decimal number; write it in decimal digits, e.g. 1.5',
    ],
    [
      "{ start: 1, duration: -2, category: sensitive }",
      '2:27 redactions[1].duration: "-2" is negative; times cannot be negative',
    ],
  ])("refuses the number %s", (body, expected) => {
    expect(issue(entry(body))).toBe(
      `${expected} (expected a time: seconds as a number (e.g. 161.25) or a string such as "2:27.350" or ` +
        '"1:02:27.350")',
    );
  });

  it.each([
    [
      '{ start: "1,5", end: 2, category: sensitive }',
      '2:14 redactions[1].start: "1,5" is not a time: use a decimal point, not a comma: "1.5"',
    ],
    [
      '{ start: "99:99", end: 200, category: sensitive }',
      '2:14 redactions[1].start: "99:99" is not a time: seconds must be under 60',
    ],
    [
      '{ start: " 1:00", end: 200, category: sensitive }',
      '2:14 redactions[1].start: " 1:00" is not a time: remove the spaces around it: "1:00"',
    ],
    [
      '{ start: "-1:00", end: 200, category: sensitive }',
      '2:14 redactions[1].start: "-1:00" is not a time: times cannot be negative',
    ],
    [
      "{ start: 1:2:03, end: 9000, category: sensitive }",
      '2:14 redactions[1].start: "1:2:03" is not a time: minutes are two digits when hours are given: "1:02:03"',
    ],
    [
      "{ start: 2m30s, end: 9000, category: sensitive }",
      '2:14 redactions[1].start: "2m30s" is not a time: write seconds',
    ],
  ])("refuses the time %s", (body, expected) => {
    expect(issue(entry(body)).slice(0, expected.length)).toBe(expected);
  });

  it("refuses a plain comma time written without quotes", () => {
    // In flow style `1,5` is two items; in block style it is the text "1,5".
    expect(issue("redactions:\n  - start: 1,5\n    end: 2\n    category: sensitive\n")).toBe(
      '2:12 redactions[1].start: "1,5" is not a time: use a decimal point, not a comma: "1.5"',
    );
  });

  it.each([
    [
      "{ start: true, end: 2, category: sensitive }",
      '2:14 redactions[1].start: expected a time: seconds as a number (e.g. 161.25) or a string such as "2:27.350" ' +
        'or "1:02:27.350", found true',
    ],
    [
      "{ start: [1], end: 2, category: sensitive }",
      '2:14 redactions[1].start: expected a time: seconds as a number (e.g. 161.25) or a string such as "2:27.350" ' +
        'or "1:02:27.350", found a list',
    ],
    [
      "{ start: 1, end: 2, category: [sensitive] }",
      "2:35 redactions[1].category: expected a category name, e.g. sensitive, found a list",
    ],
    [
      "{ start: 1, end: 2, category: sensitive, note: { a: 1 } }",
      "2:52 redactions[1].note: expected a private note (text), found a mapping",
    ],
  ])("refuses the wrong type %s", (body, expected) => {
    expect(issue(entry(body))).toBe(expected);
  });

  it("says a time is empty at its key", () => {
    expect(issue("redactions:\n  - start:\n    end: 2\n    category: sensitive\n")).toBe(
      "2:5 redactions[1].start: is empty; expected a time: seconds as a number (e.g. 161.25) or a string such as " +
        '"2:27.350" or "1:02:27.350"',
    );
  });

  it("refuses entries that are not mappings", () => {
    expect(issues("redactions:\n  -\n  - 5\n")).toEqual([
      '2:3 redactions[1]: expected an entry such as { start: "2:27.350", end: "2:28.900", category: sensitive }; ' +
        "found an empty entry",
      '3:5 redactions[2]: expected an entry such as { start: "2:27.350", end: "2:28.900", category: sensitive }; ' +
        "found the number 5",
    ]);
  });

  it("names unknown categories with the known ones and a near miss", () => {
    expect(
      issue(
        lines(
          "categories:",
          "  music: { frequency: 1000 }",
          "redactions:",
          "  - start: 1",
          "    end: 2",
          "    category: sensitiv",
        ),
      ),
    ).toBe(
      '6:15 redactions[1].category: unknown category "sensitiv" (did you mean "sensitive"?); use one of sensitive, ' +
        "obscenity, music (or define it under categories:)",
    );
  });
});

describe("settings", () => {
  it("checks recording: a plain path relative to recordings/", () => {
    const exp = "; expected a file under recordings/, e.g. call4.mp3";
    expect(issue("redactions: []\nrecording: ../secret.mp3\n")).toBe(
      `2:12 recording: "../secret.mp3" leaves the recordings/ folder (a .. segment)${exp}`,
    );
    expect(issue("redactions: []\nrecording: a/../../b.mp3\n")).toBe(
      `2:12 recording: "a/../../b.mp3" leaves the recordings/ folder (a .. segment)${exp}`,
    );
    expect(issue("redactions: []\nrecording: /etc/passwd\n")).toBe(
      `2:12 recording: "/etc/passwd" is an absolute path${exp}`,
    );
    expect(issue("redactions: []\nrecording: 'C:/x.mp3'\n")).toBe(
      `2:12 recording: "C:/x.mp3" is an absolute path${exp}`,
    );
    expect(issue("redactions: []\nrecording: 'sub\\x.mp3'\n")).toBe(
      `2:12 recording: contains a backslash; separate folders with / ("sub/x.mp3")${exp}`,
    );
    expect(issue("redactions: []\nrecording: sub/\n")).toBe(`2:12 recording: "sub/" names a folder, not a file${exp}`);
    expect(issue("redactions: []\nrecording: ''\n")).toBe(`2:12 recording: is empty${exp}`);
    expect(issue("redactions: []\nrecording:\n")).toBe(
      `2:1 recording: is empty; expected a file under recordings/, e.g. call4.mp3`,
    );
  });

  it("checks title: one line of text", () => {
    expect(parse("redactions: []\ntitle: 1984\n").title).toBe("1984");
    expect(issue('redactions: []\ntitle: "a\\nb"\n')).toBe(
      "2:8 title: must be one line of text without tabs or control characters; expected a one-line title, e.g. Call 4",
    );
    expect(issue("redactions: []\ntitle: ' '\n")).toBe("2:8 title: is blank; expected a one-line title, e.g. Call 4");
  });

  it("checks categories", () => {
    expect(
      issues(
        lines(
          "redactions: []",
          "categories:",
          "  Music: { frequency: 1000 }",
          "  jingle: { label: tune }",
          "  zero: { frequency: 0 }",
          "  neg: { frequency: -440 }",
          "  text: { frequency: '440' }",
          "  huge: { frequency: 1e400 }",
          "  bare:",
          "  list: [1]",
        ),
      ),
    ).toEqual([
      '3:3 categories.Music: category names are plain lower-case words (a-z, 0-9, _ and -, up to 64), e.g. "music"',
      "4:11 categories.jingle.frequency: missing frequency:; write e.g. jingle: { frequency: 1000 }",
      "5:22 categories.zero.frequency: must be above 0 Hz; expected a frequency in Hz, e.g. 1000",
      '6:21 categories.neg.frequency: "-440" has a minus sign; write a number of 0 or more, without a sign ' +
        "(expected a frequency in Hz above 0, e.g. 1000)",
      '7:22 categories.text.frequency: expected a frequency in Hz above 0, e.g. 1000, found the text "440" (write ' +
        "numbers without quotes)",
      "8:22 categories.huge.frequency: is too large; expected a frequency in Hz, e.g. 1000",
      "9:3 categories.bare: expected the category's settings, e.g. bare: { frequency: 1000 }; found nothing",
      "10:9 categories.list: expected the category's settings, e.g. list: { frequency: 1000 }; found a list",
    ]);
    expect(issue("redactions: []\ncategories: [music]\n")).toBe(
      "2:13 categories: expected a mapping of category names to settings, e.g. music: { frequency: 1000 }; found a " +
        "list",
    );
    expect(issue('redactions: []\ncategories: { "my music": { frequency: 1 } }\n')).toBe(
      "2:15 categories.my music: category names are plain lower-case words (a-z, 0-9, _ and -, up to 64), e.g. " +
        '"my-music"',
    );
  });

  it("does not report an entry's category again when its definition is at fault", () => {
    expect(
      issue(
        lines("categories:", "  music: { frequency: 0 }", "redactions:", "  - { start: 1, end: 2, category: music }"),
      ),
    ).toBe("2:23 categories.music.frequency: must be above 0 Hz; expected a frequency in Hz, e.g. 1000");
  });

  it("checks tone", () => {
    const lvl = "expected a tone peak in dBFS from -60 to 0, e.g. -18";
    expect(issue("redactions: []\ntone: { level: 0.5 }\n")).toBe(
      `2:16 tone.level: level is above 0 dBFS (full scale); ${lvl}`,
    );
    expect(issue("redactions: []\ntone: { level: -60.001 }\n")).toBe(
      `2:16 tone.level: level is below -60 dBFS (too quiet to hear); ${lvl}`,
    );
    expect(issue("redactions: []\ntone: { level: -.inf }\n")).toBe(
      `2:16 tone.level: ".inf" is infinite; write a finite number such as 1.5 (${lvl})`,
    );
    expect(issue("redactions: []\ntone: { level: .nan }\n")).toBe(
      `2:16 tone.level: ".nan" is not a number; write a number such as 1.5 (${lvl})`,
    );
    expect(issue("redactions: []\ntone: { level: '-18' }\n")).toBe(
      `2:16 tone.level: ${lvl}, found the text "-18" (write numbers without quotes)`,
    );
    expect(issue("redactions: []\ntone: { ramp: -1 }\n")).toBe(
      '2:15 tone.ramp: "-1" has a minus sign; write a number of 0 or more, without a sign (expected a fade length ' +
        "in ms, 0 or more, e.g. 5)",
    );
    expect(issue("redactions: []\ntone: { ramp: .inf }\n")).toBe(
      '2:15 tone.ramp: ".inf" is infinite; write a finite number such as 1.5 (expected a fade length in ms, 0 or ' +
        "more, e.g. 5)",
    );
    expect(issue("redactions: []\ntone: -18\n")).toBe(
      "2:7 tone: expected tone settings, e.g. { level: -18, ramp: 5 }; found the number -18",
    );
  });

  it("checks pad", () => {
    expect(issue("redactions: []\npad: .nan\n")).toBe(
      '2:6 pad: ".nan" is not a number; write a number such as 1.5 (expected milliseconds of padding, 0 or more, ' +
        "e.g. 50)",
    );
    expect(issue("redactions: []\npad: 50ms\n")).toBe(
      '2:6 pad: expected milliseconds of padding, 0 or more, e.g. 50, found the text "50ms" (write numbers without ' +
        "quotes)",
    );
  });
});

describe("text that ends up on the published pages", () => {
  it("refuses a bidi override or isolate in a title or a label, naming the character", () => {
    expect(issue(lines('title: "Call 4 \u202Egnp.exe"', "redactions: []"))).toBe(
      "1:8 title: holds the invisible direction control U+202E, which would turn the text around it on the " +
        "published pages; remove it",
    );
    expect(issue(lines("categories:", '  music: { frequency: 1000, label: "a \u2066b" }', "redactions: []"))).toMatch(
      /^2:36 categories\.music\.label: holds the invisible direction control U\+2066/,
    );
  });

  it("keeps right-to-left text without controls", () => {
    expect(parseManifest(lines('title: "مكالمة ٤"', "redactions: []"), { file: FILE, call: "call4" }).title).toBe(
      "مكالمة ٤",
    );
  });

  it("bounds titles and labels at 200 characters", () => {
    expect(
      parseManifest(lines(`title: ${"t".repeat(200)}`, "redactions: []"), { file: FILE, call: "c" }).title,
    ).toHaveLength(200);
    expect(issue(lines(`title: ${"t".repeat(900_000)}`, "redactions: []"))).toBe(
      "1:8 title: is 900000 characters long; keep it to 200 (expected a one-line title, e.g. Call 4)",
    );
  });
});

describe("transcript: and date:", () => {
  const parse = (text: string) => parseManifest(text, { file: "redactions/c.yaml", call: "c" });
  const problems = (text: string): string[] => {
    try {
      parse(text);
    } catch (e) {
      if (e instanceof ManifestError) return e.issues.map((i) => `${i.pos.line}:${i.pos.col} ${i.field}: ${i.message}`);
      throw e;
    }
    throw new Error("expected a ManifestError");
  };

  it("reads a file under transcripts/ and a day, or a day and time with its zone", () => {
    const m = parse("transcript: calls/c.whisperx.json\ndate: 2024-02-29\nredactions: []\n");
    expect(m.transcript?.path).toBe("calls/c.whisperx.json");
    expect(m.date).toBe("2024-02-29");
    expect(parse("date: 2024-03-01T14:05:00+01:00\nredactions: []\n").date).toBe("2024-03-01T14:05:00+01:00");
  });

  it("refuses paths that leave transcripts/, and dates that are not days of the calendar", () => {
    expect(problems("transcript: /etc/passwd\ndate: 2023-02-29\nredactions: []\n")).toEqual([
      '1:13 transcript: "/etc/passwd" is an absolute path; expected a file under transcripts/, e.g. c.srt',
      '2:7 date: "2023-02-29" is not a day of the calendar; expected a date such as 2024-03-01, or a date and time with its zone such as 2024-03-01T14:05:00Z',
    ]);
    expect(problems("transcript: a/../../b.srt\nredactions: []\n")[0]).toContain("leaves the transcripts/ folder");
    expect(problems("date: 2024-03-01T14:05\nredactions: []\n")[0]).toContain('"2024-03-01T14:05" is not a date');
    expect(problems("date: 1 March\nredactions: []\n")[0]).toContain("is not a date");
  });
});
