import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.ts";
import { exact } from "../../src/manifest/time.ts";
import { parseTranscript } from "../../src/suggest/transcript.ts";
import { REPO } from "../helpers/project.ts";

const msT = (n: number) => exact(BigInt(n), 1000n);
const words = (text: string, file: string) =>
  parseTranscript(text, file).words.map((w) => [w.text, w.start, w.end, ...(w.estimated ? ["estimated"] : [])]);

const issuesOf = (text: string, file: string): string[] => {
  try {
    parseTranscript(text, file);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    expect(e.code).toBe("E_TRANSCRIPT");
    expect(e.exitCode).toBe(2);
    return e.message.split("\n");
  }
  throw new Error("expected a ManifestError");
};

describe("whisper.cpp full JSON", () => {
  it("joins tokens into words (a leading space starts a word) and skips special tokens", () => {
    const json = JSON.stringify({
      transcription: [
        {
          offsets: { from: 0, to: 2000 },
          text: " Hello, Rosalind",
          tokens: [
            { text: "[_BEG_]", offsets: { from: 0, to: 0 } },
            { text: " Hello", offsets: { from: 100, to: 400 } },
            { text: ",", offsets: { from: 400, to: 400 } },
            { text: " Ros", offsets: { from: 500, to: 800 } },
            { text: "alind", offsets: { from: 800, to: 1250 } },
            { text: "[_TT_62]", offsets: { from: 1250, to: 1250 } },
          ],
        },
      ],
    });
    expect(words(json, "t.json")).toEqual([
      ["Hello,", msT(100), msT(400)],
      ["Rosalind", msT(500), msT(1250)],
    ]);
  });

  it("refuses plain -oj output (no tokens), located at the segment", () => {
    const json =
      '{\n  "transcription": [\n    { "offsets": { "from": 0, "to": 900 }, "text": " Hello there" }\n  ]\n}\n';
    expect(issuesOf(json, "t.json")).toEqual([
      "t.json:3:5: transcription[0]: this segment has no tokens[], so no word timings; run whisper.cpp with -ojf (--output-json-full), not -oj",
    ]);
  });
});

describe("WhisperX JSON", () => {
  it("reads words in seconds exactly, and gives an untimed word the gap between its neighbours", () => {
    const json = JSON.stringify({
      segments: [
        {
          start: 1.5,
          end: 4.2,
          words: [
            { word: "number", start: 1.5, end: 1.831 },
            { word: "42" },
            { word: "please", start: 2.9, end: 3.3 },
            { word: "now" },
          ],
        },
      ],
    });
    expect(words(json, "t.json")).toEqual([
      ["number", exact(3n, 2n), exact(1831n, 1000n)],
      ["42", exact(1831n, 1000n), exact(29n, 10n), "estimated"],
      ["please", exact(29n, 10n), exact(33n, 10n)],
      ["now", exact(33n, 10n), exact(21n, 5n), "estimated"],
    ]);
  });

  it("refuses segments without words, located", () => {
    const json = '{"segments": [\n  {"start": 0, "end": 2, "text": "Hello there"}\n]}';
    expect(issuesOf(json, "x.json")[0]).toMatch(/^x\.json:2:3: segments\[0\]: this segment has no words\[\]/);
  });

  it("reports broken JSON at its position", () => {
    expect(issuesOf('{\n  "segments": [,]\n}', "x.json")[0]).toMatch(/^x\.json:2:16: \(json\): not valid JSON/);
  });
});

describe("WebVTT and SRT", () => {
  it("reads one word per cue", () => {
    const vtt =
      "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:01.000 --> 00:00:01.250 align:start\nHello\n\n00:01:02.500 --> 00:01:03.000\n<v Mike>bloody</v>\n";
    expect(words(vtt, "a.vtt")).toEqual([
      ["Hello", msT(1000), msT(1250)],
      ["bloody", msT(62500), msT(63000)],
    ]);
  });

  it("splits cues at inline timestamps, and takes the underlined word of a highlighted cue", () => {
    const vtt =
      "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<00:00:01.000><c> oh</c><00:00:01.300><c> one</c><00:00:01.700><c> six</c>\n\n" +
      "00:00:03.000 --> 00:00:03.400\nhello <u>Rosalind</u> Featherstone\n";
    expect(words(vtt, "a.vtt")).toEqual([
      ["oh", msT(1000), msT(1300)],
      ["one", msT(1300), msT(1700)],
      ["six", msT(1700), msT(2000)],
      ["Rosalind", msT(3000), msT(3400)],
    ]);
  });

  it("reads SRT with comma decimals and CRLF", () => {
    const srt = "1\r\n00:00:04,110 --> 00:00:04,900\r\nRosalind\r\n\r\n2\r\n01:00:00,000 --> 01:00:00,500\r\nhour\r\n";
    expect(words(srt, "a.srt")).toEqual([
      ["Rosalind", msT(4110), msT(4900)],
      ["hour", msT(3600000), msT(3600500)],
    ]);
  });

  it("refuses sentence cues (no word timings) and malformed times, located", () => {
    const srt = "1\n00:00:01,000 --> 00:00:03,000\nHello there, sir.\n\n2\n00:00:04,000 -> 00:00:05,000\nyes\n";
    expect(issuesOf(srt, "s.srt")).toEqual([
      "s.srt:2:1: cue: this cue holds 3 words with one time range: no word timings; ask the recogniser for word timestamps: whisper.cpp -ojf (full JSON), WhisperX JSON, or subtitles with one word per cue (whisper.cpp -osrt -ml 1 -sow)",
      's.srt:5:1: cue: expected a cue: a number, then a line "00:00:01,500 --> 00:00:02,000", then the text',
    ]);
    expect(issuesOf("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhi\n", "v.vtt")[0]).toMatch(
      /^v\.vtt:3:1: cue: malformed cue times/,
    );
  });

  it("refuses a file that is not a transcript, or one with no words", () => {
    expect(issuesOf("just some text", "notes.txt")[0]).toMatch(/^notes\.txt:1:1: \(format\): not a transcript/);
    expect(issuesOf("WEBVTT\n", "e.vtt")[0]).toMatch(/^e\.vtt:1:1: \(words\): no words with timings/);
  });
});

describe("speakers and language", () => {
  const who = (text: string, file: string) => parseTranscript(text, file).words.map((w) => [w.text, w.speaker]);

  it("takes WhisperX's speaker of a word, else of its segment, and its language", () => {
    const json = JSON.stringify({
      language: "en",
      segments: [
        {
          start: 0,
          end: 2,
          speaker: "SPEAKER_00",
          words: [
            { word: "Hello", start: 0, end: 0.5 },
            { word: "there", start: 0.5, end: 1, speaker: "SPEAKER_01" },
          ],
        },
        { start: 2, end: 3, words: [{ word: "Bye", start: 2, end: 3 }] },
      ],
    });
    expect(who(json, "x.json")).toEqual([
      ["Hello", "SPEAKER_00"],
      ["there", "SPEAKER_01"],
      ["Bye", undefined],
    ]);
    expect(parseTranscript(json, "x.json").language).toBe("en");
    expect(
      parseTranscript(
        JSON.stringify({ language: "<b>", segments: [] }).replace("[]", '[{"words":[{"word":"a","start":0,"end":1}]}]'),
        "x.json",
      ).language,
    ).toBeUndefined();
  });

  it("takes a WebVTT voice and WhisperX's [SPEAKER_00]: before a cue's word", () => {
    const vtt =
      "WEBVTT\n\n00:00:01.000 --> 00:00:01.500\n<v.loud Caller>Hello</v>\n\n" +
      "00:00:02.000 --> 00:00:02.500\n[SPEAKER_01]: sir\n\n00:00:03.000 --> 00:00:03.500\nbye\n";
    expect(who(vtt, "a.vtt")).toEqual([
      ["Hello", "Caller"],
      ["sir", "SPEAKER_01"],
      ["bye", undefined],
    ]);
  });

  it("publishes a speaker's name on one line, without control or direction characters, 64 characters at most", () => {
    const json = JSON.stringify({
      segments: [{ speaker: `A\tB\u202eC${"x".repeat(100)}`, words: [{ word: "hi", start: 0, end: 1 }] }],
    });
    const [word] = parseTranscript(json, "x.json").words;
    expect(word?.speaker).toBe(`A B\ufffdC${"x".repeat(59)}`);
  });
});

describe("the example transcripts of the demo calls", () => {
  it.each([
    ["call1.whisperx.json", "whisperx", 208],
    ["call2.whisper.cpp.json", "whisper.cpp", 181],
    ["call3.vtt", "vtt", 124],
    ["call4.srt", "srt", 135],
  ])("%s reads as %s with %i words", (file, format, count) => {
    const t = parseTranscript(readFileSync(join(REPO, "transcripts", file), "utf8"), file);
    expect(t.format).toBe(format);
    expect(t.words).toHaveLength(count);
  });
});

describe("a hostile transcript", () => {
  it("nested thousands deep is refused, located, without a crash", () => {
    for (const depth of [100, 5000, 50_000]) {
      const text = `{"segments": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
      let err: unknown;
      try {
        parseTranscript(text, "deep.json");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ManifestError);
      expect((err as Error).message).toMatch(/^deep\.json:1:\d+: \(json\): nested more than 64 levels deep/);
    }
  });

  it("brackets inside strings do not count", () => {
    const words = `"${"[".repeat(200)}"`;
    expect(() => parseTranscript(`{"segments": [{"text": ${words}, "start": 0, "end": 1}]}`, "t.json")).toThrow(
      /no word timings|words/,
    );
  });
});
