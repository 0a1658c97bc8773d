/**
 * Run a command and sample the memory of its whole process tree (the process and all its descendants,
 * found through the parent pid in /proc/<pid>/stat) every few milliseconds. Linux only.
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

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
};

/** Parent of every process on the machine. */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const text = readText(`/proc/${name}/stat`);
    const st = text === undefined ? undefined : parseStat(text);
    if (st) parents.set(st.pid, st.ppid);
  }
  return parents;
}

/** Read PSS (smaps_rollup, about 0.4 ms a process) on one sample in this many; RSS (statm) on every one. */
const PSS_EVERY = 4;

interface Known {
  readonly role: Role;
  readonly label: string;
}

/** One reading of the tree under `root`; roles are cached per pid (a pid's command does not change). */
function readTree(root: number, known: Map<number, Known>, withPss: boolean): ProcReading[] {
  const out: ProcReading[] = [];
  for (const pid of descendants(root, parentMap())) {
    let k = known.get(pid);
    if (k === undefined) {
      const cmd = readText(`/proc/${pid}/cmdline`);
      if (cmd === undefined || cmd === "") continue; // gone, or a zombie
      const argv = cmd.split("\0").filter((a) => a !== "");
      k = { role: classify(argv), label: describe(argv) };
      known.set(pid, k);
    }
    const { role, label } = k;
    if (withPss) {
      const rollup = readText(`/proc/${pid}/smaps_rollup`);
      const mem = rollup === undefined ? undefined : parseSmapsRollup(rollup);
      if (mem) {
        out.push({ pid, role, label, ...mem });
        continue;
      }
    }
    const statm = readText(`/proc/${pid}/statm`);
    const rssKb = statm === undefined ? undefined : parseStatmRssKb(statm, PAGE_BYTES);
    if (rssKb !== undefined) out.push({ pid, role, label, rssKb });
  }
  return out;
}

/** USER_HZ: 100 on every Linux architecture that node runs on. */
const CLOCK_TICKS = 100;

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
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Mean time one /proc sample took, ms (the sampler's own cost). */
  readonly sampleCostMs: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly sampleMs: number;
}

/** Spawn `command args` (no shell), time it from spawn to exit, and sample its tree's memory. */
export function measure(command: string, args: readonly string[], opts: RunOptions): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const cpu0 = childrenCpuS();
    const stall0 = cpuPressure();
    const t0 = performance.now();
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tracker = new TreeTracker();
    const known = new Map<number, Known>();
    let stdout = "";
    let stderr = "";
    let sampleTime = 0;
    let sampleCount = 0;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-16384);
    });
    const sample = (): void => {
      const pid = child.pid;
      if (pid === undefined) return;
      const s0 = performance.now();
      const procs = readTree(pid, known, sampleCount % PSS_EVERY === 0);
      sampleTime += performance.now() - s0;
      sampleCount++;
      tracker.add({ tMs: s0 - t0, procs });
    };
    sample();
    const timer = setInterval(sample, opts.sampleMs);
    child.once("error", (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.once("close", (code) => {
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
        exitCode: code,
        stdout,
        stderr,
        sampleCostMs: sampleCount > 0 ? Math.round((sampleTime / sampleCount) * 100) / 100 : 0,
      });
    });
  });
}
