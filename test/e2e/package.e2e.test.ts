/**
 * The published package as a user gets it: `npm pack` (which builds dist/ at prepack), the tarball
 * installed into an empty folder with npm, a tiny project laid out beside it, and `npx call-redactor ...`
 * run there: help, version, a redaction whose outputs verify, and the piped forms the README gives,
 * whose standard output must be exactly the data (the bin prints no banner).
 *
 * The install takes its dependencies from npm's cache (`npm ci` put them there) and runs no install
 * scripts: ffmpeg-static's would download a binary from the internet, and npm 12 skips the scripts of a
 * package nobody approved anyway. The tool must work without them: @ffmpeg-installer's ffmpeg is
 * executable as unpacked. esbuild (an optional dependency, for `npm run` in a clone) is removed before
 * anything runs, to show that the installed command needs no bundler or TypeScript loader.
 */

import { spawn } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNpm, TALK_LABELS, userEnv, writeTalkProject } from "../helpers/npm.ts";
import { REPO } from "../helpers/project.ts";

const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { name: string; version: string };

let scratch: string;
/** The folder the tarball is installed into, which is also the user's project. */
let app: string;
const npx = (...args: string[]) => runNpm("npx", ["--no-install", "call-redactor", ...args], app);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "redact-package-"));
  // One tarball per run, packed as `npm publish` would pack it (prepack builds dist/ first).
  const pack = runNpm("npm", ["pack", "--pack-destination", scratch], REPO);
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(scratch, `${pkg.name}-${pkg.version}.tgz`);
  expect(existsSync(tarball), pack.stdout).toBe(true);
  app = join(scratch, "app");
  writeTalkProject(app);
  const install = runNpm(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", tarball],
    app,
    240_000,
  );
  expect(install.status, install.stderr).toBe(0);
  for (const bundler of ["esbuild", "@esbuild", "tsx", "typescript"]) {
    rmSync(join(app, "node_modules", bundler), { recursive: true, force: true });
  }
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the packed package, installed into an empty folder", { timeout: 120_000 }, () => {
  it("holds the compiled command, the README and the schemas; no sources, tests or recordings", () => {
    const installed = join(app, "node_modules", pkg.name);
    expect(readdirSync(installed).sort()).toEqual(["README.md", "dist", "docs", "package.json", "schema"]);
    expect(readdirSync(join(installed, "dist")).sort()).toEqual(["call-redactor.js", "studio"]);
    // The studio's page: its own scripts and style sheet, copied from src/studio/public/ at build.
    expect(readdirSync(join(installed, "dist/studio")).sort()).toEqual(
      readdirSync(join(REPO, "src/studio/public")).sort(),
    );
    expect(readdirSync(join(installed, "schema")).sort()).toEqual(["manifest.schema.json", "site.schema.json"]);
    expect(readFileSync(join(installed, "dist/call-redactor.js"), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
    // Install scripts did not run: the ffmpeg the tool falls back to is executable as unpacked.
    expect(() =>
      accessSync(
        join(app, "node_modules/@ffmpeg-installer", `${process.platform}-${process.arch}`, "ffmpeg"),
        constants.X_OK,
      ),
    ).not.toThrow();
  });

  it("npx call-redactor --help and --version", () => {
    const help = npx("--help");
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage:\n  call-redactor <command> [options]");
    for (const command of ["redact", "verify", "labels", "suggest", "studio"])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    const version = npx("--version");
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toBe(`${pkg.name} ${pkg.version}\n`);
    // Each command's help shows the command as it is typed here, not as npm runs it in the repository.
    const redactHelp = npx("redact", "--help");
    expect(redactHelp.stdout).toContain("  call-redactor redact --all ");
    expect(redactHelp.stdout).not.toContain("npm run");
    const labelsHelp = npx("help", "labels");
    expect(labelsHelp.status, labelsHelp.stderr).toBe(0);
    expect(labelsHelp.stdout).toContain("  call-redactor labels export <call> [FILE]\n");
    const studioHelp = npx("studio", "--help");
    expect(studioHelp.status, studioHelp.stderr).toBe(0);
    expect(studioHelp.stdout).toContain("  call-redactor studio --port N");
    expect(studioHelp.stdout).not.toContain("npm run");
  });

  it("npx call-redactor studio serves its page, its scripts, wavesurfer.js and the calls; Ctrl-C stops it", async () => {
    const child = spawn("npx", ["--no-install", "call-redactor", "studio"], {
      cwd: app,
      env: userEnv(),
      detached: true,
    });
    try {
      let out = "";
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      const url = await new Promise<URL>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /^studio: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out);
          if (m) resolve(new URL(m[1] as string));
        });
        child.on("exit", (code) => reject(new Error(`studio exited (${code}) before printing its address: ${err}`)));
      });
      const token = url.searchParams.get("token") as string;
      // The address swaps its token for a cookie (src/studio/security.ts), which a browser then sends.
      const first = await fetch(url, { redirect: "manual" });
      expect(first.status).toBe(303);
      expect(first.headers.get("set-cookie")).toContain(`studio-${url.port}=${token}`);
      const get = (path: string) => fetch(new URL(path, url), { headers: { cookie: `studio-${url.port}=${token}` } });
      const page = await get("/");
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<!doctype html>");
      for (const path of ["/static/studio.js", "/static/studio.css", "/vendor/wavesurfer.esm.js"]) {
        const r = await get(path);
        expect([path, r.status]).toEqual([path, 200]);
        expect((await r.text()).length).toBeGreaterThan(100);
      }
      const calls = await get("/api/calls");
      expect(calls.status).toBe(200);
      expect(JSON.stringify(await calls.json())).toContain('"talk"');
      const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(`${code ?? signal}`)));
      // npx runs the command in a process of its own: Ctrl-C in a terminal reaches both (their group).
      process.kill(-(child.pid as number), "SIGINT");
      // The studio exits 130 as every command does on Ctrl-C; npx may be ended by the signal first.
      expect(["130", "SIGINT"]).toContain(await exited);
      await expect(fetch(url)).rejects.toThrow(); // nothing listens there any more
      expect(err).not.toMatch(/error/i);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), "SIGKILL");
    }
  });

  it("an unknown command is a usage error (exit 2) naming the commands", () => {
    const r = npx("publish", "talk");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: unknown command publish: use one of redact, verify, labels, suggest, studio; see call-redactor --help\n",
    );
  });

  it("npx call-redactor redact talk publishes out/talk.*, and verify passes on them", () => {
    const r = npx("redact", "talk");
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(app, "out")).sort()).toEqual([
      "index.html",
      "talk.html",
      "talk.json",
      "talk.mp3",
      "talk.wav",
    ]);
    const verify = npx("verify", "talk", "--json");
    expect(verify.status, verify.stderr).toBe(0);
    const results = JSON.parse(verify.stdout) as Array<{ call: string; passed: boolean; rows: unknown[] }>;
    expect(results.map((c) => [c.call, c.passed])).toEqual([["talk", true]]);
    expect(results[0]?.rows.length).toBeGreaterThan(5);
    expect(verify.stdout).toBe(`${JSON.stringify(results, null, 2)}\n`);
  });

  it("npx call-redactor redact --check talk --json | jq: standard output is the JSON and nothing else", () => {
    const r = npx("redact", "--check", "talk", "--json");
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { call: string; ranges: unknown[] };
    expect(plan.call).toBe("talk");
    expect(plan.ranges).toHaveLength(2);
    expect(r.stdout).toBe(`${JSON.stringify(plan, null, 2)}\n`);
  });

  it("npx call-redactor labels export talk - > l.txt gives a label file that imports back", () => {
    const r = npx("labels", "export", "talk", "-");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(TALK_LABELS);
    writeFileSync(join(app, "l.txt"), r.stdout);
    writeFileSync(join(app, "redactions/copy.yaml"), "redactions: []\n");
    const back = npx("labels", "import", "copy", "l.txt");
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toContain("redactions/copy.yaml: added 2 of 2 labels from l.txt");
    expect(back.stdout).toContain("call-redactor redact --check copy");
  });
});
