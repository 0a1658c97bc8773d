/**
 * Outputs appear whole or not at all. Each output is written to a temporary
 * file beside its target and renamed into place only when every output of the
 * call is complete; a failed or interrupted run leaves earlier outputs as they
 * were and removes its temporary files.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RedactError } from "../errors.ts";

const live = new Set<OutputSet>();

export class OutputSet {
  private readonly pending = new Map<string, string>(); // final path -> temp path
  constructor(private readonly dir: string) {
    live.add(this);
  }

  /** A fresh temporary path for the output `name` (e.g. call4.wav), hidden, in the same folder. */
  temp(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${name}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    this.pending.set(join(this.dir, name), tmp);
    return tmp;
  }

  /** Rename every temporary file into place (same folder, so each rename is atomic). */
  commit(): void {
    try {
      for (const [target, tmp] of this.pending) renameSync(tmp, target);
    } catch (err) {
      this.discard();
      throw new RedactError("E_IO", 1, `could not move outputs into place in ${this.dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.pending.clear();
    live.delete(this);
  }

  /** Remove every temporary file that has not been committed. Safe to call twice. */
  discard(): void {
    for (const tmp of this.pending.values()) rmSync(tmp, { force: true });
    this.pending.clear();
    live.delete(this);
  }
}

/** On SIGINT/SIGTERM: remove every temporary file of every unfinished call. */
export function discardAllOutputs(): void {
  for (const set of [...live]) set.discard();
}
