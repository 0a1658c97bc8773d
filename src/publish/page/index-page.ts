/**
 * The index, out/index.html: every published call with its title, length and
 * number of redactions, linking to its page. Pure: data in, HTML out.
 */
import { STYLE } from "./assets.ts";
import { clock, esc, inlineStyle, plural, policyMeta } from "./html.ts";

export interface IndexEntry {
  readonly title: string;
  /** The call's page (call4.html), or its first audio file for a call published without a page. */
  readonly href: string;
  readonly durationSeconds: number;
  /** Merged ranges: each one tone the listener hears. */
  readonly redactions: number;
}

export interface IndexPageData {
  readonly siteTitle: string;
  readonly description?: string;
  readonly calls: readonly IndexEntry[];
  /** The site's feed beside the index (feed.xml), when it has one: linked for readers and feed readers. */
  readonly feed?: string;
}

export function renderIndexPage(d: IndexPageData): string {
  const items = d.calls.map(
    (c) =>
      `<li><a href="${esc(c.href)}">${esc(c.title)}</a>` +
      `<div class="meta">${clock(c.durationSeconds)} · ${plural(c.redactions, "redaction")}</div></li>`,
  );
  const intro = d.description
    ? d.description
        .split(/\n\s*\n/)
        .map((p) => `<p class="intro">${esc(p.trim())}</p>`)
        .join("\n")
    : "";
  const style = inlineStyle(STYLE);
  // No script and no audio here: the policy allows the style alone (and the empty favicon).
  return `<!doctype html>
<html lang="en">
<head>
${policyMeta({ styles: [style] })}
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(d.siteTitle)}</title>
${d.feed ? `<link rel="alternate" type="application/rss+xml" title="${esc(d.siteTitle)}" href="${esc(d.feed)}">\n` : ""}${style.html}
</head>
<body>
<header>
<h1>${esc(d.siteTitle)}</h1>
${intro}
</header>
<main>
${
  items.length > 0
    ? `<ol class="calls" aria-label="Calls">\n${items.join("\n")}\n</ol>`
    : `<p class="none">No calls are published yet.</p>`
}
${d.feed ? `<p class="meta">Follow the calls in a podcast app or feed reader: <a href="${esc(d.feed)}">RSS feed</a>, with the transcripts.</p>\n` : ""}</main>
</body>
</html>
`;
}
