/**
 * The commands as the README gives them for a clone of this repository, typed as a user types them
 * (`npm run -s ...`, no shell), in a copy of the repository installed with `npm ci --omit=dev`: the
 * launcher must work without the dev dependencies (esbuild is an optional dependency, kept by
 * --omit=dev), and the piped forms must print exactly the data on standard output (`-s` keeps npm's
 * `> call-redactor@... redact` banner out of it).
 *
 * Dependencies come from npm's cache; no install scripts run (ffmpeg-static's would download a binary).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNpm, TALK_LABELS, writeTalkProject } from "../helpers/npm.ts";
import { REPO } from "../helpers/project.ts";

let clone: string;
const npmRun = (...args: string[]) => runNpm("npm", ["run", ...args], clone);

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), "redact-clone-"));
  for (const p of ["package.json", "package-lock.json", "scripts/run.mjs", "src"]) {
    cpSync(join(REPO, p), join(clone, p), { recursive: true });
  }
  writeTalkProject(clone);
  const ci = runNpm(
    "npm",
    ["ci", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"],
    clone,
    240_000,
  );
  expect(ci.status, ci.stderr).toBe(0);
}, 300_000);
afterAll(() => rmSync(clone, { recursive: true, force: true }));

describe("a clone after npm ci --omit=dev, commands typed as the README gives them", { timeout: 120_000 }, () => {
  it("npm run redact -- --version: the launcher bundles with esbuild, with no dev dependency installed", () => {
    for (const dev of ["tsx", "typescript", "vitest", "vite"])
      expect(existsSync(join(clone, "node_modules", dev))).toBe(false);
    expect(existsSync(join(clone, "node_modules/esbuild"))).toBe(true);
    const r = npmRun("-s", "redact", "--", "--version");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("call-redactor 0.1.0\n");
  });

  it("npm run -s redact -- --check talk --json | jq: standard output is the JSON and nothing else", () => {
    const r = npmRun("-s", "redact", "--", "--check", "talk", "--json");
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { call: string; ranges: unknown[] };
    expect(plan.call).toBe("talk");
    expect(plan.ranges).toHaveLength(2);
    expect(r.stdout).toBe(`${JSON.stringify(plan, null, 2)}\n`);
  });

  it("npm run -s labels -- export talk - > l.txt gives a label file that imports back", () => {
    const r = npmRun("-s", "labels", "--", "export", "talk", "-");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(TALK_LABELS);
    writeFileSync(join(clone, "l.txt"), r.stdout);
    writeFileSync(join(clone, "redactions/copy.yaml"), "redactions: []\n");
    const back = npmRun("-s", "labels", "--", "import", "copy", "l.txt");
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toContain("redactions/copy.yaml: added 2 of 2 labels from l.txt");
  });

  it("npm run redact talk, then npm run -s verify -- talk --json: the JSON and nothing else, all passed", () => {
    const redact = npmRun("redact", "talk");
    expect(redact.status, redact.stderr).toBe(0);
    const r = npmRun("-s", "verify", "--", "talk", "--json");
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{ call: string; passed: boolean }>;
    expect(results.map((c) => [c.call, c.passed])).toEqual([["talk", true]]);
    expect(r.stdout).toBe(`${JSON.stringify(results, null, 2)}\n`);
  });
});
