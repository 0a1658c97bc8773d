/**
 * `npm run bench`: the bench matrix (issue 14). `npm run redact` with default settings against a bare
 * ffmpeg transcode of the same recording to the same web MP3 (same binary), alternating, several runs,
 * medians, on the recordings people bring (8 kHz and 16 kHz mono WAV, 44.1 kHz stereo MP3, 48 kHz mono
 * M4A; 1, 10 and 60 minutes), and `npm run redact -- --all` over many one-minute calls against the same
 * bare transcodes two at a time. Per row: times, ratio, peak memory, the targets, and where the time goes
 * (read off the process tree: see bench-lib/stages.ts). Not a test: it prints a Markdown table (stdout
 * and --out) and writes every run's details to .bench/results.json; progress goes to stderr.
 *
 * Options: BENCH_HELP in bench-lib/args.ts (`npm run bench -- --help`).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveFfmpeg } from "../src/media/ffmpeg.ts";
import { BENCH_HELP, type BenchOptions, BenchUsageError, parseBenchArgs } from "./bench-lib/args.ts";
import { type DspResults, dspThroughput } from "./bench-lib/dsp.ts";
import { benchManifest, realisticRanges } from "./bench-lib/manifest.ts";
import {
  failedVerificationOnly,
  failureGist,
  type MachineInfo,
  type RowResult,
  renderReport,
  rowName,
} from "./bench-lib/report.ts";
import {
  BATCH_ROW,
  bareTranscodeArgs,
  batchSpecs,
  FFMPEG_COMMON,
  FORMATS,
  type FormatId,
  type InputSpec,
  inputCall,
  isFormatId,
  makeInputArgs,
} from "./bench-lib/rows.ts";
import { type Job, loadAverage, type MeasuredRun, measure, measurePool, waitForQuiet } from "./bench-lib/sampler.ts";
import { medianStages, type RunStages, runStages } from "./bench-lib/stages.ts";
import { median, round, summarise } from "./bench-lib/stats.ts";
import { floatToS16le, SpeechSynth } from "./bench-lib/synth.ts";
import { checkMemory, checkSpeed, speedTarget } from "./bench-lib/targets.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH = join(ROOT, ".bench");
const SNAPSHOT = join(BENCH, "snapshot");
/** The scratch project of the single-call rows (and the warm-up). */
const MATRIX = join(BENCH, "matrix");
/** The batch row's project: only its calls have manifests, since `--all` takes every one. */
const BATCH = join(BENCH, "batch");
const BARE = join(BENCH, "bare");
const TMP = join(BENCH, "tmp");
const RESULTS = join(BENCH, "results.json");

/** Seeds of the synthetic speech (format rows) and of the manifests' ranges. */
const SPEECH_SEED = 42;
const RANGES_SEED = 7;
/** The warm-up recording: 12 s of phone audio. */
const WARM: InputSpec = { format: "wav8k", minutes: 0.2, seed: 1 };

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

/**
 * A copy of src/ (and package.json, which src/version.ts reads) taken when the benchmark starts, so that
 * every run measures the same code even while src/ is being edited. Modules still resolve from the
 * repository's node_modules (the copy lives inside the repository).
 */
function snapshotSource(): void {
  rmSync(SNAPSHOT, { recursive: true, force: true });
  mkdirSync(SNAPSHOT, { recursive: true });
  cpSync(join(ROOT, "src"), join(SNAPSHOT, "src"), { recursive: true });
  cpSync(join(ROOT, "scripts/run.mjs"), join(SNAPSHOT, "scripts/run.mjs"));
  copyFileSync(join(ROOT, "package.json"), join(SNAPSHOT, "package.json"));
}

/** A digest of the measured src/, so that figures can be matched to the code. */
function sourceDigest(srcDir: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        hash.update(relative(srcDir, p));
        hash.update(readFileSync(p));
      }
    }
  };
  walk(srcDir);
  return hash.digest("hex").slice(0, 16);
}

function gitCommit(): string {
  const head = spawnSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return "no git commit";
  const dirty = spawnSync("git", ["-C", ROOT, "status", "--porcelain", "--", "src", "scripts", "package.json"], {
    encoding: "utf8",
  });
  return `${head.stdout.trim()}${dirty.stdout.trim() !== "" ? " + uncommitted changes" : ""}`;
}

const LAUNCHER = "scripts/run.mjs";

/** The `redact` script of a package.json: what `npm run redact` runs. */
function redactScript(packageJson: string): string {
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.redact;
  if (!script?.includes(LAUNCHER)) throw new Error(`${packageJson}: no "redact" script running ${LAUNCHER}`);
  return script;
}

/** A scratch project `npm run redact` runs in: its own package.json, so that npm runs the script there. */
function prepareProject(dir: string): void {
  for (const d of ["redactions", "recordings", "out"]) mkdirSync(join(dir, d), { recursive: true });
  // The repository's own `redact` script (node's flags and all), run from the snapshot's copy of the
  // launcher (scripts/run.mjs: an esbuild bundle, no loader).
  const quote = (p: string): string => `'${p.replaceAll("'", "'\\''")}'`;
  const script = redactScript(join(SNAPSHOT, "package.json")).replace(
    LAUNCHER,
    quote(join(SNAPSHOT, "scripts/run.mjs")),
  );
  const pkg = {
    name: "call-redactor-bench",
    private: true,
    type: "module",
    description: "Scratch project written by scripts/bench.ts",
    scripts: { redact: script },
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
}

interface Input {
  readonly spec: InputSpec;
  readonly call: string;
  readonly file: string;
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly ranges: number;
}

/** Synthesise and encode a recording (once: its name carries the key of its parameters). */
async function ensureInput(spec: InputSpec, project: string, ffmpeg: string): Promise<Input> {
  const format = FORMATS[spec.format];
  const call = inputCall(spec);
  const file = `${call}.${format.ext}`;
  const path = join(project, "recordings", file);
  const ranges = realisticRanges(spec.minutes, RANGES_SEED);
  writeFileSync(join(project, "redactions", `${call}.yaml`), benchManifest(file, call, ranges));
  const input = {
    spec,
    call,
    file,
    path,
    sampleRate: format.sampleRate,
    channels: format.channels,
    ranges: ranges.length,
  };
  if (existsSync(path)) return input;
  log(`making ${relative(ROOT, path)}: ${spec.minutes} min of synthetic speech, ${format.label} (once; cached)`);
  mkdirSync(TMP, { recursive: true });
  const tmp = join(TMP, `${file}.${process.pid}.tmp`);
  const child = spawn(ffmpeg, [...FFMPEG_COMMON, ...makeInputArgs(format, tmp)], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr = (stderr + s).slice(-8192);
  });
  const closed = new Promise<number | null>((res, rej) => {
    child.once("error", rej);
    child.once("close", res);
  });
  // Two voices on two channels, as stereo call recordings usually are: independent syntheses.
  const voices = Array.from(
    { length: format.channels },
    (_, c) => new SpeechSynth({ seed: spec.seed + 7919 * c, sampleRate: format.sampleRate }),
  );
  const total = Math.round(spec.minutes * 60 * format.sampleRate);
  for (let done = 0; done < total; ) {
    const n = Math.min(format.sampleRate, total - done);
    const channels = voices.map((v) => floatToS16le(v.next(n)));
    let chunk: Buffer;
    if (channels.length === 1) chunk = channels[0] as Buffer;
    else {
      chunk = Buffer.allocUnsafe(2 * n * channels.length);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < channels.length; c++) {
          chunk.writeInt16LE((channels[c] as Buffer).readInt16LE(2 * i), 2 * (i * channels.length + c));
        }
      }
    }
    if (!child.stdin.write(chunk)) await once(child.stdin, "drain");
    done += n;
  }
  child.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(`making ${file} failed (ffmpeg exit ${code}):\n${stderr}`);
  renameSync(tmp, path);
  return input;
}

/** Read a file through once so that both sides find it in the page cache. */
async function readThrough(path: string): Promise<void> {
  for await (const _ of createReadStream(path, { highWaterMark: 1 << 20 })) {
    // nothing: reading is the point
  }
}

function check(what: string, m: MeasuredRun): void {
  if (m.exitCode !== 0) throw new Error(`${what} exited with ${m.exitCode}:\n${m.stdout}\n${m.stderr}`);
}

/** The tool failed on a row (a finding for the table, not a fault of the bench). */
class ToolFailed extends Error {}

interface ToolRun {
  readonly record: RunRecord;
  /** Set when the run did everything but its own verification failed (nothing published). */
  readonly failure?: string;
}

interface RunRecord {
  readonly wallS: number;
  readonly cpuS: number;
  readonly cpuStall?: number;
  readonly waitedS: number;
  readonly peakPssMB: number;
  readonly peakRssMB: number;
  readonly peakToolPssMB: number;
  readonly peakToolRssMB: number;
  readonly peakByRole: MeasuredRun["peakByRole"];
  readonly samples: number;
  readonly sampleCostMs: number;
  readonly stages?: RunStages;
  /** Every process seen: role, what it did, first and last seen (ms), CPU (s). */
  readonly processes?: readonly { pid: number; role: string; label?: string; firstMs: number; lastMs: number }[];
}

const record = (m: MeasuredRun, waitedS: number, withProcesses: boolean): RunRecord => {
  const stages = withProcesses ? runStages(m.lifetimes, m.nodeCpu, m.wallS * 1000) : undefined;
  return {
    wallS: round(m.wallS, 3),
    cpuS: m.cpuS,
    ...(m.cpuStall !== undefined ? { cpuStall: m.cpuStall } : {}),
    waitedS,
    peakPssMB: m.peakPssMB,
    peakRssMB: m.peakRssMB,
    peakToolPssMB: m.peakToolPssMB,
    peakToolRssMB: m.peakToolRssMB,
    peakByRole: m.peakByRole,
    samples: m.samples,
    sampleCostMs: m.sampleCostMs,
    ...(stages ? { stages } : {}),
    ...(withProcesses ? { processes: m.lifetimes.map(({ argv: _argv, ...rest }) => rest) } : {}),
  };
};

const describeRun = (r: RunRecord): string =>
  `${r.wallS.toFixed(2).padStart(7)} s, CPU ${r.cpuS.toFixed(1)} s, peak ${r.peakToolPssMB} MB PSS without npm (${r.peakRssMB} MB RSS in all)` +
  (r.cpuStall !== undefined ? `, CPU stall ${Math.round(r.cpuStall * 100)}%` : "") +
  (r.stages
    ? `; start-up ${r.stages.startupS} s, pass 1 ${r.stages.pass1S}, gap ${r.stages.gapS}, encode ${r.stages.encodeS}, verify ${r.stages.verifyS}, finish ${r.stages.finishS}`
    : "");

interface Row {
  readonly row: FormatId | typeof BATCH_ROW;
  readonly input: string;
  readonly minutes: number;
  readonly calls: number;
  readonly ranges: number;
  readonly project: string;
  /** Arguments after `npm run redact --`. */
  readonly toolArgs: readonly string[];
  /** The bare transcode(s): one job, or the batch's. */
  readonly bareJobs: readonly Job[];
  readonly bareOutputs: readonly string[];
  /** Files the tool must have written. */
  readonly expect: readonly string[];
  /** Read through before the first run. */
  readonly warm: readonly string[];
}

interface RowRecord {
  readonly result: RowResult;
  readonly tool: readonly RunRecord[];
  readonly bare: readonly RunRecord[];
}

async function quiet(opts: BenchOptions): Promise<number> {
  const q = await waitForQuiet(opts.maxWaitS, 25);
  if (q.waitedS >= 1) log(`  waited ${q.waitedS} s for a quiet CPU (pressure now ${q.avg10 ?? "?"}%)`);
  return q.waitedS;
}

async function runTool(row: Row, opts: BenchOptions, timed: boolean): Promise<ToolRun> {
  const outDir = join(row.project, "out");
  // An empty out/ every time: the tool skips a call whose outputs are up to date.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir);
  const waited = timed ? await quiet(opts) : 0;
  const m = await measure("npm", ["run", "redact", "--", ...row.toolArgs, ...opts.redactArgs], {
    cwd: row.project,
    env: { ...process.env, CI: "true" },
    sampleMs: opts.sampleMs,
  });
  if (m.exitCode !== 0) {
    const gist = failureGist(m.exitCode, m.stderr);
    if (failedVerificationOnly(m.exitCode, m.stderr)) return { record: record(m, waited, true), failure: gist };
    throw new ToolFailed(gist);
  }
  const missing = row.expect.filter((f) => !existsSync(join(outDir, f)));
  if (missing.length > 0) throw new ToolFailed(`exit 0 but no ${missing.slice(0, 3).join(", ")} in out/`);
  return { record: record(m, waited, true) };
}

async function runBare(row: Row, ffmpeg: string, opts: BenchOptions, timed: boolean): Promise<RunRecord> {
  for (const o of row.bareOutputs) rmSync(o, { force: true });
  const waited = timed ? await quiet(opts) : 0;
  const m = await measurePool(row.bareJobs, 2, opts.sampleMs);
  check(`the bare transcode for ${rowName(row)} (${ffmpeg})`, m);
  return record(m, waited, false);
}

async function benchRow(row: Row, ffmpeg: string, opts: BenchOptions): Promise<RowRecord> {
  for (const f of row.warm) await readThrough(f);
  const loadBefore = loadAverage()?.[0];
  log(`${rowName(row)}: load average ${loadBefore ?? "?"}`);
  const tool: RunRecord[] = [];
  const bare: RunRecord[] = [];
  let failure: string | undefined;
  let verificationFailure: string | undefined;
  for (let r = 0; r < opts.runs && failure === undefined; r++) {
    // Alternate which command goes first, so that neither always runs on a machine the other just warmed.
    const order = r % 2 === 0 ? (["tool", "bare"] as const) : (["bare", "tool"] as const);
    for (const which of order) {
      if (which === "tool") {
        try {
          const run = await runTool(row, opts, true);
          tool.push(run.record);
          if (run.failure !== undefined) verificationFailure = run.failure;
          log(
            `  ${r + 1}/${opts.runs} redact ${describeRun(run.record)}${run.failure !== undefined ? ` — FAILED (${run.failure}), timed all the same` : ""}`,
          );
        } catch (err) {
          if (!(err instanceof ToolFailed)) throw err;
          failure = err.message;
          log(`  ${r + 1}/${opts.runs} redact FAILED (${failure}): the row stops here`);
        }
      } else {
        const rec = await runBare(row, ffmpeg, opts, true);
        bare.push(rec);
        log(`  ${r + 1}/${opts.runs} bare   ${describeRun(rec)}`);
      }
    }
  }
  const loadAfter = loadAverage()?.[0];
  log(`${rowName(row)}: load average ${loadAfter ?? "?"} after`);
  if (bare.length === 0) {
    // The tool failed before the bare side ran once: run it, so that the row still has its reference.
    bare.push(await runBare(row, ffmpeg, opts, true));
  }
  const ok = failure === undefined && tool.length > 0;
  failure ??= verificationFailure;
  const toolS = ok ? summarise(tool.map((r) => r.wallS)) : undefined;
  const bareS = summarise(bare.map((r) => r.wallS));
  const batch = row.row === BATCH_ROW;
  const speedGoal = speedTarget({ minutes: row.minutes, batch });
  const stalls = [...tool, ...bare].flatMap((r) => (r.cpuStall === undefined ? [] : [r.cpuStall]));
  const stages = ok ? medianStages(tool.map((r) => r.stages)) : undefined;
  const speed = speedGoal && toolS ? checkSpeed(speedGoal, toolS.median, bareS.median) : undefined;
  const result: RowResult = {
    row: row.row,
    input: row.input,
    minutes: row.minutes,
    calls: row.calls,
    ranges: row.ranges,
    runs: opts.runs,
    ...(failure !== undefined ? { failure } : {}),
    ...(toolS
      ? {
          toolS: { median: round(toolS.median, 3), min: toolS.min, max: toolS.max },
          ratio: round(toolS.median / bareS.median, 3),
          toolCpuS: round(median(tool.map((r) => r.cpuS)), 2),
          peakMB: Math.max(...tool.map((r) => r.peakToolPssMB)),
          peakRssMB: Math.max(...tool.map((r) => r.peakToolRssMB)),
        }
      : {}),
    bareS: { median: round(bareS.median, 3), min: bareS.min, max: bareS.max },
    bareCpuS: round(median(bare.map((r) => r.cpuS)), 2),
    barePeakMB: Math.max(...bare.map((r) => r.peakPssMB)),
    ...(loadBefore !== undefined && loadAfter !== undefined ? { load: { before: loadBefore, after: loadAfter } } : {}),
    ...(stalls.length > 0 ? { maxStall: Math.max(...stalls) } : {}),
    ...(stages ? { stages } : {}),
    ...(speed ? { speed } : {}),
  };
  return { result, tool, bare };
}

function singleRow(input: Input, ffmpeg: string): Row {
  const out = join(BARE, `${input.call}.mp3`);
  return {
    row: input.spec.format,
    input: FORMATS[input.spec.format].label,
    minutes: input.spec.minutes,
    calls: 1,
    ranges: input.ranges,
    project: MATRIX,
    toolArgs: [input.call],
    bareJobs: [{ command: ffmpeg, args: bareTranscodeArgs(input.path, input, input.call, out), cwd: BENCH }],
    bareOutputs: [out],
    expect: [`${input.call}.mp3`, `${input.call}.json`],
    warm: [input.path],
  };
}

function batchRow(inputs: readonly Input[], ffmpeg: string): Row {
  const outs = inputs.map((i) => join(BARE, "batch", `${i.call}.mp3`));
  const counts = new Map<string, number>();
  for (const i of inputs) counts.set(i.spec.format, (counts.get(i.spec.format) ?? 0) + 1);
  return {
    row: BATCH_ROW,
    input: `1-min calls: ${[...counts].map(([f, n]) => `${n} ${f}`).join(", ")}`,
    minutes: 1,
    calls: inputs.length,
    ranges: Math.round(median(inputs.map((i) => i.ranges))),
    project: BATCH,
    toolArgs: ["--all"],
    bareJobs: inputs.map((i, k) => ({
      command: ffmpeg,
      args: bareTranscodeArgs(i.path, i, i.call, outs[k] as string),
      cwd: BENCH,
    })),
    bareOutputs: outs,
    expect: inputs.map((i) => `${i.call}.mp3`),
    warm: inputs.map((i) => i.path),
  };
}

async function main(): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  if (process.platform !== "linux") {
    process.stderr.write("bench: the process-tree sampler reads /proc: run it on Linux\n");
    return 2;
  }
  const loadStart = loadAverage();
  mkdirSync(BENCH, { recursive: true });
  snapshotSource();
  const srcDigest = sourceDigest(join(SNAPSHOT, "src"));
  log(`measuring a snapshot of src/ (digest ${srcDigest}) in ${relative(ROOT, SNAPSHOT)}`);
  prepareProject(MATRIX);
  prepareProject(BATCH);
  mkdirSync(join(BARE, "batch"), { recursive: true });
  const ffmpeg = resolveFfmpeg();
  const ffmpegVersion = (spawnSync(ffmpeg.path, ["-version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "")
    .replace(/\s+Copyright.*$/, "")
    .trim();
  log(`ffmpeg: ${ffmpeg.path} (${ffmpeg.source}): ${ffmpegVersion}`);

  let dsp: DspResults | undefined;
  if (opts.dspSeconds > 0) {
    log(`DSP throughput on ${opts.dspSeconds} s of audio`);
    dsp = dspThroughput(opts.dspSeconds, 44100);
  }

  // Inputs first (made once, cached), then the rows: formats in the order given, lengths ascending, the
  // batch last.
  const rows: Row[] = [];
  const minutes = [...opts.minutes].sort((a, b) => a - b);
  for (const id of opts.rows) {
    if (!isFormatId(id)) continue;
    for (const m of minutes) {
      const input = await ensureInput({ format: id, minutes: m, seed: SPEECH_SEED }, MATRIX, ffmpeg.path);
      rows.push(singleRow(input, ffmpeg.path));
    }
  }
  if (opts.rows.includes(BATCH_ROW)) {
    // --all takes every manifest: only this batch's.
    rmSync(join(BATCH, "redactions"), { recursive: true, force: true });
    mkdirSync(join(BATCH, "redactions"));
    const inputs: Input[] = [];
    for (const spec of batchSpecs(opts.batchCalls)) inputs.push(await ensureInput(spec, BATCH, ffmpeg.path));
    rows.push(batchRow(inputs, ffmpeg.path));
  }

  // Warm-up, untimed: npm's and node's files, the bundle (built on the first run of the snapshot), ffmpeg.
  const warm = singleRow(await ensureInput(WARM, MATRIX, ffmpeg.path), ffmpeg.path);
  log("warm-up (untimed): one run of each on a 12-second recording");
  const warmRun = await runTool(warm, opts, false);
  if (warmRun.failure !== undefined) log(`  the warm-up's redact failed (${warmRun.failure}); carrying on`);
  await runBare(warm, ffmpeg.path, opts, false);

  const records: RowRecord[] = [];
  for (const row of rows) records.push(await benchRow(row, ffmpeg.path, opts));
  // Memory targets: against the same format's 1-minute row of this run.
  const oneMinute = new Map<string, number>();
  for (const { result: r } of records) {
    if (r.row !== BATCH_ROW && r.minutes === 1 && r.peakMB !== undefined) oneMinute.set(r.row, r.peakMB);
  }
  const results = records.map(({ result: r }): RowResult => {
    const memory =
      r.row === BATCH_ROW || r.peakMB === undefined
        ? undefined
        : checkMemory(r.minutes, r.peakMB, oneMinute.get(r.row));
    return memory ? { ...r, memory } : r;
  });

  const machine: MachineInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpuModel: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memMB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    ...(loadStart ? { loadStart } : {}),
    ...(loadAverage() ? { loadEnd: loadAverage() as readonly number[] } : {}),
    ffmpeg: { path: relative(ROOT, ffmpeg.path) || ffmpeg.path, source: ffmpeg.source, version: ffmpegVersion },
    commit: gitCommit(),
    srcDigest,
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    sampleMs: opts.sampleMs,
    redactArgs: opts.redactArgs,
  };
  const markdown = renderReport(machine, results, dsp);
  const outPath = resolve(process.cwd(), opts.out);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, markdown);
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ version: 2, machine, options: opts, rows: records.map((r, i) => ({ ...r, result: results[i] })), dsp }, null, 2)}\n`,
  );
  rmSync(BARE, { recursive: true, force: true });
  for (const name of existsSync(TMP) ? readdirSync(TMP) : []) unlinkSync(join(TMP, name));
  process.stdout.write(markdown);
  log(`table: ${relative(process.cwd(), outPath) || outPath}; details: ${relative(process.cwd(), RESULTS)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
