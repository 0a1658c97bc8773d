import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.ts";
import { inShard, parseShard, shardOf } from "../../src/publish/shard.ts";

const names = Array.from({ length: 2000 }, (_, i) => `call-${i}`);

describe("--shard i/n", () => {
  it("parses i/n with 1 <= i <= n", () => {
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard("3/8")).toEqual({ index: 3, count: 8 });
    for (const bad of ["0/4", "5/4", "1/0", "1", "a/b", "1/4/2", "-1/4", "1.5/4", ""]) {
      expect(() => parseShard(bad), bad).toThrow(UsageError);
    }
  });

  it("splits the calls into n disjoint shares that together are all of them", () => {
    for (const n of [1, 2, 3, 7]) {
      const shares = Array.from({ length: n }, (_, i) => inShard(names, { index: i + 1, count: n }));
      const seen = shares.flat();
      expect(seen.length).toBe(names.length);
      expect(new Set(seen)).toEqual(new Set(names));
    }
  });

  it("gives each share about 1/n of a large archive", () => {
    const n = 4;
    for (let i = 1; i <= n; i++) {
      const size = inShard(names, { index: i, count: n }).length;
      // 2000 calls, expected 500 each; binomial standard deviation about 19, so 400..600 is > 5 sigma.
      expect(size).toBeGreaterThan(400);
      expect(size).toBeLessThan(600);
    }
  });

  it("puts a call in the same share whatever other calls exist, and keeps the given order", () => {
    const few = ["zeta", "alpha", "call4", "mid"];
    for (const name of few) {
      const alone = [1, 2, 3].find((i) => inShard([name], { index: i, count: 3 }).length === 1);
      expect(shardOf(name, 3)).toBe(alone);
      expect(inShard([...names, name], { index: alone as number, count: 3 })).toContain(name);
    }
    const share = inShard(few, { index: 1, count: 1 });
    expect(share).toEqual(few);
  });
});
