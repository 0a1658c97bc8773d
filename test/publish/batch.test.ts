import { describe, expect, it } from "vitest";
import { ManifestError, RedactError } from "../../src/errors.ts";
import { batchExitCode, type CallOutcome, runPool } from "../../src/publish/batch.ts";

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("runPool", () => {
  it("never has more than `jobs` tasks in flight, and uses all of them", async () => {
    for (const jobs of [1, 2, 3]) {
      let inFlight = 0;
      let most = 0;
      const items = Array.from({ length: 9 }, (_, i) => i);
      const results = await runPool(items, jobs, async (x) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick(5 + ((x * 7) % 4));
        inFlight--;
        return x * 10;
      });
      expect(most).toBe(jobs);
      expect(results).toEqual(items.map((x) => x * 10));
    }
  });

  it("starts the items in order and reports each result as it lands", async () => {
    const started: number[] = [];
    const landed: number[] = [];
    await runPool(
      [30, 1, 1, 1],
      2,
      async (ms, i) => {
        started.push(i);
        await tick(ms);
        return i;
      },
      (r) => landed.push(r),
    );
    expect(started).toEqual([0, 1, 2, 3]);
    // Item 0 takes longest: the other worker finishes 1, 2 and 3 meanwhile.
    expect(landed).toEqual([1, 2, 3, 0]);
  });

  it("copes with fewer items than jobs, and with none", async () => {
    expect(await runPool([1], 8, async (x) => x + 1)).toEqual([2]);
    expect(await runPool([], 8, async (x: number) => x)).toEqual([]);
  });
});

describe("batchExitCode", () => {
  const ok = (call: string): CallOutcome =>
    ({ call, status: "skipped", report: {} as never, seconds: 0 }) as CallOutcome;
  const failed = (call: string, error: unknown): CallOutcome => ({ call, status: "failed", error, seconds: 0 });
  const planError = new ManifestError([{ pos: { file: "f", line: 1, col: 1 }, field: "x", message: "m" }], "E_PLAN");

  it("is 0 when nothing failed, 1 for other failures, 2 when any failure is a manifest problem", () => {
    expect(batchExitCode([ok("a"), ok("b")])).toBe(0);
    expect(batchExitCode([ok("a"), failed("b", new RedactError("E_DECODE", 1, "bad"))])).toBe(1);
    expect(batchExitCode([failed("a", new Error("bug"))])).toBe(1);
    expect(batchExitCode([failed("a", new RedactError("E_IO", 1, "disk")), failed("b", planError)])).toBe(2);
  });
});
