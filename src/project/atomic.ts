/**
 * Outputs appear whole or not at all. Each output is written to a temporary
 * file beside its target and renamed into place only when every output of the
 * call is complete; a failed or interrupted run leaves earlier outputs as they
 * were and removes its temporary files. A step may keep scratch files beside
 * a temporary file, named after it plus a suffix (`<temp>.part1`): they go
 * with it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RedactError } from "../errors.ts";

const live = new Set<OutputSet>();

export class OutputSet {
  private readonly pending = new Map<string, string>(); // final path -> temp path
  private readonly retired = new Set<string>(); // final paths to remove on commit
  constructor(private readonly dir: string) {
    live.add(this);
  }

  /** A fresh temporary path for the output `name` (e.g. call4.wav), hidden, in the same folder. */
  temp(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    if (this.pending.size === 0) removeStaleTemps(this.dir);
    const tmp = join(this.dir, `.${name}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    this.pending.set(join(this.dir, name), tmp);
    return tmp;
  }

  /** The temporary file now holding the output `name` (e.g. call4.mp3), if it is pending. */
  tempOf(name: string): string | undefined {
    return this.pending.get(join(this.dir, name));
  }

  /** Remove the output `name` when the set is committed: one this run no longer writes, so it is not left stale. */
  retire(name: string): void {
    this.retired.add(join(this.dir, name));
  }

  /** Rename every temporary file into place (same folder, so each rename is atomic). */
  commit(): void {
    try {
      for (const [target, tmp] of this.pending) renameSync(tmp, target);
      for (const target of this.retired) if (!this.pending.has(target)) rmSync(target, { force: true });
    } catch (err) {
      this.discard();
      throw new RedactError("E_IO", 1, `could not move outputs into place in ${this.dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.pending.clear();
    this.retired.clear();
    live.delete(this);
  }

  /** Remove every temporary file that has not been committed, and its scratch files. Safe to call twice. */
  discard(): void {
    for (const tmp of this.pending.values()) {
      rmSync(tmp, { force: true });
      removeScratch(tmp);
    }
    this.pending.clear();
    live.delete(this);
  }
}

/** Is process `pid` still running (or not ours to ask about)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Temporary files left in `dir` by a run that was killed outright (SIGKILL, a
 * power cut: no chance to clean up), recognised by the pid in their name being
 * gone. A run still going (another process) keeps its files.
 */
function removeStaleTemps(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp(\.[^.]+)?$/.exec(entry);
    const pid = Number(m?.[1]);
    if (m && pid !== process.pid && !alive(pid)) rmSync(join(dir, entry), { force: true });
  }
}

/** Scratch files kept beside the temporary file `tmp`: its name plus a suffix. */
function removeScratch(tmp: string): void {
  const prefix = `${basename(tmp)}.`;
  let entries: string[];
  try {
    entries = readdirSync(dirname(tmp));
  } catch {
    return;
  }
  for (const entry of entries) if (entry.startsWith(prefix)) rmSync(join(dirname(tmp), entry), { force: true });
}

/** On SIGINT/SIGTERM: remove every temporary file of every unfinished call. */
export function discardAllOutputs(): void {
  for (const set of [...live]) set.discard();
}
