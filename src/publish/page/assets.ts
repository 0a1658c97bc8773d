/**
 * The page's own style and script, inlined into every page: no external
 * requests, and the pages work from file:// as from any static host.
 */

export const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fdfdfc; --muted: #5a5a5a; --line: #d8d8d4; --accent: #0b57d0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #ececea; --bg: #161616; --muted: #a9a9a4; --line: #3a3a38; --accent: #8ab4f8; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 50rem; padding: 1rem; font: 1.0625rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, .waveform:focus-visible, audio:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.meta, .back, .downloads { color: var(--muted); margin: .25rem 0; }
audio { display: block; width: 100%; margin: 1rem 0 .75rem; }
figure { margin: 0; }
.waveform { display: block; width: 100%; height: 7rem; color: var(--fg); background: color-mix(in srgb, var(--fg) 4%, transparent); border: 1px solid var(--line); border-radius: 4px; cursor: pointer; touch-action: manipulation; }
.waveform .wave { fill: currentColor; opacity: .8; }
.waveform .region { fill-opacity: .35; stroke-opacity: .75; stroke-width: 1.5px; vector-effect: non-scaling-stroke; }
.waveform .playhead { stroke: var(--accent); stroke-width: 2px; vector-effect: non-scaling-stroke; }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: .875rem; font-variant-numeric: tabular-nums; }
figcaption { margin-top: .5rem; }
.legend { list-style: none; padding: 0; margin: .25rem 0 0; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px; vertical-align: -.1em; margin-right: .4em; opacity: .8; }
.redactions { padding-left: 0; list-style: none; margin: 0; }
.redactions li { border-bottom: 1px solid var(--line); }
.redactions a { display: flex; flex-wrap: wrap; gap: 0 .75rem; padding: .6rem .25rem; text-decoration: none; color: inherit; min-height: 2.75rem; align-items: center; }
.redactions a:hover .when, .redactions a:focus .when { text-decoration: underline; }
.redactions .when { color: var(--accent); font-variant-numeric: tabular-nums; }
.redactions .length { color: var(--muted); }
.redactions li[aria-current="true"] { background: color-mix(in srgb, var(--accent) 12%, transparent); }
.calls { list-style: none; padding: 0; }
.calls li { padding: .75rem 0; border-bottom: 1px solid var(--line); }
.calls a { font-size: 1.15rem; }
.intro { margin: .5rem 0 1rem; }
.none { color: var(--muted); }
`;

/** A colour as CSS takes it literally: CSS text cannot be escaped the way esc() escapes HTML. */
const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** The class that gives a swatch the colour of the category at `index` in the page's legend. */
export const swatchClass = (index: number): string => `cat-${index}`;

/**
 * One rule per legend category, appended to the call page's style: the swatches take their colour from a
 * class rather than a style="" attribute, which the page's hash-based style-src would block. Classes are
 * numbered by legend position, not named after categories, whose names are the manifest's to choose.
 */
export function swatchRules(colours: readonly string[]): string {
  return colours
    .map((colour, i) => {
      if (!HEX_COLOUR.test(colour)) throw new Error(`swatchRules: "${colour}" is not a #rgb or #rrggbb colour`);
      return `.${swatchClass(i)} { background: ${colour}; }\n`;
    })
    .join("");
}

/** Seeking from the list and the waveform, the playhead, and the current range. */
export const SCRIPT = `
(() => {
  const player = document.getElementById("player");
  const wave = document.getElementById("waveform");
  const head = document.getElementById("playhead");
  if (!player || !wave || !head) return;
  const duration = Number(wave.dataset.duration);
  const columns = Number(wave.dataset.columns);
  const items = Array.from(document.querySelectorAll(".redactions li"));
  const pad = (n, w) => String(n).padStart(w, "0");
  const time = (t) => {
    const ms = Math.round(Math.max(0, t) * 1000);
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    return (h ? h + ":" + pad(m, 2) : String(m)) + ":" + pad(s, 2) + "." + pad(ms % 1000, 3);
  };
  const total = time(duration);
  const seek = (t) => { player.currentTime = Math.min(Math.max(t, 0), duration); show(); };
  const show = () => {
    const t = player.currentTime || 0;
    const x = String(Math.min(t / duration, 1) * columns);
    head.setAttribute("x1", x);
    head.setAttribute("x2", x);
    wave.setAttribute("aria-valuenow", t.toFixed(3));
    wave.setAttribute("aria-valuetext", time(t) + " of " + total);
    for (const li of items) {
      const a = li.querySelector("a");
      const inside = t >= Number(a.dataset.start) && t < Number(a.dataset.end);
      if (inside) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
    }
  };
  for (const li of items) {
    const a = li.querySelector("a");
    a.addEventListener("click", (e) => {
      e.preventDefault();
      seek(Number(a.dataset.start));
      player.play().catch(() => {});
    });
  }
  wave.addEventListener("click", (e) => {
    const r = wave.getBoundingClientRect();
    if (r.width > 0) seek(((e.clientX - r.left) / r.width) * duration);
  });
  wave.addEventListener("keydown", (e) => {
    const t = player.currentTime || 0;
    const steps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 };
    if (e.key in steps) seek(t + steps[e.key]);
    else if (e.key === "Home") seek(0);
    else if (e.key === "End") seek(duration);
    else if (e.key === " " || e.key === "Enter") { if (player.paused) player.play().catch(() => {}); else player.pause(); }
    else return;
    e.preventDefault();
  });
  let frame = 0;
  const tick = () => { show(); frame = player.paused ? 0 : requestAnimationFrame(tick); };
  player.addEventListener("play", () => { if (!frame) frame = requestAnimationFrame(tick); });
  for (const ev of ["timeupdate", "seeked", "pause", "ended", "loadedmetadata"]) player.addEventListener(ev, show);
  show();
})();
`;
