/**
 * The --check warnings, at their thresholds. Times are chosen at 8000 Hz, where 1 ms is 8 samples,
 * so each threshold is a whole number of samples and one sample either side decides.
 */
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse.ts";
import { buildPlan, fitPlan } from "../../src/plan/plan.ts";
import { planWarnings } from "../../src/plan/warnings.ts";

const RATE = 8000;
const TOTAL = 10 * RATE; // a 10 s recording

const warningsFor = (redactions: string, extra = "", total = TOTAL, rate = RATE) => {
  const m = parseManifest(`${extra}redactions:\n${redactions}`, { file: "redactions/t.yaml", call: "t" });
  return planWarnings(fitPlan(buildPlan(m, rate), m, total), total);
};
const kinds = (...args: Parameters<typeof warningsFor>) => warningsFor(...args).map((w) => [w.kind, w.ranges]);
const NO_RAMP = "tone: { ramp: 0 }\n";

describe("planWarnings", () => {
  it("says nothing about ordinary ranges", () => {
    expect(
      warningsFor(
        "  - { start: 1, end: 2, category: sensitive }\n  - { start: 2.02, end: 3, category: sensitive }\n" +
          "  - { start: 3, end: 3.5, category: obscenity }\n",
      ),
    ).toEqual([]);
  });

  it("warns about a range under 50 ms (49.875 ms is 399 samples; 50 ms is 400)", () => {
    expect(kinds("  - { start: 1, end: 1.049875, category: sensitive }\n", NO_RAMP)).toEqual([["short", [1]]]);
    expect(kinds("  - { start: 1, end: 1.05, category: sensitive }\n", NO_RAMP)).toEqual([]);
  });

  it("warns about two ranges of the same category under 20 ms apart, naming both", () => {
    const close = warningsFor(
      "  - { start: 1, end: 2, category: sensitive }\n  - { start: 2.019875, end: 3, category: sensitive }\n",
    );
    expect(close.map((w) => [w.kind, w.ranges, w.entries])).toEqual([["gap", [1, 2], [1, 2]]]);
    expect(close[0]?.message).toContain("19.9 ms");
    expect(close[0]?.pos).toEqual({ file: "redactions/t.yaml", line: 3, col: 5 });
    expect(close[0]?.field).toBe("redactions[2]");
    expect(
      kinds("  - { start: 1, end: 2, category: sensitive }\n  - { start: 2.02, end: 3, category: sensitive }\n"),
    ).toEqual([]);
  });

  it("does not count ranges of another category as too close", () => {
    expect(
      kinds("  - { start: 1, end: 2, category: sensitive }\n  - { start: 2.001, end: 3, category: obscenity }\n"),
    ).toEqual([]);
  });

  it("compares a gap with the previous range of the same category, across another category", () => {
    expect(
      kinds(
        "  - { start: 1, end: 2, category: sensitive }\n  - { start: 2.001, end: 2.006, category: obscenity }\n" +
          "  - { start: 2.01, end: 3, category: sensitive }\n",
        NO_RAMP,
      ),
    ).toEqual([
      ["short", [2]],
      ["gap", [1, 3]],
    ]);
  });

  it("warns when a fade is longer than a third of its range (5 ms fades: 15 ms is fine, 14.875 ms is not)", () => {
    const at = (end: string) =>
      kinds(`  - { start: 1, end: ${end}, category: sensitive }\n`).filter(([k]) => k === "ramp");
    expect(at("1.014875")).toEqual([["ramp", [1]]]);
    expect(at("1.015")).toEqual([]);
    expect(kinds("  - { start: 1, end: 1.01, category: sensitive }\n", NO_RAMP)).toEqual([["short", [1]]]);
  });

  it("warns about a range starting in the first 10 ms or ending in the last 10 ms", () => {
    expect(kinds("  - { start: 0.009875, end: 1, category: sensitive }\n")).toEqual([["edge", [1]]]);
    expect(kinds("  - { start: 0.01, end: 1, category: sensitive }\n")).toEqual([]);
    expect(kinds("  - { start: 0, end: 1, category: sensitive }\n")).toEqual([["edge", [1]]]);
    expect(kinds("  - { start: 9, end: 9.990125, category: sensitive }\n")).toEqual([["edge", [1]]]);
    expect(kinds("  - { start: 9, end: 9.99, category: sensitive }\n")).toEqual([]);
    const [end] = warningsFor("  - { start: 9, end: 10, category: sensitive }\n");
    expect(end?.message).toContain("last 10 ms of the recording (0:10.000)");
  });

  it("judges merged ranges, not entries, and lists every entry merged", () => {
    const w = warningsFor(
      "  - { start: 1, end: 1.02, category: sensitive }\n  - { start: 1.02, end: 1.04, category: sensitive }\n",
      NO_RAMP,
    );
    expect(w.map((x) => [x.kind, x.ranges, x.entries])).toEqual([["short", [1], [1, 2]]]);
  });

  it("works in samples at any rate (44100 Hz: 50 ms is 2205 samples)", () => {
    const rate = 44100;
    // 2204 samples: start 1 s = 44100, end 46304 -> 46304/44100 = 1.049977... written exactly as a fraction of a ms
    expect(
      kinds("  - { start: 1, end: 1.04997, category: sensitive }\n", NO_RAMP, rate * 10, rate).map(([k]) => k),
    ).toEqual(["short"]);
    expect(kinds("  - { start: 1, end: 1.05, category: sensitive }\n", NO_RAMP, rate * 10, rate)).toEqual([]);
  });
});
