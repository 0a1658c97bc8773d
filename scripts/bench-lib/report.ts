/** The bench matrix as Markdown: the machine, one table of results and targets, two of where the time goes. Pure. */
import type { DspResults } from "./dsp.ts";
import type { RowId } from "./rows.ts";
import type { RunStages } from "./stages.ts";
import type { Summary } from "./stats.ts";
import { markdownTable, millions } from "./table.ts";
import type { Verdict } from "./targets.ts";

export interface RowResult {
  readonly row: RowId;
  /** What the recording is: "8 kHz mono WAV (phone)"; for the batch, the mix of formats. */
  readonly input: string;
  /** Length of each recording, minutes. */
  readonly minutes: number;
  /** Calls per run: 1, or the batch's count. */
  readonly calls: number;
  /** Redaction ranges per call (merged ones counted as written). */
  readonly ranges: number;
  readonly runs: number;
  /**
   * Why the tool failed on this row (its exit status and last error), when it did; its targets count as
   * missed. When only its verification failed, every stage ran and the tool figures are those runs';
   * otherwise they are absent.
   */
  readonly failure?: string;
  /** Wall seconds of `npm run redact` and of the bare transcode(s): median, min, max over the runs. */
  readonly toolS?: Summary;
  readonly bareS: Summary;
  /** median(tool) / median(bare). */
  readonly ratio?: number;
  /** Median CPU seconds (user + system) of each side's whole tree. */
  readonly toolCpuS?: number;
  readonly bareCpuS: number;
  /** Largest PSS sum over the tool's tree, npm's wrapper (npm and its shell) left out, over the runs; MB. */
  readonly peakMB?: number;
  readonly peakRssMB?: number;
  readonly barePeakMB: number;
  /** 1-minute load average before the row's first run and after its last. */
  readonly load?: { readonly before: number; readonly after: number };
  /** Largest share of a run's time that some task waited for a CPU (PSI), 0-1. */
  readonly maxStall?: number;
  /** Medians over the tool's runs. */
  readonly stages?: RunStages;
  readonly speed?: Verdict;
  readonly memory?: Verdict;
}

export interface MachineInfo {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memMB: number;
  readonly node: string;
  readonly loadStart?: readonly number[];
  readonly loadEnd?: readonly number[];
  readonly ffmpeg: { readonly path: string; readonly source: string; readonly version: string };
  /** The worktree's commit, "+dirty" when src/ or scripts/ had changes. */
  readonly commit: string;
  readonly srcDigest: string;
  readonly command: string;
  readonly sampleMs: number;
  readonly redactArgs: readonly string[];
}

/** The gist of a failed run: the files that failed verification and why, else the last error line. */
export function failureGist(exitCode: number | null, stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.replace(/^error:\s*/, "").trim());
  const fails = lines.flatMap((l) => {
    const m = /(\S+)\s+FAIL\s+(.*)$/.exec(l);
    return m ? [`${m[1]}: ${m[2]}`] : [];
  });
  const last = lines.filter((l) => l !== "").pop() ?? "";
  const unique = [...new Set(fails)];
  const what =
    unique.length > 0
      ? `verification failed: ${unique.slice(0, 3).join("; ")}${unique.length > 3 ? `; and ${unique.length - 3} more` : ""}`
      : last;
  return `exit ${exitCode ?? "by a signal"}, ${what.slice(0, 300)}`;
}

/** A run that failed only its own verification did all the work (nothing published): its time counts. */
export const failedVerificationOnly = (exitCode: number | null, stderr: string): boolean =>
  exitCode === 1 && /failed verification, so nothing was published/.test(stderr);

export const rowName = (r: Pick<RowResult, "row" | "minutes" | "calls">): string =>
  r.calls > 1 ? `${r.row} ${r.calls}×${fmtMin(r.minutes)}` : `${r.row} ${fmtMin(r.minutes)}`;

const fmtMin = (m: number): string => `${m} min`;
const f2 = (x: number): string => x.toFixed(2);
const f1 = (x: number): string => x.toFixed(1);
const opt = (x: number | undefined, f: (x: number) => string = f2): string => (x === undefined ? "—" : f(x));
const loads = (l: readonly number[] | undefined): string => (l ? l.map((x) => x.toFixed(2)).join(" / ") : "?");

function resultsTable(rows: readonly RowResult[]): string {
  return markdownTable(
    [
      "row",
      "input",
      "ranges",
      "redact s (min–max)",
      "bare s (min–max)",
      "ratio",
      "speed target",
      "speed",
      "peak MB PSS (RSS)",
      "memory target",
      "memory",
      "load before → after",
      "CPU stall",
    ],
    rows.map((r) => [
      rowName(r),
      r.input,
      String(r.ranges),
      r.toolS ? `${f2(r.toolS.median)} (${f2(r.toolS.min)}–${f2(r.toolS.max)})` : "—",
      `${f2(r.bareS.median)} (${f2(r.bareS.min)}–${f2(r.bareS.max)})`,
      r.ratio === undefined ? "—" : `${f2(r.ratio)}x`,
      r.speed?.target ?? "none set (1–10 min)",
      r.failure
        ? `FAILED: ${r.failure}${r.toolS ? ` (${r.speed ? `${r.speed.text} as timed, ` : ""}nothing published)` : ""}`
        : (r.speed?.text ?? "—"),
      r.peakMB === undefined ? "—" : `${f1(r.peakMB)}${r.peakRssMB !== undefined ? ` (RSS ${f1(r.peakRssMB)})` : ""}`,
      r.memory?.target ?? "—",
      r.memory?.text ?? "—",
      r.load ? `${f2(r.load.before)} → ${f2(r.load.after)}` : "?",
      r.maxStall === undefined ? "?" : `${Math.round(r.maxStall * 100)}%`,
    ]),
  );
}

function wallTable(rows: readonly RowResult[]): string {
  return markdownTable(
    [
      "row",
      "fixed start-up",
      "pass 1: decode ∥ DSP & metering",
      "gain → encode",
      "encode",
      "verification (after encode)",
      "finish",
      "total",
      "bare",
    ],
    rows.map((r) => {
      const s = r.stages;
      const many = (s?.calls ?? 1) > 1 ? "Σ " : "";
      return [
        rowName(r),
        s ? `${f2(s.startupS)}${s.npmS !== undefined ? ` (npm ${f2(s.npmS)})` : ""}` : "—",
        s ? `${many}${f2(s.pass1S)}` : "—",
        s ? `${many}${f2(s.gapS)}` : "—",
        s ? `${many}${f2(s.encodeS)}` : "—",
        s ? `${many}${f2(s.verifyS)}` : "—",
        opt(s?.finishS),
        opt(r.toolS?.median),
        f2(r.bareS.median),
      ];
    }),
  );
}

function cpuTable(rows: readonly RowResult[]): string {
  return markdownTable(
    [
      "row",
      "decode (ffmpeg)",
      "DSP & metering (node, pass 1)",
      "node, gain → encode",
      "encode (ffmpeg)",
      "node during encode",
      "verification (ffmpeg)",
      "verification (node, after encode)",
      "node start-up + finish",
      "node total",
      "tree total",
      "bare",
    ],
    rows.map((r) => {
      const s = r.stages;
      const n = s?.nodeCpuS;
      const startFinish = n?.startup !== undefined && n.finish !== undefined ? n.startup + n.finish : undefined;
      return [
        rowName(r),
        opt(s?.decoderCpuS),
        opt(n?.pass1),
        opt(n?.gap),
        opt(s?.encoderCpuS),
        opt(n?.encode),
        opt(s?.verifyFfmpegCpuS),
        opt(n?.verify),
        opt(startFinish),
        opt(n?.total),
        opt(r.toolCpuS),
        f2(r.bareCpuS),
      ];
    }),
  );
}

function dspTable(dsp: DspResults): string {
  return [
    `In-process DSP core (${dsp.seconds} s of ${dsp.sampleRate} Hz mono, ${dsp.chunkFrames}-sample chunks, ${(dsp.coverage * 100).toFixed(1)} % redacted):`,
    "",
    markdownTable(
      ["step", "M samples/s", "x real time", "s per hour"],
      dsp.figures.map((f) => [f.name, millions(f.samplesPerSecond), String(f.realtimeX), f.secondsPerHour.toFixed(2)]),
    ),
  ].join("\n");
}

/** Lines of the report's methodology notes: how every figure is measured, and its resolution. */
export function methodNotes(m: Pick<MachineInfo, "sampleMs">): string[] {
  const ms = m.sampleMs;
  return [
    "- **Commands.** Tool: `npm run redact -- <call>` (the batch: `npm run redact -- --all`, its default `--jobs`, one per core) in a scratch project under .bench/ whose package.json runs the repository's `redact` script on a copy of src/ taken when the bench started; default settings (MP3 only, verification on) unless the header says otherwise; out/ emptied before every run. Bare: one `ffmpeg -i <recording> … -c:a libmp3lame` pass to the web MP3 the tool publishes (its rate, 64 kbps mono / 96 kbps stereo CBR, channels, title tag, bit-exact), by the same ffmpeg binary; the batch's bare side runs the same per-call transcodes at most two at a time (a pool of 2 processes spawned by the bench itself).",
    "- **Times.** Wall clock from spawn to exit, median over the runs (min–max beside); tool and bare alternate, and which goes first alternates from round to round. Caches warm for both: one untimed run of each on a 12-second recording before the first row, and each row's recording read through once before its first run. Before each timed run the bench waits (up to --max-wait) for CPU pressure under 25 %.",
    "- **Targets** (issue 14): 10 and 60 min ≤ 1.10x the bare transcode; 1 min ≤ bare + 0.5 s; the batch ≤ 1.2x; peak memory at 60 min ≤ 120 MB and within 10 % of the same format's 1-minute row measured in the same bench run (no memory target for shorter rows: compare their peaks with the 1-minute row's by eye; from 2 minutes on the MP3 is encoded in two parts side by side, one more ffmpeg process). The margin is the median's distance to the limit (x, and seconds over budget).",
    `- **Peak MB.** Largest sum of PSS (proportional set size: shared pages divided among the processes mapping them; MB = 2^20 bytes) over the tool's process tree, npm's wrapper (npm and its shell) left out, over all runs of the row; sampled from /proc every ${ms} ms (RSS every sample, PSS every 4th: a peak shorter than ${4 * ms} ms can be missed). In parentheses the RSS peak of the same processes (shared pages counted in every process that maps them; what \`ps\` and \`time -v\` report); the targets are checked on PSS. The bare side's figures are in .bench/results.json.`,
    "- **Load.** The 1-minute load average (/proc/loadavg) before the row's first run and after its last; the header gives 1/5/15-minute averages at the start and end. Other work on the machine inflates both sides, not always equally: compare the ratio with the loads. CPU stall: the largest share of any one run's wall time (either side) in which some task on the machine waited for a CPU (/proc/pressure/cpu); above a few per cent the row's times are inflated by other work, and the CPU table (less sensitive to it) is the steadier comparison.",
    `- **Stages** (medians over the tool's runs), read off the process tree every ${ms} ms, because the tool prints no timings: each ffmpeg process is classified by its arguments: the first decode of a call's recording (\`-i …/recordings/<call>.*\`) is pass 1, in which node redacts, writes the master and meters loudness beside the decoder (one pipeline: its wall time is whichever side is slower); encoders from a pipe to a file under out/ (\`libmp3lame\`, one or two parts) are the encode; decodes of files under out/ (the master, the web files' \`pcm_f32le\` decodes, their metadata) and later decodes of the recording are verification; codec-level probes (pipe to pipe) are nobody's stage. The wall-time table partitions each run: fixed start-up = spawn to the first sample of pass 1 (npm, node, the bundle, manifest and plan; in parentheses npm's part, up to the first sample of the tool's node process); pass 1 = its first to last sample; gain → encode = from there to the first encoder (node alone: gain, settling); encode = first encoder's first sample to the last's last (the master's checks run beside it); verification = from there to the last verification process; finish = after the last ffmpeg process to exit (hashes, report, renames, index, process exits). For one call the columns add up to the total. Each boundary is accurate to about one sampling interval (${ms} ms), and a process living less than ${ms} ms may not be seen at all. For the batch (calls side by side) the middle columns are sums over the calls of each call's own stage (Σ call-seconds, more than the wall time with two calls at a time); start-up is to the first call's pass 1, finish after the last ffmpeg.`,
    "- **CPU.** User + system seconds from /proc/<pid>/stat (10 ms ticks): each ffmpeg process's CPU at its last sample (up to one interval of it missed at the end), summed by stage kind; node's CPU read at every sample and differenced over each wall-time stage (DSP & metering = node's CPU during pass 1). Tree total and bare are exact (the reaped children's times), npm included on the tool's side.",
  ];
}

export function renderReport(machine: MachineInfo, rows: readonly RowResult[], dsp?: DspResults): string {
  const misses = rows.flatMap((r) => [
    ...(r.failure ? [`${rowName(r)}: the tool FAILED (${r.failure})`] : []),
    ...[r.speed, r.memory]
      .filter((v): v is Verdict => v !== undefined && !v.pass && !(r.failure && v === r.speed))
      .map((v) => `${rowName(r)}: ${v.text}`),
  ]);
  const checked = rows.reduce((n, r) => n + (r.speed || r.failure ? 1 : 0) + (r.memory ? 1 : 0), 0);
  const met = rows.reduce((n, r) => n + (r.speed?.pass && !r.failure ? 1 : 0) + (r.memory?.pass ? 1 : 0), 0);
  const out = [
    `## Bench matrix, ${machine.date}`,
    "",
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${Math.round(machine.memMB / 1024)} GB; node ${machine.node}`,
    `- Load average (1/5/15 min): ${loads(machine.loadStart)} at the start, ${loads(machine.loadEnd)} at the end`,
    `- ffmpeg: ${machine.ffmpeg.version} (${machine.ffmpeg.source}: ${machine.ffmpeg.path})`,
    `- Code: ${machine.commit}, src/ digest ${machine.srcDigest}`,
    `- Command: \`${machine.command}\`; sampling every ${machine.sampleMs} ms`,
    `- Tool settings: ${machine.redactArgs.length === 0 ? "default (MP3 only, verification on)" : `**not the default**: \`${machine.redactArgs.join(" ")}\` (the targets assume the default)`}`,
    `- Targets: ${met} of ${checked} met${misses.length > 0 ? `; missed: ${misses.join("; ")}` : ""}`,
    "",
    resultsTable(rows),
    "",
    "Where a redact run's wall time goes (s, medians; for one call the columns add up to the total; Σ: summed over the batch's calls):",
    "",
    wallTable(rows),
    "",
    "Who does the work (CPU s, medians):",
    "",
    cpuTable(rows),
    "",
    ...(dsp ? [dspTable(dsp), ""] : []),
    "How it is measured:",
    "",
    ...methodNotes(machine),
    "",
  ];
  return out.join("\n");
}
