/**
 * The site's feed, out/feed.xml, as far as one call is concerned, from the file and the site settings
 * alone: every address in it is under the site's `url:` (a feed could otherwise send a reader, or a
 * podcast app, anywhere), and this call's item, when the feed has one, links only to files the call
 * publishes and gives its audio's length in bytes as the file has it.
 *
 * While `redact` runs, the feed on disk is the one of the last run (it is rebuilt once the calls are
 * published), so only the addresses are checked then; `npm run verify` checks the item too.
 */
import type { VerificationRow } from "../project/record.ts";
import { checkRow, plural } from "./audio-rows.ts";

export interface FeedToCheck {
  readonly call: string;
  readonly text: string;
  /** The site's address (site settings `url:`), ending in `/`; undefined when the settings give none. */
  readonly url: string | undefined;
  /** Whether this call publishes a file that is there now; and its size in bytes. */
  readonly published: (file: string) => boolean;
  readonly size: (file: string) => number | undefined;
  /** The feed predates the files being checked (a run in progress): check the addresses only. */
  readonly stale: boolean;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const xmlUnescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? "");

/** Every address in the feed: url="", href="" attributes and <link>, <guid> texts. */
function addresses(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/\s(?:url|href)\s*=\s*"([^"]*)"/g)) out.push(xmlUnescape(m[1] ?? ""));
  for (const m of xml.matchAll(/<(link|guid)(?:\s[^>]*)?>([^<]*)<\/\1>/g)) out.push(xmlUnescape(m[2] ?? ""));
  return out;
}

export function checkFeed(f: FeedToCheck): VerificationRow {
  const problems: string[] = [];
  if (f.url === undefined) {
    // A run removes the feed once its calls are published; until then it is the last run's.
    if (!f.stale) problems.push("the site settings give no url:, so no feed should be there (run redact to remove it)");
    return checkRow(null, "feed.xml", problems, "left as it is: the run removes it, as the site settings give no url:");
  }
  const site = f.url;
  const all = addresses(f.text);
  for (const a of all) if (!a.startsWith(site)) problems.push(`it refers to ${JSON.stringify(a)}, outside ${site}`);
  const items = [...f.text.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => m[1] ?? "");
  const own = (name: string): boolean => name === f.call || name.startsWith(`${f.call}.`);
  const mine = items.filter((item) =>
    addresses(item).some((a) => a.startsWith(site) && own(decodeURIComponent(a.slice(site.length)))),
  );
  if (!f.stale) {
    if (mine.length > 1) problems.push(`it has ${mine.length} items for ${f.call}`);
    for (const item of mine) {
      for (const a of addresses(item)) {
        const file = decodeURIComponent(a.slice(site.length));
        if (a.startsWith(site) && own(file) && !f.published(file)) {
          problems.push(`its item for ${f.call} refers to ${file}, which is not a file the call publishes`);
        }
      }
      const enclosure = /<enclosure\s+url="([^"]*)"\s+length="(\d+)"/.exec(item);
      if (!enclosure) problems.push(`its item for ${f.call} has no enclosure with a length`);
      else {
        const file = decodeURIComponent(xmlUnescape(enclosure[1] ?? "").slice(site.length));
        const size = f.size(file);
        if (size !== undefined && String(size) !== enclosure[2]) {
          problems.push(`its item for ${f.call} gives ${file} ${enclosure[2]} bytes; the file has ${size}`);
        }
      }
    }
  }
  return checkRow(
    null,
    "feed.xml",
    problems,
    `${plural(all.length, "address", "addresses")}, all under ${site}${f.stale ? "" : mine.length === 1 ? `; the item for ${f.call} links to its own files, its audio's length as published` : `; no item for ${f.call} yet`}`,
  );
}
