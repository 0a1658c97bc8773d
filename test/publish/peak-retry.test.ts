/**
 * A web file over the true-peak maximum (a codec overshooting the limiter's ceiling by more than its usual
 * headroom) is made again with that format's ceiling lowered, but only when nothing else failed.
 */
import { describe, expect, it } from "vitest";
import type { Verification, VerificationRow } from "../../src/project/record.ts";
import { peakRetry } from "../../src/publish/redact-call.ts";

const row = (file: string, status: "pass" | "fail", range: number | null = null): VerificationRow => ({
  range,
  file,
  status,
  detail: "",
});

describe("peakRetry", () => {
  it("lowers the ceiling of each format over -1 dBTP by twice its excess and a margin, when only those rows fail", () => {
    const v: Verification = {
      passed: false,
      rows: [row("c.json", "pass"), row("c.mp3", "fail"), row("c.mp3", "pass", 1), row("c.opus", "pass")],
      truePeakDbtp: { "c.mp3": -0.89, "c.opus": -1.5 },
    };
    const next = peakRetry(v, ["mp3", "opus"], "c", new Map());
    expect([...(next ?? [])]).toEqual([["mp3", expect.closeTo(2 * 0.11 + 0.5, 9)]]);
    // Again: on top of what it had.
    const again = peakRetry({ ...v, truePeakDbtp: { "c.mp3": -0.95 } }, ["mp3"], "c", next ?? new Map());
    expect(again?.get("mp3")).toBeCloseTo(0.72 + 2 * 0.05 + 0.5, 9);
  });

  it("does not retry when anything else failed, or when no file is over", () => {
    const over = { "c.mp3": -0.5 };
    expect(
      peakRetry(
        { passed: false, rows: [row("c.mp3", "fail"), row("c.mp3", "fail", 1)], truePeakDbtp: over },
        ["mp3"],
        "c",
        new Map(),
      ),
    ).toBeUndefined();
    expect(
      peakRetry(
        { passed: false, rows: [row("c.mp3", "fail"), row("*", "fail")], truePeakDbtp: over },
        ["mp3"],
        "c",
        new Map(),
      ),
    ).toBeUndefined();
    expect(
      peakRetry(
        { passed: false, rows: [row("c.mp3", "fail")], truePeakDbtp: { "c.mp3": -1.2 } },
        ["mp3"],
        "c",
        new Map(),
      ),
    ).toBeUndefined();
  });
});
