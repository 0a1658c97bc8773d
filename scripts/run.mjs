#!/usr/bin/env node
/**
 * Runs one of the project's TypeScript commands (src/cli/*.ts) as a single
 * bundled ES module, so that `npm run redact` needs no TypeScript loader at
 * run time: less start-up time and about 40 MB less memory than tsx. The
 * bundle is rebuilt with esbuild (about 0.1 s) whenever a source file or
 * package.json is newer than it; dependencies stay in node_modules. esbuild is
 * one of package.json's optionalDependencies (not a dev dependency), so that
 * `npm ci --omit=dev` keeps it and `npm run redact` works there too; the
 * installed package never uses it (its bin, dist/call-redactor.js, is built at
 * `prepack` by scripts/build.mjs; see docs/install.md).
 *
 *   node scripts/run.mjs src/cli/main.ts [args...]
 *
 * package.json runs `redact` and `verify` as `node --max-semi-space-size=1 scripts/run.mjs ...`. The
 * pipeline streams: each chunk's arrays die young, and a young generation of 1 MB collects them (and
 * frees their memory) as often as needed. Left to itself, V8 grows it to 16 MB per semi-space under this
 * allocation rate, which cost 20-30 MB of peak memory on an hour's recording and no measurable speed.
 */
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  process.stderr.write("usage: node scripts/run.mjs src/cli/<command>.ts [args...]\n");
  process.exit(2);
}
const entry = resolve(root, entryArg);
const cacheDir = join(root, "node_modules", ".cache", "call-redactor");
const bundle = join(cacheDir, `${basename(entry, ".ts")}.mjs`);

/** Newest modification time of the sources the bundle is made from. */
function newestSource(dir, newest = statSync(join(root, "package.json")).mtimeMs) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(p, newest);
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let stale = true;
try {
  stale = statSync(bundle).mtimeMs < newestSource(join(root, "src"));
} catch {
  // no bundle yet
}
if (stale) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (err) {
    process.stderr.write(
      `error: esbuild, which npm run needs to bundle the commands, cannot be loaded (${String(err?.message ?? err).split("\n")[0]}); it is an optional dependency that npm may have left out: run \`npm install\`, or use the installed package, \`npx call-redactor\` (docs/install.md)\n`,
    );
    process.exit(1);
  }
  const { build, stop } = esbuild;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "error",
  });
  stop(); // esbuild's service process is not needed any more: do not keep it alive beside the command
  // Rename: a concurrent run sees the old bundle or the new one, never half of one.
  (await import("node:fs")).renameSync(tmp, bundle);
}
process.argv = [process.argv[0] ?? "node", bundle, ...args];
await import(pathToFileURL(bundle).href);
