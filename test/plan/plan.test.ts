import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { buildPlan, fitPlan } from "../../src/plan/plan.ts";

const manifest = (redactions: string, extra = "") =>
  parseManifest(`${extra}redactions:\n${redactions}`, { file: "redactions/t.yaml", call: "t" });

const spans = (m: ReturnType<typeof manifest>, rate: number, total: number) =>
  fitPlan(buildPlan(m, rate), m, total).ranges.map((r) => [r.start, r.end, r.category, r.entries.map((e) => e.number)]);

const planError = (fn: () => unknown): ManifestError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error("expected a ManifestError");
};

describe("buildPlan", () => {
  it("converts times to samples exactly, halves rounding up (1.005 s at 44100 Hz is 44321)", () => {
    const m = manifest('  - { start: 1.005, end: "1.0050113", category: sensitive }\n');
    // 1.005 x 44100 = 44320.5 -> 44321 and 1.0050113 x 44100 = 44320.998 -> 44321: an empty range,
    // refused rather than silently dropped.
    expect(() => buildPlan(m, 44100)).toThrow(/shorter than one sample/);
    const ok = manifest('  - { start: 1.005, end: "1.00503", category: sensitive }\n');
    // 1.00503 x 44100 = 44321.823 -> 44322
    expect(spans(ok, 44100, 100000)).toEqual([[44321, 44322, "sensitive", [1]]]);
  });

  it("merges overlapping and touching ranges of the same category, keeping which entries merged", () => {
    const m = manifest(
      [
        "  - { start: 1, end: 2, category: sensitive }",
        "  - { start: 2, end: 3, category: sensitive }", // touches: merged
        "  - { start: 2.5, duration: 0.25, category: sensitive }", // inside: merged
        "  - { start: 4, end: 5, category: obscenity }",
        "  - { start: 5, end: 6, category: sensitive }", // touches a different category: fine
        "",
      ].join("\n"),
    );
    expect(spans(m, 8000, 80000)).toEqual([
      [8000, 24000, "sensitive", [1, 2, 3]],
      [32000, 40000, "obscenity", [4]],
      [40000, 48000, "sensitive", [5]],
    ]);
  });

  it("refuses overlapping ranges of different categories, naming both entries", () => {
    const m = manifest(
      "  - { start: 1, end: 2, category: sensitive }\n  - { start: 1.999, end: 3, category: obscenity }\n",
    );
    const err = planError(() => buildPlan(m, 8000));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain("redactions/t.yaml:3:5");
    expect(err.message).toContain("redactions[1]");
    expect(err.message).toContain("redactions/t.yaml:2:5");
  });

  it("applies padding before merging and clips it at the recording's ends", () => {
    const m = manifest(
      "  - { start: 0.01, end: 1, category: sensitive }\n  - { start: 1.15, end: 1.9, category: sensitive }\n",
      "pad: 100\n",
    );
    // 0.01 - 0.1 clips to 0; 1 + 0.1 and 1.15 - 0.1 overlap: merged; 1.9 + 0.1 = 2.0 clips to the 1.95 s end.
    expect(spans(m, 8000, 15600)).toEqual([[0, 15600, "sensitive", [1, 2]]]);
  });

  it("refuses a range past the end of the recording at the end field's position", () => {
    const m = manifest("  - start: 1\n    duration: 2\n    category: sensitive\n");
    const plan = buildPlan(m, 8000);
    expect(fitPlan(plan, m, 24000).ranges[0]?.end).toBe(24000); // exactly at the end is inside
    const err = planError(() => fitPlan(plan, m, 23999));
    expect(err.message).toMatch(/redactions\/t\.yaml:3:15: redactions\[1\]\.duration: .*past the end/);
  });

  it("refuses a tone the sample rate cannot carry", () => {
    const m = manifest("  - { start: 0, end: 1, category: beep }\n", "categories:\n  beep: { frequency: 5000 }\n");
    expect(() => buildPlan(m, 8000)).toThrow(/5000 Hz.*under 4000 Hz/);
    expect(buildPlan(m, 44100).ranges[0]?.frequency).toBe(5000);
  });

  it("uses the tone level and ramp from the manifest", () => {
    const m = manifest("  - { start: 0, end: 1, category: obscenity }\n", "tone:\n  level: -6\n  ramp: 10\n");
    const r = buildPlan(m, 48000).ranges[0];
    expect(r?.amplitude).toBeCloseTo(10 ** (-6 / 20), 12);
    expect(r?.rampSamples).toBe(480);
    expect(r?.frequency).toBe(660);
  });
});
