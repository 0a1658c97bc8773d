/**
 * out/feed.xml, rebuilt beside the index (site-index.ts) the same way: once at the end of a run, from the
 * reports in out/ of the calls in redactions/, under a lock, written to a temporary file and renamed.
 *
 * A feed's links must be absolute, so it needs the site's address (`url:` in the site settings). Without
 * it no feed is written (and one left by an earlier run is removed, since its links would be stale); the
 * run says so once.
 *
 * Items are newest first: by the manifest's `date:` (the report carries it), else by when the call was
 * last published (its report's modification time); calls of the same date in the index's order.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import type { SiteSettings } from "../manifest/site.ts";
import { OutputSet } from "../project/atomic.ts";
import { type Layout, listCalls, locksDir } from "../project/layout.ts";
import { acquireLock } from "../project/lock.ts";
import { parseReport, type Report } from "../project/report.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { TOOL } from "../version.ts";
import { type FeedItem, renderFeed } from "./page/feed-xml.ts";
import { naturalCompare } from "./site-index.ts";
import { WEB_CODECS } from "./web/codecs.ts";

export const FEED_FILE = "feed.xml";

/** When a call was made, from the manifest's `date:`: a day is taken at noon UTC, so that it is that day everywhere. */
export function callDate(date: string): Date | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = day
    ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12)
    : Date.parse(date.replace(" ", "T").replace(/T(\d{2}:\d{2})(Z|[+-])/, "T$1:00$2"));
  return Number.isFinite(t) ? new Date(t) : undefined;
}

const size = (path: string): number | undefined => {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
};

/** A call's item, from its report and the files on disk; undefined when it publishes no audio there. */
export function feedItemOf(call: string, report: Report, outDir: string, published: Date): FeedItem | undefined {
  if (report.call !== call || !(report.source.sampleRate > 0)) return undefined;
  const listed = (file: string): boolean => Object.values(report.outputs).some((o) => o.file === file);
  const audio = (["mp3", "opus"] as const)
    .map((f) => ({ file: `${call}.${WEB_CODECS[f].extension}`, type: WEB_CODECS[f].mimeType }))
    .map((a) => ({ ...a, bytes: listed(a.file) ? size(join(outDir, a.file)) : undefined }))
    .find((a) => a.bytes !== undefined);
  if (!audio || audio.bytes === undefined) return undefined;
  const page = listed(`${call}.html`) && size(join(outDir, `${call}.html`)) !== undefined ? `${call}.html` : audio.file;
  const vtt = `${call}.vtt`;
  return {
    title: report.title,
    page,
    audio: { file: audio.file, type: audio.type, bytes: audio.bytes },
    ...(listed(vtt) && size(join(outDir, vtt)) !== undefined ? { transcript: vtt } : {}),
    durationSeconds: report.source.samples / report.source.sampleRate,
    redactions: report.ranges.length,
    date: (report.date === undefined ? undefined : callDate(report.date)) ?? published,
  };
}

/** Every published call's item, newest first. */
export function feedItems(layout: Layout): FeedItem[] {
  const items: { item: FeedItem; call: string }[] = [];
  for (const call of listCalls(layout)) {
    const path = join(layout.outDir, `${call}.json`);
    let parsed: ReturnType<typeof parseReport>;
    let published: Date;
    try {
      parsed = parseReport(readRegularFileSync(path, 16 << 20).toString("utf8"));
      published = statSync(path).mtime;
    } catch {
      continue; // not published (yet)
    }
    const item = "report" in parsed ? feedItemOf(call, parsed.report, layout.outDir, published) : undefined;
    if (item) items.push({ item, call });
  }
  items.sort((a, b) => b.item.date.getTime() - a.item.date.getTime() || naturalCompare(a.call, b.call));
  return items.map((i) => i.item);
}

export type FeedOutcome =
  | { readonly written: true; readonly items: number }
  | { readonly written: false; readonly removed: boolean };

/**
 * Rebuild out/feed.xml from the reports in out/, or, when the site has no `url:`, remove an earlier one. Under
 * the site's feed lock, like the index under its own.
 */
export async function rebuildFeed(layout: Layout, site: SiteSettings): Promise<FeedOutcome> {
  const lock = await acquireLock(locksDir(layout), "feed");
  const outputs = new OutputSet(layout.outDir, { leftovers: [FEED_FILE] });
  try {
    if (site.url === undefined) {
      const removed = size(join(layout.outDir, FEED_FILE)) !== undefined;
      outputs.retire(FEED_FILE);
      outputs.commit();
      return { written: false, removed };
    }
    const items = feedItems(layout);
    const xml = renderFeed({
      title: site.title,
      ...(site.description === undefined ? {} : { description: site.description }),
      url: site.url,
      generator: `${TOOL.name} ${TOOL.version}`,
      items,
    });
    writeFileSync(outputs.temp(FEED_FILE), xml);
    outputs.commit();
    return { written: true, items: items.length };
  } catch (err) {
    outputs.discard();
    if (err instanceof RedactError) throw err;
    throw new RedactError("E_IO", 1, `writing out/${FEED_FILE} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    lock.release();
  }
}

/** What a run says about the feed, once. */
export function feedMessage(outcome: FeedOutcome, siteFile: string | undefined): string {
  if (outcome.written) return `out/${FEED_FILE}: ${outcome.items} call${outcome.items === 1 ? "" : "s"} in the feed`;
  const where = siteFile ?? "redactions/site.yaml";
  return `no out/${FEED_FILE}: a feed's links must be absolute, and ${where} gives no url: (the address the site is published at, e.g. url: https://example.org/calls/)${outcome.removed ? "; the earlier out/feed.xml was removed" : ""}`;
}
