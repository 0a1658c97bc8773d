/**
 * Run a command and sample the memory of its whole process tree (the process and all its descendants,
 * found through the parent pid in /proc/<pid>/stat) every few milliseconds. Linux only.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import {
  classify,
  descendants,
  type ProcReading,
  parseSmapsRollup,
  parseStat,
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

/** One reading of the tree under `root`; roles are cached per pid (a pid's command does not change). */
function readTree(root: number, roles: Map<number, Role>, withPss: boolean): ProcReading[] {
  const out: ProcReading[] = [];
  for (const pid of descendants(root, parentMap())) {
    let role = roles.get(pid);
    if (role === undefined) {
      const cmd = readText(`/proc/${pid}/cmdline`);
      if (cmd === undefined || cmd === "") continue; // gone, or a zombie
      role = classify(cmd.split("\0").filter((a) => a !== ""));
      roles.set(pid, role);
    }
    if (withPss) {
      const rollup = readText(`/proc/${pid}/smaps_rollup`);
      const mem = rollup === undefined ? undefined : parseSmapsRollup(rollup);
      if (mem) {
        out.push({ pid, role, ...mem });
        continue;
      }
    }
    const statm = readText(`/proc/${pid}/statm`);
    const rssKb = statm === undefined ? undefined : parseStatmRssKb(statm, PAGE_BYTES);
    if (rssKb !== undefined) out.push({ pid, role, rssKb });
  }
  return out;
}

export interface MeasuredRun extends TreePeaks {
  readonly wallS: number;
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
    const t0 = performance.now();
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tracker = new TreeTracker();
    const roles = new Map<number, Role>();
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
      const procs = readTree(pid, roles, sampleCount % PSS_EVERY === 0);
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
      resolve({
        ...tracker.result(),
        wallS,
        exitCode: code,
        stdout,
        stderr,
        sampleCostMs: sampleCount > 0 ? Math.round((sampleTime / sampleCount) * 100) / 100 : 0,
      });
    });
  });
}
