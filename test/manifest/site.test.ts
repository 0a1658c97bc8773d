import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.ts";
import { parseFormatsText } from "../../src/manifest/formats.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { DEFAULT_SITE, parseSiteSettings } from "../../src/manifest/site.ts";

const FILE = "redactions/site.yaml";

/** The formatted issues of a settings file that must be refused. */
function issues(text: string): string[] {
  try {
    parseSiteSettings(text, FILE);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    expect(err.exitCode).toBe(2);
    return err.message.split("\n");
  }
  throw new Error("expected a ManifestError");
}

describe("site settings", () => {
  it("reads every setting", () => {
    const s = parseSiteSettings(
      [
        "# comment",
        'title: "Scam calls: the collection"',
        "description: |",
        "  First paragraph.",
        "",
        "  Second paragraph.",
        "artist: Jane Doe",
        "album: 2024", // a YAML number, kept as written
        "formats: [opus]",
        "",
      ].join("\n"),
      FILE,
    );
    expect(s).toEqual({
      file: FILE,
      title: "Scam calls: the collection",
      description: "First paragraph.\n\nSecond paragraph.",
      artist: "Jane Doe",
      album: "2024",
      formats: ["opus"],
    });
  });

  it("uses the defaults for what is left out, and for a file of comments only", () => {
    expect(parseSiteSettings("artist: X\n", FILE)).toEqual({ ...DEFAULT_SITE, file: FILE, artist: "X" });
    expect(parseSiteSettings("# nothing yet\n", FILE)).toEqual({ ...DEFAULT_SITE, file: FILE });
    expect(DEFAULT_SITE.formats).toEqual(["mp3"]);
  });

  it("keeps formats in canonical order whatever order they are written in", () => {
    expect(parseSiteSettings("formats:\n  - opus\n  - mp3\n", FILE).formats).toEqual(["mp3", "opus"]);
  });

  it("lists every problem at once, each at file:line:col with the field, what is wrong and what is right", () => {
    expect(
      issues(
        [
          "title: ", //                 1: empty
          "artsit: Jane", //            2: unknown, near miss
          "album: [a, b]", //           3: a list
          "formats: [mp3, ogg, mp3]", // 4: unknown format, duplicate
          "title: again", //            5: duplicate key
        ].join("\n"),
      ),
    ).toEqual([
      `${FILE}:1:1: title: is empty; expected a one-line title for the index page, e.g. "Windows support scam calls"`,
      `${FILE}:2:1: artsit: unknown key "artsit" (did you mean "artist"?); site settings take title, description, artist, album, formats, url`,
      `${FILE}:3:8: album: expected a one-line album tag for the audio files, e.g. "Scam calls", found a list`,
      `${FILE}:4:16: formats[2]: unknown format "ogg"; expected one of mp3, opus`,
      `${FILE}:4:21: formats[3]: "mp3" is already item 1; list each format once`,
      `${FILE}:5:1: title: duplicate key "title" (first given at 1:1); give each key once`,
    ]);
  });

  it("refuses an empty formats list, a bare word, capitals, and text with control characters", () => {
    expect(issues("formats: []\n")).toEqual([
      `${FILE}:1:10: formats: is empty; expected a list of web formats, e.g. [mp3, opus]: mp3, opus or both`,
    ]);
    expect(issues("formats: mp3\n")[0]).toContain(`${FILE}:1:10: formats: expected a list of web formats`);
    expect(issues("formats: [MP3]\n")).toEqual([
      `${FILE}:1:11: formats[1]: unknown format "MP3" (write it "mp3"); expected one of mp3, opus`,
    ]);
    expect(issues('artist: "a\\tb"\n')[0]).toMatch(
      /^redactions\/site\.yaml:1:9: artist: must be one line of text without tabs or control characters/,
    );
  });

  it("refuses what a manifest refuses: tabs, aliases, a second document, a list at the top", () => {
    expect(issues("title: x\n\tartist: y\n")[0]).toMatch(
      /^redactions\/site\.yaml:2:1: \(document\): tabs are not allowed/,
    );
    expect(issues("title: &t x\nalbum: *t\n").join("\n")).toMatch(/anchors \(&t\) are not supported[\s\S]*aliases/);
    expect(issues("title: x\n---\ntitle: y\n")[0]).toContain("one YAML document");
    expect(issues("- title\n")[0]).toContain("expected a mapping of settings");
  });
});

describe("the site's address (url:)", () => {
  it("is an http or https folder: a missing final / is added", () => {
    expect(parseSiteSettings("url: https://example.org/calls\n", FILE).url).toBe("https://example.org/calls/");
    expect(parseSiteSettings("url: http://EXAMPLE.org\n", FILE).url).toBe("http://example.org/");
  });

  it("refuses another scheme, a user name, a query, a fragment, and what is no address", () => {
    expect(issues(["url: ftp://example.org/"].join("\n"))).toEqual([
      `${FILE}:1:6: url: "ftp://example.org/" is a ftp: address; the site's address starts with https:// (or http://); expected the address the site is published at, e.g. https://example.org/calls/`,
    ]);
    for (const [url, why] of [
      ["https://me:pw@example.org/", "holds a user name or password"],
      ["https://example.org/?x=1", "has a query"],
      ["https://example.org/#top", "has a fragment"],
      ["example.org/calls", "is not an address"],
    ]) {
      expect(issues(`url: ${url}\n`)[0]).toContain(why);
    }
  });
});

describe("site settings read by the manifest's YAML reader", () => {
  const deep = (open: string, close: string, depth: number) => `title: ${open.repeat(depth)}${close.repeat(depth)}\n`;

  it("refuses nesting 1,000 and 20,000 deep at once, located, without a stack, however many times", () => {
    for (const depth of [1000, 20_000]) {
      for (const [open, close] of [
        ["[", "]"],
        ["{", "}"],
      ] as const) {
        for (let run = 0; run < 5; run++) {
          const t0 = performance.now();
          const said = issues(deep(open, close, depth));
          expect(performance.now() - t0).toBeLessThan(250);
          expect(said).toEqual([
            `${FILE}:1:72: (document): nested more than 64 levels deep with [ ] or { }; a site settings file needs 1`,
          ]);
        }
      }
    }
  });

  it("refuses indentation wider than a settings file needs", () => {
    expect(issues(`title:\n${" ".repeat(300)}x\n`)).toEqual([
      `${FILE}:2:1: (document): indented more than 256 columns; a site settings file needs a few levels`,
    ]);
  });

  it("says of tab indentation what it says in a manifest, and only that", () => {
    const manifestSays = (text: string): string[] => {
      try {
        parseManifest(text, { file: FILE, call: "c" });
      } catch (e) {
        if (e instanceof ManifestError) return e.message.split("\n");
      }
      throw new Error("expected a ManifestError");
    };
    for (const text of [
      "title: x\n \tartist: y\n",
      "title: x\n\tartist: y\nalbum: [\n",
      "formats:\n  - mp3\n  \t- opus\n",
    ]) {
      expect(issues(text)).toEqual(manifestSays(text));
      expect(
        issues(text).every((i) => i.endsWith("(document): tabs are not allowed for indentation; indent with spaces")),
      ).toBe(true);
    }
    expect(issues("title: x\n \tartist: y\n")).toEqual([
      `${FILE}:2:2: (document): tabs are not allowed for indentation; indent with spaces`,
    ]);
  });

  it("words every other YAML mistake as a manifest does", () => {
    expect(issues("title: x\n---\ntitle: y\n")).toEqual([
      `${FILE}:2:1: (document): a site settings file is one YAML document; remove this --- and what follows, or merge it into the first`,
    ]);
    expect(issues("title: &t x\nalbum: *t\n")).toEqual([
      `${FILE}:1:8: title: anchors (&t) are not supported; write the value out in full where it is used`,
      `${FILE}:2:8: album: aliases (*t) are not supported; write the value out in full`,
    ]);
    expect(issues("title: !x y\n")).toEqual([
      `${FILE}:1:8: (document): Unresolved tag: !x; remove it (plain YAML only)`,
    ]);
    expect(issues("<<: { title: x }\n")).toEqual([
      `${FILE}:1:1: <<: merge keys (<<) are not supported; write the keys out in full`,
    ]);
    expect(issues("title: a: b\n")).toEqual([
      `${FILE}:1:8: (document): YAML syntax error: Nested mappings are not allowed in compact mappings; if a value contains ": ", put it in quotes`,
    ]);
    expect(issues(`title: ${"t".repeat(201)}\n`)).toEqual([
      `${FILE}:1:8: title: is 201 characters long; keep it to 200 (expected a one-line title for the index page, e.g. "Windows support scam calls")`,
    ]);
    expect(issues("2024\n")).toEqual([
      `${FILE}:1:1: (document): expected a mapping of settings (title, description, artist, album, formats, url); found the number 2024`,
    ]);
  });
});

describe("--formats", () => {
  it("reads a comma-separated list into canonical order", () => {
    expect(parseFormatsText("opus,mp3")).toEqual({ formats: ["mp3", "opus"] });
    expect(parseFormatsText("OPUS")).toEqual({ formats: ["opus"] });
    expect(parseFormatsText(" mp3 , ")).toEqual({ formats: ["mp3"] });
  });

  it("says what is wrong and what is right", () => {
    expect(parseFormatsText("mp3,aac")).toEqual({
      error: 'unknown format "aac"; expected mp3, opus or both, e.g. mp3,opus',
    });
    expect(parseFormatsText(",")).toEqual({ error: "no format given; expected mp3,opus or one of them" });
    expect(parseFormatsText("mp3,mp3")).toEqual({ error: '"mp3" is given twice; name each format once' });
  });
});
