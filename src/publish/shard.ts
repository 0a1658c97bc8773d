/**
 * `--shard i/n`: a deterministic share of the calls, so that n machines (a CI matrix, a Kubernetes Indexed
 * Job) can split an archive between them without talking to each other.
 *
 * A call belongs to shard 1 + (h mod n), where h is the first 32 bits of the SHA-256 of its name. The share
 * depends on the call's name only, not on which other calls exist: adding a call to the archive never moves
 * the others to another machine, so each machine's out/ (and its skip-unchanged reports) stays valid.
 */
import { createHash } from "node:crypto";
import { UsageError } from "../errors.ts";

export interface Shard {
  /** 1-based: 1 ..= count. */
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` with 1 <= i <= n. */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(
      `--shard ${text}: expected i/n with 1 <= i <= n, e.g. --shard 1/4 (the first of four machines)`,
    );
  }
  return { index, count };
}

/** The shard (1 ..= count) a call belongs to. */
export function shardOf(call: string, count: number): number {
  const h = createHash("sha256").update(call, "utf8").digest().readUInt32BE(0);
  return 1 + (h % count);
}

/** The calls of `names` that belong to `shard`, in their original order. */
export const inShard = (names: readonly string[], shard: Shard): string[] =>
  names.filter((n) => shardOf(n, shard.count) === shard.index);
