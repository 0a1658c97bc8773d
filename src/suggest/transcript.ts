/**
 * Word timings from the transcripts local speech recognisers write:
 *
 *   whisper.cpp full JSON (`-ojf`)   transcription[].tokens[] with offsets.from/to in ms; a token
 *                                    starting with a space starts a new word
 *   WhisperX / openai-whisper JSON   segments[].words[] with word, start, end in seconds (a word
 *                                    WhisperX could not align, often a number, has no times: it is
 *                                    given the gap between its neighbours, marked estimated)
 *   WebVTT                           one word per cue, `<00:00:01.500>` timestamps inside a cue,
 *                                    or one `<u>underlined</u>` word per cue (WhisperX highlight)
 *   SRT                              one word per cue, or one `<u>underlined</u>` word per cue
 *
 * Speakers, where the transcript names them: WhisperX's `speaker` (of a word, else of its segment, as
 * its diarisation writes it), whisper.cpp's segment `speaker`, a WebVTT voice span (`<v Caller>word`),
 * and a `[SPEAKER_00]: ` before a cue's word (WhisperX's subtitles with diarisation). The language, where
 * the JSON gives it (`language`, or whisper.cpp's `result.language`).
 *
 * A transcript without word timings (a cue or segment holding a whole sentence with one time
 * range) is an error located at `file:line:col`. Pure: text in, words out. Times are exact.
 */
import { LineCounter, parseDocument } from "yaml";
import { ManifestError, type ManifestIssue, type SourcePos } from "../errors.ts";
import { exact, NumberSyntaxError, parseDecimalNumberText } from "../manifest/time.ts";
import { publishedLine } from "../text.ts";
import type { ExactSeconds } from "../units.ts";

export type TranscriptFormat = "whisper.cpp" | "whisperx" | "vtt" | "srt";

export interface Word {
  /** As written in the transcript, punctuation included. */
  readonly text: string;
  readonly start: ExactSeconds;
  readonly end: ExactSeconds;
  /** Where the word is in the transcript: `call4.srt:57` or `segments[3].words[2]`. */
  readonly where: string;
  /** The recogniser gave no times for this word: they span the gap between its neighbours. */
  readonly estimated?: boolean;
  /** Who says it, as the transcript names them (`SPEAKER_00`, `Caller`); undefined when it does not. */
  readonly speaker?: string;
}

export interface Transcript {
  readonly format: TranscriptFormat;
  readonly words: readonly Word[];
  /** The language the recogniser found (`en`), when the transcript says; a BCP 47 tag. */
  readonly language?: string;
}

/** A speaker's name as published: one line, control and direction characters replaced, at most 64 characters. */
export function speakerName(raw: unknown): string | undefined {
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const name = publishedLine(String(raw)).slice(0, 64).trim();
  return name === "" ? undefined : name;
}

/** A language tag the recogniser wrote, if it is one (`en`, `en-GB`, `pt-BR`). */
const languageOf = (raw: unknown): string | undefined =>
  typeof raw === "string" && /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(raw) ? raw : undefined;

const withSpeaker = <T extends object>(w: T, speaker: string | undefined): T & { speaker?: string } =>
  speaker === undefined ? w : { ...w, speaker };

const HOW_TO_GET_WORDS =
  "ask the recogniser for word timestamps: whisper.cpp -ojf (full JSON), WhisperX JSON, or subtitles with one word per cue (whisper.cpp -osrt -ml 1 -sow)";

const fail = (issues: ManifestIssue[]): never => {
  throw new ManifestError(issues, "E_TRANSCRIPT");
};

/** A JSON number of seconds as the decimal it was most likely written as (its shortest form). */
const secondsOf = (n: number): ExactSeconds | undefined => {
  if (!Number.isFinite(n) || n < 0) return undefined;
  try {
    return parseDecimalNumberText(String(n));
  } catch (e) {
    if (e instanceof NumberSyntaxError) return undefined;
    throw e;
  }
};

/** Line starts of a text, without parsing it. */
function countLines(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
}

const ms = (n: number): ExactSeconds => exact(BigInt(Math.round(n)), 1000n);

// ---------------------------------------------------------------- JSON

type JsonPath = readonly (string | number)[];
const pathText = (path: JsonPath): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

/** Where a JSON path is in the text (parsed again, with positions, only when there is an error). */
function jsonPos(text: string, file: string, path: JsonPath): SourcePos {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false });
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (r) {
      const { line, col } = lc.linePos(r[0]);
      return { file, line, col };
    }
  }
  return { file, line: 1, col: 1 };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deeper than any transcript (whisper.cpp and WhisperX nest 4 levels): the YAML parser used for positions recurses. */
const MAX_JSON_DEPTH = 64;

/** The offset of the first `[` or `{` (outside strings) deeper than MAX_JSON_DEPTH, or -1. */
function tooDeep(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

function parseJson(text: string, file: string): Transcript {
  const deep = tooDeep(text);
  if (deep >= 0) {
    const { line, col } = countLines(text).linePos(deep);
    return fail([
      {
        pos: { file, line, col },
        field: "(json)",
        message: `nested more than ${MAX_JSON_DEPTH} levels deep; a transcript needs a few (is this the recogniser's JSON?)`,
      },
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // Node's message gives no position on every version: the YAML parser (JSON is YAML) finds it.
    const at = /position (\d+)/.exec((e as Error).message);
    const lc = new LineCounter();
    const yamlError = parseDocument(text, { lineCounter: lc }).errors[0];
    const offset = at ? Number(at[1]) : (yamlError?.pos[0] ?? 0);
    const { line, col } = lc.linePos(offset);
    const pos = { file, line: Math.max(line, 1), col: Math.max(col, 1) };
    return fail([{ pos, field: "(json)", message: `not valid JSON: ${(e as Error).message.split("\n")[0]}` }]);
  }
  const issue = (path: JsonPath, message: string): ManifestIssue => ({
    pos: jsonPos(text, file, path),
    field: path.length ? pathText(path) : "(json)",
    message,
  });
  if (isObject(data) && Array.isArray(data.transcription)) {
    const t = whisperCpp(data.transcription, issue);
    const language = languageOf(isObject(data.result) ? data.result.language : undefined);
    return language === undefined ? t : { ...t, language };
  }
  if (isObject(data) && Array.isArray(data.segments)) {
    const t = whisperX(data.segments, issue);
    const language = languageOf(data.language);
    return language === undefined ? t : { ...t, language };
  }
  return fail([
    issue(
      [],
      `neither whisper.cpp full JSON (transcription[].tokens[]) nor WhisperX JSON (segments[].words[]); ${HOW_TO_GET_WORDS}`,
    ),
  ]);
}

type IssueAt = (path: JsonPath, message: string) => ManifestIssue;

function whisperCpp(segments: unknown[], issue: IssueAt): Transcript {
  const words: { text: string; from: number; to: number; where: string; speaker: string | undefined }[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const tokens = isObject(seg) ? seg.tokens : undefined;
    const speaker = isObject(seg) ? speakerName(seg.speaker) : undefined;
    if (!Array.isArray(tokens)) {
      return fail([
        issue(
          ["transcription", i],
          `this segment has no tokens[], so no word timings; run whisper.cpp with -ojf (--output-json-full), not -oj`,
        ),
      ]);
    }
    for (let j = 0; j < tokens.length; j++) {
      const t = tokens[j];
      const text = isObject(t) && typeof t.text === "string" ? t.text : undefined;
      if (text === undefined) return fail([issue(["transcription", i, "tokens", j], "a token without text")]);
      if (/^\s*\[_.*\]\s*$|^\s*<\|.*\|>\s*$/.test(text)) continue; // [_BEG_], [_TT_150], <|endoftext|>
      const off = isObject(t) ? t.offsets : undefined;
      const from = isObject(off) ? off.from : undefined;
      const to = isObject(off) ? off.to : undefined;
      if (typeof from !== "number" || typeof to !== "number" || !(from >= 0 && to >= from)) {
        return fail([
          issue(
            ["transcription", i, "tokens", j],
            `token ${JSON.stringify(text)} has no offsets { from, to } in ms; ${HOW_TO_GET_WORDS}`,
          ),
        ]);
      }
      const last = words[words.length - 1];
      if (last && !/^\s/.test(text) && text.trim() !== "") {
        last.text += text;
        last.to = Math.max(last.to, to);
      } else if (text.trim() !== "") {
        words.push({ text: text.trim(), from, to, where: `transcription[${i}].tokens[${j}]`, speaker });
      }
    }
  }
  return {
    format: "whisper.cpp",
    words: words.map((w) => withSpeaker({ text: w.text, start: ms(w.from), end: ms(w.to), where: w.where }, w.speaker)),
  };
}

function whisperX(segments: unknown[], issue: IssueAt): Transcript {
  const out: Word[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const words = isObject(seg) ? seg.words : undefined;
    if (!Array.isArray(words)) {
      return fail([
        issue(
          ["segments", i],
          `this segment has no words[], only one time range for its whole text: no word timings; ${HOW_TO_GET_WORDS} (openai-whisper: --word_timestamps True)`,
        ),
      ]);
    }
    const segStart = isObject(seg) && typeof seg.start === "number" ? secondsOf(seg.start) : undefined;
    const segEnd = isObject(seg) && typeof seg.end === "number" ? secondsOf(seg.end) : undefined;
    const segSpeaker = isObject(seg) ? speakerName(seg.speaker) : undefined;
    const pending: { text: string; where: string; after: ExactSeconds | undefined; speaker: string | undefined }[] = [];
    let previousEnd = segStart;
    const flush = (next: ExactSeconds | undefined, path: JsonPath): void => {
      for (const p of pending) {
        const start = p.after;
        const end = next;
        if (!start || !end) {
          fail([
            issue(
              path,
              `the word ${JSON.stringify(p.text)} has no start and end, and neither has its segment; ${HOW_TO_GET_WORDS}`,
            ),
          ]);
          return;
        }
        out.push(withSpeaker({ text: p.text, start, end, where: p.where, estimated: true }, p.speaker));
      }
      pending.length = 0;
    };
    for (let j = 0; j < words.length; j++) {
      const w = words[j];
      const text = isObject(w) && typeof w.word === "string" ? w.word.trim() : undefined;
      if (text === undefined) return fail([issue(["segments", i, "words", j], "a word without word: text")]);
      if (text === "") continue;
      const start = isObject(w) && typeof w.start === "number" ? secondsOf(w.start) : undefined;
      const end = isObject(w) && typeof w.end === "number" ? secondsOf(w.end) : undefined;
      const where = `segments[${i}].words[${j}]`;
      const speaker = (isObject(w) ? speakerName(w.speaker) : undefined) ?? segSpeaker;
      if (!start || !end) {
        pending.push({ text, where, after: previousEnd, speaker });
        continue;
      }
      flush(start, ["segments", i, "words", j]);
      out.push(withSpeaker({ text, start, end, where }, speaker));
      previousEnd = end;
    }
    flush(segEnd, ["segments", i]);
  }
  return { format: "whisperx", words: out };
}

// ---------------------------------------------------------------- subtitles

const CUE_TIME = /^(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})$/;

const cueTime = (text: string): ExactSeconds | undefined => {
  const m = CUE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, h = "0", mm = "0", ss = "0", frac = "0"] = m;
  if (Number(mm) >= 60 || Number(ss) >= 60) return undefined;
  const total = ((BigInt(h) * 60n + BigInt(mm)) * 60n + BigInt(ss)) * 1000n + BigInt(frac);
  return exact(total, 1000n);
};

const stripTags = (s: string): string => s.replace(/<[^>]*>/g, "");
const wordsIn = (s: string): string[] =>
  stripTags(s)
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));

function parseSubtitles(text: string, file: string, format: "vtt" | "srt"): Transcript {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const issues: ManifestIssue[] = [];
  const out: Word[] = [];
  const at = (line: number, col = 1): SourcePos => ({ file, line, col });
  let i = 0;
  if (format === "vtt") {
    if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? "")) {
      fail([{ pos: at(1), field: "(header)", message: "a WebVTT file starts with the line WEBVTT" }]);
    }
    i = 1;
  }
  let multiWordCues = 0;
  while (i < lines.length) {
    // One block: lines up to a blank line.
    while (i < lines.length && (lines[i] ?? "").trim() === "") i++;
    const blockStart = i;
    while (i < lines.length && (lines[i] ?? "").trim() !== "") i++;
    const block = lines.slice(blockStart, i);
    if (block.length === 0) break;
    if (format === "vtt" && /^(NOTE|STYLE|REGION)\b/.test(block[0] ?? "")) continue;
    const timingIndex = block.findIndex((l) => l.includes("-->"));
    if (timingIndex < 0 || timingIndex > 1) {
      issues.push({
        pos: at(blockStart + 1),
        field: "cue",
        message: `expected a cue: ${format === "srt" ? "a number, then " : ""}a line "00:00:01${format === "srt" ? "," : "."}500 --> 00:00:02${format === "srt" ? "," : "."}000", then the text`,
      });
      continue;
    }
    const timingLine = blockStart + timingIndex + 1;
    const [startText = "", rest = ""] = (block[timingIndex] ?? "").split("-->");
    const start = cueTime(startText);
    const end = cueTime(rest.trim().split(/\s+/)[0] ?? "");
    if (!start || !end) {
      issues.push({
        pos: at(timingLine),
        field: "cue",
        message: `malformed cue times ${JSON.stringify(block[timingIndex])}; expected 00:00:01${format === "srt" ? "," : "."}500 --> 00:00:02${format === "srt" ? "," : "."}000`,
      });
      continue;
    }
    let body = block.slice(timingIndex + 1).join(" ");
    const where = `${file}:${timingLine}`;
    // Who speaks: a voice span (<v Caller>), or WhisperX's "[SPEAKER_00]: " before the text.
    const voice = /<v(?:\.[^\s>]*)?[ \t]+([^>]*)>/.exec(body);
    let speaker = voice ? speakerName(voice[1]) : undefined;
    const label = /\[([^\]]{1,64})\]:[ \t]*/.exec(body);
    if (label && stripTags(body.slice(0, label.index)).trim() === "") {
      speaker = speakerName(label[1]) ?? speaker;
      body = body.slice(0, label.index) + body.slice(label.index + label[0].length);
    }
    const push = (w: Word): void => {
      out.push(withSpeaker(w, speaker));
    };
    // Inline timestamps: <00:00:01.500> before each word (karaoke-style WebVTT).
    const parts = body.split(/<((?:\d+:)?\d{2}:\d{2}\.\d{3})>/);
    if (parts.length > 1) {
      let t = start;
      for (let k = 0; k < parts.length; k += 2) {
        const next = k + 1 < parts.length ? cueTime(parts[k + 1] ?? "") : end;
        const ws = wordsIn(parts[k] ?? "");
        if (ws.length > 0 && next) push({ text: ws.join(" "), start: t, end: next, where });
        if (next) t = next;
      }
      continue;
    }
    // WhisperX --highlight_words: the whole sentence, with the current word underlined.
    const underlined = [...body.matchAll(/<u>(.*?)<\/u>/g)];
    if (underlined.length === 1) {
      push({ text: stripTags(underlined[0]?.[1] ?? "").trim(), start, end, where });
      continue;
    }
    const ws = wordsIn(body);
    if (ws.length === 1) push({ text: ws[0] ?? "", start, end, where });
    else if (ws.length > 1) {
      multiWordCues++;
      if (multiWordCues <= 5) {
        issues.push({
          pos: at(timingLine),
          field: "cue",
          message: `this cue holds ${ws.length} words with one time range: no word timings; ${HOW_TO_GET_WORDS}`,
        });
      }
    }
  }
  if (multiWordCues > 5) {
    const last = issues[issues.length - 1];
    if (last) issues.push({ ...last, message: `... and ${multiWordCues - 5} more cues like it` });
  }
  if (issues.length > 0) fail(issues);
  return { format, words: out };
}

/** The transcript's format, from its content first and its file name second. */
export function detectFormat(text: string, file: string): TranscriptFormat | "json" | undefined {
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (head.startsWith("WEBVTT")) return "vtt";
  if (head.startsWith("{")) return "json";
  if (/^\d+\s*\r?\n\s*(?:\d+:)?\d{2}:\d{2}[,.]\d{3}\s*-->/.test(head)) return "srt";
  if (/\.vtt$/i.test(file)) return "vtt";
  if (/\.srt$/i.test(file)) return "srt";
  if (/\.json$/i.test(file)) return "json";
  return undefined;
}

/** Read a transcript's words. Throws ManifestError (E_TRANSCRIPT, exit 2) with located issues. */
export function parseTranscript(text: string, file: string): Transcript {
  const format = detectFormat(text, file);
  let t: Transcript;
  if (format === "json") t = parseJson(text, file);
  else if (format === "vtt" || format === "srt") t = parseSubtitles(text, file, format);
  else {
    return fail([
      {
        pos: { file, line: 1, col: 1 },
        field: "(format)",
        message:
          "not a transcript this tool reads: whisper.cpp full JSON, WhisperX JSON, WebVTT or SRT with word timings",
      },
    ]);
  }
  if (t.words.length === 0) {
    fail([{ pos: { file, line: 1, col: 1 }, field: "(words)", message: `no words with timings; ${HOW_TO_GET_WORDS}` }]);
  }
  return t;
}
