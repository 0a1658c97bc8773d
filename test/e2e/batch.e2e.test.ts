/**
 * Many calls through the CLI: concurrency, one failure not stopping the others, the closing summary,
 * skipping unchanged calls without running ffmpeg on them, --force, --shard, and progress output on a
 * terminal versus a pipe.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, REPO, type TempProject, tempProject } from "../helpers/project.ts";

const RATE = 8000;
const GOOD = ["a", "b", "c"] as const;
let project: TempProject;
let wrapper: string;
let log: string;

/** Runs the CLI with FFMPEG_PATH pointing at a wrapper that logs every ffmpeg command line. */
function redactLogged(args: readonly string[]): { run: CliResult; ffmpeg: string[] } {
  writeFileSync(log, "");
  const run = project.redact(args, { FFMPEG_PATH: wrapper, FFMPEG_LOG: log, REAL_FFMPEG: resolveFfmpeg().path });
  const ffmpeg = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { run, ffmpeg };
}

const mtimes = (): Record<string, number> =>
  Object.fromEntries(
    GOOD.flatMap((c) => ["wav", "mp3", "json"].map((e) => `${c}.${e}`)).map((f) => [
      f,
      statSync(join(project.root, "out", f)).mtimeMs,
    ]),
  );

/** The rows of the closing summary table: call -> status. */
function summary(stdout: string): Map<string, string> {
  const rows = new Map<string, string>();
  const start = stdout.indexOf("\ncall ");
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  for (const line of stdout
    .slice(start + 1)
    .split("\n")
    .slice(1)) {
    const m = /^(\S+)\s+(published|skipped|failed)\b/.exec(line);
    if (m?.[1] && m[2]) rows.set(m[1], m[2]);
  }
  return rows;
}

const manifest = (start: number): string =>
  `redactions:\n  - start: ${start}\n    duration: 0.5\n    category: sensitive\n`;

beforeAll(() => {
  project = tempProject();
  GOOD.forEach((c, i) => {
    project.write(`recordings/${c}.wav`, wavBytes(RATE, speechLike(RATE, 1, RATE * 2, 11 + i)));
    project.write(`redactions/${c}.yaml`, manifest(0.5));
  });
  project.write("recordings/bad.wav", "this is not audio at all");
  project.write("redactions/bad.yaml", manifest(0.5));
  wrapper = project.write(
    "bin/ffmpeg",
    '#!/bin/sh\nprintf \'%s\\n\' "$*" >> "$FFMPEG_LOG"\nexec "$REAL_FFMPEG" "$@"\n',
  );
  chmodSync(wrapper, 0o755);
  log = join(project.root, "bin/ffmpeg.log");
});
afterAll(() => project.cleanup());

describe("redact --all", { timeout: 60_000 }, () => {
  let first: CliResult;
  beforeAll(() => {
    first = project.redact(["--all", "--jobs", "2"]);
  }, 120_000);

  it("publishes every good call although one fails, and exits 1", () => {
    expect(first.status, first.stderr).toBe(1);
    for (const c of GOOD) {
      expect(first.stdout).toContain(`${c}: 1 range redacted`);
      for (const ext of ["wav", "mp3", "json"])
        expect(statSync(join(project.root, "out", `${c}.${ext}`)).size).toBeGreaterThan(0);
    }
    expect(() => statSync(join(project.root, "out/bad.json"))).toThrow();
    expect(first.stderr).toMatch(/^error: decoding recordings\/bad\.wav failed/m);
    expect(first.stderr).toContain("1 of 4 calls failed");
  });

  it("ends with a summary table naming the failed call and why", () => {
    const rows = summary(first.stdout);
    expect([...rows]).toEqual([
      ["a", "published"],
      ["b", "published"],
      ["bad", "failed"],
      ["c", "published"],
    ]);
    expect(first.stdout).toMatch(/^bad\s+failed\s+-\s+-\s+[\d.]+ s\s+decoding recordings\/bad\.wav failed/m);
    expect(first.stdout).toMatch(/^a\s+published\s+1\s+0:02\.000\s+[\d.]+ s$/m);
    expect(first.stdout).toMatch(/^4 calls: 3 published, 0 skipped, 1 failed, in [\d.]+ s \(2 at a time\)$/m);
  });

  it("writes no carriage returns or escape codes into a pipe", () => {
    for (const text of [first.stdout, first.stderr]) {
      expect(text).not.toContain("\r");
      expect(text).not.toContain("\u001b");
    }
  });

  it("records the inputs in the call's private record, outside out/, and none of them in the public report", () => {
    const report = JSON.parse(project.read("out/a.json").toString("utf8"));
    const record = JSON.parse(project.read("private/a.json").toString("utf8"));
    expect(record.recording.file).toMatch(/^recordings\//);
    expect(record.recording.sha256).toBe(
      createHash("sha256").update(project.read(record.recording.file)).digest("hex"),
    );
    expect(record.manifest).toEqual({
      file: "redactions/a.yaml",
      sha256: createHash("sha256").update(project.read("redactions/a.yaml")).digest("hex"),
    });
    expect(record.settingsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.tool).toBe(`${report.tool.name} ${report.tool.version}`);
    expect(record.ffmpeg).toMatch(/^ffmpeg version /);
    expect(record.verification.passed).toBe(true);
    // Every file it put in out/, with the hash it has there.
    for (const [name, sha] of Object.entries(record.published as Record<string, string>)) {
      expect(
        createHash("sha256")
          .update(project.read(`out/${name}`))
          .digest("hex"),
        name,
      ).toBe(sha);
    }
    expect(Object.keys(report)).toEqual(["call", "title", "source", "ranges", "tone", "loudness", "outputs", "tool"]);
  });
});

describe("skipping unchanged calls", { timeout: 60_000 }, () => {
  it("runs no decode or encode when nothing changed, and leaves the outputs alone", () => {
    const before = mtimes();
    const snap = project.snapshotOut();
    const { run, ffmpeg } = redactLogged([...GOOD]);
    expect(run.status, run.stderr).toBe(0);
    for (const c of GOOD) expect(run.stdout).toContain(`${c}: unchanged since its last run`);
    expect([...summary(run.stdout).values()]).toEqual(["skipped", "skipped", "skipped"]);
    // Only the version query that identifies the ffmpeg build: nothing was decoded or encoded.
    expect(ffmpeg).toEqual(["-hide_banner -nostdin -loglevel error -nostats -version"]);
    expect(mtimes()).toEqual(before);
    expect(project.snapshotOut()).toEqual(snap);
  });

  it("rebuilds only the call whose manifest changed", () => {
    const before = mtimes();
    project.write("redactions/b.yaml", manifest(1));
    const { run, ffmpeg } = redactLogged([...GOOD]);
    expect(run.status, run.stderr).toBe(0);
    expect([...summary(run.stdout)]).toEqual([
      ["a", "skipped"],
      ["b", "published"],
      ["c", "skipped"],
    ]);
    const inputs = ffmpeg.filter((l) => l.includes(" -i ")).join("\n");
    expect(inputs).toContain("recordings/b.wav");
    expect(inputs).not.toMatch(/recordings\/[ac]\.wav/);
    const after = mtimes();
    for (const f of ["a.wav", "a.mp3", "a.json", "c.wav", "c.mp3", "c.json"]) expect(after[f]).toBe(before[f]);
    expect(after["b.json"]).not.toBe(before["b.json"]);
  });

  it("rebuilds a call whose published file was changed or deleted, or whose recording changed", () => {
    writeFileSync(join(project.root, "out/c.mp3"), "tampered");
    rmSync(join(project.root, "out/a.wav"));
    const { run } = redactLogged([...GOOD]);
    expect(run.status, run.stderr).toBe(0);
    expect([...summary(run.stdout)]).toEqual([
      ["a", "published"],
      ["b", "skipped"],
      ["c", "published"],
    ]);
    project.write("recordings/b.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 2, 99)));
    const again = redactLogged([...GOOD]);
    expect([...summary(again.run.stdout)]).toEqual([
      ["a", "skipped"],
      ["b", "published"],
      ["c", "skipped"],
    ]);
  });

  it("rebuilds everything with --force, with the same bytes", () => {
    const snap = project.snapshotOut();
    const { run, ffmpeg } = redactLogged([...GOOD, "--force", "--jobs", "1"]);
    expect(run.status, run.stderr).toBe(0);
    expect([...summary(run.stdout).values()]).toEqual(["published", "published", "published"]);
    for (const c of GOOD) expect(ffmpeg.some((l) => l.includes(`recordings/${c}.wav`))).toBe(true);
    expect(run.stdout).toMatch(/\(1 at a time\)$/m);
    expect(project.snapshotOut()).toEqual(snap);
  });
});

describe("--shard i/n", { timeout: 60_000 }, () => {
  it("splits the calls between shards, each call in exactly one", () => {
    const seen: string[] = [];
    for (const i of [1, 2]) {
      const run = project.redact([...GOOD, "--shard", `${i}/2`]);
      expect(run.status, run.stderr).toBe(0);
      const rows = run.stdout.includes("\ncall ")
        ? [...summary(run.stdout).keys()]
        : GOOD.filter((c) => run.stdout.includes(`${c}: `));
      seen.push(...rows);
    }
    expect(seen.sort()).toEqual([...GOOD]);
  });
});

describe("an invalid manifest anywhere", { timeout: 60_000 }, () => {
  it("stops the whole run before ffmpeg is started or anything is written (exit 2)", () => {
    project.write("redactions/zz.yaml", "redactions:\n  - start: 1\n    end: 0.5\n    category: sensitive\n");
    const snap = project.snapshotOut();
    const { run, ffmpeg } = redactLogged(["--all", "--force"]);
    rmSync(join(project.root, "redactions/zz.yaml"));
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain("redactions/zz.yaml:");
    expect(ffmpeg).toEqual([]);
    expect(project.snapshotOut()).toEqual(snap);
  });
});

/** util-linux's `script`, which gives the CLI a terminal: looked for on PATH, so collecting the file runs nothing. */
const hasScript = (process.env.PATH ?? "").split(delimiter).some((dir) => {
  try {
    accessSync(join(dir, "script"), constants.X_OK);
    return statSync(join(dir, "script")).isFile();
  } catch {
    return false;
  }
});

describe.skipIf(!hasScript)("on a terminal", { timeout: 60_000 }, () => {
  it("draws progress bars in place and erases them, then prints the lines", () => {
    project.write("recordings/long.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 12, 5)));
    project.write("redactions/long.yaml", manifest(3));
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm", COLUMNS: "100", LINES: "30" };
    delete env.CI;
    const cmd = [process.execPath, join(REPO, "scripts/run.mjs"), join(REPO, "src/cli/main.ts")]
      .concat(["long", "a", "--force"])
      .map((a) => `'${a}'`)
      .join(" ");
    const r = spawnSync("script", ["-q", "-e", "-c", cmd, "/dev/null"], {
      cwd: project.root,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stdout).toBe(0);
    const tty = r.stdout;
    expect(tty).toMatch(/long\s+starting/);
    // A stage with a known fraction drawn as a bar; which stages get a redraw depends on how long each takes
    // against the board's 100 ms throttle (board.test.ts checks the throttle itself, on a fake clock).
    expect(tty).toMatch(/long\s+(redacting|encoding|verifying)\s+\[[#.]{24}\]\s+\d+%/);
    expect(tty).toContain("\u001b[J"); // bars erased in place
    expect(tty).toContain("long: 1 range redacted");
    expect(tty).toMatch(/2 calls: 2 published/);
  });
});
