/**
 * The site's feed, out/feed.xml: RSS 2.0, one item per published call, newest first, each with its page
 * as link, its audio as enclosure (length in bytes, type), its duration (itunes:duration) and, when it
 * has one, its redacted transcript as a Podcasting 2.0 `podcast:transcript` (`type="text/vtt"`,
 * `rel="captions"`). Every link is absolute, made from the site's `url:`. Pure: data in, XML out.
 */

export interface FeedItem {
  readonly title: string;
  /** The call's page, audio and transcript as names in out/ (call4.html, call4.mp3, call4.vtt). */
  readonly page: string;
  readonly audio: { readonly file: string; readonly type: string; readonly bytes: number };
  readonly transcript?: string;
  readonly durationSeconds: number;
  readonly redactions: number;
  /** When the call was made (the manifest's `date:`), else when it was published. */
  readonly date: Date;
}

export interface FeedData {
  readonly title: string;
  readonly description?: string;
  /** The site's address, ending in `/`. */
  readonly url: string;
  readonly generator: string;
  /** Newest first. */
  readonly items: readonly FeedItem[];
}

/** Text for XML: the five special characters escaped, and characters XML 1.0 cannot hold replaced by U+FFFD. */
export function xmlText(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const allowed =
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      (c >= 0x20 && c <= 0xd7ff && !(c >= 0x202a && c <= 0x202e) && !(c >= 0x2066 && c <= 0x2069)) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000;
    if (!allowed) out += "\ufffd";
    else if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&apos;";
    else out += ch;
  }
  return out;
}

/** `1:02:03`, `0:54`: itunes:duration's [[h:]mm:]ss. */
export function feedDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

export function renderFeed(d: FeedData): string {
  const at = (file: string): string => xmlText(d.url + encodeURIComponent(file));
  const items = d.items.map((i) => {
    const lines = [
      "<item>",
      `<title>${xmlText(i.title)}</title>`,
      `<link>${at(i.page)}</link>`,
      `<guid isPermaLink="true">${at(i.page)}</guid>`,
      `<description>${xmlText(`${feedDuration(i.durationSeconds)} · ${plural(i.redactions, "redaction")}`)}</description>`,
      `<pubDate>${i.date.toUTCString()}</pubDate>`,
      `<enclosure url="${at(i.audio.file)}" length="${i.audio.bytes}" type="${xmlText(i.audio.type)}"/>`,
      `<itunes:duration>${feedDuration(i.durationSeconds)}</itunes:duration>`,
      ...(i.transcript ? [`<podcast:transcript url="${at(i.transcript)}" type="text/vtt" rel="captions"/>`] : []),
      "</item>",
    ];
    return lines.join("\n");
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
<title>${xmlText(d.title)}</title>
<link>${xmlText(d.url)}</link>
<description>${xmlText(d.description ?? d.title)}</description>
<atom:link href="${at("feed.xml")}" rel="self" type="application/rss+xml"/>
<generator>${xmlText(d.generator)}</generator>
${items.join("\n")}${items.length > 0 ? "\n" : ""}</channel>
</rss>
`;
}
