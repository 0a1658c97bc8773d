/**
 * The transcript on a call's page: the published cues (the same as out/<call>.vtt), each with its time
 * as a link that plays the recording from there, its words, and each redacted stretch as its placeholder
 * in the category's colour. Readable as it is, without the script: a list of lines, and links that open
 * the audio at each line's time. With the script (PANEL_SCRIPT), the line being played is highlighted and
 * scrolled into view within the panel, and choosing a line or a word moves the player there.
 *
 * Pure: cues in, HTML out. Everything from the transcript goes through esc(); the placeholders' colours
 * are classes of the page's one style block (placeholderRules), like the swatches.
 */
import type { Cue } from "../transcript/captions.ts";
import { esc } from "./html.ts";

export interface PageTranscript {
  /** The WebVTT file beside the page: call4.vtt. */
  readonly file: string;
  readonly cues: readonly Cue[];
  /** The transcript's language (BCP 47), when it says. */
  readonly language?: string;
}

export interface PanelOptions {
  /** The audio a line's link opens without the script (the MP3), and the media fragment's time. */
  readonly fallbackAudio?: string;
  /** The legend position of a category (its colour class), and what its tone is, for a placeholder's title. */
  readonly categoryIndex: (name: string) => number;
  readonly categoryTitle: (name: string) => string;
}

/** The class that colours a placeholder of the category at `index` in the page's legend. */
export const placeholderClass = (index: number): string => `ph-${index}`;

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** One rule per legend category: a placeholder is tinted with its category's colour and marked at its left. */
export function placeholderRules(colours: readonly string[]): string {
  return colours
    .map((colour, i) => {
      if (!HEX_COLOUR.test(colour)) throw new Error(`placeholderRules: "${colour}" is not a #rgb or #rrggbb colour`);
      return `.${placeholderClass(i)} { background: color-mix(in srgb, ${colour} 22%, transparent); box-shadow: inset 3px 0 ${colour}; }\n`;
    })
    .join("");
}

/** `0:04`, `1:02:03`: a line's time as players show it. */
const clockMs = (ms: number): string => {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
};

const seconds = (ms: number): string => String(ms / 1000);

export function renderTranscriptPanel(t: PageTranscript, o: PanelOptions): string {
  let lastSpeaker: string | undefined;
  const items = t.cues.map((c) => {
    const href = o.fallbackAudio ? `${o.fallbackAudio}#t=${(c.startMs / 1000).toFixed(3)}` : "#";
    const at = `<a class="at" href="${esc(href)}">${clockMs(c.startMs)}</a>`;
    const when = `data-start="${seconds(c.startMs)}" data-end="${seconds(c.endMs)}"`;
    if (c.kind === "placeholder") {
      const i = o.categoryIndex(c.category);
      return (
        `<li class="redacted-line" ${when}>${at} <span class="line">` +
        `<span class="redacted ${placeholderClass(i)}" title="${esc(o.categoryTitle(c.category))}">${esc(c.text)}</span></span></li>`
      );
    }
    const who = c.speaker !== undefined && c.speaker !== lastSpeaker ? `<b class="who">${esc(c.speaker)}:</b> ` : "";
    lastSpeaker = c.speaker ?? lastSpeaker;
    const words = c.words.map((w) => `<span class="w" data-start="${seconds(w.startMs)}">${esc(w.text)}</span>`);
    return `<li ${when}>${at} <span class="line">${who}${words.join(" ")}</span></li>`;
  });
  const lang = t.language ? ` lang="${esc(t.language)}"` : "";
  return `<section class="transcript" aria-labelledby="transcript-heading">
<h2 id="transcript-heading">Transcript</h2>
<p class="meta">${t.cues.some((c) => c.kind === "placeholder") ? "Redacted words are replaced by their category. " : ""}Choose a time or a word to play from there. <a href="${esc(t.file)}" download>WebVTT</a></p>
<ol id="transcript" class="cues" aria-labelledby="transcript-heading"${lang}>
${items.join("\n")}
</ol>
</section>`;
}

export const PANEL_STYLE = `
.transcript .cues { list-style: none; margin: 0; padding: 0; max-height: 24rem; overflow-y: auto; position: relative; border: 1px solid var(--line); border-radius: 4px; overscroll-behavior: contain; }
.transcript .cues li { display: flex; gap: .75rem; align-items: baseline; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
.transcript .cues li:last-child { border-bottom: none; }
.transcript .cues li[aria-current="true"] { background: color-mix(in srgb, var(--accent) 14%, transparent); }
.transcript .at { flex: none; min-width: 3.2em; color: var(--accent); font-variant-numeric: tabular-nums; text-decoration: none; }
.transcript .at:hover, .transcript .at:focus { text-decoration: underline; }
.transcript .w { cursor: pointer; }
.transcript .w:hover { text-decoration: underline; }
.transcript .who { font-weight: 600; }
.transcript .redacted { padding: 0 .35em 0 .5em; border-radius: 3px; font-style: italic; }
@media (min-width: 68rem) {
  body.with-transcript { max-width: 78rem; }
  body.with-transcript main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 25rem); column-gap: 2rem; align-items: start; }
  body.with-transcript main > * { grid-column: 1; }
  body.with-transcript main > .transcript { grid-column: 2; grid-row: 1 / span 12; position: sticky; top: 1rem; }
  body.with-transcript .transcript .cues { max-height: calc(100vh - 9rem); }
}
`;

/**
 * The line being played, highlighted and scrolled into view within the panel (not while the reader has just
 * scrolled it themselves); a line or a word chosen moves the player there and plays.
 */
export const PANEL_SCRIPT = `
(() => {
  const player = document.getElementById("player");
  const list = document.getElementById("transcript");
  if (!player || !list) return;
  const lines = Array.from(list.children);
  const starts = lines.map((li) => Number(li.dataset.start));
  const ends = lines.map((li) => Number(li.dataset.end));
  let current = -1;
  let quietUntil = 0;
  const find = (t) => {
    let lo = 0, hi = starts.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (starts[mid] <= t) lo = mid + 1; else hi = mid; }
    for (let i = lo - 1; i >= 0 && i >= lo - 3; i--) if (t < ends[i]) return i;
    return -1;
  };
  const show = () => {
    const i = find(player.currentTime || 0);
    if (i === current) return;
    if (current >= 0) lines[current].removeAttribute("aria-current");
    current = i;
    if (i < 0) return;
    const li = lines[i];
    li.setAttribute("aria-current", "true");
    if (Date.now() < quietUntil) return;
    if (li.offsetTop < list.scrollTop || li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, li.offsetTop - list.clientHeight / 3);
    }
  };
  const quiet = () => { quietUntil = Date.now() + 4000; };
  for (const ev of ["wheel", "touchstart", "keydown"]) list.addEventListener(ev, quiet, { passive: true });
  list.addEventListener("click", (e) => {
    const target = e.target.closest("[data-start]");
    if (!target || !list.contains(target)) return;
    e.preventDefault();
    quietUntil = 0;
    player.currentTime = Number(target.dataset.start);
    show();
    player.play().catch(() => {});
  });
  let frame = 0;
  const tick = () => { show(); frame = player.paused ? 0 : requestAnimationFrame(tick); };
  player.addEventListener("play", () => { if (!frame) frame = requestAnimationFrame(tick); });
  for (const ev of ["timeupdate", "seeked", "pause", "ended", "loadedmetadata"]) player.addEventListener(ev, show);
  show();
})();
`;
