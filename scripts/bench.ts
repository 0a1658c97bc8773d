/**
 * `npm run bench`: how `npm run redact` compares with a bare ffmpeg transcode of the same recording to the
 * same MP3 settings (same binary), and how fast the DSP core is. Not a test: it prints figures and writes
 * them to .bench/results.json.
 *
 *   1. Deterministic speech-like recordings (44.1 kHz mono MP3, 64 kbps) of each length, cached in
 *      .bench/project/recordings/, each with a manifest of about one range per minute.
 *   2. For each length, `runs` times, alternating (and alternating which goes first): `npm run redact` in
 *      .bench/project/ and `ffmpeg -i <recording> <the tool's MP3 settings> .bench/transcode/<call>.mp3`.
 *      Wall time from spawn to exit; memory of the whole process tree sampled every --sample-ms.
 *   3. In-process throughput of redactChunk, LoudnessMeter.push and the PCM conversions.
 *
 * Options: see BENCH_HELP in bench-lib/args.ts (`npm run bench -- --help`).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveFfmpeg } from "../src/media/ffmpeg.ts";
import { mp3BitrateKbps, mp3SampleRate } from "../src/media/mp3.ts";
import { BENCH_HELP, type BenchOptions, BenchUsageError, parseBenchArgs } from "./bench-lib/args.ts";
import { type DspResults, dspThroughput } from "./bench-lib/dsp.ts";
import { benchManifest, benchRanges, coverage } from "./bench-lib/manifest.ts";
import { type Lifetime, type RedactStages, redactStages } from "./bench-lib/proctree.ts";
import { type MeasuredRun, measure, waitForQuiet } from "./bench-lib/sampler.ts";
import { median, round, summarise } from "./bench-lib/stats.ts";
import { floatToS16le, SpeechSynth, SYNTH_VERSION } from "./bench-lib/synth.ts";
import { formatTable, millions } from "./bench-lib/table.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH = join(ROOT, ".bench");
const PROJECT = join(BENCH, "project");
const SNAPSHOT = join(BENCH, "snapshot");
const RECORDINGS = join(PROJECT, "recordings");
const TRANSCODES = join(BENCH, "transcode");
const RESULTS = join(BENCH, "results.json");

const RATE = 44100;
const SEED = 42;
const SOURCE_KBPS = 64;

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

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

/** A digest of the measured src/ so that figures can be matched to the code (the tree has no commits). */
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

const callName = (minutes: number): string => `bench-${minutes}m`;

interface Recording {
  readonly call: string;
  readonly minutes: number;
  readonly file: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly samples: number;
  readonly cached: boolean;
}

interface Sidecar {
  generator: string;
  seed: number;
  minutes: number;
  sampleRate: number;
  kbps: number;
  samples: number;
  sha256: string;
}

/** The recording for a length: from the cache if its sidecar matches, else synthesised and encoded. */
async function ensureRecording(minutes: number, ffmpeg: string): Promise<Recording> {
  const call = callName(minutes);
  const file = `${call}.mp3`;
  const path = join(RECORDINGS, file);
  const sidecarPath = join(BENCH, `${call}.source.json`);
  const samples = Math.round(minutes * 60 * RATE);
  const want = { generator: SYNTH_VERSION, seed: SEED, minutes, sampleRate: RATE, kbps: SOURCE_KBPS, samples };
  if (existsSync(path) && existsSync(sidecarPath)) {
    const side = JSON.parse(readFileSync(sidecarPath, "utf8")) as Sidecar;
    const same = Object.entries(want).every(([k, v]) => side[k as keyof Sidecar] === v);
    if (same && sha256(path) === side.sha256) {
      return { call, minutes, file, path, sha256: side.sha256, bytes: statSync(path).size, samples, cached: true };
    }
  }
  log(`synthesising ${minutes} min of speech-like audio -> ${relative(ROOT, path)} (once; cached afterwards)`);
  const t0 = performance.now();
  const tmp = `${path}.tmp`;
  const child = spawn(
    ffmpeg,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"],
      ...["-f", "s16le", "-ar", String(RATE), "-ac", "1", "-i", "pipe:0"],
      ...["-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", `${SOURCE_KBPS}k`],
      ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "mp3", "-y", tmp],
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const closed = new Promise<number | null>((res, rej) => {
    child.once("error", rej);
    child.once("close", res);
  });
  const synth = new SpeechSynth({ seed: SEED, sampleRate: RATE });
  for (let done = 0; done < samples; ) {
    const n = Math.min(RATE, samples - done);
    if (!child.stdin.write(floatToS16le(synth.next(n)))) await once(child.stdin, "drain");
    done += n;
  }
  child.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(`encoding the ${minutes}-minute recording failed (ffmpeg exit ${code}):\n${stderr}`);
  renameSync(tmp, path);
  const digest = sha256(path);
  writeFileSync(sidecarPath, `${JSON.stringify({ ...want, sha256: digest }, null, 2)}\n`);
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { call, minutes, file, path, sha256: digest, bytes: statSync(path).size, samples, cached: false };
}

const LAUNCHER = "scripts/run.mjs";

/** The `redact` script of a package.json: what `npm run redact` runs. */
function redactScript(packageJson: string): string {
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.redact;
  if (!script?.includes(LAUNCHER)) throw new Error(`${packageJson}: no "redact" script running ${LAUNCHER}`);
  return script;
}

/** The scratch project `npm run redact` runs in: its own package.json so npm runs the script there. */
function prepareProject(): void {
  for (const d of ["redactions", "recordings", "out"]) mkdirSync(join(PROJECT, d), { recursive: true });
  mkdirSync(TRANSCODES, { recursive: true });
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
  writeFileSync(join(PROJECT, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
}

function transcodeArgs(input: string, title: string, out: string): string[] {
  // The settings of src/media/mp3.ts for mono 44.1 kHz, reading the recording as src/media/decode.ts does.
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"],
    ...["-i", input, "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1"],
    ...["-ar", String(mp3SampleRate(RATE)), "-c:a", "libmp3lame", "-b:a", `${mp3BitrateKbps(1)}k`],
    ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "4", "-metadata", `title=${title}`],
    ...["-f", "mp3", "-y", out],
  ];
}

interface RunFigures {
  readonly wallS: number;
  readonly cpuS: number;
  readonly cpuStall?: number;
  /** Seconds spent waiting for a quiet CPU before the run, and the 10-s pressure when it started (%). */
  readonly waitedS: number;
  readonly startPressure?: number;
  readonly peakRssMB: number;
  readonly peakPssMB: number;
  readonly peakToolRssMB: number;
  readonly peakToolPssMB: number;
  readonly peakByRole: MeasuredRun["peakByRole"];
  readonly samples: number;
  readonly sampleCostMs: number;
}

const figures = (m: MeasuredRun, quiet: { waitedS: number; avg10?: number }): RunFigures => ({
  wallS: round(m.wallS, 3),
  cpuS: m.cpuS,
  ...(m.cpuStall !== undefined ? { cpuStall: m.cpuStall } : {}),
  waitedS: quiet.waitedS,
  ...(quiet.avg10 !== undefined ? { startPressure: quiet.avg10 } : {}),
  peakRssMB: m.peakRssMB,
  peakPssMB: m.peakPssMB,
  peakToolRssMB: m.peakToolRssMB,
  peakToolPssMB: m.peakToolPssMB,
  peakByRole: m.peakByRole,
  samples: m.samples,
  sampleCostMs: m.sampleCostMs,
});

function check(what: string, m: MeasuredRun): void {
  if (m.exitCode !== 0) throw new Error(`${what} exited with ${m.exitCode}:\n${m.stdout}\n${m.stderr}`);
}

interface LengthResult {
  readonly minutes: number;
  readonly recording: Omit<Recording, "path" | "cached"> & { path: string };
  readonly ranges: number;
  readonly coverage: number;
  readonly tool: { gainDb?: number; limiter?: boolean; integratedLufs?: number };
  readonly redact: {
    readonly runs: readonly RedactRun[];
    readonly medianS: number;
    readonly medianCpuS: number;
    readonly minS: number;
    readonly maxS: number;
    readonly peakRssMB: number;
    readonly peakPssMB: number;
    readonly peakToolRssMB: number;
    readonly peakToolPssMB: number;
    readonly medianStages?: RedactStages;
  };
  readonly transcode: {
    readonly runs: readonly RunFigures[];
    readonly medianS: number;
    readonly medianCpuS: number;
    readonly minS: number;
    readonly maxS: number;
    readonly peakRssMB: number;
    readonly peakPssMB: number;
  };
  /** median(redact) / median(transcode). */
  readonly ratio: number;
  /** Median of the per-run ratios (each redact over the transcode of the same round). */
  readonly ratioOfPairs: number;
  /** median CPU time of redact / of transcode: steadier than wall time on a busy machine. */
  readonly cpuRatio: number;
  /** Largest share of a run's time that some task on the machine waited for a CPU (0-1): contention. */
  readonly maxCpuStall?: number;
}

interface RedactRun extends RunFigures {
  readonly stages?: RedactStages;
  /** Every process of the run: role, what it did, first and last seen (ms from the start). */
  readonly processes: readonly Lifetime[];
}

const describeRun = (m: MeasuredRun): string =>
  `${m.wallS.toFixed(2).padStart(7)} s, CPU ${m.cpuS.toFixed(1)} s, peak ${m.peakRssMB} MB RSS (${m.peakPssMB} MB PSS)` +
  (m.cpuStall !== undefined ? `, CPU stall ${Math.round(m.cpuStall * 100)}%` : "");

const maxStall = (runs: readonly RunFigures[]): { maxCpuStall?: number } => {
  const stalls = runs.flatMap((r) => (r.cpuStall === undefined ? [] : [r.cpuStall]));
  return stalls.length > 0 ? { maxCpuStall: Math.max(...stalls) } : {};
};

const maxOf = (runs: readonly RunFigures[], key: keyof RunFigures): number =>
  Math.max(...runs.map((r) => r[key] as number));

function medianStages(all: readonly (RedactStages | undefined)[]): RedactStages | undefined {
  const got = all.filter((s): s is RedactStages => s !== undefined);
  if (got.length === 0) return undefined;
  const m = (k: keyof RedactStages): number => round(median(got.map((s) => s[k])), 3);
  return {
    startupS: m("startupS"),
    pass1S: m("pass1S"),
    prepS: m("prepS"),
    encodeS: m("encodeS"),
    tailS: m("tailS"),
  };
}

async function benchLength(rec: Recording, opts: BenchOptions, ffmpeg: string): Promise<LengthResult> {
  const ranges = benchRanges(rec.minutes);
  writeFileSync(join(PROJECT, "redactions", `${rec.call}.yaml`), benchManifest(rec.file, rec.call, ranges));
  const transcodeOut = join(TRANSCODES, `${rec.call}.mp3`);
  const redactRuns: RedactRun[] = [];
  const transcodeRuns: RunFigures[] = [];
  const quiet = async (): Promise<{ waitedS: number; avg10?: number }> => {
    const q = await waitForQuiet(opts.maxWaitS, 25);
    if (q.waitedS >= 1) log(`  waited ${q.waitedS} s for a quiet CPU (pressure now ${q.avg10 ?? "?"}%)`);
    return q;
  };
  const outDir = join(PROJECT, "out");
  const runRedact = async (): Promise<void> => {
    // An empty out/ every time: the tool may skip a call whose outputs are up to date.
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir);
    const q = await quiet();
    const m = await measure("npm", ["run", "redact", "--", rec.call, ...opts.redactArgs], {
      cwd: PROJECT,
      env: { ...process.env, CI: "true" },
      sampleMs: opts.sampleMs,
    });
    check(`npm run redact -- ${rec.call}`, m);
    if (!existsSync(join(outDir, `${rec.call}.mp3`))) {
      throw new Error(`npm run redact -- ${rec.call} wrote no out/${rec.call}.mp3:\n${m.stdout}\n${m.stderr}`);
    }
    const stages = redactStages(m.lifetimes, m.wallS * 1000);
    redactRuns.push({ ...figures(m, q), ...(stages ? { stages } : {}), processes: m.lifetimes });
    log(`  redact    ${describeRun(m)}`);
  };
  const runTranscode = async (): Promise<void> => {
    const q = await quiet();
    const m = await measure(ffmpeg, transcodeArgs(rec.path, rec.call, transcodeOut), {
      cwd: BENCH,
      sampleMs: opts.sampleMs,
    });
    check(`ffmpeg transcode of ${rec.file}`, m);
    transcodeRuns.push(figures(m, q));
    log(`  transcode ${describeRun(m)}`);
  };
  for (let r = 0; r < opts.runs; r++) {
    log(`${rec.minutes} min, round ${r + 1} of ${opts.runs}`);
    // Alternate which command goes first, so that neither always runs on a machine the other just warmed.
    if (r % 2 === 0) {
      await runRedact();
      await runTranscode();
    } else {
      await runTranscode();
      await runRedact();
    }
  }
  let tool: LengthResult["tool"] = {};
  try {
    const report = JSON.parse(readFileSync(join(PROJECT, "out", `${rec.call}.json`), "utf8")) as {
      loudness?: { gainDb?: number; limiter?: boolean; integratedLufs?: number };
    };
    tool = {
      gainDb: report.loudness?.gainDb,
      limiter: report.loudness?.limiter,
      integratedLufs: report.loudness?.integratedLufs,
    };
  } catch {
    // the report's shape is not ours to rely on; the figures stand without it
  }
  const redactS = summarise(redactRuns.map((r) => r.wallS));
  const transcodeS = summarise(transcodeRuns.map((r) => r.wallS));
  const stages = medianStages(redactRuns.map((r) => r.stages));
  return {
    minutes: rec.minutes,
    recording: {
      call: rec.call,
      minutes: rec.minutes,
      file: rec.file,
      path: relative(ROOT, rec.path),
      sha256: rec.sha256,
      bytes: rec.bytes,
      samples: rec.samples,
    },
    ranges: ranges.length,
    coverage: round(coverage(ranges, rec.minutes * 60), 4),
    tool,
    redact: {
      runs: redactRuns,
      medianS: round(redactS.median, 3),
      medianCpuS: round(median(redactRuns.map((r) => r.cpuS)), 2),
      minS: redactS.min,
      maxS: redactS.max,
      peakRssMB: maxOf(redactRuns, "peakRssMB"),
      peakPssMB: maxOf(redactRuns, "peakPssMB"),
      peakToolRssMB: maxOf(redactRuns, "peakToolRssMB"),
      peakToolPssMB: maxOf(redactRuns, "peakToolPssMB"),
      ...(stages ? { medianStages: stages } : {}),
    },
    transcode: {
      runs: transcodeRuns,
      medianS: round(transcodeS.median, 3),
      medianCpuS: round(median(transcodeRuns.map((r) => r.cpuS)), 2),
      minS: transcodeS.min,
      maxS: transcodeS.max,
      peakRssMB: maxOf(transcodeRuns, "peakRssMB"),
      peakPssMB: maxOf(transcodeRuns, "peakPssMB"),
    },
    ratio: round(redactS.median / transcodeS.median, 3),
    ratioOfPairs: round(median(redactRuns.map((r, i) => r.wallS / (transcodeRuns[i] as RunFigures).wallS)), 3),
    cpuRatio: round(median(redactRuns.map((r) => r.cpuS)) / median(transcodeRuns.map((r) => r.cpuS)), 3),
    ...maxStall([...redactRuns, ...transcodeRuns]),
  };
}

function printSummary(lengths: readonly LengthResult[], dsp: DspResults | undefined): void {
  const out: string[] = [];
  if (lengths.length > 0) {
    out.push(
      formatTable(
        [
          "minutes",
          "redact s",
          "transcode s",
          "ratio",
          "peak MB redact",
          "(PSS)",
          "peak MB transcode",
          "CPU s redact",
          "CPU s transcode",
          "CPU ratio",
          "max stall",
        ],
        lengths.map((l) => [
          String(l.minutes),
          l.redact.medianS.toFixed(2),
          l.transcode.medianS.toFixed(2),
          l.ratio.toFixed(2),
          l.redact.peakRssMB.toFixed(1),
          l.redact.peakPssMB.toFixed(1),
          l.transcode.peakRssMB.toFixed(1),
          l.redact.medianCpuS.toFixed(1),
          l.transcode.medianCpuS.toFixed(1),
          l.cpuRatio.toFixed(2),
          l.maxCpuStall === undefined ? "-" : `${Math.round(l.maxCpuStall * 100)}%`,
        ]),
      ),
      "",
      "times: medians of wall clock; peak MB: largest RSS (PSS) sum over the process tree; CPU: user+sys of the tree;",
      "max stall: largest share of a run's time that some task waited for a CPU (machine-wide contention)",
      "",
      "redact stages (median s): startup = npm, launcher, imports; pass 1 = the decode: redact, master, meter;",
      "prep = until the first file encoder (gain settling); encode = web encoders (the dry run and the master's",
      "check beside them); tail = after the last encoder (verification of the web files, hashes, report, renames)",
      formatTable(
        ["minutes", "startup", "pass 1", "prep", "encode", "tail"],
        lengths.map((l) => {
          const s = l.redact.medianStages;
          const f = (x: number | undefined): string => (x === undefined ? "-" : x.toFixed(2));
          return [String(l.minutes), f(s?.startupS), f(s?.pass1S), f(s?.prepS), f(s?.encodeS), f(s?.tailS)];
        }),
      ),
      "",
    );
  }
  if (dsp) {
    out.push(
      `DSP core in node (${dsp.seconds} s of 44.1 kHz mono, ${dsp.chunkFrames}-sample chunks, ${(dsp.coverage * 100).toFixed(1)}% redacted)`,
      formatTable(
        ["step", "M samples/s", "x real time", "s per hour"],
        dsp.figures.map((f) => [
          f.name,
          millions(f.samplesPerSecond),
          String(f.realtimeX),
          f.secondsPerHour.toFixed(2),
        ]),
      ),
      "",
    );
  }
  process.stdout.write(`${out.join("\n")}\n`);
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
    process.stderr.write("bench: the process-tree memory sampler reads /proc: run it on Linux\n");
    return 2;
  }
  mkdirSync(BENCH, { recursive: true });
  snapshotSource();
  const srcDigest = sourceDigest(join(SNAPSHOT, "src"));
  log(`measuring a snapshot of src/ (digest ${srcDigest}) in ${relative(ROOT, SNAPSHOT)}`);
  prepareProject();
  const ffmpeg = resolveFfmpeg();
  const ffmpegVersion = spawnSync(ffmpeg.path, ["-version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "";
  log(`ffmpeg: ${ffmpeg.path} (${ffmpeg.source}): ${ffmpegVersion}`);

  let dsp: DspResults | undefined;
  if (opts.dspSeconds > 0) {
    log(`DSP throughput on ${opts.dspSeconds} s of audio`);
    dsp = dspThroughput(opts.dspSeconds, RATE);
  }

  const recordings: Recording[] = [];
  for (const minutes of opts.minutes) recordings.push(await ensureRecording(minutes, ffmpeg.path));

  // Warm-up, untimed: npm's and tsx's caches, the source files in the page cache.
  const warm = await measure("npm", ["run", "redact", "--", "--help"], { cwd: PROJECT, sampleMs: 1000 });
  check("npm run redact -- --help", warm);

  const lengths: LengthResult[] = [];
  for (const rec of recordings) lengths.push(await benchLength(rec, opts, ffmpeg.path));
  rmSync(TRANSCODES, { recursive: true, force: true });

  const results = {
    version: 1,
    date: new Date().toISOString(),
    host: {
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "",
      totalMemMB: Math.round(totalmem() / 2 ** 20),
      node: process.version,
    },
    ffmpeg: { path: ffmpeg.path, source: ffmpeg.source, version: ffmpegVersion },
    srcDigest,
    options: opts,
    commands: {
      redact: `npm run redact -- ${["<call>", ...opts.redactArgs].join(" ")}   (cwd ${relative(ROOT, PROJECT)}; its package.json runs the repository's redact script, ${redactScript(join(ROOT, "package.json"))}, with ${relative(ROOT, SNAPSHOT)}/${LAUNCHER}: the launcher of a copy of src/ taken at the start)`,
      transcode: [ffmpeg.path, ...transcodeArgs("<recording>", "<call>", "<out>.mp3")].join(" "),
    },
    notes: [
      "Times are wall clock from spawn to exit, medians over the runs; the two commands alternate, and which goes first alternates too.",
      "Peak memory: the largest sum over the process tree (the spawned process and every descendant, sampled from /proc every sampleMs); RSS counts shared pages (e.g. node's code) once per process, PSS shares them out. peakTool* leaves out the npm launcher and its shell.",
      "CPU: user + system time of the whole tree (children's times, read from /proc/self/stat), less sensitive than wall time to other load on the machine.",
      "cpuStall: share of the run's wall time during which some task on the machine was waiting for a CPU (/proc/pressure/cpu); high values mean the wall times were inflated by contention.",
      "MB = 2^20 bytes.",
    ],
    lengths,
    dsp,
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  printSummary(lengths, dsp);
  process.stdout.write(`results: ${relative(process.cwd(), RESULTS) || RESULTS}\n`);
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
