#!/usr/bin/env node
// Builds the demo: recordings/call1..4.mp3 (synthetic stand-ins for the four calls),
// redactions/call1..4.yaml (manifests whose times come from the synthesis itself) and
// transcripts/call1..4.* (word-timed transcripts, one recogniser's format each).
// Run it through scripts/make-demo.sh, which checks for espeak-ng, sox and ffmpeg first.
//
// How the times are exact: every dialogue line is cut at the words to redact into segments
// (text before, the words, text after). Each segment is spoken on its own with espeak-ng,
// band-limited to the phone band and resampled to 8000 Hz with sox, and trimmed of leading and
// trailing silence. The segments are then laid end to end with silent gaps, every piece padded to
// a whole number of milliseconds (8 samples), so each redacted segment's start and end are known
// exactly, in samples and in milliseconds, and are written to the manifest as they are.
// Output is deterministic: no random noise, sox in repeatable mode without dither, ffmpeg with
// bitexact flags. Running it twice gives identical bytes (with the same espeak-ng, sox and ffmpeg).

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SCRIPT_DIR = join(ROOT, "scripts", "demo-script");
const RATE = 8000;
const MS = RATE / 1000; // samples per millisecond: every piece is a multiple of this
const GRANULE = 576; // samples in one MP3 granule at this rate (MPEG-2.5 layer III)
const WORD_GAP_MS = 90; // silence between segments of one line
const TRIM_THRESHOLD = 8; // |sample| below this (about -72 dBFS) counts as silence when trimming
const FREQUENCIES = { sensitive: 440, obscenity: 660 };

const FFMPEG = process.env.FFMPEG_PATH || join(ROOT, "node_modules", "@ffmpeg-installer", "linux-x64", "ffmpeg");

function fail(message) {
  process.stderr.write(`make-demo: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28, ...options });
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString().trim() : String(err.message);
    fail(`${cmd} ${args.join(" ")} failed:\n${stderr}`);
  }
}

// ---------------------------------------------------------------- the dialogue script

function parseScript(file) {
  const text = readFileSync(file, "utf8");
  const call = { title: undefined, date: undefined, speakers: new Map(), events: [] };
  text.split("\n").forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    let m;
    if ((m = /^title:\s*(.+)$/.exec(line))) {
      call.title = m[1];
    } else if ((m = /^date:\s*(\d{4}-\d{2}-\d{2})$/.exec(line))) {
      call.date = m[1];
    } else if ((m = /^speaker\s+(\w+)\s*=\s*(\S+)((?:\s+\w+=\S+)*)$/.exec(line))) {
      const opts = Object.fromEntries(
        m[3]
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((kv) => kv.split("=")),
      );
      call.speakers.set(m[1], {
        voice: m[2],
        pitch: opts.pitch ?? "50",
        speed: opts.speed ?? "160",
        vol: opts.vol ?? "0.8",
        // As the transcripts name the speaker (a recogniser's diarisation would say SPEAKER_00).
        name: opts.name ?? m[1],
      });
    } else if ((m = /^(pause|ring)\s+([0-9.]+)$/.exec(line))) {
      call.events.push({ kind: m[1], ms: Math.round(Number(m[2]) * 1000) });
    } else if ((m = /^(\w+)(?:\s*\[vol=([0-9.]+)\])?:\s*(.+)$/.exec(line))) {
      const speaker = call.speakers.get(m[1]);
      if (!speaker) fail(`${where}: unknown speaker "${m[1]}"`);
      call.events.push({
        kind: "line",
        where,
        who: m[1],
        speaker: { ...speaker, vol: m[2] ?? speaker.vol },
        segments: parseLine(m[3], where),
      });
    } else {
      fail(`${where}: cannot read this line`);
    }
  });
  if (!call.title) fail(`${file}: no "title:" line`);
  return call;
}

function parseLine(text, where) {
  const segments = [];
  const re = /\{([^}]*)\}/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    pushText(segments, text.slice(last, m.index));
    const [head, ...options] = m[1].split("|").map((s) => s.trim());
    const hm = /^(\w+):\s*(.+)$/.exec(head);
    if (!hm || !(hm[1] in FREQUENCIES))
      fail(`${where}: bad redaction "{${m[1]}}": want {sensitive|obscenity: words | options}`);
    const bleep = { category: hm[1], number: false, duration: false, note: undefined };
    for (const option of options) {
      if (option === "number") bleep.number = true;
      else if (option === "duration") bleep.duration = true;
      else if (option.startsWith("note:")) bleep.note = option.slice(5).trim();
      else fail(`${where}: unknown option "${option}"`);
    }
    segments.push({ text: hm[2], bleep });
    last = re.lastIndex;
  }
  pushText(segments, text.slice(last));
  return segments;
}

function pushText(segments, text) {
  // Punctuation alone (", " or ".") has nothing to say: drop it.
  if (/[A-Za-z0-9]/.test(text)) segments.push({ text: text.trim() });
}

// ---------------------------------------------------------------- audio

function readWav(file) {
  const buf = readFileSync(file);
  if (buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE")
    fail(`${file}: not a WAV file`);
  let pos = 12;
  let fmt;
  while (pos + 8 <= buf.length) {
    const id = buf.toString("ascii", pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    if (id === "fmt ") {
      fmt = {
        channels: buf.readUInt16LE(pos + 10),
        rate: buf.readUInt32LE(pos + 12),
        bits: buf.readUInt16LE(pos + 22),
      };
    } else if (id === "data") {
      if (fmt?.channels !== 1 || fmt.rate !== RATE || fmt.bits !== 16) fail(`${file}: expected 16-bit mono ${RATE} Hz`);
      const end = Math.min(buf.length, pos + 8 + size);
      const samples = new Int16Array((end - pos - 8) >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(pos + 8 + 2 * i);
      return samples;
    }
    pos += 8 + size + (size & 1);
  }
  fail(`${file}: no data chunk`);
}

function wavBytes(samples) {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write("RIFF", 0, "ascii");
  buf.writeUInt32LE(36 + samples.length * 2, 4);
  buf.write("WAVE", 8, "ascii");
  buf.write("fmt ", 12, "ascii");
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36, "ascii");
  buf.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i], 44 + 2 * i);
  return buf;
}

/** Speaks one segment: espeak-ng -> sox (gain, 300-3400 Hz band, 8000 Hz) -> trimmed, padded to whole ms. */
function speak(text, speaker, work, n) {
  const raw = join(work, `seg${n}-22k.wav`);
  const phone = join(work, `seg${n}-8k.wav`);
  run("espeak-ng", ["-v", speaker.voice, "-p", speaker.pitch, "-s", speaker.speed, "-w", raw, text]);
  run("sox", [
    "-R",
    "-D",
    "-V1",
    raw,
    "-b",
    "16",
    phone,
    "vol",
    speaker.vol,
    "sinc",
    "300-3400",
    "rate",
    "-v",
    String(RATE),
  ]);
  const samples = readWav(phone);
  let first = 0;
  while (first < samples.length && Math.abs(samples[first]) < TRIM_THRESHOLD) first++;
  let last = samples.length;
  while (last > first && Math.abs(samples[last - 1]) < TRIM_THRESHOLD) last--;
  if (last <= first) fail(`espeak-ng said nothing for "${text}"`);
  const padded = new Int16Array(Math.ceil((last - first) / MS) * MS);
  padded.set(samples.subarray(first, last));
  return padded;
}

/** UK ringing tone, 400 + 450 Hz, cadence 0.4 s on, 0.2 s off. */
function ring(ms) {
  const out = new Int16Array(ms * MS);
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    const inCadence = t % 0.6 < 0.4 && t % 3 < 1.0;
    if (inCadence) out[i] = Math.round(3000 * (Math.sin(2 * Math.PI * 400 * t) + Math.sin(2 * Math.PI * 450 * t)));
  }
  return out;
}

// ---------------------------------------------------------------- layout and manifest

function build(_name, call, work) {
  const pieces = [];
  const entries = [];
  const spoken = []; // every line as said: { who, segments: [{ text, startMs, endMs }] }, for the transcripts
  let at = 0; // samples, always a multiple of MS
  const add = (samples) => {
    pieces.push(samples);
    at += samples.length;
  };
  let segNo = 0;
  let lineNo = 0;
  for (const event of call.events) {
    if (event.kind === "pause") {
      add(new Int16Array(event.ms * MS));
      continue;
    }
    if (event.kind === "ring") {
      add(ring(event.ms));
      continue;
    }
    // Between lines: 300..590 ms of silence, varied but deterministic.
    if (at > 0) add(new Int16Array((300 + ((lineNo * 173) % 300)) * MS));
    lineNo++;
    const said = { who: event.who, name: event.speaker.name, segments: [] };
    spoken.push(said);
    event.segments.forEach((segment, i) => {
      if (i > 0) add(new Int16Array(WORD_GAP_MS * MS));
      const audio = speak(segment.text, event.speaker, work, segNo++);
      said.segments.push({ text: segment.text, startMs: at / MS, endMs: (at + audio.length) / MS });
      if (segment.bleep) {
        entries.push({
          ...segment.bleep,
          text: segment.text,
          who: event.who,
          where: event.where,
          startMs: at / MS,
          endMs: (at + audio.length) / MS,
        });
      }
      add(audio);
    });
  }
  // A little silence at the end, then up to whole MP3 granules (576 samples = 72 ms at 8000 Hz):
  // the npm ffmpeg's gapless trimming decodes a few samples too many when the length is just over
  // a multiple of 576, and a whole number of granules decodes to exactly the source length.
  add(new Int16Array(400 * MS));
  if (at % GRANULE) add(new Int16Array(GRANULE - (at % GRANULE)));
  const all = new Int16Array(at);
  let pos = 0;
  for (const p of pieces) {
    all.set(p, pos);
    pos += p.length;
  }
  return { samples: all, entries, spoken };
}

// ---------------------------------------------------------------- example transcripts

// Word-level transcripts in the shapes local recognisers write: transcripts/<call>.*, which `npm run
// redact` publishes redacted (out/<call>.vtt) and `npm run suggest` reads. They come from the synthesis,
// not from a recogniser: each segment's first word starts and its last word ends exactly where the
// segment's audio does (so a redacted phrase's words span its manifest entry to the millisecond); the
// words between share the segment's time in proportion to their length, as an approximation. One format
// per call, so that every reader is exercised; WhisperX's and WebVTT's name the speakers.
const TRANSCRIPT_FORMATS = { call1: "whisperx.json", call2: "whisper.cpp.json", call3: "vtt", call4: "srt" };
/** The transcript's file, and whether the manifest must name it (the default lookup finds <call>.<ext> only). */
const transcriptFile = (name) => `${name}.${TRANSCRIPT_FORMATS[name]}`;
const transcriptNamed = (name) => TRANSCRIPT_FORMATS[name]?.includes(".");

function wordTimes(spoken) {
  const words = [];
  for (const line of spoken) {
    for (const seg of line.segments) {
      const ws = seg.text.split(/\s+/).filter(Boolean);
      const total = ws.reduce((n, w) => n + w.length, 0);
      let used = 0;
      ws.forEach((w, i) => {
        const startMs = seg.startMs + Math.round(((seg.endMs - seg.startMs) * used) / total);
        used += w.length;
        const endMs =
          i === ws.length - 1 ? seg.endMs : seg.startMs + Math.round(((seg.endMs - seg.startMs) * used) / total);
        words.push({ text: w, startMs, endMs, line });
      });
    }
  }
  return words;
}

const srtClock = (ms, sep) => {
  const h = Math.floor(ms / 3600000);
  const m = Math.floor(ms / 60000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n, k = 2) => String(n).padStart(k, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
};

function transcript(name, spoken) {
  const format = TRANSCRIPT_FORMATS[name];
  const words = wordTimes(spoken);
  const sec = (ms) => ms / 1000;
  if (format === "srt") {
    return words
      .map((w, i) => `${i + 1}\n${srtClock(w.startMs, ",")} --> ${srtClock(w.endMs, ",")}\n${w.text}\n`)
      .join("\n");
  }
  if (format === "vtt") {
    const cues = words.map(
      (w) => `${srtClock(w.startMs, ".")} --> ${srtClock(w.endMs, ".")}\n<v ${w.line.name}>${w.text}\n`,
    );
    return `WEBVTT\n\n${cues.join("\n")}`;
  }
  const lines = spoken.map((line) => ({ line, words: words.filter((w) => w.line === line) }));
  if (format === "whisperx.json") {
    const segments = lines.map(({ line, words: ws }) => ({
      start: sec(ws[0].startMs),
      end: sec(ws[ws.length - 1].endMs),
      text: ws.map((w) => w.text).join(" "),
      words: ws.map((w) => ({
        word: w.text,
        start: sec(w.startMs),
        end: sec(w.endMs),
        score: 0.9,
        speaker: line.name,
      })),
      speaker: line.name,
    }));
    return `${JSON.stringify({ segments, language: "en" }, null, 2)}\n`;
  }
  // whisper.cpp -ojf: tokens are pieces of words; one starting with a space starts a new word.
  const transcription = lines.map(({ words: ws }) => {
    const from = ws[0].startMs;
    const to = ws[ws.length - 1].endMs;
    const tokens = [{ text: "[_BEG_]", offsets: { from, to: from }, id: 50363, p: 0.9 }];
    for (const w of ws) {
      const [, core, punct] = /^(.*?)([.,?!]*)$/.exec(w.text);
      const cut = core.length > 6 ? Math.ceil(core.length / 2) : core.length;
      const mid = w.startMs + Math.round(((w.endMs - w.startMs) * cut) / core.length);
      tokens.push({ text: ` ${core.slice(0, cut)}`, offsets: { from: w.startMs, to: mid }, id: 1000, p: 0.9 });
      if (cut < core.length)
        tokens.push({ text: core.slice(cut), offsets: { from: mid, to: w.endMs }, id: 1001, p: 0.9 });
      if (punct) tokens.push({ text: punct, offsets: { from: w.endMs, to: w.endMs }, id: 13, p: 0.9 });
    }
    return {
      timestamps: { from: srtClock(from, ","), to: srtClock(to, ",") },
      offsets: { from, to },
      text: ` ${ws.map((w) => w.text).join(" ")}`,
      tokens,
    };
  });
  return `${JSON.stringify({ result: { language: "en" }, transcription }, null, 2)}\n`;
}

function clock(ms) {
  const minutes = Math.floor(ms / 60000);
  const seconds = Math.floor(ms / 1000) % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
}

function seconds(ms) {
  const frac = String(ms % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  return frac ? `${Math.floor(ms / 1000)}.${frac}` : String(Math.floor(ms / 1000));
}

function manifest(name, call, entries) {
  const out = [];
  // Editors with the YAML language server (VS Code's YAML extension and others) read this line.
  out.push("# yaml-language-server: $schema=../schema/manifest.schema.json");
  out.push(`# Demo manifest for ${name}: regenerate with scripts/make-demo.sh`);
  out.push(`# Generated from scripts/demo-script/${name}.txt. Each redacted phrase was synthesised as a`);
  out.push(`# segment of its own, so these times are where its audio starts and ends, to the sample`);
  out.push(`# (${RATE} Hz: every time here is a whole number of milliseconds, 8 samples each).`);
  out.push(`recording: ${name}.mp3`);
  // transcripts/<call>.<ext> is found without it; a name with more dots is named.
  if (transcriptNamed(name)) out.push(`transcript: ${transcriptFile(name)}`);
  if (call.date) out.push(`date: ${call.date}`);
  out.push(`title: ${JSON.stringify(call.title)}`);
  if (entries.length === 0) {
    out.push("# Nothing in this call gives anything away: published as it is.");
    out.push("redactions: []");
    return `${out.join("\n")}\n`;
  }
  out.push("redactions:");
  for (const e of entries) {
    out.push(`  # ${e.who}: "${e.text}" (${(e.endMs - e.startMs) / 1000} s, ${e.where.replace(`${ROOT}/`, "")})`);
    out.push(`  - start: ${e.number ? seconds(e.startMs) : JSON.stringify(clock(e.startMs))}`);
    if (e.duration) out.push(`    duration: ${seconds(e.endMs - e.startMs)}`);
    else out.push(`    end: ${e.number ? seconds(e.endMs) : JSON.stringify(clock(e.endMs))}`);
    out.push(`    category: ${e.category}`);
    if (e.note) out.push(`    note: ${JSON.stringify(e.note)}`);
  }
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------- checking the MP3

function decode(file) {
  const pcm = run(FFMPEG, [
    "-nostdin",
    "-hide_banner",
    "-loglevel",
    "error",
    "-i",
    file,
    "-f",
    "s16le",
    "-ac",
    "1",
    "-ar",
    String(RATE),
    "-",
  ]);
  return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
}

function rmsDb(samples, from, to) {
  from = Math.max(0, from);
  to = Math.min(samples.length, to);
  if (to <= from) return -Infinity;
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return 20 * Math.log10(Math.sqrt(sum / (to - from)) / 32768 + 1e-12);
}

/** Confirms the decoded MP3 lines up with the source: same length, best alignment at lag 0. */
function check(_name, source, mp3File, entries) {
  const decoded = decode(mp3File);
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = -200; lag <= 200; lag++) {
    let sum = 0;
    for (let i = Math.max(0, -lag); i < source.length && i + lag < decoded.length; i++)
      sum += source[i] * decoded[i + lag];
    if (sum > best) {
      best = sum;
      bestLag = lag;
    }
  }
  const problems = [];
  if (decoded.length !== source.length)
    problems.push(`decoded length ${decoded.length} != source ${source.length} samples`);
  if (bestLag !== 0) problems.push(`decoded audio is offset by ${bestLag} samples`);
  const lines = [];
  for (const e of entries) {
    const s = e.startMs * MS;
    const t = e.endMs * MS;
    const gap = 40 * MS;
    lines.push(
      `    ${clock(e.startMs)}-${clock(e.endMs)} ${e.category.padEnd(9)} inside ${rmsDb(decoded, s, t).toFixed(1)} dB,` +
        ` 40 ms before ${rmsDb(decoded, s - gap, s).toFixed(1)} dB, after ${rmsDb(decoded, t, t + gap).toFixed(1)} dB  "${e.text}"`,
    );
    if (rmsDb(source, s - gap, s) > -90 || rmsDb(source, t, t + gap) > -90)
      problems.push(`"${e.text}": source is not silent around the range`);
  }
  return { lag: bestLag, decodedSamples: decoded.length, problems, lines };
}

// ---------------------------------------------------------------- main

const calls = readdirSync(SCRIPT_DIR)
  .filter((f) => /^call\d+\.txt$/.test(f))
  .map((f) => f.replace(/\.txt$/, ""))
  .sort();
if (calls.length === 0) fail(`no callN.txt in ${SCRIPT_DIR}`);
const work = mkdtempSync(join(tmpdir(), "make-demo-"));
const staged = [];
try {
  for (const name of calls) {
    const call = parseScript(join(SCRIPT_DIR, `${name}.txt`));
    const { samples, entries, spoken } = build(name, call, work);
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    if (peak >= 32767) fail(`${name}: the mix clips: lower a speaker's vol= in scripts/demo-script/${name}.txt`);
    const wav = join(work, `${name}.wav`);
    writeFileSync(wav, wavBytes(samples));
    const mp3 = join(work, `${name}.mp3`);
    run(FFMPEG, [
      "-nostdin",
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-i",
      wav,
      "-c:a",
      "libmp3lame",
      "-b:a",
      "32k",
      "-ar",
      String(RATE),
      "-ac",
      "1",
      "-map_metadata",
      "-1",
      "-fflags",
      "+bitexact",
      "-flags:a",
      "+bitexact",
      mp3,
    ]);
    const yamlFile = join(work, `${name}.yaml`);
    writeFileSync(yamlFile, manifest(name, call, entries));
    const result = check(name, samples, mp3, entries);
    const size = readFileSync(mp3).length;
    console.log(
      `${name}: ${(samples.length / RATE).toFixed(3)} s (${samples.length} samples at ${RATE} Hz), ` +
        `${size} bytes MP3, ${entries.length} redaction(s); decoded MP3: ${result.decodedSamples} samples, lag ${result.lag}`,
    );
    for (const l of result.lines) console.log(l);
    if (result.problems.length) fail(`${name}: ${result.problems.join("; ")}`);
    staged.push([mp3, join(ROOT, "recordings", `${name}.mp3`)], [yamlFile, join(ROOT, "redactions", `${name}.yaml`)]);
    if (TRANSCRIPT_FORMATS[name]) {
      const file = transcriptFile(name);
      writeFileSync(join(work, file), transcript(name, spoken));
      staged.push([join(work, file), join(ROOT, "transcripts", file)]);
    }
  }
  // Everything built and checked: only now replace the files in the repository.
  mkdirSync(join(ROOT, "transcripts"), { recursive: true });
  for (const [from, to] of staged) {
    const tmp = `${to}.tmp`;
    writeFileSync(tmp, readFileSync(from));
    renameSync(tmp, to);
    console.log(`wrote ${to.replace(`${ROOT}/`, "")}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
