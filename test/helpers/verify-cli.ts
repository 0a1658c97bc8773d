/**
 * Helpers for the verification, attack and fault tests: `npm run verify` run
 * as a user runs it, the redact CLI started in the background (to interrupt
 * it), ffmpeg for making test inputs and breaking outputs, and the rows of a
 * report's verification.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { type CliResult, REPO } from "./project.ts";

/** The launcher `npm run redact` and `npm run verify` use (bundles the command, runs it in-process). */
export const RUN = join(REPO, "scripts/run.mjs");
export const MAIN = join(REPO, "src/cli/main.ts");
export const VERIFY = join(REPO, "src/cli/verify.ts");

/** Run `npm run verify` (the script it runs) in `root`; never throws. */
export function verifyCli(root: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [RUN, VERIFY, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true", ...env },
    timeout: 120_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start `redact` in the background (the launcher runs the command in its own process: signals reach it). */
export function startRedact(root: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [RUN, MAIN, ...args], {
    cwd: root,
    env: { ...process.env, CI: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  return new Promise((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Run ffmpeg (the one the tool uses) with these arguments; throws with its stderr on failure. */
export function ffmpeg(args: readonly string[]): void {
  const r = spawnSync(resolveFfmpeg().path, ["-hide_banner", "-v", "error", "-y", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed: ${r.stderr}`);
}

/** Temporary files the tool leaves in a folder (hidden `.name.pid-xxxx.tmp`, with any scratch files beside them, `.name.pid-xxxx.tmp.part1`). */
export const tempFiles = (dir: string): string[] => readdirSync(dir).filter((n) => /\.tmp(\.[^.]+)?$/.test(n));

/** Bytes of every regular file in a folder, by name. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isFile()) out.set(name, readFileSync(p).toString("base64"));
  }
  return out;
}

export interface Row {
  readonly range: number | null;
  readonly file: string;
  readonly status: "pass" | "fail";
  readonly detail: string;
}

/** The private record of a call (private/<call>.json under the project's root). */
export function recordOf(root: string, call: string): Record<string, unknown> & { verification: Verification | null } {
  return JSON.parse(readFileSync(join(root, "private", `${call}.json`), "utf8"));
}

export interface Verification {
  readonly passed: boolean;
  readonly rows: Row[];
}

/** What the last verification of a call found (redact's, or npm run verify's), from its private record. */
export function verificationOf(root: string, call: string): Verification {
  const v = recordOf(root, call).verification;
  if (!v) throw new Error(`no verification in private/${call}.json`);
  return v;
}

/** A stack trace line, as Node prints them. */
export const STACK = /\n\s+at .+:\d+:\d+\)?$/m;
