/**
 * The call's waveform: wavesurfer.js (its regions, timeline and minimap plugins) playing the studio's decode
 * of the recording, and drawing peaks the server computed from that same decode. wavesurfer.js lays out,
 * scrolls, zooms and plays; what each of its canvases shows is drawn here (renderFunction) from the
 * server's peaks at the resolution the zoom needs: min/max columns of 64 to 65,536 frames, and single
 * samples when zoomed in further. Blocks of peaks are fetched as they come into view.
 */

import MinimapPlugin from "/vendor/minimap.esm.js";
import RegionsPlugin from "/vendor/regions.esm.js";
import TimelinePlugin from "/vendor/timeline.esm.js";
import WaveSurfer from "/vendor/wavesurfer.esm.js";
import { bytes } from "./api.js";
import { clock } from "./format.js";

/** Blocks of peaks kept in memory (a block is 8,192 columns, 32 KB). */
const MAX_BLOCKS = 512;
/** The deepest zoom: pixels per sample. */
const MAX_PX_PER_SAMPLE = 24;
/** Browsers lay out nothing wider than about 33 million pixels; wavesurfer.js scrolls one wide element. */
const MAX_LAYOUT_PX = 30_000_000;

/** Peaks of one call: blocks fetched from the server, kept by level and number. */
export class PeakStore {
  constructor(call, recording, onArrive) {
    this.call = call;
    this.rec = recording;
    this.onArrive = onArrive;
    this.blocks = new Map();
    this.pending = new Set();
  }

  /** Frames per column of level `level` (0: single frames). */
  width(level) {
    return level === 0 ? 1 : this.rec.levels[level - 1].framesPerColumn;
  }

  /** The coarsest level whose columns are no wider than `framesPerPixel` (at least one column a pixel). */
  levelFor(framesPerPixel) {
    let level = 0;
    this.rec.levels.forEach((l, i) => {
      if (l.framesPerColumn <= framesPerPixel) level = i + 1;
    });
    return level;
  }

  /** The block's columns (Int16Array of min, max pairs), or undefined (fetched, then onArrive). */
  block(level, number) {
    const key = `${level}:${number}`;
    const have = this.blocks.get(key);
    if (have) {
      this.blocks.delete(key); // most recently used last
      this.blocks.set(key, have);
      return have;
    }
    if (!this.pending.has(key)) {
      this.pending.add(key);
      bytes(`/api/calls/${encodeURIComponent(this.call)}/peaks/${level}/${number}`)
        .then(({ buffer }) => {
          this.blocks.set(key, new Int16Array(buffer));
          while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value);
          this.onArrive();
        })
        .catch(() => {})
        .finally(() => this.pending.delete(key));
    }
    return undefined;
  }

  /** Min and max over columns [c0, c1) of a level, or undefined when a block is missing. */
  extent(level, c0, c1) {
    const per = this.rec.blockColumns;
    let lo = 32767;
    let hi = -32768;
    for (let c = c0; c < c1; ) {
      const b = Math.floor(c / per);
      const data = this.block(level, b);
      if (!data) return undefined;
      const end = Math.min(c1, (b + 1) * per);
      for (let k = c - b * per; k < end - b * per; k++) {
        const mn = data[2 * k];
        const mx = data[2 * k + 1];
        if (mn === undefined) break;
        if (mn < lo) lo = mn;
        if (mx > hi) hi = mx;
      }
      c = end;
    }
    return lo > hi ? undefined : [lo / 32768, hi / 32768];
  }

  /** Whether every block for columns [c0, c1) of a level is here (asking for those that are not). */
  ready(level, c0, c1) {
    const per = this.rec.blockColumns;
    let all = true;
    for (let b = Math.floor(c0 / per); b <= Math.floor(Math.max(c0, c1 - 1) / per); b++) {
      if (!this.block(level, b)) all = false;
    }
    return all;
  }
}

/** Draw min/max columns across a canvas: `extentAt(x)` gives [min, max] for device pixel x, or undefined. */
function drawColumns(ctx, extentAt, gain) {
  const { width, height } = ctx.canvas;
  const mid = height / 2;
  for (let x = 0; x < width; x++) {
    const e = extentAt(x);
    if (!e) continue;
    const top = mid - Math.min(1, e[1] * gain) * mid;
    const bottom = mid - Math.max(-1, e[0] * gain) * mid;
    ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
}

/** The waveform of one call: the player, its regions, and the drawing of its canvases. */
export class Wave {
  constructor({ call, recording, nonce, elements, height }) {
    this.height = height;
    this.call = call;
    this.rec = recording;
    this.rate = recording.sampleRate;
    this.frames = recording.frames;
    this.duration = this.frames / this.rate;
    this.el = elements;
    this.gain = 1;
    this.store = new PeakStore(call, recording, () => this.redrawSoon());
    this.overview = null;
    this.nonce = nonce;
    this.ws = null;
    this.regions = null;
  }

  /** Fetch the overview's peaks, then make the player. Resolves when it is drawn. */
  async create() {
    // The overview: the finest level with at most 8,000 columns (the minimap and the first drawing).
    const levels = this.rec.levels;
    let level = levels.length;
    for (let i = 0; i < levels.length; i++) {
      if (levels[i].columns <= 8000) {
        level = i + 1;
        break;
      }
    }
    const columns = levels[level - 1].columns;
    const blocks = Math.ceil(columns / this.rec.blockColumns);
    const parts = await Promise.all(
      Array.from({ length: blocks }, (_, b) =>
        bytes(`/api/calls/${encodeURIComponent(this.call)}/peaks/${level}/${b}`).then((r) => new Int16Array(r.buffer)),
      ),
    );
    const min = new Float32Array(columns);
    const max = new Float32Array(columns);
    let peak = 0;
    let c = 0;
    for (const part of parts) {
      for (let k = 0; k + 1 < part.length && c < columns; k += 2, c++) {
        min[c] = part[k] / 32768;
        max[c] = part[k + 1] / 32768;
        peak = Math.max(peak, -min[c], max[c]);
      }
    }
    this.overview = { min, max };
    // The loudest peak fills the height (a quiet recording is still readable), at most 8 times louder.
    this.gain = peak > 0 ? Math.min(8, 0.95 / peak) : 1;

    this.regions = RegionsPlugin.create();
    const style = getComputedStyle(document.documentElement);
    const wave = style.getPropertyValue("--wave").trim() || "#555";
    const played = style.getPropertyValue("--wave-played").trim() || "#333";
    const cursor = style.getPropertyValue("--accent").trim() || "#0b57d0";
    this.ws = WaveSurfer.create({
      container: this.el.wave,
      height: this.height,
      waveColor: wave,
      progressColor: played,
      cursorColor: cursor,
      cursorWidth: 2,
      url: `/api/calls/${encodeURIComponent(this.call)}/audio.wav`,
      peaks: [max, min],
      duration: this.duration,
      minPxPerSec: 0,
      fillParent: true,
      autoScroll: true,
      autoCenter: false,
      dragToSeek: false,
      normalize: false,
      cspNonce: this.nonce,
      renderFunction: (_peaks, ctx) => this.draw(ctx),
      plugins: [
        this.regions,
        MinimapPlugin.create({
          container: this.el.overview,
          height: 44,
          waveColor: wave,
          progressColor: played,
          cursorColor: cursor,
          overlayColor: "rgba(11, 87, 208, 0.18)",
          cspNonce: this.nonce,
          renderFunction: (peaks, ctx) => this.drawOverview(peaks, ctx),
        }),
      ],
    });
    await new Promise((resolve, reject) => {
      this.ws.once("ready", resolve);
      this.ws.once("error", reject);
    });
    this.fitTimeline();
    this.ws.on("zoom", () => this.fitTimeline());
    this.ws.on("resize", () => this.fitTimeline());
    return this;
  }

  /**
   * The timeline, with notches and labels spaced for the zoom: wavesurfer.js's own spacing stops at one
   * notch a second, which shows none when a second is thousands of pixels wide. Made again when it changes.
   * (Zoomed in very far on a long call, notches are still sparse: the loupe and the position give the time.)
   */
  fitTimeline() {
    const px = this.pxPerSec();
    if (!px) return;
    // Steps of 1, 2, 5 under a second, then as clocks count: seconds, minutes.
    const steps = [];
    for (let e = -5; e < 0; e++) for (const m of [1, 2, 5]) steps.push(m * 10 ** e);
    steps.push(1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200);
    const us = (v) => Math.round(v * 1e6);
    // The plugin makes an element per notch over the whole call: at most 10,000 of them.
    const notch = steps.find((v) => v * px >= 10 && this.duration / v <= 10_000) ?? 7200;
    const label = steps.find((v) => v * px >= 70 && us(v) % us(notch) === 0) ?? notch * 10;
    if (this.timeline && this.timelineLabel === label) return;
    this.timeline?.destroy();
    this.timelineLabel = label;
    const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(label) - 1e-9)));
    this.timeline = this.ws.registerPlugin(
      TimelinePlugin.create({
        height: 20,
        timeInterval: notch,
        primaryLabelInterval: label,
        secondaryLabelInterval: label,
        formatTimeCallback: (s) => clock(s, decimals),
      }),
    );
  }

  /** Pixels per second the waveform is drawn at now. */
  pxPerSec() {
    const wrapper = this.ws?.getWrapper();
    return wrapper ? wrapper.clientWidth / this.duration : 0;
  }

  /** The deepest zoom: MAX_PX_PER_SAMPLE a sample, unless the page would be too wide to lay out. */
  maxPxPerSec() {
    return Math.min(this.rate * MAX_PX_PER_SAMPLE, MAX_LAYOUT_PX / this.duration);
  }

  /** The fit-the-width zoom. */
  fitPxPerSec() {
    return this.ws.getWidth() / this.duration;
  }

  /** Zoom so that `pxPerSec` holds (0: the whole call), keeping `sample` where it is on screen. */
  zoomTo(pxPerSec, sample) {
    const before = this.pxPerSec();
    const fit = this.fitPxPerSec();
    const target = Math.max(fit, Math.min(this.maxPxPerSec(), pxPerSec || fit));
    const t = sample / this.rate;
    const onScreen = t * before - this.ws.getScroll();
    this.ws.zoom(target <= fit * 1.0001 ? 0 : target);
    this.ws.setScroll(Math.max(0, t * this.pxPerSec() - Math.max(0, Math.min(onScreen, this.ws.getWidth()))));
  }

  redrawSoon() {
    if (this.redrawQueued || !this.ws) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      this.ws.getRenderer().reRender();
    });
  }

  /**
   * One canvas of the detail view: which frames it covers follows from where wavesurfer put it (it sets the
   * canvas's left and width before calling renderFunction; package.json pins the version that does).
   */
  draw(ctx) {
    const canvas = ctx.canvas;
    const total = this.ws?.getWrapper().clientWidth || canvas.width;
    const left = Number.parseFloat(canvas.style.left) || 0;
    const cssWidth = Number.parseFloat(canvas.style.width) || canvas.width;
    const f0 = (left / total) * this.frames;
    const f1 = ((left + cssWidth) / total) * this.frames;
    const perPixel = (f1 - f0) / canvas.width;
    ctx.strokeStyle = ctx.fillStyle;
    const level = this.store.levelFor(perPixel);
    const w = this.store.width(level);
    const c0 = Math.max(0, Math.floor(f0 / w) - 1);
    const c1 = Math.min(Math.ceil(this.frames / w), Math.ceil(f1 / w) + 1);
    if (!this.store.ready(level, c0, c1)) {
      this.drawOverview([this.overviewSlice(f0, f1, 1), this.overviewSlice(f0, f1, 0)], ctx);
      return;
    }
    if (perPixel >= 1) {
      drawColumns(
        ctx,
        (x) => {
          const a = Math.floor((f0 + x * perPixel) / w);
          const b = Math.max(a + 1, Math.ceil((f0 + (x + 1) * perPixel) / w));
          return this.store.extent(level, a, Math.min(b, c1));
        },
        this.gain,
      );
      return;
    }
    // Fewer frames than pixels: each sample where it is, joined by lines; dots when there is room.
    const { height } = canvas;
    const mid = height / 2;
    const y = (v) => mid - Math.max(-1, Math.min(1, (v / 32768) * this.gain)) * mid;
    const first = Math.max(0, Math.floor(f0) - 1);
    const last = Math.min(this.frames - 1, Math.ceil(f1) + 1);
    const xOf = (i) => (i + 0.5 - f0) / perPixel;
    const pxPerSample = 1 / perPixel;
    for (const which of this.rec.channels > 1 ? [0, 1] : [1]) {
      ctx.beginPath();
      for (let i = first; i <= last; i++) {
        const data = this.store.block(0, Math.floor(i / this.rec.blockColumns));
        const k = i % this.rec.blockColumns;
        const v = data?.[2 * k + which];
        if (v === undefined) continue;
        if (i === first) ctx.moveTo(xOf(i), y(v));
        else ctx.lineTo(xOf(i), y(v));
      }
      ctx.lineWidth = Math.max(1, window.devicePixelRatio || 1);
      ctx.stroke();
    }
    if (pxPerSample >= 6) {
      for (let i = first; i <= last; i++) {
        const data = this.store.block(0, Math.floor(i / this.rec.blockColumns));
        const k = i % this.rec.blockColumns;
        const v = data?.[2 * k + 1];
        if (v === undefined) continue;
        ctx.fillRect(xOf(i) - 2, y(v) - 2, 4, 4);
      }
    }
  }

  /** The overview's columns over frames [f0, f1): channel 1 the maxima, 0 the minima. */
  overviewSlice(f0, f1, which) {
    const src = which === 1 ? this.overview.max : this.overview.min;
    const n = src.length;
    const a = Math.max(0, Math.floor((f0 / this.frames) * n));
    const b = Math.min(n, Math.max(a + 1, Math.ceil((f1 / this.frames) * n)));
    return src.subarray(a, b);
  }

  /** min/max columns given as [max[], min[]] spread over the canvas (the minimap, and a detail view still loading). */
  drawOverview(peaks, ctx) {
    const [max, min] = peaks;
    const n = max?.length ?? 0;
    if (n === 0) return;
    const width = ctx.canvas.width;
    drawColumns(
      ctx,
      (x) => {
        const a = Math.floor((x / width) * n);
        const b = Math.max(a + 1, Math.floor(((x + 1) / width) * n));
        let lo = 1;
        let hi = -1;
        for (let k = a; k < Math.min(b, n); k++) {
          if (min[k] < lo) lo = min[k];
          if (max[k] > hi) hi = max[k];
        }
        return lo > hi ? undefined : [lo, hi];
      },
      this.gain,
    );
  }
}

/**
 * The loupe: the samples around one point (a range's edge, or the playhead), one by one, whatever the zoom
 * of the waveform: on an hour's recording the detail view cannot be laid out at a sample a few pixels wide.
 */
export function drawLoupe(canvas, store, rec, gain, sample, colour) {
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = canvas.clientWidth;
  const cssHeight = canvas.clientHeight;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const span = Math.max(16, Math.floor(cssWidth / 8)); // samples shown: 8 CSS pixels each
  const first = Math.max(0, sample - Math.floor(span / 2));
  const last = Math.min(rec.frames, first + span);
  const per = rec.blockColumns;
  const style = getComputedStyle(canvas);
  const { width, height } = canvas;
  const mid = height / 2;
  const step = width / span;
  const x = (i) => (i - first + 0.5) * step;
  const y = (v) => mid - Math.max(-1, Math.min(1, (v / 32768) * gain)) * mid * 0.9;
  ctx.fillStyle = style.getPropertyValue("--line").trim() || "#ccc";
  ctx.fillRect(0, mid, width, Math.max(1, ratio));
  let missing = false;
  ctx.strokeStyle = style.color;
  ctx.fillStyle = style.color;
  ctx.lineWidth = ratio;
  ctx.beginPath();
  for (let i = first; i < last; i++) {
    const data = store.block(0, Math.floor(i / per));
    if (!data) {
      missing = true;
      continue;
    }
    const v = data[2 * (i % per) + 1];
    if (i === first) ctx.moveTo(x(i), y(v));
    else ctx.lineTo(x(i), y(v));
  }
  ctx.stroke();
  for (let i = first; i < last; i++) {
    const data = store.block(0, Math.floor(i / per));
    if (!data) continue;
    ctx.fillRect(x(i) - 2 * ratio, y(data[2 * (i % per) + 1]) - 2 * ratio, 4 * ratio, 4 * ratio);
  }
  // The edge: between sample - 1 and sample (a range starts at its first sample and ends before `end`).
  ctx.fillStyle = colour;
  ctx.fillRect((sample - first) * step - ratio, 0, 2 * ratio, height);
  return !missing;
}
