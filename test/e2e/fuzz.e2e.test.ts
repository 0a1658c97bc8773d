/**
 * Fuzzing manifests (fast-check), valid and broken:
 * - every manifest either works or is refused as a manifest error (exit 2) whose every line is
 *   `file:line:col: field: ...` — never another kind of error, never a crash;
 * - the CLI itself (a few runs of `redact --check`) exits 0 or 2, with located messages;
 * - manifests that work always produce outputs that pass verification.
 * The pipeline runs in-process for most cases (the CLI costs a process start each).
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { RedactError } from "../../src/errors.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import { buildPlan, fitPlan } from "../../src/plan/plan.ts";
import { projectLayout } from "../../src/project/layout.ts";
import { prepareCall, redactCall } from "../../src/publish/redact-call.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { MAIN, RUN, verificationOf } from "../helpers/verify-cli.ts";

const RATE = 8000;
const SECONDS = 3;
const FRAMES = RATE * SECONDS;
const FILE = "redactions/f.yaml";
const LOCATED = /^redactions\/f\.yaml:\d+:\d+: \S/;

// --- generators ---------------------------------------------------------------------------------

/** A time as users write it: a number, or "ss.fff", "m:ss.fff", "h:mm:ss.fff". */
const timeText = (ms: number): fc.Arbitrary<string> => {
  const s = ms / 1000;
  const m = Math.floor(s / 60);
  const sec = (s - 60 * m).toFixed(3).padStart(6, "0");
  return fc.constantFrom(String(s), `"${s.toFixed(3)}"`, `"${m}:${sec}"`, `"0:0${m}:${sec}"`);
};

const entry = fc
  .record({
    startMs: fc.integer({ min: 0, max: SECONDS * 1000 - 1 }),
    lengthMs: fc.integer({ min: 1, max: 1500 }),
    category: fc.constantFrom("sensitive", "obscenity", "music"),
    useDuration: fc.boolean(),
    note: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  })
  .chain((e) =>
    fc
      .tuple(timeText(e.startMs), timeText(Math.min(e.startMs + e.lengthMs, SECONDS * 1000)), timeText(e.lengthMs))
      .map(([start, end, duration]) => {
        const lines = [`  - start: ${start}`];
        lines.push(e.useDuration ? `    duration: ${duration}` : `    end: ${end}`);
        lines.push(`    category: ${e.category}`);
        if (e.note !== undefined) lines.push(`    note: ${JSON.stringify(e.note)}`);
        return lines.join("\n");
      }),
  );

/** Manifests that are well-formed (some still refused: different categories overlapping). */
const validManifest = fc
  .record({
    entries: fc.array(entry, { maxLength: 5 }),
    level: fc.option(fc.integer({ min: -40, max: 0 }), { nil: undefined }),
    ramp: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
    pad: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
  })
  .map(({ entries, level, ramp, pad }) => {
    // Both web formats, so that the Opus file (noisier around a tone than the MP3) is verified too.
    const top = ["formats: [mp3, opus]", "categories:", "  music: { frequency: 1000 }"];
    if (level !== undefined || ramp !== undefined) {
      top.push(
        `tone: { ${[level !== undefined ? `level: ${level}` : "", ramp !== undefined ? `ramp: ${ramp}` : ""].filter(Boolean).join(", ")} }`,
      );
    }
    if (pad !== undefined) top.push(`pad: ${pad}`);
    return `${top.join("\n")}\nredactions:${entries.length ? `\n${entries.join("\n")}` : " []"}\n`;
  });

/** Ways to break a manifest. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ maxLength: 12 }) }),
  fc.record({
    kind: fc.constant("replace" as const),
    from: fc.constantFrom("start", "end", "category", "sensitive", "0", ":", "-", "  ", "redactions", "{", "\n"),
    to: fc.constantFrom(
      "colour",
      "1:75",
      "-1",
      ".nan",
      ".inf",
      "1,5",
      "\t",
      "&a",
      "*a",
      "!!str",
      "~",
      "[]",
      "1e999",
      "",
    ),
  }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat() }),
);

interface Mutation {
  readonly kind: "truncate" | "insert" | "replace" | "duplicate";
  readonly at?: number;
  readonly text?: string;
  readonly from?: string;
  readonly to?: string;
  readonly line?: number;
}

function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case "truncate":
      return text.slice(0, (m.at ?? 0) % (text.length + 1));
    case "insert": {
      const at = (m.at ?? 0) % (text.length + 1);
      return text.slice(0, at) + (m.text ?? "") + text.slice(at);
    }
    case "replace":
      return text.replace(m.from ?? "", m.to ?? "");
    default: {
      const lines = text.split("\n");
      const i = (m.line ?? 0) % lines.length;
      lines.splice(i, 0, lines[i] ?? "");
      return lines.join("\n");
    }
  }
}

const anyManifest = fc.oneof(
  validManifest,
  fc.tuple(validManifest, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([t, ms]) => ms.reduce(mutate, t)),
  fc.string({ maxLength: 200 }),
);

// --- properties ---------------------------------------------------------------------------------

/** Parse and plan as `redact` does; a refusal must be a located manifest error. */
function outcome(text: string): "ok" | "refused" {
  try {
    const m = parseManifest(text, { file: FILE, call: "f" });
    fitPlan(buildPlan(m, RATE), m, FRAMES);
    return "ok";
  } catch (err) {
    if (!(err instanceof RedactError)) throw err;
    expect(err.exitCode).toBe(2);
    for (const line of err.message.split("\n")) expect(line).toMatch(LOCATED);
    return "refused";
  }
}

const projects: TempProject[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

describe("fuzzed manifests", () => {
  it("always either work or are refused with file:line:col on every line (exit 2)", () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(anyManifest, (text) => {
        seen[outcome(text)]++;
      }),
      { numRuns: 400 },
    );
    // Both kinds were exercised.
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });

  it("through the CLI (redact --check): exit 0 or 2, every error located", { timeout: 60_000 }, () => {
    const p = tempProject();
    projects.push(p);
    p.write("recordings/f.wav", wavBytes(RATE, speechLike(RATE, 1, FRAMES, 3)));
    fc.assert(
      fc.property(anyManifest, (text) => {
        p.write(FILE, text);
        const r = spawnSync(process.execPath, [RUN, MAIN, "--check", "f"], {
          cwd: p.root,
          encoding: "utf8",
          env: { ...process.env, CI: "true" },
        });
        expect([0, 2]).toContain(r.status);
        for (const line of r.stderr.split("\n").filter((l) => l.startsWith("error: "))) {
          expect(line.slice("error: ".length)).toMatch(LOCATED);
        }
        if (r.status === 2) expect(r.stderr).toMatch(/^error: /);
      }),
      { numRuns: 3, seed: 5 },
    );
  });

  it("that work always publish outputs that pass verification", { timeout: 120_000 }, async () => {
    const p = tempProject();
    projects.push(p);
    p.write("recordings/f.wav", wavBytes(RATE, speechLike(RATE, 1, FRAMES, 4)));
    const layout = projectLayout(p.root);
    const working = validManifest.filter((t) => outcome(t) === "ok" && t.includes("start:"));
    await fc.assert(
      fc.asyncProperty(working, async (text) => {
        p.write(FILE, text);
        await redactCall(layout, prepareCall(layout, "f"));
        const v = verificationOf(p.root, "f");
        expect(v.passed, JSON.stringify(v.rows.filter((r) => r.status === "fail"))).toBe(true);
      }),
      {
        numRuns: 4,
        seed: 7,
        // What fuzzing found while this was written, kept as fixed cases: short ranges and hard edges in
        // Opus, a range at the very start, and a full-scale tone over much of a short recording (the gain
        // settled 1.3 LU short until a correction that large got a second dry run).
        examples: [
          ["tone: { ramp: 0 }\nredactions:\n  - start: 0.036\n    end: 0.128\n    category: sensitive\n"],
          ["tone: { ramp: 0 }\npad: 61\nredactions:\n  - start: 0\n    end: 0.001\n    category: sensitive\n"],
          ["tone: { level: -22 }\npad: 34\nredactions:\n  - start: 0.091\n    end: 0.092\n    category: sensitive\n"],
          ["tone: { level: 0 }\nredactions:\n  - start: 0\n    end: 0.13\n    category: sensitive\n"],
        ].map(([t]) => [`formats: [mp3, opus]\n${t}`]),
      },
    );
  });
});
