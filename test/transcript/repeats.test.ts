import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse.ts";
import { parseTranscript } from "../../src/suggest/transcript.ts";
import { callRepeats } from "../../src/transcript/repeats.ts";

/** One word per cue, a second apart from `from` (ms), as whisper.cpp -osrt -ml 1 writes them. */
function srt(words: readonly string[], from = 0, lengthMs = 400): string {
  const t = (ms: number): string => {
    const s = Math.floor(ms / 1000);
    return `00:00:${String(s).padStart(2, "0")},${String(ms % 1000).padStart(3, "0")}`;
  };
  return words.map((w, i) => `${i + 1}\n${t(from + i * 500)} --> ${t(from + i * 500 + lengthMs)}\n${w}\n`).join("\n");
}

const WORDS = [
  "Is", // 0.0
  "that", // 0.5
  "Rosalind", // 1.0
  "Featherstone?", // 1.5
  "Yes,", // 2.0
  "the", // 2.5
  "number", // 3.0
  "is", // 3.5
  "oh", // 4.0
  "seven", // 4.5
  "seven.", // 5.0
  "Call", // 5.5
  "077", // 6.0
  "for", // 6.5
  "the", // 7.0
  "ROSALIND", // 7.5
  "rosalind,", // 8.0
  "featherstone", // 8.5
];
const transcript = { display: "transcripts/c.srt", transcript: parseTranscript(srt(WORDS), "transcripts/c.srt") };

const manifest = (entries: string) =>
  parseManifest(`redactions:\n${entries}`, { file: "redactions/c.yaml", call: "c" });

describe("words redacted once but said again", () => {
  it("names the same name said again outside every range, located at the entry, with each time", () => {
    const m = manifest(
      "  - { start: 1, end: 2, category: sensitive }\n  - { start: 4, end: 5.4, category: sensitive }\n",
    );
    const warnings = callRepeats(m, transcript, 8000);
    expect(warnings.map((w) => [w.pos.line, w.pos.col, w.field])).toEqual([
      [2, 5, "redactions[1]"],
      [3, 5, "redactions[2]"],
    ]);
    const [name, number] = warnings;
    expect(name?.again.map((a) => [a.text, a.seconds, a.where])).toEqual([
      ["ROSALIND", 7.5, "transcripts/c.srt:62"],
      ["rosalind,", 8, "transcripts/c.srt:66"],
      ["featherstone", 8.5, "transcripts/c.srt:70"],
    ]);
    expect(name?.message).toBe(
      'it redacts "Rosalind Featherstone?" (sensitive, 0:01.000-0:02.000), but "Rosalind" is said again at ' +
        "0:07.500 (transcripts/c.srt:62), 0:08.000 (transcripts/c.srt:66); " +
        '"Featherstone?" is said again at 0:08.500 (transcripts/c.srt:70), outside every range: ' +
        "redact it there too, or correct the transcript",
    );
    // Numbers as digits: "oh seven seven" is the "077" said at 6 s; "the" and "is" are no repeats.
    expect(number?.again.map((a) => [a.text, a.seconds])).toEqual([["077", 6]]);
    expect(number?.message).toContain('"oh seven seven." is said again at 0:06.000 as "077"');
  });

  it("says nothing once every place is redacted", () => {
    const m = manifest(
      "  - { start: 1, end: 2, category: sensitive }\n  - { start: 4, end: 5.4, category: sensitive }\n" +
        "  - { start: 6, end: 6.4, category: sensitive }\n  - { start: 7.5, end: 8.9, category: sensitive }\n",
    );
    expect(callRepeats(m, transcript, 8000)).toEqual([]);
  });

  it("counts a word as redacted when it overlaps a range by one sample, with or without the rate", () => {
    // "ROSALIND" is 7.5-7.9 s: a range ending at 7.5 does not reach it, one ending a sample later does.
    const touching = manifest(
      "  - { start: 1, end: 2, category: sensitive }\n  - { start: 7, end: 7.5, category: obscenity }\n",
    );
    const overlapping = manifest(
      "  - { start: 1, end: 2, category: sensitive }\n  - { start: 7, end: 7.500125, category: obscenity }\n",
    );
    const places = (m: ReturnType<typeof manifest>, rate: number | undefined) =>
      callRepeats(m, transcript, rate)[0]?.again.map((a) => a.text);
    expect(places(touching, 8000)).toEqual(["ROSALIND", "rosalind,", "featherstone"]);
    expect(places(overlapping, 8000)).toEqual(["rosalind,", "featherstone"]);
    // Without a rate (suggest): the manifest's own times, exactly.
    expect(places(touching, undefined)).toEqual(["ROSALIND", "rosalind,", "featherstone"]);
    expect(places(overlapping, undefined)).toEqual(["rosalind,", "featherstone"]);
  });
});
