/**
 * npm and npx run as a user runs them in a terminal (no shell).
 */
import { spawnSync } from "node:child_process";
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
