/**
 * Which files of a call are in out/, from the folder itself and never from the report: every file whose
 * name makes it the call's (project/outputs.ts), as the folder will be once a run in progress has renamed
 * its new files into place. What the call's settings publish must be there; anything else of the call
 * must not be. And what the call's page and the site's index refer to: files of the folder only (nothing
 * from elsewhere), and, for this call, only files it publishes.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { WebFormat } from "../manifest/formats.ts";
import { allCallOutputs, callOutputs, isTemporaryName, ownerOf } from "../project/outputs.ts";

/** A run's new files before they are renamed into place (name in out/ -> temporary path), and its removals. */
export interface Staged {
  readonly pending: ReadonlyMap<string, string>;
  readonly retired: ReadonlySet<string>;
}

export interface Inventory {
  /** Every file of the call that is (or will be, once staged files are in place) in out/: name -> path now. */
  readonly files: ReadonlyMap<string, string>;
  /** What the call's settings publish, in order: master, web formats, page, transcript, report. */
  readonly expected: readonly string[];
  /** Expected and not there. */
  readonly missing: readonly string[];
  /** There, of the call, and not expected (another format, a copy, anything). */
  readonly unexpected: readonly string[];
}

/** The names in out/ (regular entries and all, hidden temporary files of runs in progress left out). */
export function listOut(outDir: string): string[] {
  try {
    return readdirSync(outDir).filter((n) => !isTemporaryName(n));
  } catch {
    return [];
  }
}

export function inventory(
  call: string,
  formats: readonly WebFormat[],
  calls: readonly string[],
  outDir: string,
  staged?: Staged,
  /** The call has a transcript: its redacted transcript (call4.vtt) is published too. */
  transcript = false,
): Inventory {
  const everyone = calls.includes(call) ? calls : [...calls, call];
  const files = new Map<string, string>();
  for (const name of listOut(outDir)) {
    if (staged?.retired.has(name) || ownerOf(name, everyone) !== call) continue;
    files.set(name, join(outDir, name));
  }
  for (const [name, path] of staged?.pending ?? []) files.set(name, path);
  const expected = callOutputs(call, formats, transcript);
  const own = new Set(allCallOutputs(call));
  return {
    files: new Map([...files].sort(([a], [b]) => order(a, expected) - order(b, expected) || (a < b ? -1 : 1))),
    expected,
    missing: expected.filter((n) => !files.has(n)),
    // A known kind not chosen now (call4.opus when only mp3 is published) is as unexpected as a stranger.
    unexpected: [...files.keys()].filter((n) => !expected.includes(n) || !own.has(n)).sort(),
  };
}

const order = (name: string, expected: readonly string[]): number => {
  const i = expected.indexOf(name);
  return i < 0 ? expected.length : i;
};

/** A reference in a page: the attribute it is in, and its value as written (entities decoded). */
export interface Reference {
  readonly attribute: string;
  readonly value: string;
  /** The `<source>` element's `src` (what the player plays). */
  readonly source: boolean;
}

const ENTITY: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'" };
const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const n = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
    }
    return ENTITY[e.toLowerCase()] ?? m;
  });

/**
 * Every attribute of a page that makes a browser fetch or link to something: src, href, srcset, poster,
 * data, action, formaction, and `url(...)` in inline styles. A regular-expression scan over the text, not a
 * parser: it errs on the side of finding more (in comments, say), never fewer.
 */
export function references(html: string): Reference[] {
  const out: Reference[] = [];
  const tag = /<([a-z][a-z0-9-]*)\b([^>]*)>/gi;
  for (let t = tag.exec(html); t; t = tag.exec(html)) {
    const element = (t[1] as string).toLowerCase();
    const attrs = t[2] as string;
    const attr = /([a-z-:]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
    for (let a = attr.exec(attrs); a; a = attr.exec(attrs)) {
      const name = (a[1] as string).toLowerCase();
      const value = decodeEntities(a[3] ?? a[4] ?? a[5] ?? "");
      if (["src", "href", "poster", "data", "action", "formaction", "xlink:href"].includes(name)) {
        out.push({ attribute: name, value, source: element === "source" && name === "src" });
      } else if (name === "srcset") {
        for (const part of value.split(",")) {
          const url = part.trim().split(/\s+/)[0];
          if (url) out.push({ attribute: name, value: url, source: false });
        }
      }
    }
  }
  for (const m of html.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    out.push({ attribute: "url()", value: decodeEntities(m[2] as string), source: false });
  }
  return out;
}

export type Target =
  | { readonly kind: "fragment" }
  | { readonly kind: "empty-data" }
  | { readonly kind: "file"; readonly name: string }
  | { readonly kind: "elsewhere" };

/**
 * Where a reference leads: within the page (`#...`), the empty `data:,` favicon, a file of out/ (a plain
 * name, with any `#t=...` fragment or query dropped), or elsewhere (a scheme, `//host`, a path outside
 * out/): the last is never allowed.
 */
export function target(value: string): Target {
  const v = value.trim();
  if (v.startsWith("#")) return { kind: "fragment" };
  if (v === "data:,") return { kind: "empty-data" };
  const name = v.replace(/[?#].*$/, "");
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return { kind: "elsewhere" };
  }
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(decoded) && !decoded.includes("..")) return { kind: "file", name: decoded };
  return { kind: "elsewhere" };
}
