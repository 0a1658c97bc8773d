/**
 * The YAML field reader shared by every settings file (yaml-fields.ts), on its own: a small mapping
 * read with each field reader, every value and every issue at its exact line and column.
 */

import { expect, describe as group, it } from "vitest";
import { isMap } from "yaml";
import { ManifestError } from "../../src/errors.ts";
import {
  describe,
  expectMap,
  type Field,
  MAX_MANIFEST_BYTES,
  readLine,
  readList,
  readMap,
  readNumber,
  readParagraph,
  readText,
  readYamlDocument,
  type YamlContext,
  type YamlFileKind,
} from "../../src/manifest/yaml-fields.ts";

const FILE = "t.yaml";
const KIND: YamlFileKind = { name: "test file", flowDepthNeeded: 2 };
const KEYS = ["name", "year", "count", "level", "empty", "list", "note", "text", "nested"];

const SAMPLE = [
  "name: Call 4", //                    1
  "year: 2024", //                      2
  "count: 1.005", //                    3
  "level: -18.50", //                   4
  "empty:", //                          5
  "list: [mp3, 5, opus]", //            6
  'note: "two\\nlines"', //             7
  "text: '12'", //                      8
  "nested: { a: 1 }", //                9
  "",
].join("\n");

/** Every issue as `line:col field: message`. */
const said = (ctx: YamlContext): string[] =>
  ctx.issues().map((i) => `${i.pos.line}:${i.pos.col} ${i.field}: ${i.message}`);

/** The sample's fields, read with the allowed keys. */
const read = (text = SAMPLE) => {
  const { ctx, contents } = readYamlDocument(text, FILE, KIND);
  if (!isMap(contents)) throw new Error("expected a mapping");
  const fields = readMap(ctx, contents, "", KEYS, `a test file takes ${KEYS.join(", ")}`);
  const field = (key: string): Field => {
    const f = fields.get(key);
    if (!f) throw new Error(`no ${key}`);
    return f;
  };
  return { ctx, fields, field };
};

/** The issues a whole file raises before any field is read. */
const refused = (text: string): string[] => {
  try {
    const { ctx } = readYamlDocument(text, FILE, KIND);
    ctx.throwIfAny();
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    expect(e.exitCode).toBe(2);
    return e.issues.map((i) => `${i.pos.line}:${i.pos.col} ${i.field}: ${i.message}`);
  }
  throw new Error("expected a ManifestError");
};

group("a mapping's keys", () => {
  it("are returned in the order written, each with its path and the position of its key", () => {
    const { ctx, fields } = read();
    expect(said(ctx)).toEqual([]);
    expect([...fields.keys()]).toEqual(KEYS);
    expect([...fields.values()].map((f) => [f.path, ctx.pos(f.keyOffset).line, ctx.pos(f.keyOffset).col])).toEqual(
      KEYS.map((k, i) => [k, i + 1, 1]),
    );
  });

  it("refuses duplicate keys (with both places), unknown keys (with a near miss), merge keys and keys that are not names", () => {
    const { ctx } = read("name: a\nyeer: b\nname: c\n<<: { a: 1 }\n? [x]\n: 1\n");
    expect(said(ctx)).toEqual([
      `2:1 yeer: unknown key "yeer" (did you mean "year"?); a test file takes ${KEYS.join(", ")}`,
      '3:1 name: duplicate key "name" (first given at 1:1); give each key once',
      "4:1 <<: merge keys (<<) are not supported; write the keys out in full",
      `5:3 (document): keys must be plain names, found a list; a test file takes ${KEYS.join(", ")}`,
    ]);
  });

  it("names nested fields by their path, and takes any key when no list is given", () => {
    const { ctx, field } = read();
    const map = expectMap(ctx, field("nested"), "a mapping");
    if (!map) throw new Error("expected a mapping");
    const inner = readMap(ctx, map, "nested", undefined, "");
    expect(inner.get("a")?.path).toBe("nested.a");
    expect(ctx.pos(inner.get("a")?.keyOffset ?? -1)).toEqual({ file: FILE, line: 9, col: 11 });
    expect(expectMap(ctx, field("list"), "settings, e.g. { a: 1 }")).toBeUndefined();
    expect(said(ctx)).toEqual(["6:7 list: expected settings, e.g. { a: 1 }; found a list"]);
  });
});

group("field readers", () => {
  it("readText: strings as they are, numbers as written; an empty value at its key; not a list", () => {
    const { ctx, field } = read();
    expect(readText(ctx, field("name"), "a name")).toBe("Call 4");
    expect(readText(ctx, field("year"), "a name")).toBe("2024");
    expect(readText(ctx, field("count"), "a name")).toBe("1.005");
    expect(readText(ctx, field("empty"), "a name")).toBeUndefined();
    expect(readText(ctx, field("list"), "a name")).toBeUndefined();
    expect(said(ctx)).toEqual(["5:1 empty: is empty; expected a name", "6:7 list: expected a name, found a list"]);
  });

  it("readLine: one line, not blank, no control or direction characters, at most the given length", () => {
    const { ctx, field } = read(
      ["name: Call 4", "year: '  '", 'count: "a\\tb"', 'level: "x\\u202Ey"', "list: abcdef", 'note: "a\\nb"', ""].join(
        "\n",
      ),
    );
    const line = (key: string) => readLine(ctx, field(key), "a title", 5);
    expect(line("name")).toBeUndefined(); // 6 characters
    expect(["year", "count", "level", "list", "note"].map(line)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(said(ctx)).toEqual([
      "1:7 name: is 6 characters long; keep it to 5 (expected a title)",
      "2:7 year: is blank; expected a title",
      "3:8 count: must be one line of text without tabs or control characters; expected a title",
      "4:8 level: holds the invisible direction control U+202E, which would turn the text around it on the published " +
        "pages; remove it",
      "5:7 list: is 6 characters long; keep it to 5 (expected a title)",
      "6:7 note: must be one line of text without tabs or control characters; expected a title",
    ]);
    const ok = read();
    expect(readLine(ok.ctx, ok.field("name"), "a title", 6)).toBe("Call 4");
  });

  it("readParagraph: as readLine, with line breaks allowed", () => {
    const { ctx, field } = read();
    expect(readParagraph(ctx, field("note"), "a paragraph", 100)).toBe("two\nlines");
    const tab = read('note: "a\\tb"\n');
    expect(readParagraph(tab.ctx, tab.field("note"), "a paragraph", 100)).toBeUndefined();
    expect(said(tab.ctx)).toEqual(["1:7 note: must be text without tabs or control characters; expected a paragraph"]);
  });

  it("readNumber: exact from the source text, a sign only when asked for, never a quoted number", () => {
    const { ctx, field } = read();
    expect(readNumber(ctx, field("count"), "a number")).toEqual({ value: { num: 201n, den: 200n }, negative: false });
    expect(readNumber(ctx, field("level"), "a level", true)).toEqual({ value: { num: 37n, den: 2n }, negative: true });
    expect(readNumber(ctx, field("level"), "a count")).toBeUndefined();
    expect(readNumber(ctx, field("text"), "a count")).toBeUndefined();
    expect(readNumber(ctx, field("empty"), "a count")).toBeUndefined();
    expect(said(ctx)).toEqual([
      '4:8 level: "-18.50" has a minus sign; write a number of 0 or more, without a sign (expected a count)',
      "5:1 empty: is empty; expected a count",
      '8:7 text: expected a count, found the text "12" (write numbers without quotes)',
    ]);
  });

  it("readList: items named from 1 and located at each item; not empty; a hint when given text", () => {
    const { ctx, field } = read();
    const items = readList(ctx, field("list"), "a list of formats");
    expect(items?.map((f) => [f.path, ctx.pos(ctx.at(f)).col, describe(f.node)])).toEqual([
      ["list[1]", 8, 'the text "mp3"'],
      ["list[2]", 13, "the number 5"],
      ["list[3]", 16, 'the text "opus"'],
    ]);
    const bad = read("list: []\nname: mp3\nempty:\n");
    expect(readList(bad.ctx, bad.field("list"), "a list")).toBeUndefined();
    expect(readList(bad.ctx, bad.field("name"), "a list", " (put it in [ ])")).toBeUndefined();
    expect(readList(bad.ctx, bad.field("empty"), "a list")).toBeUndefined();
    expect(said(bad.ctx)).toEqual([
      "1:7 list: is empty; expected a list",
      '2:7 name: expected a list, found the text "mp3" (put it in [ ])',
      "3:1 empty: is empty; expected a list",
    ]);
  });

  it("describes what it found in the words of the messages", () => {
    const { field } = read();
    expect(["name", "year", "empty", "list", "nested"].map((k) => describe(field(k).node))).toEqual([
      'the text "Call 4"',
      "the number 2024",
      "nothing",
      "a list",
      "a mapping",
    ]);
    expect(describe(null)).toBe("nothing");
  });

  it("issues come out in file order, whatever order they were found in", () => {
    const { ctx, field } = read();
    readText(ctx, field("list"), "text");
    readText(ctx, field("empty"), "text");
    ctx.add(0, "(document)", "first");
    expect(said(ctx).map((s) => s.split(" ")[0])).toEqual(["1:1", "5:1", "6:7"]);
    expect(() => ctx.throwIfAny()).toThrow(ManifestError);
    try {
      ctx.throwIfAny();
    } catch (e) {
      expect((e as ManifestError).message.split("\n")[0]).toBe(`${FILE}:1:1: (document): first`);
      expect((e as ManifestError).issues).toHaveLength(3);
    }
  });
});

group("the document", () => {
  it("refuses a file over 1 MiB at 1:1, naming the kind of file", () => {
    const big = `name: x\n# ${"x".repeat(MAX_MANIFEST_BYTES)}\n`;
    expect(refused(big)).toEqual([
      `1:1 (document): the test file is ${big.length} bytes; the limit is 1 MiB (1048576 bytes)`,
    ]);
  });

  it("does not count a BOM as a column", () => {
    const { ctx, field } = read("\uFEFFname: [x]\n");
    readText(ctx, field("name"), "text");
    expect(said(ctx)).toEqual(["1:7 name: expected text, found a list"]);
  });

  it("refuses nesting and indentation no settings file needs, before the YAML parser recurses on it", () => {
    const t0 = performance.now();
    for (const depth of [65, 1000, 100_000]) {
      expect(refused(`name: ${"{".repeat(depth)}${"}".repeat(depth)}\n`)).toEqual([
        "1:71 (document): nested more than 64 levels deep with [ ] or { }; a test file needs 2",
      ]);
    }
    expect(refused(`name:\n${" ".repeat(257)}x\n`)).toEqual([
      "2:1 (document): indented more than 256 columns; a test file needs a few levels",
    ]);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(read(`name: ${"[".repeat(64)}${"]".repeat(64)}\n`).ctx.count).toBe(0);
  });

  it("reports tab indentation alone, at the tab; and syntax errors with where to look", () => {
    expect(refused("name: x\n  \tyear: 1\nlist: [\n")).toEqual([
      "2:3 (document): tabs are not allowed for indentation; indent with spaces",
    ]);
    expect(refused('name: "x\n')).toEqual([
      '2:1 (document): YAML syntax error: Missing closing "quote; check the indentation and punctuation here',
    ]);
    expect(refused("name: a: b\n")).toEqual([
      "1:7 (document): YAML syntax error: Nested mappings are not allowed in compact mappings; if a value contains " +
        '": ", put it in quotes',
    ]);
  });

  it("records a second document, unknown tags, anchors and aliases (with their paths) without expanding them", () => {
    const { ctx } = readYamlDocument("name: &a x\nlist: [*a]\ntext: !t y\n---\nname: z\n", FILE, KIND);
    expect(said(ctx)).toEqual([
      "1:7 name: anchors (&a) are not supported; write the value out in full where it is used",
      "2:8 list[1]: aliases (*a) are not supported; write the value out in full",
      "3:7 (document): Unresolved tag: !t; remove it (plain YAML only)",
      "4:1 (document): a test file is one YAML document; remove this --- and what follows, or merge it into the first",
    ]);
  });

  it("returns null contents for an empty file or one of comments only", () => {
    for (const text of ["", "# nothing\n", "---\n"]) {
      const { ctx, contents } = readYamlDocument(text, FILE, KIND);
      expect(ctx.count).toBe(0);
      expect(describe(contents)).toBe("nothing");
    }
  });
});
