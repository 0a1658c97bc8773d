import { describe, expect, it } from "vitest";
import { appendEntries, type NewEntry } from "../../src/manifest/edit.ts";
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
