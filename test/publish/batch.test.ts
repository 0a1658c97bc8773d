import { describe, expect, it } from "vitest";
import { ManifestError, RedactError } from "../../src/errors.ts";
import { batchExitCode, type CallOutcome, runPool } from "../../src/publish/batch.ts";

/** A promise the test settles when it chooses: the pool's order is then the test's, not a timer's. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every task that can run get as far as it can. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("runPool", () => {
  it("never has more than `jobs` tasks in flight, and uses all of them", async () => {
    for (const jobs of [1, 2, 3]) {
      const gates = Array.from({ length: 9 }, () => deferred<void>());
      let inFlight = 0;
      let most = 0;
      const items = Array.from({ length: 9 }, (_, i) => i);
      const running = runPool(items, jobs, async (x) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await gates[x]?.promise;
        inFlight--;
        return x * 10;
      });
      // Finish them one at a time, in a shuffled order: at each step at most `jobs` have started.
      for (const x of [2, 0, 1, 5, 3, 4, 8, 6, 7]) {
        await settle();
        expect(inFlight).toBeLessThanOrEqual(jobs);
        gates[x]?.resolve();
      }
      expect(await running).toEqual(items.map((x) => x * 10));
      expect(most).toBe(jobs);
    }
  });

  it("starts the items in order and reports each result as it lands", async () => {
    const gates = Array.from({ length: 4 }, () => deferred<void>());
    const started: number[] = [];
    const landed: number[] = [];
    const running = runPool(
      [0, 1, 2, 3],
      2,
      async (_, i) => {
        started.push(i);
        await gates[i]?.promise;
        return i;
      },
      (r) => landed.push(r),
    );
    // Item 0 is held while the other worker finishes 1, 2 and 3.
    for (const i of [1, 2, 3, 0]) {
      await settle();
      gates[i]?.resolve();
    }
    await running;
    expect(started).toEqual([0, 1, 2, 3]);
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
