/**
 * A call's page, out/<call>.html: the title, a player offering every
 * published format, the waveform with the redacted ranges shaded, a legend of
 * the tones, the redacted transcript when the call has one (transcript-panel.ts;
 * also the player's captions track), and the list of redactions, each a link
 * that seeks the player.
 * One self-contained file (inline style, script and SVG): no external
 * requests, works from file:// and from any static host. Its
 * Content-Security-Policy allows only its own inline style and script (by
 * hash) and the audio beside it, so there are no style="" attributes and no
 * inline event handlers: colours come from classes, behaviour from the one
 * script. Pure: data in, HTML out. The manifest's private notes are not part
 * of the data at all.
 */
import type { Peaks } from "../../dsp/peaks.ts";
import { formatTime } from "../../manifest/time.ts";
import { SCRIPT, STYLE, swatchClass, swatchRules } from "./assets.ts";
import { clock, esc, inlineScript, inlineStyle, plural, policyMeta } from "./html.ts";
import {
  PANEL_SCRIPT,
  PANEL_STYLE,
  type PageTranscript,
  placeholderRules,
  renderTranscriptPanel,
} from "./transcript-panel.ts";
import { renderWaveform } from "./waveform.ts";

export interface PageCategory {
  readonly name: string;
  readonly frequency: number;
  /** "sensitive information"; the category's name when the manifest gives no label. */
  readonly label: string;
  readonly colour: string;
}

export interface PageRange {
  readonly startSample: number;
  readonly endSample: number;
  readonly category: string;
}

export interface PageAudio {
  /** File name in out/: call4.opus. */
  readonly file: string;
  readonly mimeType: string;
  /** "Opus", "MP3". */
  readonly name: string;
}

export interface CallPageData {
  readonly title: string;
  readonly siteTitle: string;
  readonly sampleRate: number;
  readonly samples: number;
  readonly ranges: readonly PageRange[];
  /** Every category the legend explains, in order; must include every range's category. */
  readonly categories: readonly PageCategory[];
  /** In the order the browser should try them. */
  readonly audio: readonly PageAudio[];
  readonly peaks: Peaks;
  /** The redacted transcript, when the call has one: shown beside the player, and its captions track. */
  readonly transcript?: PageTranscript;
}

/** "440 Hz tone: sensitive information". */
export const legendText = (c: PageCategory): string => `${c.frequency} Hz tone: ${c.label}`;

export function renderCallPage(d: CallPageData): string {
  const byName = new Map(d.categories.map((c, i) => [c.name, { ...c, swatch: swatchClass(i) }]));
  const categoryOf = (name: string): PageCategory & { readonly swatch: string } => {
    const c = byName.get(name);
    if (!c) throw new Error(`renderCallPage: no legend entry for category "${name}"`);
    return c;
  };
  const rate = d.sampleRate;
  const duration = d.samples / rate;
  const firstAudio = d.audio[0];
  // Without the script a link still plays the range: the media fragment opens the audio there.
  const fallback = d.audio.find((a) => a.mimeType === "audio/mpeg") ?? firstAudio;

  const items = d.ranges.map((r) => {
    const c = categoryOf(r.category);
    const start = r.startSample / rate;
    const end = r.endSample / rate;
    const href = fallback ? `${fallback.file}#t=${start.toFixed(3)}` : "#";
    return (
      `<li><a href="${esc(href)}" data-start="${start}" data-end="${end}" data-category="${esc(c.name)}">` +
      `<span class="when">${formatTime(start)} – ${formatTime(end)}</span>` +
      `<span class="what"><span class="swatch ${c.swatch}" aria-hidden="true"></span>${esc(c.label)}</span>` +
      `<span class="length">${((r.endSample - r.startSample) / rate).toFixed(2)} s, ${c.frequency} Hz tone</span>` +
      "</a></li>"
    );
  });
  const legend = d.categories.map(
    (c, i) =>
      `<li data-category="${esc(c.name)}"><span class="swatch ${swatchClass(i)}" aria-hidden="true"></span>${esc(legendText(c))}</li>`,
  );
  const waveform = renderWaveform({
    peaks: d.peaks,
    durationSeconds: duration,
    title: d.title,
    ranges: d.ranges.map((r) => {
      const c = categoryOf(r.category);
      return { ...r, sampleRate: rate, colour: c.colour, label: `${c.label} (${c.frequency} Hz tone)` };
    }),
  });
  const sources = d.audio.map((a) => `<source src="${esc(a.file)}" type="${esc(a.mimeType)}">`);
  const t = d.transcript;
  // The captions track is not loaded until a reader turns it on (no `default`): the page shows the same cues.
  const track = t
    ? [
        `<track kind="captions" src="${esc(t.file)}" label="Transcript (redacted)"${t.language ? ` srclang="${esc(t.language)}"` : ""}>`,
      ]
    : [];
  const panel = t
    ? renderTranscriptPanel(t, {
        ...(fallback ? { fallbackAudio: fallback.file } : {}),
        categoryIndex: (name) => d.categories.findIndex((c) => c.name === name),
        categoryTitle: (name) => {
          const c = categoryOf(name);
          return `${c.label} (${c.frequency} Hz tone)`;
        },
      })
    : "";
  const downloads = d.audio.map((a) => `<a href="${esc(a.file)}" download>${esc(a.name)}</a>`);
  // The one style block holds the swatch colours too: the policy allows it, and nothing else, by its hash.
  const colours = d.categories.map((c) => c.colour);
  const style = inlineStyle(STYLE + swatchRules(colours) + (t ? PANEL_STYLE + placeholderRules(colours) : ""));
  const script = inlineScript(SCRIPT);
  const scripts = t ? [script, inlineScript(PANEL_SCRIPT)] : [script];

  return `<!doctype html>
<html lang="en">
<head>
${policyMeta({ styles: [style], scripts, media: d.audio.length > 0 })}
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(d.title)} – ${esc(d.siteTitle)}</title>
${style.html}
</head>
<body${t ? ' class="with-transcript"' : ""}>
<header>
<p class="back"><a href="index.html">← ${esc(d.siteTitle)}</a></p>
<h1>${esc(d.title)}</h1>
<p class="meta">${clock(duration)} · ${plural(d.ranges.length, "redaction")}</p>
</header>
<main>
<audio id="player" controls preload="metadata" aria-label="Play ${esc(d.title)}">
${[...sources, ...track].join("\n")}
Your browser cannot play this recording here${downloads.length > 0 ? `; download it: ${downloads.join(" · ")}` : ""}.
</audio>
<figure>
${waveform}
<div class="axis" aria-hidden="true"><span>0:00</span><span>${clock(duration)}</span></div>
${
  legend.length > 0
    ? `<figcaption>\n<p>Redacted stretches are replaced by a tone and shaded in its colour:</p>\n<ul class="legend">${legend.join("")}</ul>\n</figcaption>`
    : ""
}
</figure>
${panel ? `${panel}\n` : ""}<h2 id="redactions-heading">Redactions</h2>
${
  items.length > 0
    ? `<p class="meta">Choose one to play the recording from there.</p>\n<ol class="redactions" aria-labelledby="redactions-heading">\n${items.join("\n")}\n</ol>`
    : `<p class="none">Nothing in this call is redacted.</p>`
}
<p class="downloads">Download: ${downloads.join(" · ")}</p>
</main>
${scripts.map((x) => x.html).join("\n")}
</body>
</html>
`;
}
