/**
 * Mistakes a user can make, run through the CLI: the right exit status, a
 * message that names the file (and line:col for a manifest), no stack trace,
 * and out/ exactly as it was.
 */
import { chmodSync, symlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, type TempProject, tempProject } from "../helpers/project.ts";

let project: TempProject;
const RATE = 8000;

beforeAll(() => {
  project = tempProject();
  project.write("recordings/good.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 3))); // 3 s
  project.write("redactions/good.yaml", "redactions:\n  - { start: 1, end: 2, category: sensitive }\n");
  // Earlier outputs that a failed run must leave alone.
  project.write("out/good.wav", "previous master");
  project.write("out/good.mp3", "previous mp3");
  project.write("out/good.json", "{}");
});
afterAll(() => project.cleanup());

function expectCleanFailure(r: CliResult, status: number): void {
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m); // no stack trace
}

function expectOutUntouched(run: () => CliResult, status: number): CliResult {
  const before = project.snapshotOut();
  const r = run();
  expectCleanFailure(r, status);
  expect(project.snapshotOut()).toEqual(before);
  return r;
}

const manifestCase = (name: string, yaml: string): CliResult => {
  project.write(`redactions/${name}.yaml`, yaml);
  project.write(`recordings/${name}.wav`, wavBytes(RATE, speechLike(RATE, 1, RATE * 3)));
  return project.redact([name]);
};

describe("invalid manifests exit 2 with file:line:col and write nothing", () => {
  it("a malformed time", () => {
    const r = expectOutUntouched(
      () => manifestCase("badtime", 'redactions:\n  - start: "1:75"\n    end: 2\n    category: sensitive\n'),
      2,
    );
    expect(r.stderr).toContain("redactions/badtime.yaml:2:12");
    expect(r.stderr).toContain("redactions[1].start");
  });

  it("an unknown category, naming the ones that exist", () => {
    const r = expectOutUntouched(
      () => manifestCase("badcat", "redactions:\n  - start: 1\n    end: 2\n    category: swear\n"),
      2,
    );
    expect(r.stderr).toMatch(/redactions\/badcat\.yaml:4:\d+/);
    expect(r.stderr).toContain("sensitive");
  });

  it("a range past the end of the recording (known only after decoding)", () => {
    const r = expectOutUntouched(
      () => manifestCase("pastend", 'redactions:\n  - start: 2\n    end: "0:03.500"\n    category: obscenity\n'),
      2,
    );
    expect(r.stderr).toContain("redactions/pastend.yaml:3:10");
    expect(r.stderr).toContain("past the end");
  });

  it("overlapping ranges of different categories, naming both entries", () => {
    const r = expectOutUntouched(
      () =>
        manifestCase(
          "overlap",
          "redactions:\n  - start: 1\n    end: 2\n    category: sensitive\n  - start: 1.5\n    end: 2.5\n    category: obscenity\n",
        ),
      2,
    );
    expect(r.stderr).toContain("redactions/overlap.yaml:5:5");
    expect(r.stderr).toContain("redactions/overlap.yaml:2:5");
  });

  it("several mistakes are all reported at once", () => {
    const r = expectOutUntouched(
      () =>
        manifestCase(
          "many",
          "redactions:\n  - start: -1\n    end: 2\n    category: sensitive\n  - start: 1\n    category: sensitive\n    colour: red\n",
        ),
      2,
    );
    expect(r.stderr.match(/redactions\/many\.yaml:\d+:\d+/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
  });

  it("a call with no manifest", () => {
    const r = expectOutUntouched(() => project.redact(["nosuchcall"]), 2);
    expect(r.stderr).toContain("redactions/nosuchcall.yaml");
  });

  it("a call name that is a path", () => {
    expectOutUntouched(() => project.redact(["../good"]), 2);
    expectOutUntouched(() => project.redact(["sub/good"]), 2);
  });

  it("a recording: path that leaves recordings/", () => {
    const r = expectOutUntouched(
      () => manifestCase("escape", "recording: ../redactions/good.yaml\nredactions: []\n"),
      2,
    );
    expect(r.stderr).toContain("redactions/escape.yaml:1:12");
  });

  it("a recording that is a symlink to a file outside recordings/", () => {
    project.write("elsewhere.wav", wavBytes(RATE, speechLike(RATE, 1, RATE)));
    symlinkSync(`${project.root}/elsewhere.wav`, `${project.root}/recordings/linked.wav`);
    project.write("redactions/linked.yaml", "redactions: []\n");
    expectOutUntouched(() => project.redact(["linked"]), 2);
  });

  it("an unknown option", () => {
    expectOutUntouched(() => project.redact(["--frobnicate", "good"]), 2);
  });
});

describe("other failures exit 1 and leave out/ as it was", () => {
  it("a missing recording", () => {
    project.write("redactions/norec.yaml", "redactions: []\n");
    const r = expectOutUntouched(() => project.redact(["norec"]), 1);
    expect(r.stderr).toContain("recordings/norec");
  });

  it("a text file named .mp3", () => {
    project.write("redactions/text.yaml", "redactions: []\n");
    project.write("recordings/text.mp3", "this is not audio\n".repeat(100));
    const r = expectOutUntouched(() => project.redact(["text"]), 1);
    expect(r.stderr).toContain("recordings/text.mp3");
  });

  it("an ffmpeg that fails", () => {
    const fake = project.write("fake-ffmpeg.sh", "#!/bin/sh\necho 'fake ffmpeg: simulated failure' >&2\nexit 3\n");
    chmodSync(fake, 0o755);
    const r = expectOutUntouched(() => project.redact(["good"], { FFMPEG_PATH: fake }), 1);
    expect(r.stderr).toContain("simulated failure");
    expect(r.stderr).toContain("exit code 3");
  });
});

describe("--check", () => {
  it("prints the plan in time and samples and writes nothing", () => {
    const before = project.snapshotOut();
    const r = project.redact(["--check", "good"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("8000");
    expect(r.stdout).toMatch(/0:01\.000\s+0:02\.000\s+8000\s+16000/);
    expect(project.snapshotOut()).toEqual(before);
  });

  it("finds a range past the end (exit 2)", () => {
    const r = project.redact(["--check", "pastend"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("past the end");
  });
});
