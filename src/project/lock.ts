/**
 * One writer per call at a time, across processes, PID namespaces and hosts sharing the project (the
 * Kubernetes example in docs/many-calls.md: pods on several nodes, one volume). A lock is a file,
 * private/locks/<name>.lock, created exclusively (O_EXCL works on local file systems and on NFS v3+),
 * holding who took it: host name, PID namespace, PID and a random token. While held, its modification
 * time is touched every HEARTBEAT_MS.
 *
 * A lock is stale, and taken over, when its holder is certainly gone: on this host and in this PID
 * namespace, its process no longer exists; anywhere else, its heartbeat has not moved for STALE_MS of
 * this process's own time (comparing the file's time with our clock would trust two hosts' clocks to
 * agree). Temporary files of a call are only ever removed by the holder of its lock, so a run never
 * deletes a live run's files, wherever that run is.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import { readRegularFileSync } from "../regular-file.ts";

export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 30_000;
const POLL_MS = 200;

export interface LockHolder {
  readonly host: string;
  /** The PID namespace (`pid:[4026531836]` on Linux), so that a PID is only compared within its own. */
  readonly pidns: string;
  readonly pid: number;
  readonly token: string;
  /** When it was taken (ISO 8601), for messages. */
  readonly since: string;
}

export interface Lock {
  readonly name: string;
  release(): void;
}

const live = new Set<HeldLock>();

let namespace: string | undefined;
function pidNamespace(): string {
  if (namespace === undefined) {
    try {
      namespace = readlinkSync("/proc/self/ns/pid");
    } catch {
      namespace = "unknown";
    }
  }
  return namespace;
}

const me = (): Omit<LockHolder, "token" | "since"> => ({ host: hostname(), pidns: pidNamespace(), pid: process.pid });

/** Is process `pid` still running (or not ours to ask about)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

class HeldLock implements Lock {
  private readonly timer: NodeJS.Timeout;
  constructor(
    readonly name: string,
    private readonly path: string,
    private readonly token: string,
  ) {
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
    live.add(this);
  }

  private beat(): void {
    try {
      const now = new Date();
      utimesSync(this.path, now, now);
    } catch {
      // Gone (removed by hand): the next taker creates it anew; nothing to do here.
    }
  }

  release(): void {
    if (!live.delete(this)) return;
    clearInterval(this.timer);
    // Only our own lock: if it was taken over (we were presumed dead), it is not ours to remove.
    if (readHolder(this.path)?.token === this.token) rmSync(this.path, { force: true });
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readRegularFileSync(path, 4096).toString("utf8")) as Partial<LockHolder>;
    if (typeof h.host !== "string" || typeof h.pid !== "number" || typeof h.token !== "string") return undefined;
    return {
      host: h.host,
      pidns: typeof h.pidns === "string" ? h.pidns : "unknown",
      pid: h.pid,
      token: h.token,
      since: typeof h.since === "string" ? h.since : "",
    };
  } catch {
    return undefined;
  }
}

/** "host web-3, process 4711, since 2026-12-02T10:00:00.000Z" */
export const describeHolder = (h: LockHolder): string =>
  `host ${h.host}, process ${h.pid}${h.since ? `, since ${h.since}` : ""}`;

export interface LockOptions {
  /** Wait for a live holder to finish (default); false: fail at once with E_BUSY. */
  readonly wait?: boolean;
  /** Told once, when the lock is held by another live run and this one waits. */
  readonly onWait?: (holder: LockHolder) => void;
}

/**
 * Take the lock `name` in `dir` (private/locks). Resolves once held; the caller releases it (and
 * releaseAllLocks does on an interrupt).
 */
export async function acquireLock(dir: string, name: string, opts: LockOptions = {}): Promise<Lock> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.lock`);
  const token = randomBytes(8).toString("hex");
  const holder: LockHolder = { ...me(), token, since: new Date().toISOString() };
  let told = false;
  // A foreign holder's heartbeat as first seen, and when (our clock): unchanged for STALE_MS means gone.
  let watched: { token: string; mtimeMs: number; seenAt: number } | undefined;
  for (;;) {
    try {
      writeFileSync(path, `${JSON.stringify(holder)}\n`, { flag: "wx" });
      return new HeldLock(name, path, token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new RedactError("E_IO", 1, `cannot take the lock ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
    const other = readHolder(path);
    let mtimeMs: number | undefined;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue; // released meanwhile: try again at once
    }
    const now = Date.now();
    if (other && (watched?.token !== other.token || watched.mtimeMs !== mtimeMs)) {
      watched = { token: other.token, mtimeMs, seenAt: now };
    }
    const here = me();
    const gone =
      other === undefined // unreadable or half-written: judged by its age like a foreign one
        ? now - mtimeMs > STALE_MS
        : other.host === here.host && other.pidns === here.pidns
          ? !alive(other.pid)
          : now - (watched?.seenAt ?? now) > STALE_MS;
    if (gone) {
      // Remove it only if it is still the one judged (another run may have taken it over meanwhile).
      if (readHolder(path)?.token === other?.token) rmSync(path, { force: true });
      continue;
    }
    if (opts.wait === false) {
      throw new RedactError(
        "E_BUSY",
        1,
        `${name} is being written by another run (${other ? describeHolder(other) : "unknown"}); try again when it has finished`,
      );
    }
    if (!told && other) {
      told = true;
      opts.onWait?.(other);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** On SIGINT/SIGTERM: give back every lock this process holds. */
export function releaseAllLocks(): void {
  for (const lock of [...live]) lock.release();
}
