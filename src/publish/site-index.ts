/**
 * out/index.html, rebuilt from every report in out/ (out/*.json), so it lists
 * what is actually published whichever run, or however many runs at once,
 * published it. Written like every output: a temporary file, then a rename,
 * so a reader (or a static host syncing out/) never sees half a page.
 *
 * Call it once after a run's calls have finished (not from each call), so
 * that concurrent calls cannot race on it.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import type { SiteSettings } from "../manifest/site.ts";
import { OutputSet } from "../project/atomic.ts";
import type { Layout } from "../project/layout.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { type IndexEntry, renderIndexPage } from "./page/index-page.ts";

export const INDEX_FILE = "index.html";

/** call2 before call10: digits compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  const split = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q)) {
      const d = Number(p) - Number(q);
      if (d !== 0) return d;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length || (a < b ? -1 : a > b ? 1 : 0);
}

const plainFile = (f: unknown): f is string => typeof f === "string" && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(f);

/** One report's index entry, or undefined if the JSON is not a report this tool wrote. */
export function indexEntryOf(report: unknown, outDir: string): IndexEntry | undefined {
  if (typeof report !== "object" || report === null) return undefined;
  const r = report as {
    title?: unknown;
    source?: { sampleRate?: unknown; samples?: unknown };
    ranges?: unknown;
    outputs?: Record<string, { file?: unknown } | undefined>;
  };
  const rate = r.source?.sampleRate;
  const samples = r.source?.samples;
  if (typeof r.title !== "string" || typeof rate !== "number" || !(rate > 0)) return undefined;
  if (typeof samples !== "number" || !(samples >= 0) || !Array.isArray(r.ranges)) return undefined;
  if (typeof r.outputs !== "object" || r.outputs === null) return undefined;
  // The call's page if it has one on disk, else an audio file it published.
  const candidates = ["html", "mp3", "opus"].map((k) => r.outputs?.[k]?.file);
  const href = candidates.find((f): f is string => plainFile(f) && existsSync(join(outDir, f)));
  if (href === undefined) return undefined;
  return { title: r.title, href, durationSeconds: samples / rate, redactions: r.ranges.length };
}

/** Every report in out/, as index entries, in natural order of the call names. */
export function publishedCalls(layout: Layout): IndexEntry[] {
  let names: string[];
  try {
    names = readdirSync(layout.outDir);
  } catch {
    return [];
  }
  const entries: IndexEntry[] = [];
  for (const name of names.filter((n) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.json$/.test(n)).sort(naturalCompare)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readRegularFileSync(join(layout.outDir, name), 16 << 20).toString("utf8"));
    } catch {
      continue; // not ours, or being written by hand: the index lists reports only
    }
    const entry = indexEntryOf(parsed, layout.outDir);
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * Whether a run with these call outcomes ("published", "skipped", "failed") rebuilds the index: when
 * it published a call, or when the index is missing and there are calls to list. A run that
 * published nothing leaves out/ exactly as it was.
 */
export function indexIsDue(layout: Layout, statuses: readonly string[]): boolean {
  if (statuses.includes("published")) return true;
  return statuses.includes("skipped") && !existsSync(join(layout.outDir, INDEX_FILE));
}

/** Rebuild out/index.html from the reports in out/; returns how many calls it lists. */
export function rebuildIndex(layout: Layout, site: SiteSettings): number {
  const calls = publishedCalls(layout);
  const html = renderIndexPage({
    siteTitle: site.title,
    ...(site.description === undefined ? {} : { description: site.description }),
    calls,
  });
  const outputs = new OutputSet(layout.outDir);
  try {
    writeFileSync(outputs.temp(INDEX_FILE), html);
    outputs.commit();
  } catch (err) {
    outputs.discard();
    if (err instanceof RedactError) throw err;
    throw new RedactError("E_IO", 1, `writing out/${INDEX_FILE} failed: ${(err as Error).message}`, { cause: err });
  }
  return calls.length;
}
