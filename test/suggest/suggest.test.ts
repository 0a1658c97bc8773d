import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ManifestError } from "../../src/errors.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { exact } from "../../src/manifest/time.ts";
import { defaultListCategory, parseList } from "../../src/suggest/lists.ts";
import { digitsOf, suggest } from "../../src/suggest/suggest.ts";
import { parseTranscript, type Word } from "../../src/suggest/transcript.ts";
import { REPO } from "../helpers/project.ts";

/** Words one second apart, each lasting half a second: word i is [i, i + 0.5). */
const said = (text: string): Word[] =>
  text
    .split(" ")
    .map((w, i) => ({ text: w, start: exact(BigInt(2 * i), 2n), end: exact(BigInt(2 * i + 1), 2n), where: `w${i}` }));
const spans = (text: string, list: string, file = "lists/names.txt") =>
  suggest(said(text), parseList(list, file)).map((p) => [p.start, p.end, p.category, p.words]);
const t = (n: number) => exact(BigInt(2 * n), 2n);

describe("lists", () => {
  it("parses words, phrases, prefixes, * and <number>, skipping comments", () => {
    const ps = parseList("# category: music\n\nbloody fool\nbugger*\n<number> * road\n", "lists/x.txt");
    expect(ps.map((p) => [p.category, p.tokens, p.where])).toEqual([
      [
        "music",
        [
          { kind: "word", word: "bloody" },
          { kind: "word", word: "fool" },
        ],
        "lists/x.txt:3",
      ],
      ["music", [{ kind: "prefix", prefix: "bugger" }], "lists/x.txt:4"],
      ["music", [{ kind: "number" }, { kind: "any" }, { kind: "word", word: "road" }], "lists/x.txt:5"],
    ]);
    expect(defaultListCategory("redactions/lists/obscenities.txt")).toBe("obscenity");
    expect(defaultListCategory("redactions/lists/names.txt")).toBe("sensitive");
  });

  it("locates bad lines", () => {
    try {
      parseList("ok\n  <postcode> road\n* *\n", "lists/a.txt");
      expect.unreachable();
    } catch (e) {
      expect((e as ManifestError).message.split("\n")).toEqual([
        'lists/a.txt:2:3: pattern: unknown placeholder "<postcode>"; the only one is <number>',
        "lists/a.txt:3:1: pattern: a pattern of * only would match every word",
      ]);
    }
  });
});

describe("suggest", () => {
  it("proposes listed words, ignoring case and punctuation, and says what matched", () => {
    const [p] = suggest(said("well, ROSALIND? yes"), parseList("rosalind\n", "lists/names.txt"));
    expect(p).toEqual({
      start: t(1),
      end: exact(3n, 2n),
      category: "sensitive",
      words: "ROSALIND?",
      triggers: ['"rosalind" (lists/names.txt:1) matched "ROSALIND?"'],
      estimated: false,
    });
  });

  it("joins matches on consecutive words into one proposal, and keeps separate ones apart", () => {
    expect(spans("I know 42 Elm Road Ashbury Vale and Rosalind", "<number> * road\nashbury vale\nrosalind\n")).toEqual([
      [t(2), exact(13n, 2n), "sensitive", "42 Elm Road Ashbury Vale"],
      [t(8), exact(17n, 2n), "sensitive", "Rosalind"],
    ]);
  });

  it("prefers the longest phrase and matches prefixes", () => {
    const ps = parseList("bloody\nbloody fool\nbugger*\n", "lists/obscenities.txt");
    const out = suggest(said("you bloody fool, buggered off"), ps);
    expect(out.map((p) => [p.words, p.category, p.triggers])).toEqual([
      [
        "bloody fool, buggered",
        "obscenity",
        [
          '"bloody fool" (lists/obscenities.txt:2) matched "bloody fool,"',
          '"bugger*" (lists/obscenities.txt:3) matched "buggered"',
        ],
      ],
    ]);
  });

  it("counts spoken digits: runs of phone-number length are proposed, shorter ones are not", () => {
    expect(digitsOf("oh", undefined)).toBe(1);
    expect(digitsOf("555-0199", undefined)).toBe(7);
    expect(digitsOf("one", "twenty")).toBe(0);
    expect(digitsOf("double", undefined)).toBe(1);
    expect(digitsOf("hello", undefined)).toBeUndefined();
    expect(spans("call oh one six three two, nine six oh, nine eight three now", "")).toEqual([
      [t(1), exact(23n, 2n), "sensitive", "oh one six three two, nine six oh, nine eight three"],
    ]);
    expect(spans("ID eight eight eight, D C A six zero", "")).toEqual([]);
    expect(spans("it is 555-0199 ok", "")).toEqual([[t(2), exact(5n, 2n), "sensitive", "555-0199"]]);
    expect(spans("twenty one double five six seven", "")).toEqual([]); // 2 + 2 + 1 + 1 = 6 digits
    expect(spans("twenty one double five six seven eight", "")).toEqual([
      [t(0), exact(13n, 2n), "sensitive", "twenty one double five six seven eight"],
    ]);
  });
});

describe("the demo transcripts give back the demo manifests", () => {
  const lists = ["obscenities.txt", "names.txt", "addresses.txt"].flatMap((f) =>
    parseList(readFileSync(join(REPO, "redactions/lists", f), "utf8"), `redactions/lists/${f}`),
  );
  it.each([
    ["call1", "call1.whisperx.json"],
    ["call2", "call2.whisper.cpp.json"],
    ["call3", "call3.vtt"],
    ["call4", "call4.srt"],
  ])("%s from %s: every entry, exact to the millisecond, and nothing else", (call, file) => {
    const transcript = parseTranscript(readFileSync(join(REPO, "transcripts", file), "utf8"), file);
    const manifest = parseManifest(readFileSync(join(REPO, `redactions/${call}.yaml`), "utf8"), {
      file: `redactions/${call}.yaml`,
      call,
    });
    expect(suggest(transcript.words, lists).map((p) => [p.start, p.end, p.category])).toEqual(
      manifest.entries.map((e) => [e.start, e.end, e.category]),
    );
  });
});
