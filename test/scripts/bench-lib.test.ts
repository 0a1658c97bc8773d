import { describe, expect, it } from "vitest";
import { BenchUsageError, parseBenchArgs } from "../../scripts/bench-lib/args.ts";
import { typicalPlan } from "../../scripts/bench-lib/dsp.ts";
import { benchManifest, benchRanges, coverage } from "../../scripts/bench-lib/manifest.ts";
import {
  classify,
  descendants,
  describe as describeProcess,
  parseCpuPressure,
  parseSmapsRollup,
  parseStat,
  parseStatCpu,
  parseStatmRssKb,
  redactStages,
  TreeTracker,
} from "../../scripts/bench-lib/proctree.ts";
import { median, summarise } from "../../scripts/bench-lib/stats.ts";
import { floatToS16le, mulberry32, SpeechSynth } from "../../scripts/bench-lib/synth.ts";
import { formatTable } from "../../scripts/bench-lib/table.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { buildPlan, fitPlan } from "../../src/plan/plan.ts";

describe("parseBenchArgs", () => {
  it("defaults to 10, 30 and 60 minutes, 3 runs", () => {
    expect(parseBenchArgs([])).toEqual({
      minutes: [10, 30, 60],
      runs: 3,
      dspSeconds: 60,
      sampleMs: 50,
      redactArgs: [],
      maxWaitS: 60,
      help: false,
    });
  });
  it("--quick means one minute, one run, unless told otherwise", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({ minutes: [1], runs: 1 });
    expect(parseBenchArgs(["--quick", "--runs", "2"])).toMatchObject({ minutes: [1], runs: 2 });
    expect(parseBenchArgs(["--minutes=5", "--quick"])).toMatchObject({ minutes: [5], runs: 1 });
  });
  it("reads lists and = forms", () => {
    expect(parseBenchArgs(["--minutes", "2,0.5", "--runs=5", "--dsp-seconds", "0"])).toMatchObject({
      minutes: [2, 0.5],
      runs: 5,
      dspSeconds: 0,
    });
  });
  it("passes extra redact arguments through, split on spaces", () => {
    expect(parseBenchArgs(["--redact-args", " --formats  mp3 "]).redactArgs).toEqual(["--formats", "mp3"]);
    expect(parseBenchArgs(["--redact-args=--formats=mp3", "--max-wait", "0"])).toMatchObject({
      redactArgs: ["--formats=mp3"],
      maxWaitS: 0,
    });
  });
  it("refuses bad values and unknown options", () => {
    for (const argv of [["--runs", "0"], ["--runs", "1.5"], ["--minutes", "10,x"], ["--minutes"], ["--frobnicate"]]) {
      expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
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
  it("one range per minute, alternating categories, each inside its minute", () => {
    const ranges = benchRanges(60);
    expect(ranges).toHaveLength(60);
    ranges.forEach((r, m) => {
      expect(r.category).toBe(m % 2 === 0 ? "sensitive" : "obscenity");
      expect(r.start).toBeGreaterThanOrEqual(m * 60);
      expect(r.start + r.duration).toBeLessThan((m + 1) * 60);
    });
    expect(benchRanges(1)).toHaveLength(1);
    expect(coverage(ranges, 3600)).toBeGreaterThan(0.02);
    expect(coverage(ranges, 3600)).toBeLessThan(0.05);
  });
  it("is a valid manifest whose ranges fit the recording", () => {
    const minutes = 10;
    const text = benchManifest("bench-10m.mp3", "bench-10m", benchRanges(minutes));
    const manifest = parseManifest(text, { file: "redactions/bench-10m.yaml", call: "bench-10m" });
    expect(manifest.entries).toHaveLength(10);
    const plan = fitPlan(buildPlan(manifest, 44100), manifest, minutes * 60 * 44100);
    expect(plan.ranges).toHaveLength(10);
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
  it("turns the ffmpeg lifetimes of a redact run into stages that add up to the total", () => {
    const lifetimes = [
      { pid: 1, role: "npm" as const, firstMs: 0, lastMs: 9900 },
      { pid: 6, role: "ffmpeg-decode" as const, firstMs: 800, lastMs: 3000 },
      { pid: 7, role: "ffmpeg-encode" as const, firstMs: 3100, lastMs: 9800 },
    ];
    const s = redactStages(lifetimes, 10000);
    expect(s).toEqual({ startupS: 0.8, pass1S: 2.2, prepS: 0.1, encodeS: 6.7, tailS: 0.2 });
    expect(redactStages(lifetimes.slice(0, 2), 10000)).toBeUndefined();
  });
  it("keeps codec probes (beside pass 1) and the checks beside the encoders out of the stage boundaries", () => {
    const s = redactStages(
      [
        {
          pid: 6,
          role: "ffmpeg-decode",
          label: "ffmpeg-decode pcm_s16le c.mp3 -> pipe:1",
          firstMs: 1000,
          lastMs: 4000,
        },
        {
          pid: 7,
          role: "ffmpeg-encode",
          label: "ffmpeg-encode libmp3lame pipe:0 -> pipe:1",
          firstMs: 1100,
          lastMs: 1200,
        },
        {
          pid: 8,
          role: "ffmpeg-decode",
          label: "ffmpeg-decode pcm_f32le pipe:0 -> pipe:1",
          firstMs: 1100,
          lastMs: 1200,
        },
        {
          pid: 9,
          role: "ffmpeg-encode",
          label: "ffmpeg-encode libmp3lame pipe:0 -> c.mp3.tmp",
          firstMs: 6000,
          lastMs: 9000,
        },
        {
          pid: 10,
          role: "ffmpeg-encode",
          label: "ffmpeg-encode libopus pipe:0 -> c.opus.tmp",
          firstMs: 6000,
          lastMs: 9500,
        },
        {
          pid: 12,
          role: "ffmpeg-decode",
          label: "ffmpeg-decode pcm_s16le c.mp3 -> pipe:1",
          firstMs: 6100,
          lastMs: 7000,
        },
        {
          pid: 11,
          role: "ffmpeg-decode",
          label: "ffmpeg-decode pcm_s16le c.mp3.tmp -> pipe:1",
          firstMs: 9600,
          lastMs: 9900,
        },
      ],
      10000,
    );
    expect(s).toEqual({ startupS: 1, pass1S: 3, prepS: 2, encodeS: 3.5, tailS: 0.5 });
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
