/**
 * Process trees, the pure half: parsing /proc text, finding a process's descendants, naming what
 * each process is, and folding samples into peaks and lifetimes. The sampler that reads /proc is in
 * sampler.ts.
 */

export interface StatInfo {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
}

/** `/proc/<pid>/stat`: "pid (comm) state ppid ..."; comm may hold spaces and parentheses. */
export function parseStat(text: string): StatInfo | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[1]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, comm: text.slice(open + 1, close), ppid };
}

/** CPU clock ticks from `/proc/<pid>/stat`: own user and system time, and that of reaped children. */
export interface CpuTicks {
  readonly utime: number;
  readonly stime: number;
  readonly cutime: number;
  readonly cstime: number;
}

export function parseStatCpu(text: string): CpuTicks | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/)
    .map(Number);
  const at = (i: number): number => f[i] ?? Number.NaN;
  const ticks = { utime: at(11), stime: at(12), cutime: at(13), cstime: at(14) };
  return Object.values(ticks).every(Number.isFinite) ? ticks : undefined;
}

/** `/proc/pressure/cpu`, the "some" line: share of time some task waited for a CPU (avg10, %) and the total, µs. */
export function parseCpuPressure(text: string): { avg10: number; totalUs: number } | undefined {
  const m = /^some avg10=([\d.]+) avg60=[\d.]+ avg300=[\d.]+ total=(\d+)/m.exec(text);
  return m ? { avg10: Number(m[1]), totalUs: Number(m[2]) } : undefined;
}

export interface MemoryKb {
  readonly rssKb: number;
  /** Proportional set size: shared pages divided among the processes that map them. */
  readonly pssKb: number;
}

/** `/proc/<pid>/smaps_rollup`: the Rss: and Pss: lines, in kB. */
export function parseSmapsRollup(text: string): MemoryKb | undefined {
  const rss = /^Rss:\s+(\d+) kB/m.exec(text);
  const pss = /^Pss:\s+(\d+) kB/m.exec(text);
  if (!rss || !pss) return undefined;
  return { rssKb: Number(rss[1]), pssKb: Number(pss[1]) };
}

/** `/proc/<pid>/statm`: size resident ... in pages. */
export function parseStatmRssKb(text: string, pageBytes: number): number | undefined {
  const resident = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(resident) ? (resident * pageBytes) / 1024 : undefined;
}

/** The root and every process below it, given each process's parent. */
export function descendants(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

export type Role = "npm" | "shell" | "tsx" | "redact" | "ffmpeg-decode" | "ffmpeg-encode" | "ffmpeg" | "other";

const base = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

/** What a process of the benchmark is, from its argv (`/proc/<pid>/cmdline` split on NUL). */
export function classify(cmdline: readonly string[]): Role {
  // A process that set its title (npm does) shows one string with spaces instead of NUL-separated args.
  const argv = cmdline.length === 1 ? (cmdline[0] as string).trim().split(/\s+/) : cmdline;
  const exe = base(argv[0] ?? "");
  if (exe.includes("ffmpeg")) {
    if (argv.includes("f32le") && argv.includes("pipe:0")) return "ffmpeg-encode";
    if (argv.includes("pipe:1")) return "ffmpeg-decode";
    return "ffmpeg";
  }
  if (exe === "sh" || exe === "bash" || exe === "dash") return "shell";
  if (exe === "npm" || argv.some((a) => base(a) === "npm-cli.js" || base(a) === "npm")) return "npm";
  if (argv.some((a) => a.endsWith("tsx/dist/cli.mjs") || base(a) === "tsx")) return "tsx";
  if (argv.some((a) => a.endsWith("main.ts"))) return "redact";
  return "other";
}

/** A short description of a process for timelines: for ffmpeg, codec, input and output. */
export function describe(cmdline: readonly string[]): string {
  const argv = cmdline.length === 1 ? (cmdline[0] as string).trim().split(/\s+/) : cmdline;
  const role = classify(argv);
  if (!role.startsWith("ffmpeg")) return role;
  const after = (flag: string): string | undefined => {
    const i = argv.lastIndexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const input = base(after("-i") ?? "?");
  const output = base(argv[argv.length - 1] ?? "?");
  const codec = after("-c:a") ?? after("-f") ?? "?";
  return `${role} ${codec} ${input} -> ${output}`;
}

export interface ProcReading {
  readonly pid: number;
  readonly role: Role;
  /** What describe() says about it. */
  readonly label?: string;
  /** The process's argv, for classifiers that need more than the role (e.g. stages.ts). */
  readonly argv?: readonly string[];
  readonly rssKb: number;
  /** Absent when this sample did not read PSS (it costs more than RSS to read). */
  readonly pssKb?: number;
  /** User + system CPU the process has used since it started, seconds (from /proc/<pid>/stat). */
  readonly cpuS?: number;
}

export interface TreeSample {
  /** Milliseconds since the command started. */
  readonly tMs: number;
  readonly procs: readonly ProcReading[];
}

export interface Lifetime {
  readonly pid: number;
  readonly role: Role;
  readonly label?: string;
  readonly argv?: readonly string[];
  /** First and last sample (ms since start) in which the process was seen. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** CPU seconds it had used at its last sample (misses at most what it used after it). */
  readonly cpuS?: number;
}

/** CPU seconds used so far by the node process(es) of the tool (role "redact"), one point per sample. */
export interface CpuPoint {
  readonly tMs: number;
  readonly cpuS: number;
}

export interface TreePeaks {
  /** Largest sum over the tree in one sample, MB (1 MB = 1024 * 1024 bytes). */
  readonly peakRssMB: number;
  readonly peakPssMB: number;
  /** Largest sum over the tree without the launcher (npm and its shell): the tool's own processes. */
  readonly peakToolRssMB: number;
  readonly peakToolPssMB: number;
  /** Per role: the largest sum of that role's processes in one sample. */
  readonly peakByRole: Partial<Record<Role, { rssMB: number; pssMB: number }>>;
  readonly samples: number;
  readonly lifetimes: readonly Lifetime[];
  /** The tool's node CPU over the run (empty when no "redact" process was seen). */
  readonly nodeCpu: readonly CpuPoint[];
}

const LAUNCHER: ReadonlySet<Role> = new Set(["npm", "shell"]);

interface Life {
  role: Role;
  label?: string;
  argv?: readonly string[];
  firstMs: number;
  lastMs: number;
  cpuS?: number;
}

/** Folds samples into peaks (of per-sample sums), process lifetimes and the node process's CPU. */
export class TreeTracker {
  private peakRss = 0;
  private peakPss = 0;
  private peakToolRss = 0;
  private peakToolPss = 0;
  private readonly byRole = new Map<Role, { rssKb: number; pssKb: number }>();
  private readonly lives = new Map<number, Life>();
  /** Lifetimes ended by an exec: the pid went on as another program (seen between fork and exec). */
  private readonly replaced: { pid: number; life: Life }[] = [];
  /** Last CPU reading of every node process of the tool: a process that exits keeps its last figure. */
  private readonly nodeLast = new Map<number, number>();
  private readonly nodeCpu: CpuPoint[] = [];
  private count = 0;

  /** Add one sample. PSS peaks only count samples where every process has a PSS reading. */
  add(sample: TreeSample): void {
    this.count++;
    let rss = 0;
    let pss = 0;
    let toolRss = 0;
    let toolPss = 0;
    let sawNode = false;
    const withPss = sample.procs.every((p) => p.pssKb !== undefined);
    const roleSums = new Map<Role, { rssKb: number; pssKb: number }>();
    for (const p of sample.procs) {
      const pssKb = p.pssKb ?? 0;
      rss += p.rssKb;
      pss += pssKb;
      if (!LAUNCHER.has(p.role)) {
        toolRss += p.rssKb;
        toolPss += pssKb;
      }
      const r = roleSums.get(p.role) ?? { rssKb: 0, pssKb: 0 };
      roleSums.set(p.role, { rssKb: r.rssKb + p.rssKb, pssKb: r.pssKb + pssKb });
      let life = this.lives.get(p.pid);
      if (life && (life.role !== p.role || (p.argv !== undefined && life.argv !== p.argv))) {
        this.replaced.push({ pid: p.pid, life });
        this.lives.delete(p.pid);
        life = undefined;
      }
      if (life) {
        life.lastMs = sample.tMs;
        if (p.cpuS !== undefined) life.cpuS = p.cpuS;
      } else {
        const label = p.label !== undefined && p.label !== p.role ? { label: p.label } : {};
        this.lives.set(p.pid, {
          role: p.role,
          ...label,
          ...(p.argv ? { argv: p.argv } : {}),
          firstMs: sample.tMs,
          lastMs: sample.tMs,
          ...(p.cpuS !== undefined ? { cpuS: p.cpuS } : {}),
        });
      }
      if (p.role === "redact" && p.cpuS !== undefined) {
        this.nodeLast.set(p.pid, p.cpuS);
        sawNode = true;
      }
    }
    if (sawNode) {
      let total = 0;
      for (const c of this.nodeLast.values()) total += c;
      this.nodeCpu.push({ tMs: sample.tMs, cpuS: Math.round(total * 100) / 100 });
    }
    this.peakRss = Math.max(this.peakRss, rss);
    this.peakToolRss = Math.max(this.peakToolRss, toolRss);
    if (withPss) {
      this.peakPss = Math.max(this.peakPss, pss);
      this.peakToolPss = Math.max(this.peakToolPss, toolPss);
    }
    for (const [role, s] of roleSums) {
      const cur = this.byRole.get(role) ?? { rssKb: 0, pssKb: 0 };
      this.byRole.set(role, {
        rssKb: Math.max(cur.rssKb, s.rssKb),
        pssKb: withPss ? Math.max(cur.pssKb, s.pssKb) : cur.pssKb,
      });
    }
  }

  result(): TreePeaks {
    const mb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;
    const peakByRole: Partial<Record<Role, { rssMB: number; pssMB: number }>> = {};
    for (const [role, s] of this.byRole) peakByRole[role] = { rssMB: mb(s.rssKb), pssMB: mb(s.pssKb) };
    return {
      peakRssMB: mb(this.peakRss),
      peakPssMB: mb(this.peakPss),
      peakToolRssMB: mb(this.peakToolRss),
      peakToolPssMB: mb(this.peakToolPss),
      peakByRole,
      samples: this.count,
      lifetimes: [...this.replaced.map(({ pid, life }) => [pid, life] as const), ...this.lives]
        .map(([pid, l]) => ({ pid, ...l }))
        .sort((a, b) => a.firstMs - b.firstMs),
      nodeCpu: [...this.nodeCpu],
    };
  }
}
