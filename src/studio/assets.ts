/**
 * What the studio page is made of, all served by the studio itself (it works offline): its own script
 * modules and style sheet (src/studio/public/), and wavesurfer.js with the plugins it uses, from
 * node_modules. Each is served by name from a fixed list made when the studio starts: no request names a
 * path.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface Asset {
  readonly path: string;
  readonly type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * The project's root: the folder of its package.json, found upwards from this module (which runs from src/
 * under the tests, and from a bundle in node_modules/.cache under `npm run studio`).
 */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && existsSync(join(dir, "src", "studio", "public"))) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "call-redactor") return dir;
      } catch {
        // not ours
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("the studio cannot find its own files (src/studio/public/)");
    dir = up;
  }
}

/** The wavesurfer.js modules the page loads, by the name it asks for. */
const WAVESURFER: Readonly<Record<string, string>> = {
  "wavesurfer.esm.js": "wavesurfer.esm.js",
  "regions.esm.js": "plugins/regions.esm.js",
  "timeline.esm.js": "plugins/timeline.esm.js",
  "minimap.esm.js": "plugins/minimap.esm.js",
};

export interface Assets {
  /** /static/<name>: the page's own files. */
  readonly own: ReadonlyMap<string, Asset>;
  /** /vendor/<name>: wavesurfer.js. */
  readonly vendor: ReadonlyMap<string, Asset>;
}

/**
 * The page's own files: beside the installed package's bundle (dist/studio/, copied there by
 * scripts/build.mjs), or src/studio/public/ in this repository.
 */
function publicFolder(): string {
  const besideBundle = join(dirname(fileURLToPath(import.meta.url)), "studio");
  if (existsSync(join(besideBundle, "studio.js"))) return besideBundle;
  return join(projectRoot(), "src", "studio", "public");
}

export function loadAssets(): Assets {
  const publicDir = publicFolder();
  const own = new Map<string, Asset>();
  for (const name of readdirSync(publicDir)) {
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    if (type && /^[a-z0-9-]+\.(js|css)$/.test(name)) own.set(name, { path: join(publicDir, name), type });
  }
  // The package's CommonJS entry (dist/wavesurfer.cjs) says where dist/ is; its ES modules sit beside it.
  const dist = dirname(createRequire(import.meta.url).resolve("wavesurfer.js"));
  const vendor = new Map<string, Asset>();
  for (const [name, rel] of Object.entries(WAVESURFER)) {
    const path = resolve(dist, rel);
    if (!existsSync(path)) throw new Error(`wavesurfer.js has no ${rel}: run npm install`);
    vendor.set(name, { path, type: TYPES[".js"] as string });
  }
  return { own, vendor };
}

/** The one HTML page: the calls, or a call (the script reads the address). The nonce is for wavesurfer.js. */
export function studioPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="studio-nonce" content="${nonce}">
<title>Studio · call-redactor</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/studio.css">
<script type="module" src="/static/studio.js"></script>
</head>
<body>
<header class="bar"><a class="home" href="/">Studio</a><span id="where"></span></header>
<main id="app" tabindex="-1"><p class="muted">Loading…</p></main>
<div id="toast" role="status" aria-live="polite"></div>
</body>
</html>
`;
}
