/**
 * On an 80-column terminal nothing the tool prints wraps mid-word: the per-call line and the verification
 * table are wrapped to the width, every word kept, continuation lines indented. In a pipe they stay one
 * line each (greppable).
 */
import { describe, expect, it } from "vitest";
import { outcomeLine } from "../../src/cli/batch.ts";
import type { CallOutcome } from "../../src/publish/batch.ts";
import { wrapWords } from "../../src/text.ts";
import { verificationTable } from "../../src/verify/table.ts";

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

describe("wrapWords", () => {
  it("keeps every word, in order, within the width, continuation lines indented", () => {
    const text = "the original speech is in what remains after taking out the tone at -31.2 dB (at most -50 dB)";
    const out = wrapWords(text, 40, 10, "    ");
    const lines = out.split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect((lines[0]?.length ?? 0) + 10).toBeLessThanOrEqual(40);
    for (const l of lines.slice(1)) {
      expect(l.startsWith("    ")).toBe(true);
      expect(l.length).toBeLessThanOrEqual(40);
    }
    expect(words(out)).toEqual(words(text));
  });

  it("leaves a word longer than a line whole", () => {
    expect(wrapWords(`a ${"x".repeat(50)} b`, 20, 0, "").split("\n")).toEqual(["a", "x".repeat(50), "b"]);
  });
});

describe("what redact and verify print, on an 80-column terminal", () => {
  const report = {
    call: "a-rather-long-call-name",
    title: "t",
    source: { sampleRate: 8000, channels: 1, samples: 8000 * 3600 },
    ranges: [],
    tone: { levelDb: -18, rampMs: 5, padMs: 0 },
    loudness: {
      measuredLufs: -20,
      measuredTruePeakDbtp: -3,
      targetLufs: -19,
      gainDb: 1.04,
      limiter: true,
      encoderLevelDb: -0.4,
      expectedLufs: -19,
    },
    outputs: Object.fromEntries(
      ["wav", "mp3", "opus", "html"].map((k) => [k, { file: `a-rather-long-call-name.${k}`, sha256: "0".repeat(64) }]),
    ),
    tool: { name: "call-redactor", version: "x" },
  };
  const outcome = { call: report.call, status: "published", report, seconds: 1 } as CallOutcome;

  it("wraps the per-call line within 80 columns, and keeps it one line in a pipe", () => {
    const wrapped = outcomeLine(outcome, 80) ?? "";
    for (const l of wrapped.split("\n")) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(words(wrapped)).toEqual(words(outcomeLine(outcome) ?? ""));
    expect(outcomeLine(outcome)).not.toContain("\n");
  });

  it("wraps the verification table's details within 80 columns, under their rows", () => {
    const detail =
      "the original speech is in what remains after taking out the tone at -31.2 dB (at most -50 dB; correlation 0.913, over 3 x chance)";
    const v = {
      passed: false,
      rows: [{ range: 1, file: "a-rather-long-call-name.mp3", status: "fail" as const, detail }],
    };
    const ranges = [
      { number: 1, start: 8000, end: 16000, frequency: 440, category: "sensitive", amplitude: 0.1, rampSamples: 40 },
    ];
    const table = verificationTable(report.call, v, ranges, 8000, "all", 80);
    const lines = table.split("\n");
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^1\s+0:01\.000-0:02\.000\s+a-rather-long-call-name\.mp3\s+FAIL$/);
    expect(lines[2]).toMatch(/^ {4}the original speech/);
    // Every word of the pipe's table but the call column and the header's "detail".
    const piped = words(verificationTable(report.call, v, ranges, 8000, "all"));
    expect(words(table)).toEqual(
      piped.filter((w, i) => !(w === report.call && i > 0) && w !== "call" && w !== "detail"),
    );
  });
});
