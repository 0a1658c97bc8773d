import { describe, expect, it } from "vitest";
import { appendEntries, editEntries, type NewEntry } from "../../src/manifest/edit.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { exact } from "../../src/manifest/time.ts";

const parse = (text: string) => parseManifest(text, { file: "redactions/t.yaml", call: "t" });
const A: NewEntry = {
  start: exact(411n, 100n),
  end: exact(545n, 100n),
  category: "sensitive",
  comment: "from l.txt:1",
};
const B: NewEntry = { start: exact(20001n, 20000n), end: exact(2n), category: "obscenity", note: 'says "hi"' };

describe("appendEntries", () => {
  it("appends after the last entry of a block list, keeping every byte of the rest", () => {
    const before = [
      "# my call",
      "title: Call 4   # the tag",
      "redactions:",
      "    # first",
      "    - start: 1.0000000000000000001e1  # exact",
      "      end: '0:11'",
      "      category: sensitive",
      "",
      "# settings",
      "tone: { level: -18 }",
      "",
    ].join("\n");
    const after = appendEntries(before, [A, B]);
    // Everything up to the last entry's line, and everything after it, is unchanged.
    const split = before.indexOf("\n\n# settings") + 1;
    expect(after.startsWith(before.slice(0, split))).toBe(true);
    expect(after.endsWith(before.slice(split))).toBe(true);
    expect(after).toContain(
      [
        "      category: sensitive",
        "    # from l.txt:1",
        '    - start: "0:04.110"',
        '      end: "0:05.450"',
        "      category: sensitive",
        '    - start: "0:01.00005"',
        '      end: "0:02.000"',
        "      category: obscenity",
        '      note: "says \\"hi\\""',
        "",
        "# settings",
      ].join("\n"),
    );
    const m = parse(after);
    expect(m.entries.map((e) => [e.start, e.end, e.category, e.note])).toEqual([
      [exact(10n ** 19n + 1n, 10n ** 18n), exact(11n), "sensitive", undefined],
      [A.start, A.end, "sensitive", undefined],
      [B.start, B.end, "obscenity", 'says "hi"'],
    ]);
    expect(m.title).toBe("Call 4");
  });

  it("turns an empty [] into a block list, keeping the line's comment, and CRLF line ends", () => {
    const after = appendEntries("redactions: []  # none yet\r\npad: 5\r\n", [A]);
    expect(after).toBe(
      'redactions:  # none yet\r\n  # from l.txt:1\r\n  - start: "0:04.110"\r\n    end: "0:05.450"\r\n    category: sensitive\r\npad: 5\r\n',
    );
    expect(parse(after).entries).toHaveLength(1);
  });

  it("adds to a flow list with entries, and to a list at the end of a file without a newline", () => {
    const flow = appendEntries("redactions: [ { start: 1, end: 2, category: sensitive } ] # c\n", [B]);
    expect(flow).toBe(
      'redactions: [ { start: 1, end: 2, category: sensitive }, { start: "0:01.00005", end: "0:02.000", category: obscenity, note: "says \\"hi\\"" } ] # c\n',
    );
    expect(parse(flow).entries).toHaveLength(2);
    const noNewline = appendEntries("redactions:\n- { start: 1, end: 2, category: sensitive }", [A]);
    expect(noNewline).toBe(
      'redactions:\n- { start: 1, end: 2, category: sensitive }\n# from l.txt:1\n- start: "0:04.110"\n  end: "0:05.450"\n  category: sensitive\n',
    );
    expect(parse(noNewline).entries).toHaveLength(2);
  });

  it("keeps a block scalar note of the last entry whole", () => {
    const text =
      "redactions:\n  - start: 1\n    end: 2\n    category: sensitive\n    note: |\n      line one\n      line two\n";
    const m = parse(appendEntries(text, [A]));
    expect(m.entries.map((e) => e.note)).toEqual(["line one\nline two\n", undefined]);
  });

  it("quotes a category that YAML would read as something else", () => {
    const text = "categories:\n  'no': { frequency: 1000 }\nredactions: []\n";
    const after = appendEntries(text, [{ ...A, category: "no" }]);
    expect(after).toContain('category: "no"');
    expect(parse(after).entries[0]?.category).toBe("no");
  });
});

describe("editEntries", () => {
  const CALL = [
    "# yaml-language-server: $schema=../schema/manifest.schema.json",
    "title: Call 4   # the tag",
    "redactions:",
    "  # first: a name",
    '  - start: "0:04.110"',
    "    end: 5.45",
    "    category: sensitive",
    '    note: "partner\'s name"',
    "",
    "  # second",
    "  - start: 9.092",
    "    duration: 1.34",
    "    category: 'obscenity'",
    "  - { start: '12.5', end: 13, category: sensitive }",
    "",
    "# settings",
    "tone: { level: -18 }",
    "",
  ].join("\n");

  it("changes only the values asked for, each written as the old one was", () => {
    const after = editEntries(CALL, [
      { number: 1, end: exact(5451n, 1000n) },
      { number: 2, category: "sensitive" },
      { number: 3, start: exact(121n, 10n) },
    ]);
    expect(after).toBe(
      CALL.replace("end: 5.45", "end: 5.451")
        .replace("category: 'obscenity'", "category: 'sensitive'")
        .replace("start: '12.5'", "start: '12.100'"),
    );
    expect(parse(after).entries.map((e) => [e.start, e.end])).toEqual([
      [exact(411n, 100n), exact(5451n, 1000n)],
      [exact(9092n, 1000n), exact(10432n, 1000n)],
      [exact(121n, 10n), exact(13n)],
    ]);
  });

  it("keeps an entry's end when its start moves and it is written with duration:", () => {
    const after = editEntries(CALL, [{ number: 2, start: exact(9n) }]);
    expect(after).toBe(CALL.replace("start: 9.092", "start: 9.000").replace("duration: 1.34", "duration: 1.432"));
    expect(parse(after).entries[1]?.end).toEqual(exact(10432n, 1000n));
    const clock = editEntries(CALL, [{ number: 1, start: exact(4n), end: exact(6n) }]);
    expect(clock).toContain('  - start: "0:04.000"\n    end: 6.000\n');
  });

  it("adds, changes and removes a note, in a block and in a flow mapping", () => {
    const changed = editEntries(CALL, [{ number: 1, note: "line\nbreak" }]);
    expect(changed).toBe(CALL.replace('note: "partner\'s name"', 'note: "line break"'));
    const removed = editEntries(CALL, [{ number: 1, note: null }]);
    expect(removed).toBe(CALL.replace('    note: "partner\'s name"\n', ""));
    const added = editEntries(CALL, [
      { number: 2, note: "a 'note'" },
      { number: 3, note: "x" },
    ]);
    expect(added).toBe(
      CALL.replace("    category: 'obscenity'\n", "    category: 'obscenity'\n    note: \"a 'note'\"\n").replace(
        "category: sensitive }",
        'category: sensitive, note: "x" }',
      ),
    );
    expect(parse(added).entries.map((e) => e.note)).toEqual(["partner's name", "a 'note'", "x"]);
    const flowRemoved = editEntries(added, [{ number: 3, note: "" }]);
    expect(flowRemoved).toBe(added.replace(', note: "x"', ""));
  });

  it("removes entries with their own comment lines, and nothing else", () => {
    expect(editEntries(CALL, [], [2])).toBe(
      CALL.replace("  # second\n  - start: 9.092\n    duration: 1.34\n    category: 'obscenity'\n", ""),
    );
    expect(editEntries(CALL, [], [1])).toBe(
      CALL.replace(
        '  # first: a name\n  - start: "0:04.110"\n    end: 5.45\n    category: sensitive\n    note: "partner\'s name"\n',
        "",
      ),
    );
    const all = editEntries(CALL, [], [1, 2, 3]);
    expect(all).toBe(
      "# yaml-language-server: $schema=../schema/manifest.schema.json\ntitle: Call 4   # the tag\nredactions: []\n\n\n# settings\ntone: { level: -18 }\n",
    );
    expect(parse(all).entries).toEqual([]);
    // And then appended to.
    expect(parse(appendEntries(all, [A])).entries).toHaveLength(1);
  });

  it("removes from a flow list, any run of entries", () => {
    const flow =
      "redactions: [ { start: 1, end: 2, category: sensitive }, { start: 3, end: 4, category: sensitive }, { start: 5, end: 6, category: obscenity } ]  # c\n";
    const starts = (t: string) => parse(t).entries.map((e) => Number(e.start.num / e.start.den));
    expect(starts(editEntries(flow, [], [1]))).toEqual([3, 5]);
    expect(editEntries(flow, [], [2])).toBe(flow.replace(", { start: 3, end: 4, category: sensitive }", ""));
    expect(starts(editEntries(flow, [], [2, 3]))).toEqual([1]);
    expect(starts(editEntries(flow, [], [1, 2]))).toEqual([5]);
    expect(editEntries(flow, [], [1, 2, 3])).toBe("redactions: [  ]  # c\n");
    expect(parse(editEntries(flow, [], [1, 2, 3])).entries).toEqual([]);
  });

  it("keeps CRLF line ends, and a block scalar note's neighbours", () => {
    const crlf = "redactions:\r\n  - start: 1\r\n    end: 2\r\n    category: sensitive\r\npad: 5\r\n";
    expect(editEntries(crlf, [{ number: 1, note: "n" }])).toBe(
      crlf.replace("sensitive\r\n", 'sensitive\r\n    note: "n"\r\n'),
    );
    const block =
      "redactions:\n  - start: 1\n    end: 2\n    note: |\n      two\n      lines\n    category: sensitive\npad: 5\n";
    const replaced = editEntries(block, [{ number: 1, note: "one" }]);
    expect(replaced).toBe('redactions:\n  - start: 1\n    end: 2\n    note: "one"\n    category: sensitive\npad: 5\n');
    expect(editEntries(block, [{ number: 1, note: null }])).toBe(
      "redactions:\n  - start: 1\n    end: 2\n    category: sensitive\npad: 5\n",
    );
  });

  it("removes a note written first, right after the dash", () => {
    const text = "redactions:\n  - note: n\n    start: 1\n    end: 2\n    category: sensitive\n";
    const after = editEntries(text, [{ number: 1, note: null }]);
    expect(after).toBe("redactions:\n  - start: 1\n    end: 2\n    category: sensitive\n");
  });
});
