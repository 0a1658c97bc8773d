/**
 * npm and npx run as a user runs them in a terminal (no shell), and a tiny project to run them in, for
 * the tests of the installed package and of the command lines the README gives.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { speechLike, wavBytes } from "./audio.ts";
import type { CliResult } from "./project.ts";

/**
 * The environment a user's shell would give npm: this one without what `npm test` adds for its scripts
 * (npm_config_*, npm_package_*, npm_lifecycle_*, ...), which the npm below would take as its own settings.
 * CI=true: no progress bars, as in the other end-to-end tests.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, CI: "true", ...extra };
}

/** Run `npm ...` or `npx ...` in `cwd`; throws only when it cannot be started or runs out of time. */
export function runNpm(
  command: "npm" | "npx",
  args: readonly string[],
  cwd: string,
  timeout = 120_000,
  env: NodeJS.ProcessEnv = {},
): CliResult {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: userEnv(env), shell: false, timeout });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The manifest of the tiny project, and its ranges as `labels export` writes them (from the times below). */
export const TALK_MANIFEST = `title: Talk
redactions:
  - start: 1.005
    end: '0:01.5'
    category: sensitive
    note: partner Zebedee Quixley
  - { start: 3, duration: 0.25, category: obscenity }
`;
export const TALK_LABELS = "1.005000\t1.500000\tsensitive: partner Zebedee Quixley\n3.000000\t3.250000\tobscenity\n";

/** A project as a user lays it out: redactions/talk.yaml, recordings/talk.wav (6 s at 8 kHz), an empty out/. */
export function writeTalkProject(root: string): void {
  for (const d of ["redactions", "recordings", "out"]) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, "recordings/talk.wav"), wavBytes(8000, speechLike(8000, 1, 8000 * 6)));
  writeFileSync(join(root, "redactions/talk.yaml"), TALK_MANIFEST);
}
