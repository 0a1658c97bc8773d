/**
 * Outputs appear whole or not at all. Each output is written to a temporary
 * file beside its target and renamed into place only when every output of the
 * call is complete; a failed or interrupted run leaves earlier outputs as they
 * were and removes its temporary files. A step may keep scratch files beside
 * a temporary file, named after it plus a suffix (`<temp>.part1`): they go
 * with it.
 *
 * Temporary files left by a run killed outright (SIGKILL, a power cut) are
 * removed by the next writer of the same outputs, and only by it: the caller
 * names them (`leftovers`) while it holds the lock of the call (lock.ts), so
 * no other run, on this host or another sharing the folder, can be writing
 * them.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RedactError } from "../errors.ts";
import { temporaryTarget } from "./outputs.ts";

const live = new Set<OutputSet>();

export interface OutputSetOptions {
  /**
   * Outputs (names in the folder) whose leftover temporary files, from runs that were killed, are removed
   * when the first temporary file is made. Only for a caller holding the lock that covers them.
   */
  readonly leftovers?: readonly string[];
}

export class OutputSet {
  private readonly pending = new Map<string, string>(); // final path -> temp path
  private readonly retired = new Set<string>(); // final paths to remove on commit
  constructor(
    private readonly dir: string,
    private readonly options: OutputSetOptions = {},
  ) {
    live.add(this);
  }

  /**
   * A fresh temporary path for the output `name` (e.g. call4.wav), hidden, in the same folder. Asked again
   * for the same name (the output made anew), the earlier temporary file goes.
   */
  temp(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    if (this.pending.size === 0 && this.options.leftovers) removeLeftovers(this.dir, this.options.leftovers);
    const target = join(this.dir, name);
    const earlier = this.pending.get(target);
    if (earlier !== undefined) {
      rmSync(earlier, { force: true });
      removeScratch(earlier);
    }
    const tmp = join(this.dir, `.${name}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    this.pending.set(target, tmp);
    return tmp;
  }

  /** The temporary file now holding the output `name` (e.g. call4.mp3), if it is pending. */
  tempOf(name: string): string | undefined {
    return this.pending.get(join(this.dir, name));
  }

  /** Names (in the folder) of the outputs pending, and of those to be removed on commit. */
  staged(): { readonly pending: ReadonlyMap<string, string>; readonly retired: ReadonlySet<string> } {
    return {
      pending: new Map([...this.pending].map(([target, tmp]) => [basename(target), tmp])),
      retired: new Set([...this.retired].filter((t) => !this.pending.has(t)).map((t) => basename(t))),
    };
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

/** Temporary files (and their scratch files) in `dir` of the outputs `names`, whoever left them. */
function removeLeftovers(dir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const target = temporaryTarget(entry);
    if (target !== undefined && names.includes(target)) rmSync(join(dir, entry), { force: true });
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

/** Replace (or create) `path` with `content` atomically: the old file stays whole until the rename. */
export function writeTextAtomically(path: string, content: string, shown: string): void {
  const set = new OutputSet(dirname(path));
  try {
    writeFileSync(set.temp(basename(path)), content);
    set.commit();
  } catch (err) {
    set.discard();
    if (err instanceof RedactError) throw err;
    throw new RedactError("E_IO", 1, `cannot write ${shown}: ${(err as Error).message}`, { cause: err });
  }
}
