/**
 * The one module that owns the ffmpeg process. Everything else asks it to run
 * an argument array (never a shell); it finds the binary, keeps a bounded tail
 * of stderr, reads machine-readable progress from `-progress pipe:3`, and turns
 * a failure into an FfmpegError carrying the command, exit code, signal and
 * stderr tail. Swapping the process layer (execa, fluent-ffmpeg, a wasm build)
 * means changing this file only.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import type { Readable, Writable } from "node:stream";
import { FfmpegError, RedactError } from "../errors.ts";

export type FfmpegSource = "FFMPEG_PATH" | "ffmpeg-static" | "@ffmpeg-installer/ffmpeg";

export interface FfmpegBinary {
  readonly path: string;
  readonly source: FfmpegSource;
}

const require = createRequire(import.meta.url);

const isExecutableFile = (p: string): boolean => {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

let cached: FfmpegBinary | undefined;

/**
 * Which ffmpeg to run: `FFMPEG_PATH` if set; else ffmpeg-static when its
 * binary is present (its download fails on machines without internet, and it
 * is optional); else the binary shipped inside @ffmpeg-installer's npm package.
 */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  const override = env.FFMPEG_PATH;
  if (override !== undefined && override !== "") {
    if (!isExecutableFile(override)) {
      throw new RedactError(
        "E_FFMPEG",
        1,
        `FFMPEG_PATH is set to "${override}", which is not an executable file; unset it to use the ffmpeg installed by npm, or point it at an ffmpeg binary`,
      );
    }
    return { path: override, source: "FFMPEG_PATH" };
  }
  if (cached) return cached;
  const candidates: Array<[FfmpegSource, () => unknown]> = [
    ["ffmpeg-static", () => require("ffmpeg-static")],
    ["@ffmpeg-installer/ffmpeg", () => (require("@ffmpeg-installer/ffmpeg") as { path?: unknown }).path],
  ];
  for (const [source, load] of candidates) {
    let p: unknown;
    try {
      p = load();
    } catch {
      continue;
    }
    if (typeof p === "string" && isExecutableFile(p)) {
      cached = { path: p, source };
      return cached;
    }
  }
  throw new RedactError(
    "E_FFMPEG",
    1,
    "no ffmpeg found: run `npm install` (it installs @ffmpeg-installer/ffmpeg, which ships the binary), or set FFMPEG_PATH to an ffmpeg binary",
  );
}

/** Arguments every job gets: no banner, no stdin prompts, errors only on stderr. */
const COMMON_ARGS = ["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"] as const;

/** How much of stderr to keep for error messages. */
const STDERR_TAIL_BYTES = 8192;

export interface FfmpegProgress {
  /** Media time written so far, in microseconds (ffmpeg's `out_time_us`). */
  readonly outTimeUs: number;
  /** Bytes written so far to the first output (ffmpeg's `total_size`), when ffmpeg reports it. */
  readonly totalSizeBytes?: number;
  readonly done: boolean;
}

export interface FfmpegJobOptions {
  /** Arguments after the common ones: inputs, filters, outputs. */
  readonly args: readonly string[];
  /** What the job is doing, for error messages: "decoding recordings/call4.mp3". */
  readonly summary: string;
  readonly stdin?: "pipe" | "ignore";
  readonly stdout?: "pipe" | "ignore";
  /** A second output pipe on file descriptor 4 (`pipe:4` in the arguments), read as `extra`. */
  readonly extraOutput?: boolean;
  readonly onProgress?: (p: FfmpegProgress) => void;
  /** Error code to use on failure (E_DECODE for decoding a recording). */
  readonly errorCode?: "E_FFMPEG" | "E_DECODE";
}

/** What ffmpeg wrote on stderr (at `-loglevel error`: errors only), counted as it came. */
export interface StderrSummary {
  /** Lines written, with "Last message repeated N times" counted as the N lines it stands for. */
  readonly lines: number;
  /** The first line, trimmed (and cut to 300 characters). */
  readonly first: string | undefined;
}

export interface FfmpegJob {
  readonly command: readonly string[];
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** The pipe on file descriptor 4, with `extraOutput`. */
  readonly extra: Readable | null;
  /** Resolves when ffmpeg exits 0; rejects with FfmpegError otherwise. */
  readonly done: Promise<void>;
  /** Resolves once ffmpeg has ended, however it ended, and its stderr has been read to the end. */
  readonly closed: Promise<void>;
  /** Its stderr so far (all of it once `closed` or `done` has settled). */
  stderr(): StderrSummary;
  /**
   * Kill it, drop what it wrote that was not read, and wait until it has ended and its stderr has been
   * read to the end: then stderr() holds everything it said before it was stopped.
   */
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

const REPEATED = /^\s*Last message repeated (\d+) times?\s*$/;

/** Counts stderr lines as they arrive, in pieces that may split a line. */
class StderrCounter {
  private pending = "";
  private lines = 0;
  private first: string | undefined;

  push(s: string): void {
    this.pending += s;
    let nl = this.pending.search(/[\r\n]/);
    while (nl >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.search(/[\r\n]/);
    }
  }

  end(): void {
    this.line(this.pending);
    this.pending = "";
  }

  summary(): StderrSummary {
    // A line still arriving counts: the process may be stopped before it ends the line.
    const partial = this.pending.trim() === "" ? 0 : 1;
    return { lines: this.lines + partial, first: this.first ?? (partial ? clip(this.pending) : undefined) };
  }

  private line(text: string): void {
    if (text.trim() === "") return;
    const repeated = REPEATED.exec(text);
    if (repeated) {
      this.lines += Number(repeated[1]);
      return;
    }
    this.lines++;
    this.first ??= clip(text);
  }
}

const clip = (s: string): string => {
  const t = s.trim();
  return t.length > 300 ? `${t.slice(0, 300)}...` : t;
};

const running = new Set<ChildProcess>();

/** Kill every ffmpeg this process started (used on SIGINT/SIGTERM). */
export function killAllFfmpeg(signal: NodeJS.Signals = "SIGKILL"): void {
  for (const child of running) child.kill(signal);
}

export function startFfmpeg(opts: FfmpegJobOptions): FfmpegJob {
  const bin = resolveFfmpeg();
  const args = [...COMMON_ARGS, ...(opts.onProgress ? ["-progress", "pipe:3"] : []), ...opts.args];
  const command = [bin.path, ...args];
  const child = spawn(bin.path, args, {
    stdio: [
      opts.stdin ?? "ignore",
      opts.stdout ?? "ignore",
      "pipe",
      opts.onProgress ? "pipe" : "ignore",
      ...(opts.extraOutput ? (["pipe"] as const) : []),
    ],
    windowsHide: true,
  });
  running.add(child);
  // Writing to a job that has died raises EPIPE on stdin; `done` reports the real failure.
  child.stdin?.on("error", () => {});

  let tail = "";
  const counter = new StderrCounter();
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (s: string) => {
    tail = (tail + s).slice(-STDERR_TAIL_BYTES);
    counter.push(s);
  });

  const progressStream = child.stdio[3] as Readable | null | undefined;
  if (opts.onProgress && progressStream) {
    const onProgress = opts.onProgress;
    let pending = "";
    let outTimeUs = 0;
    let totalSizeBytes: number | undefined;
    progressStream.setEncoding("utf8");
    progressStream.on("data", (s: string) => {
      pending += s;
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        const eq = line.indexOf("=");
        const key = line.slice(0, eq);
        const value = line.slice(eq + 1);
        if (key === "out_time_us" || key === "out_time_ms") {
          // ffmpeg 4.x prints microseconds under both names.
          const n = Number(value);
          if (Number.isFinite(n) && n >= 0) outTimeUs = n;
        } else if (key === "total_size") {
          const n = Number(value);
          totalSizeBytes = Number.isSafeInteger(n) && n >= 0 ? n : undefined;
        } else if (key === "progress") {
          onProgress({ outTimeUs, ...(totalSizeBytes === undefined ? {} : { totalSizeBytes }), done: value === "end" });
        }
        nl = pending.indexOf("\n");
      }
    });
  }

  // "close" comes after the process has exited and its pipes have ended (stderr read to its end).
  const closed = new Promise<void>((resolve) => {
    child.once("close", () => {
      counter.end();
      resolve();
    });
    child.once("error", () => resolve());
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (err) => {
      running.delete(child);
      reject(
        new FfmpegError(
          `${opts.summary}: could not start ffmpeg (${err.message})`,
          { command, exitStatus: null, signal: null, stderrTail: tail },
          opts.errorCode,
        ),
      );
    });
    child.once("close", (code, signal) => {
      running.delete(child);
      if (code === 0) resolve();
      else
        reject(
          new FfmpegError(
            `${opts.summary} failed`,
            { command, exitStatus: code, signal, stderrTail: tail },
            opts.errorCode,
          ),
        );
    });
  });
  // A caller that never awaits `done` (because another error came first) must not crash the process.
  done.catch(() => {});

  return {
    command,
    stdin: child.stdin,
    stdout: child.stdout,
    extra: opts.extraOutput ? ((child.stdio[4] as Readable | null | undefined) ?? null) : null,
    done,
    closed,
    stderr: () => counter.summary(),
    stop: () => {
      child.kill("SIGKILL");
      // An output pipe nobody reads any more would hold "close" back for ever.
      for (const pipe of [child.stdout, child.stdio[3], child.stdio[4]])
        (pipe as Readable | null | undefined)?.destroy();
      return closed;
    },
    kill: (signal: NodeJS.Signals = "SIGKILL") => {
      child.kill(signal);
    },
  };
}

/** What the ffmpeg in use can do, as `ffmpeg -version` and `ffmpeg -decoders` say. */
export interface FfmpegCapabilities {
  /** libavcodec's major version (58: ffmpeg 4.x, 59: 5.x, 60: 6.x), if the version text gives it. */
  readonly libavcodecMajor: number | undefined;
  /** The names of its decoders (`libopencore_amrnb`, `wmav2`...). */
  readonly decoders: ReadonlySet<string>;
}

const capabilities = new Map<string, FfmpegCapabilities>();

/** Pure: the capabilities from the two texts ffmpeg prints. */
export function parseCapabilities(versionText: string, decodersText: string): FfmpegCapabilities {
  const major = /^libavcodec\s+(\d+)\./m.exec(versionText)?.[1];
  const decoders = new Set<string>();
  // Lines like " A....D libopencore_amrnb    OpenCORE AMR-NB ...", after a legend ending in "------".
  const list = decodersText.slice(decodersText.indexOf("------") + 6);
  for (const line of list.split("\n")) {
    const m = /^\s*[A-Z.]{6}\s+(\S+)/.exec(line);
    if (m?.[1]) decoders.add(m[1]);
  }
  return { libavcodecMajor: major === undefined ? undefined : Number(major), decoders };
}

/**
 * Asked once per binary and process, synchronously: deciding how to decode a recording is part of
 * reading a call's settings, before anything runs (a few tens of milliseconds, once).
 */
export function ffmpegCapabilities(): FfmpegCapabilities {
  const bin = resolveFfmpeg();
  const known = capabilities.get(bin.path);
  if (known) return known;
  const ask = (flag: string): string => {
    const r = spawnSync(bin.path, ["-hide_banner", flag], { encoding: "utf8", timeout: 30_000, windowsHide: true });
    if (r.status !== 0) {
      const why = r.error ? r.error.message : `exit code ${r.status}${r.signal ? `, ${r.signal}` : ""}`;
      throw new RedactError("E_FFMPEG", 1, `asking ffmpeg (${bin.path}) for its ${flag.slice(1)} failed (${why})`);
    }
    return r.stdout;
  };
  const found = parseCapabilities(ask("-version"), ask("-decoders"));
  capabilities.set(bin.path, found);
  return found;
}
