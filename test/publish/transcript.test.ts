/**
 * The published transcript from a transcript and a plan: which words go (every word that overlaps a range
 * by even one sample, whole), the placeholders on the ranges' own times, cues of one line, and the WebVTT
 * as a real parser (webvtt-parser) reads it. The boundaries are computed here on their own, from the
 * manifest's decimal text (refSampleIndex), not by the code under test.
 */

import { describe, expect, it } from "vitest";
import { WebVTTParser } from "webvtt-parser";
import { parseManifest } from "../../src/manifest/parse.ts";
import { exact } from "../../src/manifest/time.ts";
import { buildPlan, fitPlan } from "../../src/plan/plan.ts";
import { buildCaptions, type Cue, MAX_CUE_CHARS, splitPhrase } from "../../src/publish/transcript/captions.ts";
import { renderVtt } from "../../src/publish/transcript/vtt.ts";
import type { Word } from "../../src/suggest/transcript.ts";
import { entrySpans, markWords } from "../../src/transcript/marks.ts";
import { refSampleIndex } from "../helpers/signal.ts";

const RATE = 44100;
const SAMPLES = 10 * RATE;

const manifestOf = (text: string) => parseManifest(text, { file: "redactions/t.yaml", call: "t" });

/** A word from sample to sample, exactly (times on the sample grid, as a recogniser could never write them). */
const at = (text: string, start: number, end: number, speaker?: string): Word => ({
  text,
  start: exact(BigInt(start), BigInt(RATE)),
  end: exact(BigInt(end), BigInt(RATE)),
  where: `t.json:${text}`,
  ...(speaker ? { speaker } : {}),
});

function captions(manifestText: string, words: readonly Word[]): Cue[] {
  const manifest = manifestOf(manifestText);
  const plan = fitPlan(buildPlan(manifest, RATE), manifest, SAMPLES);
  return buildCaptions({
    marked: markWords(words, entrySpans(manifest, RATE), RATE),
    ranges: plan.ranges,
    categories: manifest.categories,
    sampleRate: RATE,
    samples: SAMPLES,
  });
}

const textOf = (cues: readonly Cue[]): string =>
  cues.map((c) => (c.kind === "placeholder" ? c.text : c.words.map((w) => w.text).join(" "))).join(" | ");

describe("words at a range's edges, to the sample", () => {
  // 1.005 s at 44.1 kHz is sample 44321 (binary floating point would say 44320); 2.0025 s is 88310.25 -> 88310.
  const START = refSampleIndex("1.005", RATE);
  const END = refSampleIndex("2.0025", RATE);
  const MANIFEST = 'redactions:\n  - { start: "1.005", end: "2.0025", category: sensitive }\n';

  it("the boundaries are what the README says", () => {
    expect([START, END]).toEqual([44321, 88310]);
  });

  it("redacts a word overlapping the range by one sample at either end, and keeps one touching it", () => {
    const cues = captions(MANIFEST, [
      at("Touching", START - 20000, START), // ends where the range starts: [.., START) does not overlap
      at("Straddling", START - 10000, START + 1), // its last sample is the range's first
      at("Inside", START + 100, END - 100),
      at("Leaving", END - 1, END + 5000), // its first sample is the range's last
      at("After", END, END + 8000), // starts where the range ends
    ]);
    expect(textOf(cues)).toBe("Touching | [sensitive] | After");
  });

  it("redacts a word of no length inside the range, at its first sample, and not one at its end", () => {
    const cues = captions(MANIFEST, [
      at("Before", START - 9000, START - 5000),
      at("Point", START, START),
      at("Again", START + 10, START + 10),
      at("Edge", END, END),
      at("Later", END + 3000, END + 9000),
    ]);
    expect(textOf(cues)).toBe("Before | [sensitive] | Edge Later");
  });

  it("puts the placeholder on the range's own time, in whole milliseconds that cover it", () => {
    const [placeholder] = captions(MANIFEST, []);
    // 44321 samples is 1005.01 ms: the cue starts at 1.005 (rounded down); 88310 is 2002.49 ms: it ends at 2.003.
    expect(placeholder).toEqual({
      kind: "placeholder",
      startMs: 1005,
      endMs: 2003,
      range: 1,
      category: "sensitive",
      text: "[sensitive]",
    });
  });

  it("keeps no trace of a redacted word: not its text, its punctuation, its length or its first letter", () => {
    const cues = captions(MANIFEST, [
      at("Hello,", START - 30000, START - 20000),
      at("Rosalind", START - 1, START + 20000),
      at("Featherstone?", START + 20000, END + 1),
      at("Goodbye.", END + 4000, END + 9000),
    ]);
    const vtt = renderVtt(cues);
    expect(vtt).not.toMatch(/Rosalind|Featherstone|R\*|F\*|\?/);
    expect(textOf(cues)).toBe("Hello, | [sensitive] | Goodbye.");
    // One placeholder for the stretch, whatever the number of words in it.
    expect(vtt.match(/\[sensitive\]/g)).toHaveLength(1);
  });

  it("applies pad: to the words as to the audio", () => {
    const padded = `pad: 10\n${MANIFEST}`;
    const tenMs = RATE / 100;
    const cues = captions(padded, [
      at("Near", START - tenMs - 1000, START - tenMs + 1),
      at("Far", START - tenMs - 9000, START - tenMs - 2000),
    ]);
    expect(textOf(cues)).toBe("Far | [sensitive]");
  });
});

describe("cues", () => {
  it("one placeholder per range, even a range no word falls in; a custom category by its label", () => {
    const cues = captions(
      'categories:\n  music: { frequency: 1000, label: "background music" }\nredactions:\n' +
        "  - { start: 1, end: 2, category: music }\n  - { start: 3, end: 4, category: obscenity }\n",
      [at("Hi", 0, 4000)],
    );
    expect(textOf(cues)).toBe("Hi | [background music] | [obscenity]");
  });

  it("break before a range, at a new speaker, after a sentence and at a long pause; of one line each", () => {
    const w = (text: string, startMs: number, speaker = "Caller") =>
      at(text, (startMs * RATE) / 1000, ((startMs + 200) * RATE) / 1000, speaker);
    const cues = captions("redactions: [{ start: 2, end: 2.5, category: sensitive }]\n", [
      w("Hello,", 0),
      w("sir.", 250),
      w("Who", 500),
      w("is", 750),
      w("this?", 1000, "Recipient"),
      w("It", 1250, "Recipient"),
      w("is", 1500, "Recipient"),
      w("Dominic", 3000, "Recipient"),
      w("again", 6000, "Recipient"),
    ]);
    expect(cues.map((c) => [c.kind === "text" ? (c.speaker ?? "") : "", textOf([c])])).toEqual([
      ["Caller", "Hello, sir."],
      ["Caller", "Who is"],
      ["Recipient", "this?"],
      ["Recipient", "It is"],
      ["", "[sensitive]"],
      ["Recipient", "Dominic"],
      ["Recipient", "again"],
    ]);
  });

  it("split a long stretch into the fewest even lines, after a comma where it can", () => {
    const words = "How do you propose to prove it's my computer?".split(" ").map((text, i) => ({
      text,
      start: i * 1000,
      end: i * 1000 + 900,
    }));
    expect(splitPhrase(words, 44100).map((l) => l.map((x) => x.text).join(" "))).toEqual([
      "How do you propose to",
      "prove it's my computer?",
    ]);
    const comma = "I know where you live, I will come round and sort you out".split(" ").map((text, i) => ({
      text,
      start: i * 1000,
      end: i * 1000 + 900,
    }));
    // After the comma (22 and 34 characters) rather than the evenest break (29 and 27).
    const lines = splitPhrase(comma, 44100).map((l) => l.map((x) => x.text).join(" "));
    expect(lines).toEqual(["I know where you live,", "I will come round and sort you out"]);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(MAX_CUE_CHARS);
  });

  it("keep a cue within its words' time and out of the ranges' milliseconds", () => {
    const START = refSampleIndex("1.005", RATE); // 1005.01 ms
    const cues = captions('redactions: [{ start: "1.005", end: 2, category: sensitive }]\n', [
      at("Just", START - 5000, START),
      at("Then", 2 * RATE, 2 * RATE + 4410),
    ]);
    const [before, , after] = cues;
    expect(before).toMatchObject({ kind: "text", startMs: Math.ceil(((START - 5000) * 1000) / RATE), endMs: 1005 });
    expect(after).toMatchObject({ kind: "text", startMs: 2000, endMs: 2100 });
  });
});

describe("the WebVTT file", () => {
  it("reads without an error in a real WebVTT parser, with the speakers as voices and the placeholders as classes", () => {
    const cues = captions("redactions: [{ start: 1, end: 2, category: obscenity }]\n", [
      at("Tom & <Jerry>", 0, 20000, "A <b> & c"),
      at("-->", 20000, 30000, "A <b> & c"),
      at("bad", RATE + 10, RATE + 100),
      at("Bye.", 3 * RATE, 3 * RATE + 9000, "B"),
    ]);
    const vtt = renderVtt(cues);
    const parsed = new WebVTTParser().parse(vtt);
    expect(parsed.errors).toEqual([]);
    expect(
      parsed.cues.map((c) => [
        c.startTime,
        c.endTime,
        c.tree.children.map((n) => [n.name ?? "", (n.classes ?? []).join("."), n.value ?? ""]),
      ]),
    ).toEqual([
      // This parser leaves a voice's annotation as written (the spec decodes its escapes, as browsers do).
      [0, 0.68, [["v", "", "A &lt;b&gt; &amp; c"]]],
      [1, 2, [["c", "redacted.obscenity", ""]]],
      [3, 3.204, [["v", "", "B"]]],
    ]);
    expect(parsed.cues.map((c) => c.text)).toEqual([
      "<v A &lt;b&gt; &amp; c>Tom &amp; &lt;Jerry&gt; --&gt;</v>",
      "<c.redacted.obscenity>[obscenity]</c>",
      "<v B>Bye.</v>",
    ]);
  });
});
