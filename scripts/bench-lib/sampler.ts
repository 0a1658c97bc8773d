/**
 * Run a command (or a pool of commands, a few at a time) and sample its whole process tree (the
 * process and all its descendants, found through the parent pid in /proc/<pid>/stat) every few
 * milliseconds: memory, CPU time and argv of every process. Linux only.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import {
  classify,
  descendants,
  describe,
  type ProcReading,
  parseCpuPressure,
  parseSmapsRollup,
  parseStat,
  parseStatCpu,
  parseStatmRssKb,
  type Role,
  type TreePeaks,
  TreeTracker,
} from "./proctree.ts";

const PAGE_BYTES = 4096;

/** USER_HZ: 100 on every Linux architecture that node runs on. */
const CLOCK_TICKS = 100;

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
};

/** Parent of every process on the machine (one read of each /proc/<pid>/stat). */
function scanProcs(): Map<number, { readonly ppid: number }> {
  const procs = new Map<number, { readonly ppid: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const text = readText(`/proc/${name}/stat`);
    const st = text === undefined ? undefined : parseStat(text);
    if (st) procs.set(st.pid, { ppid: st.ppid });
  }
  return procs;
}

/** Read PSS (smaps_rollup, about 0.4 ms a process) on one sample in this many; RSS (statm) on every one. */
const PSS_EVERY = 4;

interface Known {
  /** The process's name when its argv was read: a change means it exec'd something else. */
  readonly comm: string;
  readonly role: Role;
  readonly label: string;
  readonly argv: readonly string[];
}

/** Does this kernel list a task's children (/proc/<pid>/task/<tid>/children, CONFIG_PROC_CHILDREN)? */
const HAS_CHILDREN_FILES = readText(`/proc/self/task/${process.pid}/children`) !== undefined;

/**
 * The root and every process below it, read through the children file of each process's main thread
 * (the few files of the tree, instead of the stat file of every process on the machine), or through a
 * scan of /proc where the kernel has no children files. Main threads only: node (libuv), npm and the
 * shells spawn from their main thread, and ffmpeg spawns nothing.
 */
function treePids(roots: readonly number[]): number[] {
  if (!HAS_CHILDREN_FILES) {
    const parents = new Map<number, number>();
    for (const [pid, p] of scanProcs()) parents.set(pid, p.ppid);
    return [...new Set(roots.flatMap((r) => descendants(r, parents)))];
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    const kids = readText(`/proc/${pid}/task/${pid}/children`);
    if (kids) for (const k of kids.trim().split(/\s+/)) if (k !== "") stack.push(Number(k));
  }
  return out;
}

/** One reading of the trees under `roots`; argv is read once per pid (again only if the process exec'd). */
function readTrees(roots: readonly number[], known: Map<number, Known>, withPss: boolean): ProcReading[] {
  const out: ProcReading[] = [];
  for (const pid of treePids(roots)) {
    const text = readText(`/proc/${pid}/stat`);
    const stat = text === undefined ? undefined : parseStat(text);
    if (!stat || text === undefined) continue; // gone
    const ticks = parseStatCpu(text);
    let k = known.get(pid);
    if (k === undefined || k.comm !== stat.comm) {
      const cmd = readText(`/proc/${pid}/cmdline`);
      if (cmd === undefined || cmd === "") continue; // gone, or a zombie
      const argv = cmd.split("\0").filter((a) => a !== "");
      k = { comm: stat.comm, role: classify(argv), label: describe(argv), argv };
      known.set(pid, k);
    }
    const { role, label, argv } = k;
    const cpu = ticks ? { cpuS: (ticks.utime + ticks.stime) / CLOCK_TICKS } : {};
    if (withPss) {
      const rollup = readText(`/proc/${pid}/smaps_rollup`);
      const mem = rollup === undefined ? undefined : parseSmapsRollup(rollup);
      if (mem) {
        out.push({ pid, role, label, argv, ...mem, ...cpu });
        continue;
      }
    }
    const statm = readText(`/proc/${pid}/statm`);
    const rssKb = statm === undefined ? undefined : parseStatmRssKb(statm, PAGE_BYTES);
    if (rssKb !== undefined) out.push({ pid, role, label, argv, rssKb, ...cpu });
  }
  return out;
}

/** CPU seconds used by this process's reaped children (and theirs): cutime + cstime of /proc/self/stat. */
function childrenCpuS(): number {
  const text = readText("/proc/self/stat");
  const t = text === undefined ? undefined : parseStatCpu(text);
  return t ? (t.cutime + t.cstime) / CLOCK_TICKS : Number.NaN;
}

/** The "some" CPU pressure: how much of the time some task was waiting for a CPU. */
export function cpuPressure(): { avg10: number; totalUs: number } | undefined {
  const text = readText("/proc/pressure/cpu");
  return text === undefined ? undefined : parseCpuPressure(text);
}

/** The machine's load averages over 1, 5 and 15 minutes (/proc/loadavg). */
export function loadAverage(): readonly [number, number, number] | undefined {
  const f = (readText("/proc/loadavg") ?? "").trim().split(/\s+/).slice(0, 3).map(Number);
  return f.length === 3 && f.every(Number.isFinite) ? [f[0] as number, f[1] as number, f[2] as number] : undefined;
}

/** Wait (up to maxS seconds) until the CPU is quiet: "some" pressure over the last 10 s under `belowPct`. */
export async function waitForQuiet(maxS: number, belowPct: number): Promise<{ waitedS: number; avg10?: number }> {
  const t0 = performance.now();
  for (;;) {
    const p = cpuPressure();
    const waitedS = (performance.now() - t0) / 1000;
    if (!p) return { waitedS };
    if (p.avg10 < belowPct || waitedS >= maxS) return { waitedS: Math.round(waitedS), avg10: p.avg10 };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface MeasuredRun extends TreePeaks {
  readonly wallS: number;
  /** User + system CPU time of the whole tree, seconds (from the reaped children's times). */
  readonly cpuS: number;
  /** Fraction of the run's wall time during which some task waited for a CPU (machine-wide); undefined without PSI. */
  readonly cpuStall?: number;
  /** The first non-zero exit status of the commands (0 when all succeeded; null: killed by a signal). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Mean time one /proc sample took, ms (the sampler's own cost). */
  readonly sampleCostMs: number;
}

export interface Job {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly sampleMs: number;
}

/** Spawn `command args` (no shell), time it from spawn to exit, and sample its tree. */
export function measure(command: string, args: readonly string[], opts: RunOptions): Promise<MeasuredRun> {
  const job: Job = { command, args, cwd: opts.cwd, ...(opts.env ? { env: opts.env } : {}) };
  return measurePool([job], 1, opts.sampleMs);
}

/**
 * Run `jobs` at most `concurrency` at a time, each spawned (no shell) as soon as a slot frees; time the
 * whole from the first spawn to the last exit and sample every running job's tree as one.
 */
export function measurePool(jobs: readonly Job[], concurrency: number, sampleMs: number): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const cpu0 = childrenCpuS();
    const stall0 = cpuPressure();
    const t0 = performance.now();
    const tracker = new TreeTracker();
    const known = new Map<number, Known>();
    const running = new Set<number>();
    let stdout = "";
    let stderr = "";
    let sampleTime = 0;
    let sampleCount = 0;
    let next = 0;
    let finished = 0;
    let exitCode: number | null = 0;
    let failed = false;
    const sample = (): void => {
      if (running.size === 0) return;
      const s0 = performance.now();
      const procs = readTrees([...running], known, sampleCount % PSS_EVERY === 0);
      sampleTime += performance.now() - s0;
      sampleCount++;
      tracker.add({ tMs: s0 - t0, procs });
    };
    const timer = setInterval(sample, sampleMs);
    const done = (): void => {
      const wallS = (performance.now() - t0) / 1000;
      clearInterval(timer);
      const stall1 = cpuPressure();
      const cpuStall =
        stall0 && stall1 ? { cpuStall: Math.round((stall1.totalUs - stall0.totalUs) / (wallS * 1e4)) / 100 } : {};
      resolve({
        ...tracker.result(),
        wallS,
        cpuS: Math.round((childrenCpuS() - cpu0) * 100) / 100,
        ...cpuStall,
        exitCode,
        stdout,
        stderr,
        sampleCostMs: sampleCount > 0 ? Math.round((sampleTime / sampleCount) * 100) / 100 : 0,
      });
    };
    const start = (): void => {
      const job = jobs[next++];
      if (!job) return;
      const child = spawn(job.command, [...job.args], {
        cwd: job.cwd,
        env: job.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const pid = child.pid;
      if (pid !== undefined) running.add(pid);
      child.stdout.setEncoding("utf8").on("data", (s: string) => {
        stdout = (stdout + s).slice(-65536);
      });
      child.stderr.setEncoding("utf8").on("data", (s: string) => {
        stderr = (stderr + s).slice(-16384);
      });
      child.once("error", (err) => {
        if (failed) return;
        failed = true;
        clearInterval(timer);
        reject(err);
      });
      child.once("close", (code) => {
        if (pid !== undefined) running.delete(pid);
        if (code !== 0 && exitCode === 0) exitCode = code;
        finished++;
        if (failed) return;
        if (finished === jobs.length) done();
        else start();
      });
      if (running.size === 1 && sampleCount === 0) sample();
    };
    if (jobs.length === 0) {
      done();
      return;
    }
    for (let i = 0; i < Math.min(concurrency, jobs.length); i++) start();
  });
}
