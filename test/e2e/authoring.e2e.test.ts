/**
 * The authoring commands run as a user runs them, in a scratch project: labels import/export,
 * suggestions from a transcript, --check warnings and --preview. Reference values come from the
 * inputs the test writes (label times, the demo manifests), not from the code under test.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse.ts";
import { findManifest, listCalls, projectLayout } from "../../src/project/layout.ts";
import { readInputText } from "../../src/project/manifest-file.ts";
import { readWav, speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, REPO, type TempProject, tempProject } from "../helpers/project.ts";

const TSX = join(REPO, "node_modules/tsx/dist/cli.mjs");
const RATE = 8000;

let project: TempProject;

/** Index of the first sample where a and b differ (or the shorter length), -1 when identical. */
const firstDifference = (a: Int16Array | undefined, b: Int16Array | undefined): number => {
  if (!a || !b) return 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
};

/** Run one of the project's commands (src/cli/<name>.ts) in the scratch project. */
const run = (command: "labels" | "suggest", args: readonly string[]): CliResult => {
  const r = spawnSync(process.execPath, [TSX, join(REPO, "src/cli", `${command}.ts`), ...args], {
    cwd: project.root,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
};

const manifestOf = (call: string) =>
  parseManifest(project.read(`redactions/${call}.yaml`).toString("utf8"), { file: `redactions/${call}.yaml`, call });
const ranges = (call: string) => manifestOf(call).entries.map((e) => [e.start, e.end, e.category, e.note]);

beforeAll(() => {
  project = tempProject();
  // 6 s of speech-like audio at 8000 Hz: 48000 samples.
  project.write("recordings/talk.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 6)));
  project.write(
    "redactions/talk.yaml",
    [
      "# a hand-written manifest",
      "title: Talk",
      "redactions:",
      "  - start: 1.005 # exact",
      "    end: '0:01.5'",
      "    category: sensitive",
      "    note: partner Zebedee Quixley",
      "  - { start: 3, duration: 0.25, category: obscenity }",
      "",
      "tone: { ramp: 5 }",
      "",
    ].join("\n"),
  );
});
afterAll(() => project.cleanup());

describe("npm run labels", { timeout: 60_000 }, () => {
  it("exports the entries as Audacity labels, exact, notes included", () => {
    const r = run("labels", ["export", "talk"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("redactions/talk.labels.txt: 2 labels");
    expect(project.read("redactions/talk.labels.txt").toString()).toBe(
      "1.005000\t1.500000\tsensitive: partner Zebedee Quixley\n3.000000\t3.250000\tobscenity\n",
    );
  });

  it("imports an export into an empty manifest: the same ranges, comments kept", () => {
    project.write("redactions/copy.yaml", "# my copy\nredactions: []   # filled from labels\n");
    project.write("recordings/copy.wav", project.read("recordings/talk.wav"));
    const r = run("labels", ["import", "copy", "redactions/talk.labels.txt"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("added 2 of 2 labels");
    expect(ranges("copy")).toEqual(ranges("talk"));
    const text = project.read("redactions/copy.yaml").toString();
    expect(
      text.startsWith("# my copy\nredactions:   # filled from labels\n  # from redactions/talk.labels.txt:1\n"),
    ).toBe(true);
    // Importing again adds nothing.
    const again = run("labels", ["import", "copy", "redactions/talk.labels.txt"]);
    expect(again.stdout).toContain("added 0 of 2 labels from redactions/talk.labels.txt (2 already there)");
    expect(project.read("redactions/copy.yaml").toString()).toBe(text);
  });

  it("maps label texts to categories with --map, and appends to an existing list", () => {
    project.write("labels/mine.txt", "4.000000\t4.500000\tswear word\n5.000000\t5.250000\tname Bob\n");
    const before = project.read("redactions/talk.yaml").toString();
    const r = run("labels", [
      "import",
      "talk",
      "labels/mine.txt",
      "--map",
      "swear word=obscenity",
      "--map=name=sensitive",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const after = project.read("redactions/talk.yaml").toString();
    expect(after.startsWith(before.slice(0, before.indexOf("\n\ntone:")))).toBe(true);
    expect(after.endsWith("\n\ntone: { ramp: 5 }\n")).toBe(true);
    expect(ranges("talk").slice(2)).toEqual([
      [{ num: 4n, den: 1n }, { num: 9n, den: 2n }, "obscenity", undefined],
      [{ num: 5n, den: 1n }, { num: 21n, den: 4n }, "sensitive", "Bob"],
    ]);
  });

  it("refuses malformed lines, point labels and unknown categories, located, and leaves the manifest alone", () => {
    const before = project.read("redactions/talk.yaml");
    project.write("labels/bad.txt", "1.0\t2.0\tsensitive\n2.5\t2.5\tsensitive\n3,1\t3.5\tsensitive\n");
    const bad = run("labels", ["import", "talk", "labels/bad.txt"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("error: labels/bad.txt:2:5: end: a point label (start = end = 2.5)");
    expect(bad.stderr).toContain('error: labels/bad.txt:3:1: start: "3,1" has a decimal comma; write a point: 3.1');
    project.write("labels/cat.txt", "1.0\t2.0\tswearing\n");
    const cat = run("labels", ["import", "talk", "labels/cat.txt"]);
    expect(cat.status).toBe(2);
    expect(cat.stderr).toContain('error: labels/cat.txt:1:9: text: unknown category "swearing"');
    const map = run("labels", ["import", "talk", "labels/cat.txt", "--map", "swearing=rude"]);
    expect(map.status).toBe(2);
    expect(map.stderr).toContain('--map swearing=rude: unknown category "rude"');
    expect(() => readInputText(join(project.root, "labels/none.txt"), "labels/none.txt")).toThrow(
      "cannot read labels/none.txt: no such file",
    );
    expect(project.read("redactions/talk.yaml")).toEqual(before);
  });
});

describe("npm run suggest", { timeout: 60_000 }, () => {
  beforeAll(() => {
    cpSync(join(REPO, "redactions/lists"), join(project.root, "redactions/lists"), { recursive: true });
    project.write("redactions/call4.yaml", "redactions: []\n");
  });

  it("proposes the demo call's redactions from its transcript, into a separate file that --all ignores", () => {
    const r = run("suggest", ["call4", "--transcript", join(REPO, "transcripts/call4.srt"), "--labels"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("redactions/call4.suggested.yaml, redactions/call4.suggested.labels.txt: 6 proposals");
    const suggested = project.read("redactions/call4.suggested.yaml").toString();
    expect(suggested).toContain('  # "Rosalind Featherstone" (redactions/lists/names.txt:');
    expect(suggested).toContain('  # "<number> * road" (redactions/lists/addresses.txt:');
    // The manifest is untouched and the proposals file is not a call.
    expect(project.read("redactions/call4.yaml").toString()).toBe("redactions: []\n");
    expect(listCalls(projectLayout(project.root))).not.toContain("call4.suggested");
    expect(() => findManifest(projectLayout(project.root), "call4.suggested")).toThrow(
      "holds proposals from npm run suggest",
    );
    // The proposals, moved over through the label file, are the demo manifest's ranges exactly.
    const imported = run("labels", ["import", "call4", "redactions/call4.suggested.labels.txt"]);
    expect(imported.status, imported.stderr).toBe(0);
    const demo = parseManifest(readFileSync(join(REPO, "redactions/call4.yaml"), "utf8"), {
      file: "redactions/call4.yaml",
      call: "call4",
    });
    expect(manifestOf("call4").entries.map((e) => [e.start, e.end, e.category])).toEqual(
      demo.entries.map((e) => [e.start, e.end, e.category]),
    );
    // Now that the manifest has them, nothing is proposed again.
    const again = run("suggest", ["call4", "--transcript", join(REPO, "transcripts/call4.srt")]);
    expect(again.stdout).toContain("0 proposals (6 more already in redactions/call4.yaml)");
  });

  it("refuses a transcript without word timings, located", () => {
    project.write("t/sentences.srt", "1\n00:00:01,000 --> 00:00:04,000\nHello, am I speaking with Rosalind?\n");
    const r = run("suggest", ["call4", "--transcript", "t/sentences.srt"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: t/sentences.srt:2:1: cue: this cue holds 6 words with one time range");
  });
});

describe("npm run redact -- --check and --preview", { timeout: 60_000 }, () => {
  it("--check lists merged entries and warns about likely mistakes; --json has them too", () => {
    project.write("recordings/warn.wav", project.read("recordings/talk.wav"));
    project.write(
      "redactions/warn.yaml",
      "redactions:\n  - { start: 0.005, end: 0.5, category: sensitive }\n  - { start: 0.5, end: 1, category: sensitive }\n" +
        "  - { start: 1.01, end: 1.04, category: sensitive }\n",
    );
    const table = project.redact(["--check", "warn"]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain("range 1 merges entries 1, 2");
    expect(table.stdout).toContain(
      "warning: redactions/warn.yaml:2:5: redactions[1]: range 1 (sensitive, 0:00.005-0:01.000) starts in the first 10 ms",
    );
    expect(table.stdout).toContain(
      "warning: redactions/warn.yaml:4:5: redactions[3]: range 2 (sensitive, 0:01.010-0:01.040) is only 30.0 ms long",
    );
    const json = project.redact(["--check", "--json", "warn"]);
    expect(json.status, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as {
      ranges: { entries: number[]; merged: boolean }[];
      warnings: { kind: string; ranges: number[]; line: number }[];
    };
    expect(plan.ranges.map((r) => [r.entries, r.merged])).toEqual([
      [[1, 2], true],
      [[3], false],
    ]);
    expect(plan.warnings.map((w) => [w.kind, w.ranges, w.line])).toEqual([
      ["edge", [1], 2],
      ["short", [2], 4],
      ["gap", [1, 2], 4],
    ]);
  });

  it("--preview writes one range with 2 s either side, sample for sample the master's", () => {
    // Only the master is compared here; the web files and their verification are tested elsewhere.
    const full = project.redact(["talk", "--no-verify"]);
    expect(full.status, full.stderr).toBe(0);
    const master = readWav(project.read("out/talk.wav"));
    const r = project.redact(["--preview", "talk", "3"]);
    expect(r.status, r.stderr).toBe(0);
    // Range 3 is the label-imported 4.0-4.5 s obscenity: samples 32000-36000, so the window is 16000-48000
    // (clipped at the recording's end, 48000).
    expect(r.stdout).toContain("private/previews/talk-3.wav: range 3 (obscenity, 0:04.000-0:04.500");
    const preview = readWav(project.read("private/previews/talk-3.wav"));
    expect(preview.sampleRate).toBe(RATE);
    expect(preview.channels[0]?.length).toBe(48000 - 16000);
    expect(firstDifference(preview.channels[0], master.channels[0]?.subarray(16000, 48000))).toBe(-1);
    const first = project.redact(["--preview", "talk", "1"]);
    expect(first.status, first.stderr).toBe(0);
    // Range 1 is 1.005-1.5 s: samples 8040-12000; the window starts at 0 and ends at 28000.
    const p1 = readWav(project.read("private/previews/talk-1.wav"));
    expect(firstDifference(p1.channels[0], master.channels[0]?.subarray(0, 28000))).toBe(-1);
  });

  it("--preview refuses a range that does not exist, and a range past the end", () => {
    const none = project.redact(["--preview", "talk", "9"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("talk has 4 merged ranges: preview one of 1 to 4");
    project.write("recordings/late.wav", project.read("recordings/talk.wav"));
    project.write("redactions/late.yaml", "redactions:\n  - { start: 5.5, end: 6.5, category: sensitive }\n");
    const late = project.redact(["--preview", "late", "1"]);
    expect(late.status).toBe(2);
    expect(late.stderr).toContain("redactions/late.yaml:2:24: redactions[1].end: end 0:06.500 is past the end");
    expect(existsSync(join(project.root, "private/previews/late-1.wav"))).toBe(false);
  });
});
