/**
 * End-to-end helpers: a throwaway project folder (redactions/, recordings/,
 * out/) and the CLI run in it exactly as `npm run redact` runs it.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The launcher `npm run redact` uses (scripts/run.mjs bundles src/cli/main.ts and runs it). */
const RUN = join(REPO, "scripts/run.mjs");
const MAIN = join(REPO, "src/cli/main.ts");

export interface TempProject {
  readonly root: string;
  write(rel: string, content: string | Uint8Array): string;
  read(rel: string): Buffer;
  /** Run `redact` with these arguments in the project; never throws. */
  redact(args: readonly string[], env?: NodeJS.ProcessEnv): CliResult;
  /** Run another command (`npm run verify`, `labels`, `suggest`) the way npm runs it; never throws. */
  cli(command: "verify" | "labels" | "suggest", args: readonly string[], env?: NodeJS.ProcessEnv): CliResult;
  /** Every file under out/ with its bytes, for "out/ untouched" checks. */
  snapshotOut(): Map<string, string>;
  cleanup(): void;
}

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runIn(root: string, entry: string, args: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [RUN, entry, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true", ...env },
    timeout: 120_000,
    // A run that hangs in a system call (blocked opening a FIFO, say) never handles SIGTERM: kill it.
    killSignal: "SIGKILL",
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function tempProject(): TempProject {
  const root = mkdtempSync(join(tmpdir(), "redact-test-"));
  for (const d of ["redactions", "recordings", "out"]) mkdirSync(join(root, d));
  return {
    root,
    write(rel, content) {
      const p = join(root, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      return p;
    },
    read: (rel) => readFileSync(join(root, rel)),
    redact(args, env = {}) {
      return runIn(root, MAIN, args, env);
    },
    cli(command, args, env = {}) {
      return runIn(root, join(REPO, "src/cli", `${command}.ts`), args, env);
    },
    snapshotOut() {
      const snap = new Map<string, string>();
      const dir = join(root, "out");
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isFile()) snap.set(name, readFileSync(p).toString("base64"));
      }
      return snap;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
