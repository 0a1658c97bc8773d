/**
 * Where a `npm run redact` run's time goes, from the outside: the tool prints no timings, so its stages
 * are read off the process tree the sampler saw (which ffmpeg processes ran, with what arguments, from
 * when to when, and how much CPU each used) and off the node process's CPU time over the run. Pure.
 *
 * What each ffmpeg process of the tool is, from its argv:
 *   - source decode: `-i <recording>` (not under out/): the first one of a call is pass 1 (decode,
 *     redaction, master, metering, all streamed side by side in node); later ones (the source decoded
 *     again to check the master and the web files against it) are verification;
 *   - probe: `-i pipe:0` writing to a pipe (the codec-level probe: a few seconds of noise);
 *   - encode: `-i pipe:0` writing a file under out/ (the web encoders: one or two MP3 parts);
 *   - verify: `-i` of a file under out/ (the master, the web files, their metadata) before publishing;
 *   - other: anything else (`-version`).
 */
import { median, round } from "./stats.ts";

export type FfmpegKind = "source-decode" | "probe" | "encode" | "verify" | "other";

export interface FfmpegProcess {
  readonly kind: FfmpegKind;
  /** The call it works on, when its files name one. */
  readonly call?: string;
  /** The file read (`-i`) or written, as given. */
  readonly file?: string;
}

const base = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
const isPipe = (p: string): boolean => p.startsWith("pipe:") || p === "-" || p === "/dev/null" || p === "NUL";
/** A path with a folder named `out` in it (relative or absolute). */
const underOut = (p: string): boolean => p === "out" || p.startsWith("out/") || p.includes("/out/");

/**
 * The tool's temporary outputs: `.<call>.<ext>.<pid>-<hex>.tmp`, and the MP3's parts encoded side by
 * side, `.<call>.mp3.<pid>-<hex>.tmp.part1`; published ones: `<call>.<ext>`.
 */
export function callOfOutput(path: string): string | undefined {
  const name = base(path);
  const tmp = /^\.(.+)\.[a-z0-9]+\.\d+-[0-9a-f]+\.tmp(?:\.[a-z0-9]+)?$/i.exec(name);
  if (tmp) return tmp[1];
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : undefined;
}

/** A recording's call, as the bench names them: the file's name without its extension. */
export function callOfRecording(path: string): string | undefined {
  const name = base(path);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name || undefined;
}

/** The output files of an ffmpeg command line: every argument that follows an output's options. */
function outputs(argv: readonly string[], inputIndex: number): string[] {
  // Options that take a value, as the tool uses them; whatever else follows the input is an output.
  const withValue = new Set([
    "-map",
    "-map_metadata",
    "-map_chapters",
    "-c:a",
    "-c",
    "-b:a",
    "-ar",
    "-ac",
    "-f",
    "-fflags",
    "-flags:a",
    "-flags",
    "-id3v2_version",
    "-metadata",
    "-frames:a",
    "-frames:v",
    "-filter_complex",
    "-af",
    "-progress",
    "-loglevel",
    "-vbr",
    "-application",
    "-compression_level",
    "-frame_duration",
    "-write_xing",
  ]);
  const out: string[] = [];
  for (let i = inputIndex + 2; i < argv.length; i++) {
    const a = argv[i] as string;
    if (withValue.has(a)) i++;
    else if (a === "-y" || a === "-vn" || a === "-sn" || a === "-dn" || a === "-nostdin") continue;
    else if (!a.startsWith("-") || a === "-") out.push(a);
  }
  return out;
}

/** What an ffmpeg process of the tool is doing (see the file's comment). Undefined for non-ffmpeg argv. */
export function ffmpegProcess(argv: readonly string[]): FfmpegProcess | undefined {
  if (!base(argv[0] ?? "").includes("ffmpeg")) return undefined;
  const i = argv.indexOf("-i");
  const input = i >= 0 ? argv[i + 1] : undefined;
  if (input === undefined) return { kind: "other" };
  if (isPipe(input)) {
    const file = outputs(argv, i).find((o) => !isPipe(o));
    if (file === undefined) return { kind: "probe" };
    const call = callOfOutput(file);
    return { kind: "encode", file, ...(call ? { call } : {}) };
  }
  if (underOut(input)) {
    const call = callOfOutput(input);
    return { kind: "verify", file: input, ...(call ? { call } : {}) };
  }
  const call = callOfRecording(input);
  return { kind: "source-decode", file: input, ...(call ? { call } : {}) };
}

/** A process as the sampler saw it: argv, first and last sample (ms since the run started), CPU at its last. */
export interface SeenProcess {
  /** proctree.ts's role: "redact" marks the tool's node process, "npm" and "shell" npm's wrapper. */
  readonly role?: string;
  readonly argv?: readonly string[];
  readonly firstMs: number;
  readonly lastMs: number;
  readonly cpuS?: number;
}

export interface CpuPoint {
  readonly tMs: number;
  readonly cpuS: number;
}

/**
 * One run's stages. The wall-time figures partition the run: startup + pass1 + gap + encode + verify +
 * finish = total. With several calls (the batch), pass1, gap, encode and verify are sums over the calls
 * of each call's own stage (call-seconds: more than the wall time when calls run side by side).
 */
export interface RunStages {
  readonly calls: number;
  /** Spawn to the first sample of the first pass-1 decode: npm, node, the bundle, the manifest. */
  readonly startupS: number;
  /** Of which npm's own: spawn to the first sample of the tool's node process (when it was seen). */
  readonly npmS?: number;
  /** Pass 1: the source decode, first to last sample; the DSP runs in node beside it. */
  readonly pass1S: number;
  /** End of pass 1 to the first web encoder: node alone (gain, settling). */
  readonly gapS: number;
  /** First web encoder's first sample to the last one's last sample. */
  readonly encodeS: number;
  /** After the encoders, to the last sample of a verification process. */
  readonly verifyS: number;
  /** After the last ffmpeg process to exit: report, hashes, renames, index, node's exit, npm's. */
  readonly finishS: number;
  readonly totalS: number;
  /** CPU of the pass-1 decoders (ffmpeg), of the web encoders, of the verification decoders. */
  readonly decoderCpuS: number;
  readonly encoderCpuS: number;
  readonly verifyFfmpegCpuS: number;
  /** The node process's CPU in each of the wall-time stages (single call only; the batch has one total). */
  readonly nodeCpuS: {
    readonly startup?: number;
    readonly pass1?: number;
    readonly gap?: number;
    readonly encode?: number;
    readonly verify?: number;
    readonly finish?: number;
    readonly total: number;
  };
}

/** CPU seconds at time t: the last point at or before t (0 before the first). */
export function cpuAt(series: readonly CpuPoint[], tMs: number): number {
  let v = 0;
  for (const p of series) {
    if (p.tMs > tMs) break;
    v = p.cpuS;
  }
  return v;
}

interface CallSpans {
  readonly pass1First: number;
  readonly pass1Last: number;
  readonly encodeFirst?: number;
  readonly encodeLast?: number;
  readonly verifyLast?: number;
}

/**
 * The stages of one run of the tool from what the sampler saw. Undefined when no pass-1 decode was seen
 * (a run too short for the sampling interval, or not a redact run).
 */
export function runStages(
  processes: readonly SeenProcess[],
  nodeCpu: readonly CpuPoint[],
  totalMs: number,
): RunStages | undefined {
  const byCall = new Map<string, { proc: SeenProcess; what: FfmpegProcess }[]>();
  const all: { proc: SeenProcess; what: FfmpegProcess }[] = [];
  for (const proc of processes) {
    const what = proc.argv ? ffmpegProcess(proc.argv) : undefined;
    if (!what) continue;
    all.push({ proc, what });
    const key = what.call ?? "";
    const list = byCall.get(key);
    if (list) list.push({ proc, what });
    else byCall.set(key, [{ proc, what }]);
  }
  const spans: CallSpans[] = [];
  let decoderCpuS = 0;
  let encoderCpuS = 0;
  let verifyFfmpegCpuS = 0;
  for (const list of byCall.values()) {
    const sorted = [...list].sort((a, b) => a.proc.firstMs - b.proc.firstMs);
    const pass1 = sorted.find((p) => p.what.kind === "source-decode");
    if (!pass1) {
      // Processes naming no call of their own (probes, -version) are nobody's stage.
      continue;
    }
    decoderCpuS += pass1.proc.cpuS ?? 0;
    const encoders = sorted.filter((p) => p.what.kind === "encode");
    const checks = sorted.filter((p) => p.what.kind === "verify" || (p.what.kind === "source-decode" && p !== pass1));
    for (const e of encoders) encoderCpuS += e.proc.cpuS ?? 0;
    for (const c of checks) verifyFfmpegCpuS += c.proc.cpuS ?? 0;
    const first = (xs: typeof sorted): number | undefined =>
      xs.length > 0 ? Math.min(...xs.map((x) => x.proc.firstMs)) : undefined;
    const last = (xs: typeof sorted): number | undefined =>
      xs.length > 0 ? Math.max(...xs.map((x) => x.proc.lastMs)) : undefined;
    const encodeFirst = first(encoders);
    const encodeLast = last(encoders);
    const verifyLast = last(checks);
    spans.push({
      pass1First: pass1.proc.firstMs,
      pass1Last: pass1.proc.lastMs,
      ...(encodeFirst !== undefined ? { encodeFirst } : {}),
      ...(encodeLast !== undefined ? { encodeLast } : {}),
      ...(verifyLast !== undefined ? { verifyLast } : {}),
    });
  }
  if (spans.length === 0) return undefined;
  // Each call's boundaries, made monotone: a stage that did not happen (or overlapped the one before)
  // takes no time.
  const bounds = spans.map((s) => {
    const b1 = s.pass1First;
    const b2 = Math.max(b1, s.pass1Last);
    const b3 = Math.max(b2, s.encodeFirst ?? b2);
    const b4 = Math.max(b3, s.encodeLast ?? b3);
    const b5 = Math.max(b4, s.verifyLast ?? b4);
    return [b1, b2, b3, b4, b5] as const;
  });
  const startMs = Math.min(...bounds.map((b) => b[0]));
  const lastFfmpegMs = Math.max(...all.map((a) => a.proc.lastMs), ...bounds.map((b) => b[4]));
  const endMs = Math.max(totalMs, lastFfmpegMs);
  const sum = (f: (b: readonly [number, number, number, number, number]) => number): number =>
    bounds.reduce((acc, b) => acc + f(b), 0);
  const s = (ms: number): number => round(ms / 1000, 3);
  const nodeTotal = nodeCpu.length > 0 ? (nodeCpu[nodeCpu.length - 1] as CpuPoint).cpuS : 0;
  const single = bounds.length === 1 ? (bounds[0] as readonly [number, number, number, number, number]) : undefined;
  const win = (a: number, b: number): number => round(cpuAt(nodeCpu, b) - cpuAt(nodeCpu, a), 2);
  const node = processes.filter((p) => p.role === "redact").map((p) => p.firstMs);
  const npmMs = node.length > 0 ? Math.min(startMs, ...node) : undefined;
  return {
    calls: spans.length,
    startupS: s(startMs),
    ...(npmMs !== undefined ? { npmS: s(npmMs) } : {}),
    pass1S: s(sum((b) => b[1] - b[0])),
    gapS: s(sum((b) => b[2] - b[1])),
    encodeS: s(sum((b) => b[3] - b[2])),
    verifyS: s(sum((b) => b[4] - b[3])),
    finishS: s(Math.max(0, endMs - lastFfmpegMs)),
    totalS: s(totalMs),
    decoderCpuS: round(decoderCpuS, 2),
    encoderCpuS: round(encoderCpuS, 2),
    verifyFfmpegCpuS: round(verifyFfmpegCpuS, 2),
    nodeCpuS: single
      ? {
          startup: win(0, single[0]),
          pass1: win(single[0], single[1]),
          gap: win(single[1], single[2]),
          encode: win(single[2], single[3]),
          verify: win(single[3], single[4]),
          finish: round(nodeTotal - cpuAt(nodeCpu, single[4]), 2),
          total: round(nodeTotal, 2),
        }
      : { total: round(nodeTotal, 2) },
  };
}

/** The median of each figure over several runs' stages (undefined figures stay undefined). */
export function medianStages(all: readonly (RunStages | undefined)[]): RunStages | undefined {
  const got = all.filter((x): x is RunStages => x !== undefined);
  const firstRun = got[0];
  if (!firstRun) return undefined;
  const m = (f: (x: RunStages) => number): number => round(median(got.map(f)), 3);
  const mOpt = (f: (x: RunStages) => number | undefined): number | undefined => {
    const xs = got.map(f).filter((x): x is number => x !== undefined);
    return xs.length === got.length ? round(median(xs), 2) : undefined;
  };
  const node: Record<string, number> = { total: m((x) => x.nodeCpuS.total) };
  for (const k of ["startup", "pass1", "gap", "encode", "verify", "finish"] as const) {
    const v = mOpt((x) => x.nodeCpuS[k]);
    if (v !== undefined) node[k] = v;
  }
  return {
    calls: firstRun.calls,
    startupS: m((x) => x.startupS),
    ...(mOpt((x) => x.npmS) !== undefined ? { npmS: mOpt((x) => x.npmS) as number } : {}),
    pass1S: m((x) => x.pass1S),
    gapS: m((x) => x.gapS),
    encodeS: m((x) => x.encodeS),
    verifyS: m((x) => x.verifyS),
    finishS: m((x) => x.finishS),
    totalS: m((x) => x.totalS),
    decoderCpuS: m((x) => x.decoderCpuS),
    encoderCpuS: m((x) => x.encoderCpuS),
    verifyFfmpegCpuS: m((x) => x.verifyFfmpegCpuS),
    nodeCpuS: node as unknown as RunStages["nodeCpuS"],
  };
}
