/**
 * package.json's install-script policy (`allowScripts`, npm 11.16 and later; docs/install.md): every
 * package of the lockfile that has an install script is approved (true) or denied (false) by name, so
 * that a clean `npm ci` / `npm install` prints no "install scripts not yet covered" notice, and npm 12,
 * which runs no unreviewed install script, runs the same ones npm 11 runs.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { userEnv } from "./helpers/npm.ts";
import { REPO } from "./helpers/project.ts";

const read = (file: string) => JSON.parse(readFileSync(join(REPO, file), "utf8"));

describe("allowScripts", () => {
  it("names every package of the lockfile that has an install script, on every platform", () => {
    const lock = read("package-lock.json") as { packages: Record<string, { hasInstallScript?: boolean }> };
    const policy = read("package.json").allowScripts as Record<string, unknown>;
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
    expect(withScripts.length).toBeGreaterThan(0);
    const named = new Set(Object.keys(policy).map((key) => key.replace(/(?<=.)@[^@/]*$/, "")));
    expect(withScripts.filter((name) => !named.has(name))).toEqual([]);
    for (const value of Object.values(policy)) expect(typeof value).toBe("boolean");
  });

  it("npm itself finds nothing unreviewed in node_modules (npm 11.16 and later, which know the field)", () => {
    const version = spawnSync("npm", ["--version"], { encoding: "utf8", env: userEnv() }).stdout.trim();
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (major < 11 || (major === 11 && minor < 16)) return; // older npm: no policy, no notice
    const r = spawnSync("npm", ["install-scripts", "ls"], { cwd: REPO, encoding: "utf8", env: userEnv() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("No packages with unreviewed install scripts.");
  });
});
