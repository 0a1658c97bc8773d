#!/usr/bin/env node
/**
 * Builds the installed package's one executable, dist/call-redactor.js (package.json `bin`): src/cli/bin.ts
 * and every module of src/ it imports, bundled by esbuild into one ES module for Node 20. Dependencies stay
 * imports (npm installs them beside it); the studio's page files are copied to dist/studio/; nothing else
 * is needed at run time. `prepack` runs this, so `npm pack` and `npm publish` ship code built from the
 * sources they are run on.
 *
 *   node scripts/build.mjs
 *
 * esbuild rather than tsc: it is how this repository already runs its commands (scripts/run.mjs, with
 * the same options), so the package runs the code the tests run, transformed the same way; types are
 * checked by `npm test` (tsc --noEmit) either way. One file also starts faster than the ~110 modules tsc
 * would write (`redact --version`: about 125 ms of CPU against 155 ms, docs/install.md), and needs no
 * rewriting of the sources' `.ts` import paths or a copy of package.json (version.ts imports it) in dist/.
 */
import { cpSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist");

rmSync(outDir, { recursive: true, force: true }); // nothing stale is packed
await build({
  entryPoints: [join(root, "src/cli/bin.ts")], // its `#!/usr/bin/env node` line is kept
  outfile: join(outDir, "call-redactor.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  // No source map: the bundle is not minified, and each module is marked with its source path.
  logLevel: "warning",
});
// The studio's page (its own scripts and style sheet) is served from beside the bundle (src/studio/assets.ts).
cpSync(join(root, "src/studio/public"), join(outDir, "studio"), { recursive: true });
