/**
 * The main job as a user runs it: synthesised recordings at 8000, 44100 and
 * 48000 Hz, mono and stereo; `redact <call>` in a fresh project; the master
 * diffed sample by sample against the input and an independently computed
 * tone; the MP3 decoded and measured with ffmpeg.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeWithFfmpeg, ebur128, probeWithFfmpeg, readWav, speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex, refTone, toneEnergyFraction } from "../helpers/signal.ts";

interface Case {
  readonly rate: number;
  readonly channels: number;
  readonly seconds: number;
}

const CASES: Case[] = [
  { rate: 8000, channels: 1, seconds: 8 },
  { rate: 44100, channels: 2, seconds: 6 },
  { rate: 48000, channels: 1, seconds: 6 },
];

// Times as users write them; expected indices come from refSampleIndex, not from the code under test.
const MANIFEST = `# test manifest
title: "Test call: a name & a swear"
redactions:
  - start: "0:01.005"     # 1.005 s: binary floating point would round this wrongly at 44.1 kHz
    end: "0:01.750"
    category: sensitive
    note: SECRET-NOTE-do-not-publish
  - start: 2.5
    duration: 0.75
    category: obscenity
  - start: "3.000"
    end: "3.5"
    category: obscenity     # touches the previous range (2.5 + 0.75 = 3.25 overlaps): merged
  - start: "4.25"
    end: 5
    category: sensitive
`;

const expectedRanges = (rate: number) => [
  { start: refSampleIndex("1.005", rate), end: refSampleIndex("1.750", rate), frequency: 440, category: "sensitive" },
  { start: refSampleIndex("2.5", rate), end: refSampleIndex("3.5", rate), frequency: 660, category: "obscenity" },
  { start: refSampleIndex("4.25", rate), end: refSampleIndex("5", rate), frequency: 440, category: "sensitive" },
];

const projects: TempProject[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

describe.each(CASES)("redact at $rate Hz, $channels channel(s)", ({ rate, channels, seconds }) => {
  const frames = rate * seconds;
  const ranges = expectedRanges(rate);
  let input: Int16Array[];
  let project: TempProject;
  let run: CliResult;

  // The run belongs to this case's tests: collecting the file (or running other tests of it) runs nothing.
  beforeAll(() => {
    input = speechLike(rate, channels, frames, rate + channels);
    project = tempProject();
    projects.push(project);
    project.write("recordings/call9.wav", wavBytes(rate, input));
    project.write("redactions/call9.yaml", MANIFEST);
    run = project.redact(["call9"]);
  }, 60_000);

  it("exits 0 and says what it wrote, without progress escapes in a pipe", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("out/call9.wav");
    expect(run.stdout).not.toContain("\r");
    expect(run.stdout).not.toContain("\u001b");
  });

  it("writes a 16-bit master with the source's rate, channels and length", () => {
    const master = readWav(project.read("out/call9.wav"));
    expect(master.bitDepth).toBe("16");
    expect(master.sampleRate).toBe(rate);
    expect(master.channels.length).toBe(channels);
    for (const ch of master.channels) expect(ch.length).toBe(frames);
  });

  it("leaves every sample outside the ranges identical and puts the exact tone inside (tolerance half an LSB)", () => {
    const master = readWav(project.read("out/call9.wav"));
    for (let c = 0; c < channels; c++) {
      const out = master.channels[c] as Int16Array;
      const src = input[c] as Int16Array;
      let cursor = 0;
      let maxToneError = 0;
      for (const r of ranges) {
        for (let i = cursor; i < r.start; i++)
          if (out[i] !== src[i]) throw new Error(`sample ${i} changed outside ranges`);
        for (let i = r.start; i < r.end; i++) {
          const expected = refTone(i - r.start, r.end - r.start, r.frequency, rate) * 32768;
          maxToneError = Math.max(maxToneError, Math.abs((out[i] as number) - expected));
        }
        cursor = r.end;
      }
      for (let i = cursor; i < frames; i++)
        if (out[i] !== src[i]) throw new Error(`sample ${i} changed outside ranges`);
      // Half an LSB of rounding, plus the float32 precision of the tone before quantisation.
      expect(maxToneError).toBeLessThanOrEqual(0.501);
      // Exact boundaries: the sample before a range is the source's, the range's first sample is the tone's zero.
      for (const r of ranges) {
        expect(out[r.start - 1]).toBe(src[r.start - 1]);
        expect(out[r.start]).toBe(0);
        expect(out[r.end]).toBe(src[r.end]);
      }
    }
  });

  it("writes a public report with the ranges in samples and seconds and the files' hashes, nothing private", () => {
    const text = project.read("out/call9.json").toString("utf8");
    expect(text).not.toContain("SECRET-NOTE");
    const recordingSha = createHash("sha256").update(project.read("recordings/call9.wav")).digest("hex");
    expect(text).not.toContain(recordingSha);
    const report = JSON.parse(text);
    expect(report.call).toBe("call9");
    expect(report.title).toBe("Test call: a name & a swear");
    // The source's format and length only: not its file name, not its hash.
    expect(report.source).toEqual({ sampleRate: rate, channels, samples: frames });
    expect(
      report.ranges.map((r: { startSample: number; endSample: number; category: string; frequency: number }) => [
        r.startSample,
        r.endSample,
        r.category,
        r.frequency,
      ]),
    ).toEqual(ranges.map((r) => [r.start, r.end, r.category, r.frequency]));
    expect(report.ranges[0].startSeconds).toBeCloseTo((ranges[0]?.start ?? Number.NaN) / rate, 12);
    for (const kind of ["wav", "mp3"]) {
      const file = report.outputs[kind].file;
      expect(report.outputs[kind].sha256).toBe(
        createHash("sha256")
          .update(project.read(`out/${file}`))
          .digest("hex"),
      );
    }
  });

  it("publishes an MP3 where each range is dominated by its tone, aligned within one codec frame", () => {
    const mp3Path = `${project.root}/out/call9.mp3`;
    const info = probeWithFfmpeg(mp3Path);
    const mp3Rate = Number(/, (\d+) Hz,/.exec(info)?.[1]);
    expect([32000, 44100, 48000]).toContain(mp3Rate);
    const decoded = decodeWithFfmpeg(mp3Path, channels === 2 ? 2 : 1);
    const ratio = mp3Rate / rate;
    // Gapless decoding: the length matches the master's, rescaled, within one MP3 frame.
    expect(Math.abs((decoded[0]?.length ?? 0) - frames * ratio)).toBeLessThan(1152);
    for (const r of ranges) {
      const frame = 1152;
      const from = Math.round(r.start * ratio) + frame;
      const to = Math.round(r.end * ratio) - frame;
      const fraction = toneEnergyFraction((decoded[0] as Float32Array).subarray(from, to), r.frequency, mp3Rate);
      expect(fraction, `range at ${r.start}`).toBeGreaterThan(0.9);
    }
  });

  it("normalises the MP3's loudness to the podcast target with true peak at most -1 dBTP", () => {
    const m = ebur128(`${project.root}/out/call9.mp3`);
    const target = channels === 2 ? -16 : -19;
    expect(Math.abs(m.integratedLufs - target)).toBeLessThanOrEqual(1);
    expect(m.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it("writes only the title as metadata, and no temporary files", () => {
    const info = probeWithFfmpeg(`${project.root}/out/call9.mp3`);
    expect(info).toContain("Test call: a name & a swear");
    expect(Object.keys(Object.fromEntries(project.snapshotOut())).sort()).toEqual([
      "call9.html",
      "call9.json",
      "call9.mp3",
      "call9.wav",
      "index.html",
    ]);
  });
});

describe("determinism", () => {
  it("gives byte-identical files on a second run", () => {
    const project = tempProject();
    projects.push(project);
    project.write("recordings/call1.wav", wavBytes(8000, speechLike(8000, 1, 8000 * 3, 7)));
    project.write("redactions/call1.yaml", "redactions:\n  - { start: 1, end: 2, category: sensitive }\n");
    expect(project.redact(["call1"]).status).toBe(0);
    const first = project.snapshotOut();
    expect(project.redact(["call1"]).status).toBe(0);
    expect(project.snapshotOut()).toEqual(first);
  }, 60_000);
});
