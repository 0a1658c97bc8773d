/**
 * out/index.html, rebuilt from the reports in out/ of the calls in
 * redactions/, so it lists what is actually published whichever run, or however
 * many runs at once, published it. Written like every output: a temporary file, then a rename,
 * so a reader (or a static host syncing out/) never sees half a page.
 *
 * Call it once after a run's calls have finished (not from each call), so
 * that concurrent calls cannot race on it.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import type { SiteSettings } from "../manifest/site.ts";
import { OutputSet } from "../project/atomic.ts";
import { type Layout, listCalls, locksDir } from "../project/layout.ts";
import { acquireLock } from "../project/lock.ts";
import { parseReport, type Report } from "../project/report.ts";
import { isRegularFile, readRegularFileSync } from "../regular-file.ts";
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

/** A call's index entry: its page if it has one on disk, else an audio file it published. */
export function indexEntryOf(call: string, report: Report, outDir: string): IndexEntry | undefined {
  if (report.call !== call || !(report.source.sampleRate > 0)) return undefined;
  const href = [`${call}.html`, `${call}.mp3`, `${call}.opus`].find(
    (f) => Object.values(report.outputs).some((o) => o.file === f) && isRegularFile(join(outDir, f)),
  );
  if (href === undefined) return undefined;
  return {
    title: report.title,
    href,
    durationSeconds: report.source.samples / report.source.sampleRate,
    redactions: report.ranges.length,
  };
}

/**
 * Every published call, as index entries, in natural order of the call names: the calls that have a
 * manifest in redactions/ and a report of this tool in out/ (a stray JSON file in out/ lists nothing).
 */
export function publishedCalls(layout: Layout): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const call of [...listCalls(layout)].sort(naturalCompare)) {
    let parsed: ReturnType<typeof parseReport>;
    try {
      parsed = parseReport(readRegularFileSync(join(layout.outDir, `${call}.json`), 16 << 20).toString("utf8"));
    } catch {
      continue; // not published (yet)
    }
    const entry = "report" in parsed ? indexEntryOf(call, parsed.report, layout.outDir) : undefined;
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

/**
 * Rebuild out/index.html from the reports in out/; returns how many calls it lists. Under the site's lock, so
 * that runs finishing at the same time (on this machine or others sharing out/) rebuild it one after another,
 * each from what the others published before it.
 */
export async function rebuildIndex(layout: Layout, site: SiteSettings): Promise<number> {
  const lock = await acquireLock(locksDir(layout), "index");
  const outputs = new OutputSet(layout.outDir, { leftovers: [INDEX_FILE] });
  try {
    const calls = publishedCalls(layout);
    const html = renderIndexPage({
      siteTitle: site.title,
      ...(site.description === undefined ? {} : { description: site.description }),
      // rebuildFeed writes it beside the index whenever the site has its address.
      ...(site.url === undefined ? {} : { feed: "feed.xml" }),
      calls,
    });
    writeFileSync(outputs.temp(INDEX_FILE), html);
    outputs.commit();
    return calls.length;
  } catch (err) {
    outputs.discard();
    if (err instanceof RedactError) throw err;
    throw new RedactError("E_IO", 1, `writing out/${INDEX_FILE} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    lock.release();
  }
}
