/** The bench matrix's pure parts: rows, stage classification, targets, tables. No timing here. */
import { describe, expect, it } from "vitest";
import { TreeTracker } from "../../scripts/bench-lib/proctree.ts";
import {
  failedVerificationOnly,
  failureGist,
  type MachineInfo,
  type RowResult,
  renderReport,
  rowName,
} from "../../scripts/bench-lib/report.ts";
import {
  bareTranscodeArgs,
  batchSpecs,
  FORMATS,
  inputCall,
  inputKey,
  makeInputArgs,
} from "../../scripts/bench-lib/rows.ts";
import {
  callOfOutput,
  cpuAt,
  ffmpegProcess,
  medianStages,
  type RunStages,
  runStages,
  type SeenProcess,
} from "../../scripts/bench-lib/stages.ts";
import { markdownTable } from "../../scripts/bench-lib/table.ts";
import { checkMemory, checkSpeed, speedTarget } from "../../scripts/bench-lib/targets.ts";

const FF = "/r/node_modules/@ffmpeg-installer/linux-x64/ffmpeg";
const COMMON = ["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"];
const P = "/r/.bench/matrix";

/** The ffmpeg command lines of one `npm run redact` of call `c`, as the tool writes them. */
const argv = {
  probeEncode: [
    FF,
    ...COMMON,
    "-f",
    "f32le",
    "-ar",
    "48000",
    "-ac",
    "1",
    "-i",
    "pipe:0",
    "-c:a",
    "libmp3lame",
    "-b:a",
    "64k",
    "-f",
    "mp3",
    "-y",
    "pipe:1",
  ],
  probeDecode: [FF, ...COMMON, "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1"],
  source: [
    FF,
    ...COMMON,
    "-i",
    `${P}/recordings/c.wav`,
    "-map",
    "0:a:0",
    "-vn",
    "-sn",
    "-dn",
    "-map_metadata",
    "-1",
    "-fflags",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-c:a",
    "pcm_s16le",
    "-f",
    "wav",
    "pipe:1",
  ],
  encode: [
    FF,
    ...COMMON,
    "-progress",
    "pipe:3",
    "-f",
    "f32le",
    "-ar",
    "8000",
    "-ac",
    "1",
    "-i",
    "pipe:0",
    "-map_metadata",
    "-1",
    "-map_chapters",
    "-1",
    "-ar",
    "48000",
    "-c:a",
    "libmp3lame",
    "-b:a",
    "64k",
    "-fflags",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-id3v2_version",
    "4",
    "-metadata",
    "title=c",
    "-f",
    "mp3",
    "-y",
    `${P}/out/.c.mp3.5643-a400ce3e.tmp`,
  ],
  master: [FF, ...COMMON, "-i", `${P}/out/.c.wav.5643-3a7ff39e.tmp`, "-c:a", "pcm_s16le", "-f", "wav", "pipe:1"],
  webCheck: [
    FF,
    ...COMMON,
    "-i",
    `${P}/out/.c.mp3.5643-a400ce3e.tmp`,
    "-filter_complex",
    "[0:a:0]asplit=2[native][in]",
    "-map",
    "[native]",
    "-c:a",
    "pcm_f32le",
    "-f",
    "wav",
    "pipe:1",
    "-map",
    "[converted]",
    "-f",
    "wav",
    "pipe:4",
  ],
  metadata: [
    FF,
    ...COMMON,
    "-i",
    `${P}/recordings/c.wav`,
    "-fflags",
    "+bitexact",
    "-flags",
    "+bitexact",
    "-f",
    "ffmetadata",
    "pipe:1",
  ],
  version: [FF, "-version"],
};

describe("rows", () => {
  it("keys a recording by everything that makes its bytes", () => {
    const spec = { format: "wav8k", minutes: 10, seed: 42 } as const;
    expect(inputKey(spec)).toMatch(/^[0-9a-f]{8}$/);
    expect(inputKey(spec)).toBe(inputKey({ ...spec }));
    expect(inputKey({ ...spec, seed: 43 })).not.toBe(inputKey(spec));
    expect(inputKey({ ...spec, minutes: 60 })).not.toBe(inputKey(spec));
    expect(inputKey({ ...spec, format: "wav16k" })).not.toBe(inputKey(spec));
    expect(inputCall(spec)).toBe(`wav8k-10m-${inputKey(spec)}`);
    expect(inputCall({ ...spec, minutes: 0.2 })).toMatch(/^wav8k-0_2m-[0-9a-f]{8}$/);
  });
  it("makes each format from s16le PCM with its codec", () => {
    expect(makeInputArgs(FORMATS["m4a-48k"], "x.tmp")).toEqual([
      ...["-f", "s16le", "-ar", "48000", "-ac", "1", "-i", "pipe:0", "-map_metadata", "-1"],
      ...["-c:a", "aac", "-b:a", "64k", "-f", "ipod", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-y", "x.tmp"],
    ]);
    expect(makeInputArgs(FORMATS["mp3-44k"], "y")).toContain("libmp3lame");
  });
  it("transcodes to the tool's web MP3: its rate, bitrate and channels", () => {
    const argAfter = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];
    const phone = bareTranscodeArgs("in.wav", { sampleRate: 8000, channels: 1 }, "t", "out.mp3");
    expect(phone.slice(0, 7)).toEqual([...COMMON, "-i", "in.wav"]);
    expect([argAfter(phone, "-ar"), argAfter(phone, "-b:a"), argAfter(phone, "-c:a")]).toEqual([
      "48000",
      "64k",
      "libmp3lame",
    ]);
    expect(phone).not.toContain("-af");
    expect(phone.slice(-4)).toEqual(["-f", "mp3", "-y", "out.mp3"]);
    expect(phone).toContain("title=t");
    const stereo = bareTranscodeArgs("in.mp3", { sampleRate: 44100, channels: 2 }, "t", "o");
    expect([argAfter(stereo, "-ar"), argAfter(stereo, "-b:a")]).toEqual(["44100", "96k"]);
    expect(argAfter(bareTranscodeArgs("a", { sampleRate: 16000, channels: 1 }, "t", "o"), "-ar")).toBe("48000");
    expect(argAfter(bareTranscodeArgs("a", { sampleRate: 22050, channels: 1 }, "t", "o"), "-ar")).toBe("44100");
    const quad = bareTranscodeArgs("a", { sampleRate: 48000, channels: 4 }, "t", "o");
    expect(argAfter(quad, "-af")).toBe("pan=mono|c0=0.25*c0+0.25*c1+0.25*c2+0.25*c3");
    expect(argAfter(quad, "-b:a")).toBe("64k");
  });
  it("the batch: one-minute calls, the four formats in turn, a seed each", () => {
    const specs = batchSpecs(6);
    expect(specs.map((s) => s.format)).toEqual(["wav8k", "wav16k", "mp3-44k", "m4a-48k", "wav8k", "wav16k"]);
    expect(new Set(specs.map((s) => s.seed)).size).toBe(6);
    expect(specs.every((s) => s.minutes === 1)).toBe(true);
    expect(new Set(batchSpecs(50).map(inputCall)).size).toBe(50);
  });
});

describe("classifying the tool's ffmpeg processes", () => {
  it("by their arguments", () => {
    expect(ffmpegProcess(argv.probeEncode)).toEqual({ kind: "probe" });
    expect(ffmpegProcess(argv.probeDecode)).toEqual({ kind: "probe" });
    expect(ffmpegProcess(argv.source)).toEqual({ kind: "source-decode", call: "c", file: `${P}/recordings/c.wav` });
    expect(ffmpegProcess(argv.metadata)).toMatchObject({ kind: "source-decode", call: "c" });
    expect(ffmpegProcess(argv.encode)).toEqual({
      kind: "encode",
      call: "c",
      file: `${P}/out/.c.mp3.5643-a400ce3e.tmp`,
    });
    expect(ffmpegProcess(argv.master)).toMatchObject({ kind: "verify", call: "c" });
    expect(ffmpegProcess(argv.webCheck)).toMatchObject({ kind: "verify", call: "c" });
    expect(ffmpegProcess(argv.version)).toEqual({ kind: "other" });
    expect(ffmpegProcess(["node", "main.ts"])).toBeUndefined();
    expect(ffmpegProcess([FF, "-i", "out/c.mp3", "-f", "wav", "pipe:1"])).toMatchObject({ kind: "verify", call: "c" });
  });
  it("names the call of the tool's outputs, dots and all", () => {
    expect(callOfOutput("/p/out/.call4.mp3.123-abc.tmp")).toBe("call4");
    expect(callOfOutput(".wav8k-1m-1ed008fa.wav.5643-3a7ff39e.tmp")).toBe("wav8k-1m-1ed008fa");
    expect(callOfOutput("/p/out/.a.b.opus.9-0f.tmp")).toBe("a.b");
    expect(callOfOutput("/p/out/.wav8k-10m-c1743f54.mp3.4242-0ed74c29.tmp.part2")).toBe("wav8k-10m-c1743f54");
    expect(callOfOutput("out/call4.mp3")).toBe("call4");
  });
});

const seen = (a: readonly string[], firstMs: number, lastMs: number, cpuS?: number): SeenProcess => ({
  argv: a,
  firstMs,
  lastMs,
  ...(cpuS !== undefined ? { cpuS } : {}),
});

describe("runStages", () => {
  // A 1-minute run as the sampler saw it (50 ms samples): npm, its shell, node, then the ffmpeg processes.
  const processes: SeenProcess[] = [
    { role: "npm", argv: ["npm run redact"], firstMs: 2, lastMs: 1935 },
    { role: "shell", argv: ["sh", "-c", "node run.mjs src/cli/main.ts c"], firstMs: 218, lastMs: 1935 },
    { role: "redact", argv: ["node", "run.mjs", "src/cli/main.ts", "c"], firstMs: 218, lastMs: 1935, cpuS: 0.65 },
    seen(argv.source, 376, 480, 0.01),
    seen(argv.probeEncode, 426, 480, 0.02),
    seen(argv.probeDecode, 426, 426, 0),
    seen(argv.source, 688, 764, 0.01),
    seen(argv.encode, 688, 1576, 0.63),
    seen(argv.master, 764, 816, 0.02),
    seen(argv.metadata, 1681, 1734, 0),
    seen(argv.webCheck, 1681, 1900, 0.04),
  ];
  const nodeCpu = [
    { tMs: 218, cpuS: 0.05 },
    { tMs: 376, cpuS: 0.12 },
    { tMs: 480, cpuS: 0.2 },
    { tMs: 688, cpuS: 0.4 },
    { tMs: 1576, cpuS: 0.45 },
    { tMs: 1900, cpuS: 0.62 },
    { tMs: 1935, cpuS: 0.65 },
  ];
  it("partitions one call's run: start-up, pass 1, gap, encode, verification, finish add up to the total", () => {
    const s = runStages(processes, nodeCpu, 1960) as RunStages;
    expect(s).toMatchObject({
      calls: 1,
      startupS: 0.376,
      npmS: 0.218,
      pass1S: 0.104,
      gapS: 0.208,
      encodeS: 0.888,
      verifyS: 0.324,
      finishS: 0.06,
      totalS: 1.96,
      decoderCpuS: 0.01,
      encoderCpuS: 0.63,
      verifyFfmpegCpuS: 0.07,
    });
    const sum = s.startupS + s.pass1S + s.gapS + s.encodeS + s.verifyS + s.finishS;
    expect(sum).toBeCloseTo(s.totalS, 6);
    expect(s.nodeCpuS).toEqual({
      startup: 0.12,
      pass1: 0.08,
      gap: 0.2,
      encode: 0.05,
      verify: 0.17,
      finish: 0.03,
      total: 0.65,
    });
  });
  it("takes no time for a stage that did not happen (--no-verify: no verification)", () => {
    const s = runStages(
      processes.filter((p) => p.argv !== argv.webCheck && p.argv !== argv.metadata),
      nodeCpu,
      1700,
    ) as RunStages;
    expect(s.verifyS).toBe(0); // the master's check ran beside the encoder: nothing after it
    expect(s.finishS).toBe(0.124);
    expect(s.startupS + s.pass1S + s.gapS + s.encodeS + s.verifyS + s.finishS).toBeCloseTo(1.7, 6);
  });
  it("counts the MP3's two parts, encoded side by side, as one encode stage", () => {
    const part = (n: number): string[] => argv.encode.map((a) => (a.endsWith(".tmp") ? `${a}.part${n}` : a));
    const s = runStages(
      [seen(argv.source, 300, 900, 0.1), seen(part(1), 1000, 5000, 3.9), seen(part(2), 1050, 5200, 4.1)],
      [],
      5300,
    ) as RunStages;
    expect(s).toMatchObject({ startupS: 0.3, pass1S: 0.6, gapS: 0.1, encodeS: 4.2, verifyS: 0, finishS: 0.1 });
    expect(s.encoderCpuS).toBe(8);
  });
  it("is undefined when no decode of a recording was seen", () => {
    expect(runStages([seen(argv.encode, 10, 20)], [], 100)).toBeUndefined();
    expect(runStages([], [], 100)).toBeUndefined();
  });
  it("sums each call's own stages for a batch, node CPU as one total", () => {
    const other = (a: readonly string[]): string[] =>
      a.map((x) => x.replaceAll("/c.wav", "/d.wav").replaceAll(".c.", ".d."));
    const s = runStages(
      [
        seen(argv.source, 400, 500),
        seen(argv.encode, 600, 1600, 0.6),
        seen(argv.webCheck, 1700, 1900),
        seen(other(argv.source), 450, 650),
        seen(other(argv.encode), 700, 1500, 0.5),
        seen(other(argv.webCheck), 1550, 1800),
      ],
      [{ tMs: 1900, cpuS: 1.5 }],
      2000,
    ) as RunStages;
    expect(s).toMatchObject({ calls: 2, startupS: 0.4, pass1S: 0.3, gapS: 0.15, encodeS: 1.8, verifyS: 0.6 });
    expect(s.finishS).toBe(0.1);
    expect(s.encoderCpuS).toBe(1.1);
    expect(s.nodeCpuS).toEqual({ total: 1.5 });
  });
  it("reads node's CPU at a time as the last sample at or before it", () => {
    const series = [
      { tMs: 100, cpuS: 1 },
      { tMs: 200, cpuS: 2 },
    ];
    expect([50, 100, 150, 200, 999].map((t) => cpuAt(series, t))).toEqual([0, 1, 1, 2, 2]);
  });
  it("takes the median of every figure over runs", () => {
    const base = runStages(processes, nodeCpu, 1960) as RunStages;
    const m = medianStages([base, { ...base, pass1S: 1, totalS: 3 }, undefined, { ...base, pass1S: 2, totalS: 2 }]);
    expect(m?.pass1S).toBe(1);
    expect(m?.totalS).toBe(2);
    expect(m?.nodeCpuS.pass1).toBe(0.08);
    expect(medianStages([undefined])).toBeUndefined();
  });
});

describe("TreeTracker's CPU figures", () => {
  it("keeps each process's CPU at its last sample and the node process's CPU over time", () => {
    const t = new TreeTracker();
    t.add({ tMs: 0, procs: [{ pid: 1, role: "redact", rssKb: 1, cpuS: 0.1 }] });
    t.add({
      tMs: 50,
      procs: [
        { pid: 1, role: "redact", rssKb: 1, cpuS: 0.3 },
        { pid: 2, role: "ffmpeg-decode", rssKb: 1, cpuS: 0.02, argv: ["ffmpeg", "-i", "x"] },
      ],
    });
    t.add({ tMs: 100, procs: [{ pid: 2, role: "ffmpeg-decode", rssKb: 1, cpuS: 0.05 }] });
    const r = t.result();
    expect(r.lifetimes.map((l) => [l.pid, l.cpuS, l.firstMs, l.lastMs])).toEqual([
      [1, 0.3, 0, 50],
      [2, 0.05, 50, 100],
    ]);
    expect(r.lifetimes[1]?.argv).toEqual(["ffmpeg", "-i", "x"]);
    expect(r.nodeCpu).toEqual([
      { tMs: 0, cpuS: 0.1 },
      { tMs: 50, cpuS: 0.3 },
    ]);
  });
});

describe("TreeTracker and exec", () => {
  it("starts a new lifetime when a pid runs another program (node's fork before it execs ffmpeg)", () => {
    const t = new TreeTracker();
    const node = ["node", "run.mjs", "src/cli/main.ts"];
    const ff = ["ffmpeg", "-i", "x.wav", "pipe:1"];
    t.add({ tMs: 0, procs: [{ pid: 9, role: "redact", rssKb: 1, argv: node, cpuS: 0 }] });
    t.add({ tMs: 50, procs: [{ pid: 9, role: "ffmpeg-decode", rssKb: 1, argv: ff, cpuS: 0.01 }] });
    t.add({ tMs: 100, procs: [{ pid: 9, role: "ffmpeg-decode", rssKb: 1, argv: ff, cpuS: 0.02 }] });
    expect(t.result().lifetimes.map((l) => [l.pid, l.role, l.firstMs, l.lastMs, l.cpuS])).toEqual([
      [9, "redact", 0, 0, 0],
      [9, "ffmpeg-decode", 50, 100, 0.02],
    ]);
  });
});

describe("targets", () => {
  it("which target a row has", () => {
    expect(speedTarget({ minutes: 1, batch: false })).toEqual({ kind: "plus", seconds: 0.5 });
    expect(speedTarget({ minutes: 10, batch: false })).toEqual({ kind: "ratio", limit: 1.1 });
    expect(speedTarget({ minutes: 60, batch: false })).toEqual({ kind: "ratio", limit: 1.1 });
    expect(speedTarget({ minutes: 5, batch: false })).toBeUndefined();
    expect(speedTarget({ minutes: 1, batch: true })).toEqual({ kind: "ratio", limit: 1.2 });
  });
  it("speed: pass or miss, with the margin", () => {
    const long = { kind: "ratio", limit: 1.1 } as const;
    expect(checkSpeed(long, 10.5, 10)).toEqual({ pass: true, target: "≤ 1.10x", text: "pass, 0.05x to spare" });
    expect(checkSpeed(long, 13.4, 10)).toEqual({ pass: false, target: "≤ 1.10x", text: "MISS by 0.24x (2.40 s)" });
    expect(checkSpeed(long, 110, 50).text).toBe("MISS by 1.10x (55.0 s)");
    expect(checkSpeed(long, 11, 10).pass).toBe(true);
    const short = { kind: "plus", seconds: 0.5 } as const;
    expect(checkSpeed(short, 1.2, 0.8)).toEqual({
      pass: true,
      target: "≤ bare + 0.5 s",
      text: "pass, 0.10 s to spare",
    });
    expect(checkSpeed(short, 1.96, 0.84)).toEqual({ pass: false, target: "≤ bare + 0.5 s", text: "MISS by 0.62 s" });
  });
  it("memory: at 60 minutes, 120 MB and within 10 % of the 1-minute figure", () => {
    expect(checkMemory(1, 80, 80)).toBeUndefined();
    expect(checkMemory(10, 200, 80)).toBeUndefined();
    expect(checkMemory(60, 85, 80)).toEqual({
      pass: true,
      target: "≤ 120.0 (120 MB), ≤ 88.0 (1-min 80.0 MB + 10 %)",
      text: "pass, 3.0 MB to spare",
    });
    expect(checkMemory(60, 90, 80)).toMatchObject({ pass: false, text: "MISS by 2.0 MB" });
    expect(checkMemory(60, 125, 115)).toEqual({
      pass: false,
      target: "≤ 120.0 (120 MB), ≤ 126.5 (1-min 115.0 MB + 10 %)",
      text: "MISS by 5.0 MB",
    });
    expect(checkMemory(60, 100, undefined)).toEqual({
      pass: true,
      target: "≤ 120.0 (120 MB)",
      text: "pass, 20.0 MB to spare",
    });
  });
});

describe("the report", () => {
  it("Markdown tables: padded, numbers right-aligned, pipes escaped", () => {
    expect(
      markdownTable(
        ["row", "s", "note"],
        [
          ["a", "1.50", "x|y"],
          ["long name", "12.25 (npm 0.2)", "—"],
        ],
      ).split("\n"),
    ).toEqual([
      "| row       |               s | note |",
      "|-----------|----------------:|------|",
      "| a         |            1.50 | x\\|y |",
      "| long name | 12.25 (npm 0.2) | —    |",
    ]);
  });
  const stages: RunStages = {
    calls: 1,
    startupS: 0.38,
    npmS: 0.22,
    pass1S: 0.1,
    gapS: 0.21,
    encodeS: 0.89,
    verifyS: 0.36,
    finishS: 0.03,
    totalS: 1.96,
    decoderCpuS: 0,
    encoderCpuS: 0.63,
    verifyFfmpegCpuS: 0.05,
    nodeCpuS: { startup: 0.1, pass1: 0.07, gap: 0.2, encode: 0.05, verify: 0.2, finish: 0.03, total: 0.65 },
  };
  const row: RowResult = {
    row: "wav8k",
    input: "8 kHz mono WAV (phone)",
    minutes: 1,
    calls: 1,
    ranges: 7,
    runs: 2,
    toolS: { median: 1.96, min: 1.9, max: 2.02 },
    bareS: { median: 0.84, min: 0.8, max: 0.88 },
    ratio: 2.333,
    toolCpuS: 1.69,
    bareCpuS: 0.76,
    peakMB: 54.5,
    peakRssMB: 110,
    barePeakMB: 13.4,
    load: { before: 0.5, after: 1.25 },
    maxStall: 0.12,
    stages,
    speed: { pass: false, target: "≤ bare + 0.5 s", text: "MISS by 0.62 s" },
  };
  const machine: MachineInfo = {
    date: "2026-12-02T10:20:52Z",
    cpuModel: "Test CPU",
    cores: 2,
    memMB: 24105,
    node: "v20.20.2",
    loadStart: [0.5, 0.4, 0.3],
    loadEnd: [1.25, 0.6, 0.35],
    ffmpeg: { path: "node_modules/ffmpeg", source: "@ffmpeg-installer/ffmpeg", version: "ffmpeg version N-1" },
    commit: "abc1234",
    srcDigest: "0123456789abcdef",
    command: "npm run bench -- --quick",
    sampleMs: 50,
    redactArgs: [],
  };
  it("names rows", () => {
    expect(rowName(row)).toBe("wav8k 1 min");
    expect(rowName({ row: "batch", minutes: 1, calls: 50 })).toBe("batch 50×1 min");
  });
  it("has the machine, the verdicts, the stages and how they are measured", () => {
    const md = renderReport(machine, [row]);
    const lines = md.split("\n");
    expect(lines[0]).toBe("## Bench matrix, 2026-12-02T10:20:52Z");
    expect(md).toContain("- Machine: Test CPU, 2 cores, 24 GB; node v20.20.2");
    expect(md).toContain("- Load average (1/5/15 min): 0.50 / 0.40 / 0.30 at the start, 1.25 / 0.60 / 0.35 at the end");
    expect(md).toContain("- ffmpeg: ffmpeg version N-1 (@ffmpeg-installer/ffmpeg: node_modules/ffmpeg)");
    expect(md).toContain("- Tool settings: default (MP3 only, verification on)");
    expect(md).toContain("- Targets: 0 of 1 met; missed: wav8k 1 min: MISS by 0.62 s");
    const result = lines.find((l) => l.startsWith("| wav8k 1 min") && l.includes("MISS"));
    expect(result?.split("|").map((c) => c.trim())).toEqual([
      "",
      "wav8k 1 min",
      "8 kHz mono WAV (phone)",
      "7",
      "1.96 (1.90–2.02)",
      "0.84 (0.80–0.88)",
      "2.33x",
      "≤ bare + 0.5 s",
      "MISS by 0.62 s",
      "54.5 (RSS 110.0)",
      "—",
      "—",
      "0.50 → 1.25",
      "12%",
      "",
    ]);
    const wall = lines.filter((l) => l.startsWith("| wav8k 1 min"))[1];
    expect(wall?.split("|").map((c) => c.trim())).toEqual([
      "",
      "wav8k 1 min",
      "0.38 (npm 0.22)",
      "0.10",
      "0.21",
      "0.89",
      "0.36",
      "0.03",
      "1.96",
      "0.84",
      "",
    ]);
    expect(md).toContain("How it is measured:");
    expect(md).toContain("every 50 ms");
    const custom = renderReport({ ...machine, redactArgs: ["--no-verify"] }, [{ ...row, speed: undefined }]);
    expect(custom).toContain("**not the default**: `--no-verify`");
    expect(custom).toContain("- Targets: 0 of 0 met");
  });
});

describe("a row where the tool fails", () => {
  it("keeps the gist: the failing verification rows, else the last error line", () => {
    const stderr = [
      "",
      "> redact",
      "error: c: the new outputs failed verification, so nothing was published (out/ is as it was):",
      "error: call  range  time  file   result  detail",
      "error: c     -      -     c.mp3  FAIL    true peak -0.89 dBTP is over -1 dBTP",
      "",
    ].join("\n");
    expect(failureGist(1, stderr)).toBe("exit 1, verification failed: c.mp3: true peak -0.89 dBTP is over -1 dBTP");
    expect(failedVerificationOnly(1, stderr)).toBe(true);
    expect(failedVerificationOnly(2, stderr)).toBe(false);
    expect(failedVerificationOnly(1, "error: recordings/c.wav: cannot decode")).toBe(false);
    expect(failureGist(2, "error: redactions/c.yaml:3:5: bad\n")).toBe("exit 2, redactions/c.yaml:3:5: bad");
    expect(failureGist(null, "")).toBe("exit by a signal, ");
  });
  it("shows FAILED in the table and counts it as a missed target", () => {
    const failed: RowResult = {
      row: "mp3-44k",
      input: "44.1 kHz stereo MP3 (128 kbps)",
      minutes: 10,
      calls: 1,
      ranges: 48,
      runs: 2,
      failure: "exit 2, redactions/c.yaml:3:5: bad",
      bareS: { median: 20, min: 20, max: 20 },
      bareCpuS: 19.5,
      barePeakMB: 14,
    };
    const md = renderReport(
      {
        date: "d",
        cpuModel: "c",
        cores: 2,
        memMB: 1024,
        node: "v20",
        ffmpeg: { path: "f", source: "s", version: "v" },
        commit: "x",
        srcDigest: "y",
        command: "npm run bench",
        sampleMs: 50,
        redactArgs: [],
      },
      [failed],
    );
    expect(md).toContain(
      "- Targets: 0 of 1 met; missed: mp3-44k 10 min: the tool FAILED (exit 2, redactions/c.yaml:3:5: bad)",
    );
    expect(md).toContain("| FAILED: exit 2, redactions/c.yaml:3:5: bad |");
    const timed = renderReport(
      {
        date: "d",
        cpuModel: "c",
        cores: 2,
        memMB: 1024,
        node: "v20",
        ffmpeg: { path: "f", source: "s", version: "v" },
        commit: "x",
        srcDigest: "y",
        command: "npm run bench",
        sampleMs: 50,
        redactArgs: [],
      },
      [
        {
          ...failed,
          failure: "exit 1, verification failed: c.mp3: true peak -0.89 dBTP is over -1 dBTP",
          toolS: { median: 21, min: 21, max: 21 },
          ratio: 1.05,
          speed: { pass: true, target: "≤ 1.10x", text: "pass, 0.05x to spare" },
        },
      ],
    );
    expect(timed).toContain("- Targets: 0 of 1 met; missed: mp3-44k 10 min: the tool FAILED");
    expect(timed).toContain(
      "| FAILED: exit 1, verification failed: c.mp3: true peak -0.89 dBTP is over -1 dBTP (pass, 0.05x to spare as timed, nothing published) |",
    );
  });
});
