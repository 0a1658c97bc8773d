import { describe, expect, it } from "vitest";
import { BenchUsageError, parseBenchArgs } from "../../scripts/bench-lib/args.ts";
import { typicalPlan } from "../../scripts/bench-lib/dsp.ts";
import { benchManifest, coverage, realisticRangeCount, realisticRanges } from "../../scripts/bench-lib/manifest.ts";
import {
  classify,
  descendants,
  describe as describeProcess,
  parseCpuPressure,
  parseSmapsRollup,
  parseStat,
  parseStatCpu,
  parseStatmRssKb,
  TreeTracker,
} from "../../scripts/bench-lib/proctree.ts";
import { median, summarise } from "../../scripts/bench-lib/stats.ts";
import { floatToS16le, mulberry32, SpeechSynth } from "../../scripts/bench-lib/synth.ts";
import { formatTable } from "../../scripts/bench-lib/table.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { buildPlan, fitPlan } from "../../src/plan/plan.ts";

describe("parseBenchArgs", () => {
  it("defaults to every row, 1, 10 and 60 minutes, 3 runs, 50 batch calls", () => {
    expect(parseBenchArgs([])).toEqual({
      rows: ["wav8k", "wav16k", "mp3-44k", "m4a-48k", "batch"],
      minutes: [1, 10, 60],
      runs: 3,
      batchCalls: 50,
      out: ".bench/matrix.md",
      sampleMs: 50,
      redactArgs: [],
      maxWaitS: 60,
      dspSeconds: 0,
      quick: false,
      help: false,
    });
  });
  it("--quick: two formats and the batch, 1 and 10 minutes, 2 runs, unless told otherwise", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({
      rows: ["wav8k", "mp3-44k", "batch"],
      minutes: [1, 10],
      runs: 2,
      quick: true,
    });
    expect(parseBenchArgs(["--quick", "--runs", "3"])).toMatchObject({ minutes: [1, 10], runs: 3 });
    expect(parseBenchArgs(["--minutes=5", "--quick"])).toMatchObject({ minutes: [5], runs: 2 });
    expect(parseBenchArgs(["--rows", "m4a-48k", "--quick"])).toMatchObject({ rows: ["m4a-48k"], minutes: [1, 10] });
  });
  it("reads lists and = forms, dropping repeats", () => {
    expect(parseBenchArgs(["--minutes", "2,0.5,2", "--runs=5", "--rows=batch,wav16k,batch"])).toMatchObject({
      minutes: [2, 0.5],
      runs: 5,
      rows: ["batch", "wav16k"],
    });
    expect(parseBenchArgs(["--out", "x.md", "--batch-calls", "8", "--sample-ms=20"])).toMatchObject({
      out: "x.md",
      batchCalls: 8,
      sampleMs: 20,
    });
  });
  it("passes extra redact arguments through, split on spaces", () => {
    expect(parseBenchArgs(["--redact-args", " --formats  mp3 "]).redactArgs).toEqual(["--formats", "mp3"]);
    expect(parseBenchArgs(["--redact-args=--no-verify", "--max-wait", "0"])).toMatchObject({
      redactArgs: ["--no-verify"],
      maxWaitS: 0,
    });
  });
  it("--help and -h", () => {
    expect(parseBenchArgs(["--help"]).help).toBe(true);
    expect(parseBenchArgs(["-h"]).help).toBe(true);
  });
  it("refuses bad values, unknown rows and unknown options", () => {
    for (const argv of [
      ["--runs", "0"],
      ["--runs", "1.5"],
      ["--minutes", "10,x"],
      ["--minutes"],
      ["--rows", "wav8k,flac"],
      ["--rows", ""],
      ["--batch-calls", "2.5"],
      ["--out", ""],
      ["--frobnicate"],
    ]) {
      expect(() => parseBenchArgs(argv), argv.join(" ")).toThrow(BenchUsageError);
    }
  });
});

describe("stats", () => {
  it("median of odd and even counts, unsorted input untouched", () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
    expect(summarise([2, 9, 4])).toEqual({ median: 4, min: 2, max: 9 });
  });
});

describe("bench manifests", () => {
  it("six ranges a minute up to a few dozen, both categories, inside the recording, sorted", () => {
    expect([0.2, 1, 3, 10, 60].map(realisticRangeCount)).toEqual([6, 6, 18, 40, 40]);
    for (const minutes of [0.2, 1, 10, 60]) {
      const ranges = realisticRanges(minutes);
      const written = realisticRangeCount(minutes) + Math.floor(realisticRangeCount(minutes) / 5);
      expect(ranges).toHaveLength(written);
      for (let k = 0; k < ranges.length; k++) {
        const r = ranges[k] as (typeof ranges)[number];
        expect(r.start).toBeGreaterThanOrEqual(1);
        expect(r.start + r.duration).toBeLessThanOrEqual(minutes * 60 - 1);
        expect(r.duration).toBeGreaterThan(0);
        if (k > 0) expect(r.start).toBeGreaterThanOrEqual((ranges[k - 1] as typeof r).start);
      }
      expect(new Set(ranges.map((r) => r.category)).size).toBe(2);
      if (minutes >= 1) expect(coverage(ranges, minutes * 60)).toBeLessThan(0.2);
    }
    expect(realisticRanges(10)).toEqual(realisticRanges(10));
    expect(realisticRanges(10, 8)).not.toEqual(realisticRanges(10));
  });
  it("is a valid manifest whose ranges fit the recording; the overlapping entries merge", () => {
    for (const [minutes, rate] of [
      [1, 8000],
      [10, 44100],
      [60, 48000],
    ] as const) {
      const ranges = realisticRanges(minutes);
      const text = benchManifest("x.wav", "x", ranges);
      const manifest = parseManifest(text, { file: "redactions/x.yaml", call: "x" });
      expect(manifest.entries).toHaveLength(ranges.length);
      const plan = fitPlan(buildPlan(manifest, rate), manifest, minutes * 60 * rate);
      expect(plan.ranges).toHaveLength(realisticRangeCount(minutes));
    }
  });
});

describe("SpeechSynth", () => {
  it("is deterministic and independent of how the stream is cut", () => {
    const whole = new SpeechSynth({ seed: 42, sampleRate: 44100 }).next(44100 * 3);
    const synth = new SpeechSynth({ seed: 42, sampleRate: 44100 });
    const parts = [1, 999, 44100, 12345, 44100 * 3 - 1 - 999 - 44100 - 12345].map((n) => synth.next(n));
    const joined = new Float32Array(whole.length);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    expect(Buffer.from(joined.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    const other = new SpeechSynth({ seed: 43, sampleRate: 44100 }).next(whole.length);
    expect(Buffer.from(other.buffer).equals(Buffer.from(whole.buffer))).toBe(false);
  });
  it("has speech-like levels: bursts and pauses, no clipping", () => {
    const x = new SpeechSynth({ seed: 42, sampleRate: 44100 }).next(44100 * 20);
    let peak = 0;
    let loud = 0;
    for (const v of x) {
      peak = Math.max(peak, Math.abs(v));
      if (Math.abs(v) > 0.02) loud++;
    }
    expect(peak).toBeLessThan(1);
    expect(peak).toBeGreaterThan(0.1);
    expect(loud / x.length).toBeGreaterThan(0.05);
    expect(loud / x.length).toBeLessThan(0.6);
  });
  it("converts to 16-bit little-endian with clipping", () => {
    const b = floatToS16le(Float32Array.from([0, 1, -1, 0.5, 2, -2]));
    expect([0, 1, 2, 3, 4, 5].map((i) => b.readInt16LE(2 * i))).toEqual([0, 32767, -32767, 16384, 32767, -32768]);
  });
  it("mulberry32 stays in [0, 1)", () => {
    const r = mulberry32(1);
    for (let i = 0; i < 1000; i++) {
      const v = r();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe("/proc parsing", () => {
  it("reads pid, comm and ppid even when comm holds spaces and parentheses", () => {
    expect(parseStat("1234 (node) S 1200 1234 1200 0 -1 4194560")).toEqual({ pid: 1234, comm: "node", ppid: 1200 });
    expect(parseStat("77 (a (b) c) R 5 77 77")).toEqual({ pid: 77, comm: "a (b) c", ppid: 5 });
    expect(parseStat("garbage")).toBeUndefined();
  });
  it("reads Rss and Pss from smaps_rollup and resident pages from statm", () => {
    const rollup = "55c2-7ffc ---p 00000000 00:00 0 [rollup]\nRss:  1728 kB\nPss:   304 kB\nPss_Dirty: 116 kB\n";
    expect(parseSmapsRollup(rollup)).toEqual({ rssKb: 1728, pssKb: 304 });
    expect(parseSmapsRollup("nothing")).toBeUndefined();
    expect(parseStatmRssKb("10000 2500 300 10 0 400 0\n", 4096)).toBe(10000);
  });
  it("reads CPU ticks from stat and the CPU pressure line", () => {
    const stat = "42 (node x) S 1 42 42 0 -1 4194560 100 0 0 0 250 30 1200 80 20 0 11 0 500 1000 2000";
    expect(parseStatCpu(stat)).toEqual({ utime: 250, stime: 30, cutime: 1200, cstime: 80 });
    expect(parseStatCpu("42 (x) S 1")).toBeUndefined();
    const pressure =
      "some avg10=98.26 avg60=97.08 avg300=71.58 total=686012446\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
    expect(parseCpuPressure(pressure)).toEqual({ avg10: 98.26, totalUs: 686012446 });
    expect(parseCpuPressure("")).toBeUndefined();
  });
  it("finds every descendant, however deep, and nothing else", () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 11],
      [13, 11],
      [20, 1],
      [21, 20],
    ]);
    expect(descendants(10, parents).sort()).toEqual([10, 11, 12, 13]);
    expect(descendants(99, parents)).toEqual([99]);
  });
  it("names the benchmark's processes", () => {
    expect(classify(["npm run redact -- bench-10m"])).toBe("npm");
    expect(classify(["node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "run", "redact"])).toBe("npm");
    expect(classify(["sh", "-c", "node /r/node_modules/tsx/dist/cli.mjs /r/src/cli/main.ts bench-10m"])).toBe("shell");
    expect(
      classify(["node", "/r/node_modules/tsx/dist/cli.mjs", "--tsconfig", "/r/tsconfig.json", "/r/src/cli/main.ts"]),
    ).toBe("tsx");
    expect(
      classify(["/usr/bin/node", "--require", "/r/node_modules/tsx/dist/preflight.cjs", "/r/src/cli/main.ts", "x"]),
    ).toBe("redact");
    const ff = "/r/node_modules/@ffmpeg-installer/linux-x64/ffmpeg";
    expect(classify([ff, "-i", "a.mp3", "-f", "wav", "pipe:1"])).toBe("ffmpeg-decode");
    expect(classify([ff, "-f", "f32le", "-ar", "44100", "-i", "pipe:0", "out.mp3"])).toBe("ffmpeg-encode");
    expect(classify([ff, "-i", "a.mp3", "-c:a", "libmp3lame", "b.mp3"])).toBe("ffmpeg");
    expect(classify(["cat"])).toBe("other");
    expect(describeProcess([ff, "-f", "f32le", "-i", "pipe:0", "-c:a", "libopus", "/r/out/.c.opus.tmp"])).toBe(
      "ffmpeg-encode libopus pipe:0 -> .c.opus.tmp",
    );
    expect(describeProcess(["npm run redact"])).toBe("npm");
  });
});

describe("TreeTracker", () => {
  it("keeps the peak of per-sample sums, per role and without the launcher, and process lifetimes", () => {
    const t = new TreeTracker();
    t.add({
      tMs: 0,
      procs: [
        { pid: 1, role: "npm", rssKb: 1024 * 50, pssKb: 1024 * 30 },
        { pid: 2, role: "redact", rssKb: 1024 * 100, pssKb: 1024 * 80 },
      ],
    });
    t.add({
      tMs: 50,
      procs: [
        { pid: 1, role: "npm", rssKb: 1024 * 50 },
        { pid: 2, role: "redact", rssKb: 1024 * 120 },
        { pid: 3, role: "ffmpeg-encode", rssKb: 1024 * 10 },
      ],
    });
    t.add({ tMs: 100, procs: [{ pid: 1, role: "npm", rssKb: 1024 * 50, pssKb: 1024 * 30 }] });
    const r = t.result();
    expect(r.peakRssMB).toBe(180);
    expect(r.peakToolRssMB).toBe(130);
    // The sample without PSS readings does not count towards the PSS peaks.
    expect(r.peakPssMB).toBe(110);
    expect(r.peakToolPssMB).toBe(80);
    expect(r.peakByRole.redact).toEqual({ rssMB: 120, pssMB: 80 });
    expect(r.samples).toBe(3);
    expect(r.lifetimes).toEqual([
      { pid: 1, role: "npm", firstMs: 0, lastMs: 100 },
      { pid: 2, role: "redact", firstMs: 0, lastMs: 50 },
      { pid: 3, role: "ffmpeg-encode", firstMs: 50, lastMs: 50 },
    ]);
  });
});

describe("typicalPlan", () => {
  it("covers about 5 % of the audio with sorted, disjoint ranges inside it", () => {
    const total = 60 * 44100;
    const plan = typicalPlan(total, 44100);
    expect(plan).toHaveLength(3);
    let covered = 0;
    let lastEnd = 0;
    for (const r of plan) {
      expect(r.start).toBeGreaterThanOrEqual(lastEnd);
      expect(r.end).toBeLessThanOrEqual(total);
      covered += r.end - r.start;
      lastEnd = r.end;
    }
    expect(covered / total).toBeCloseTo(0.05, 3);
  });
});

describe("formatTable", () => {
  it("right-aligns numeric columns and pads the rest", () => {
    const t = formatTable(
      ["name", "s"],
      [
        ["a", "1.50"],
        ["long name", "12.25"],
      ],
    );
    expect(t.split("\n")).toEqual(["name           s", "---------  -----", "a           1.50", "long name  12.25"]);
  });
});
