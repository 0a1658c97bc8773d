/**
 * The studio page: the calls of the project, and one call to mark, check and publish. The server owns the
 * truth (the manifest on disk, checked by the CLI's own code); this page shows it, keeps the edits not yet
 * saved, and sends them. Times are samples of the pipeline's decode of the recording.
 */
import { ApiError, api, bytes, events } from "./api.js";
import { clock, count, length, sampleClock } from "./format.js";
import { drawLoupe, Wave } from "./waveform.js";

const app = document.getElementById("app");
const where = document.getElementById("where");
const toastBox = document.getElementById("toast");
const nonce = document.querySelector('meta[name="studio-nonce"]')?.getAttribute("content") ?? "";

/** Make an element: attributes (never style: the page's policy refuses style attributes), then children. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "className") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Put children in an element, leaving out the absent ones. */
function put(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}

let toastTimer;
function toast(message, kind = "info") {
  toastBox.textContent = message;
  toastBox.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toastBox.className = "";
  }, 5000);
}

const STATE_TEXT = {
  new: "no manifest yet",
  problems: "manifest with problems",
  ready: "ready",
  published: "published, up to date",
  stale: "published, out of date",
};

// ---------------------------------------------------------------------------------------------------------
// The calls

async function showCalls() {
  document.title = "Calls · Studio";
  where.textContent = "";
  put(app, h("p", { className: "muted" }, "Reading the project…"));
  const { calls } = await api("/api/calls");
  const list = h(
    "ul",
    { className: "calls" },
    calls.map((c) =>
      h(
        "li",
        { "data-call": c.call, "data-state": c.state },
        h("a", { href: `/calls/${encodeURIComponent(c.call)}`, className: "call" }, c.call),
        h("span", { className: `state state-${c.state}` }, STATE_TEXT[c.state] ?? c.state),
        c.title ? h("span", { className: "title" }, c.title) : null,
        h(
          "span",
          { className: "detail" },
          [c.recording, c.state === "new" ? null : c.detail].filter(Boolean).join(" · "),
        ),
      ),
    ),
  );
  put(
    app,
    h("h1", {}, "Calls"),
    calls.length === 0 ? h("p", {}, "No recordings in recordings/ and no manifests in redactions/ yet.") : list,
    h(
      "p",
      { className: "muted" },
      "Open a call to mark what to redact. The studio writes redactions/<call>.yaml, and publishes as npm run redact <call> does.",
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// One call

/** Everything about the open call. */
const S = {
  view: null,
  wave: null,
  rate: 1,
  /** Entries being edited: {id, start, end, category, note, startText?, endText?, comment?} by id, in order. */
  entries: new Map(),
  dirty: false,
  selected: null,
  /** The selected range's edge the arrows move: "start" or "end". */
  edge: "end",
  /** Where I put a start with nothing selected, waiting for O. */
  pendingStart: null,
  /** The playhead, in samples. */
  cursor: 0,
  errors: [],
  warnings: [],
  rejected: new Set(),
  newIds: 0,
  checkTimer: null,
  checkSeq: 0,
  publishing: false,
  lastCategory: "sensitive",
};

const categoryOf = (name) => S.view.categories.find((c) => c.name === name);
const colourOf = (name) => categoryOf(name)?.colour ?? "#888888";
const tint = (hex, alpha) => {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
};
const sorted = () => [...S.entries.values()].sort((a, b) => a.start - b.start || a.end - b.end);
const draftOf = () => ({
  base: S.view.manifest.sha256,
  entries: [...S.entries.values()].map((e) => ({
    id: e.id,
    start: e.start,
    end: e.end,
    category: e.category,
    note: e.note || null,
    ...(e.startText ? { startText: e.startText } : {}),
    ...(e.endText ? { endText: e.endText } : {}),
    ...(e.comment ? { comment: e.comment } : {}),
  })),
});
const callPath = (rest = "") => `/api/calls/${encodeURIComponent(S.view.call)}${rest}`;

async function showCall(call) {
  document.title = `${call} · Studio`;
  where.textContent = call;
  S.wave?.ws?.destroy();
  S.wave = null;
  const progress = h("progress", { max: 1 });
  const status = h("p", { className: "muted", role: "status" }, "Opening the call…");
  put(app, h("h1", {}, call), status, progress);
  const view = await events(`/api/calls/${encodeURIComponent(call)}/open`, {}, (name, data) => {
    if (name !== "progress") return;
    status.textContent = `Decoding the recording as npm run redact does (once; it is kept for next time)… ${clock(data.frames / 1000, 0)}`;
    if (data.expected) progress.value = Math.min(1, data.frames / data.expected);
  });
  performance.mark("studio-view"); // for scripts/bench-studio.ts: the server's part is done
  loadView(view);
  await renderCall();
}

/** Take in the call as the server has it (after opening or saving): the edits start from it again. */
function loadView(view) {
  S.view = view;
  S.rate = view.recording?.sampleRate ?? 1;
  S.entries = new Map(view.entries.map((e) => [e.id, { ...e }]));
  S.errors = view.errors;
  S.warnings = view.warnings;
  S.dirty = false;
  if (S.selected && !S.entries.has(S.selected)) S.selected = null;
  S.pendingStart = null;
}

function layout() {
  const v = S.view;
  const editable = v.manifest.editable;
  const keys = h(
    "details",
    { className: "keys" },
    h("summary", {}, "Keys"),
    h(
      "dl",
      {},
      ...[
        ["Space", "play / pause"],
        ["I or [", "start at the playhead (with nothing selected: O then makes the range)"],
        ["O or ]", "end at the playhead"],
        ["← →", "move the selected edge (or the playhead) by 10 ms; with Shift by 1 sample"],
        ["Page Up / Down", "playhead 1 s back / on; Home, End: the call's start, end"],
        ["E", "switch the edge the arrows move"],
        ["↑ ↓", "select the range before / after; Esc: select none"],
        ["C", "next category (Shift+C: previous)"],
        ["P, T", "play the selected range; play it with its tone"],
        ["+ − 0", "zoom in, out, to the whole call"],
        ["Delete", "remove the selected range"],
        ["Ctrl+S", "save"],
      ].flatMap(([k, d]) => [h("dt", {}, k), h("dd", {}, d)]),
    ),
  );
  return h(
    "div",
    { className: "call-view" },
    h(
      "div",
      { className: "call-head" },
      h("h1", {}, v.title ? `${v.call}: ${v.title}` : v.call),
      h(
        "p",
        { className: "muted files" },
        [v.manifest.exists ? v.manifest.file : `${v.manifest.file} (not written yet)`, v.recording?.file]
          .filter(Boolean)
          .join(" · "),
        v.recording
          ? ` · ${count(v.recording.sampleRate)} Hz, ${v.recording.channels} ch, ${clock(v.recording.frames / v.recording.sampleRate)}`
          : "",
      ),
      h(
        "div",
        { className: "actions" },
        h("button", { id: "save", type: "button", onclick: save, disabled: !editable }, "Save"),
        h("button", { id: "reload", type: "button", onclick: reload }, "Reload"),
        h("button", { id: "publish", type: "button", onclick: publish, disabled: !editable }, "Publish"),
        h("span", { id: "dirty", className: "muted" }),
      ),
    ),
    h("div", { id: "conflict", className: "banner", hidden: true }),
    h("ul", { id: "problems", className: "problems" }),
    v.recording
      ? h(
          "section",
          { className: "wave-box", "aria-label": "Waveform" },
          h("div", { id: "overview", className: "overview" }),
          h("div", { id: "marks", className: "marks", "aria-hidden": "true" }),
          h("div", {
            id: "wave",
            className: "wave",
            tabindex: "0",
            role: "application",
            "aria-label":
              "Waveform. Space plays; I and O set a range's start and end at the playhead; arrows move the selected edge; + and − zoom.",
          }),
          h("div", { id: "words", className: "words" }),
          h(
            "div",
            { className: "loupe-row" },
            h("canvas", { id: "loupe", className: "loupe", "aria-hidden": "true" }),
            h("p", { id: "loupe-text", className: "muted" }),
          ),
          h(
            "p",
            { className: "transport" },
            h("button", { type: "button", id: "play", onclick: () => S.wave?.ws.playPause() }, "Play"),
            h("button", { type: "button", onclick: () => zoomBy(2) }, "Zoom in"),
            h("button", { type: "button", onclick: () => zoomBy(0.5) }, "Zoom out"),
            h("button", { type: "button", onclick: () => zoomFit() }, "Whole call"),
            h("span", { id: "position", className: "position" }),
          ),
        )
      : null,
    h(
      "div",
      { className: "panels" },
      h(
        "section",
        { className: "ranges-box" },
        h("h2", {}, "Ranges"),
        h("p", { id: "ranges-none", className: "muted" }),
        h("ol", { id: "ranges", className: "ranges" }),
        keys,
      ),
      h(
        "aside",
        { className: "side" },
        h("section", { id: "publish-box" }, h("h2", {}, "Publishing"), h("div", { id: "published" })),
        h("section", { id: "suggestions-box" }, h("h2", {}, "Suggestions"), h("div", { id: "suggestions" })),
      ),
    ),
  );
}

async function renderCall() {
  put(app, layout());
  renderProblems();
  renderRanges();
  renderPublished();
  renderSuggestions();
  updateDirty();
  if (!S.view.recording) return;
  const wave = new Wave({
    height: window.innerWidth < 760 ? 120 : 160,
    call: S.view.call,
    recording: S.view.recording,
    nonce,
    elements: {
      wave: document.getElementById("wave"),
      overview: document.getElementById("overview"),
    },
  });
  S.wave = wave;
  await wave.create();
  if (S.wave !== wave) return; // another call was opened meanwhile
  const { ws, regions } = wave;
  syncRegions();
  if (S.view.manifest.editable) {
    regions.enableDragSelection({ color: tint(colourOf(S.lastCategory), 0.3) }, 3);
  }
  regions.on("region-created", (region) => {
    if (S.entries.has(region.id) || region.id.startsWith("sug:") || region.id === "pending") return;
    // A range dragged out on the waveform: a new entry.
    const start = Math.round(region.start * S.rate);
    const end = Math.round(region.end * S.rate);
    region.remove();
    if (end > start) addEntry({ start, end, category: S.lastCategory }, "end");
  });
  regions.on("region-update", (region, side) => {
    const e = S.entries.get(region.id);
    if (!e) return;
    moveFromRegion(e, region, side);
    renderRanges();
    renderLoupe();
  });
  regions.on("region-updated", (region, side) => {
    const e = S.entries.get(region.id);
    if (!e) return;
    moveFromRegion(e, region, side);
    if (side) S.edge = side;
    select(e.id);
    edited();
  });
  regions.on("region-clicked", (region, event) => {
    if (S.entries.has(region.id)) {
      event.stopPropagation();
      select(region.id);
    } else if (region.id.startsWith("sug:")) {
      event.stopPropagation();
      document
        .getElementById(`suggestion-${region.id.slice(4)}`)
        ?.querySelector("button")
        ?.focus();
    }
  });
  ws.on("timeupdate", (t) => {
    if (ws.isPlaying()) setCursor(Math.round(t * S.rate), false);
  });
  ws.on("interaction", (t) => setCursor(Math.round(t * S.rate), false));
  ws.on("play", () => {
    document.getElementById("play").textContent = "Pause";
  });
  ws.on("pause", () => {
    document.getElementById("play").textContent = "Play";
  });
  ws.on("scroll", () => renderWords());
  ws.on("zoom", () => renderWords());
  ws.on("redrawcomplete", () => renderWords());
  const waveEl = document.getElementById("wave");
  waveEl.addEventListener(
    "wheel",
    (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.25 : 0.8);
    },
    { passive: false },
  );
  setupWords();
  renderMarks();
  renderWords();
  renderLoupe();
  showPosition();
  waveEl.dataset.ready = "true";
  performance.mark("studio-drawn");
}

/** An entry's samples from its region after a drag: only the side moved (a whole move keeps the length). */
function moveFromRegion(e, region, side) {
  const start = Math.round(region.start * S.rate);
  const end = Math.round(region.end * S.rate);
  if (side === "start") setEdge(e, "start", start);
  else if (side === "end") setEdge(e, "end", end);
  else {
    const len = e.end - e.start;
    e.start = Math.max(0, Math.min(start, S.view.recording.frames - len));
    e.end = e.start + len;
    e.startText = undefined;
    e.endText = undefined;
  }
}

function setEdge(e, edge, sample) {
  const frames = S.view.recording.frames;
  const s = Math.max(0, Math.min(frames, sample));
  if (edge === "start") {
    e.start = Math.min(s, e.end - 1);
    e.startText = undefined;
  } else {
    e.end = Math.max(s, e.start + 1);
    e.endText = undefined;
  }
}

/** The regions on the waveform, from the entries and suggestions. */
function syncRegions() {
  const wave = S.wave;
  if (!wave?.regions) return;
  const { regions } = wave;
  const editable = S.view.manifest.editable;
  const want = new Map();
  for (const e of S.entries.values()) want.set(e.id, e);
  for (const r of regions.getRegions()) {
    if (r.id.startsWith("sug:") || r.id === "pending") r.remove();
    else if (!want.has(r.id)) r.remove();
  }
  const have = new Map(regions.getRegions().map((r) => [r.id, r]));
  const errorIds = new Set(S.errors.map((e) => e.entry).filter(Boolean));
  for (const e of want.values()) {
    const colour = colourOf(e.category);
    const params = {
      start: e.start / S.rate,
      end: e.end / S.rate,
      color: tint(colour, e.id === S.selected ? 0.42 : 0.26),
    };
    let r = have.get(e.id);
    if (r) r.setOptions(params);
    else {
      r = regions.addRegion({ id: e.id, ...params, drag: editable, resize: editable, minLength: 1 / S.rate });
    }
    styleRegion(r, e, colour, errorIds.has(e.id));
  }
  for (const s of visibleSuggestions()) {
    const colour = colourOf(s.category);
    const r = regions.addRegion({
      id: `sug:${s.id}`,
      start: s.start / S.rate,
      end: s.end / S.rate,
      color: tint(colour, 0.08),
      drag: false,
      resize: false,
    });
    if (r.element) {
      r.element.style.border = `2px dashed ${colour}`;
      r.element.style.boxSizing = "border-box";
      r.element.setAttribute("title", `suggested: ${s.words}`);
    }
  }
  if (S.pendingStart !== null) {
    regions.addRegion({ id: "pending", start: S.pendingStart / S.rate, color: colourOf(S.lastCategory), drag: false });
  }
  renderMarks();
}

function styleRegion(r, e, colour, faulty) {
  const el = r.element;
  if (!el) return;
  el.setAttribute("data-id", e.id);
  el.setAttribute("data-category", e.category);
  const selected = e.id === S.selected;
  el.style.outline = faulty ? "2px solid #c5221f" : "none";
  el.style.borderLeft = selected && S.edge === "start" ? `3px solid ${colour}` : "";
  el.style.borderRight = selected && S.edge === "end" ? `3px solid ${colour}` : "";
}

/** The ranges on a thin strip over the whole call (the overview above shows the sound, this where ranges are). */
function renderMarks() {
  const box = document.getElementById("marks");
  if (!box || !S.view.recording) return;
  const frames = S.view.recording.frames;
  put(
    box,
    ...sorted().map((e) => {
      const m = h("span", { className: "mark" });
      m.style.left = `${(e.start / frames) * 100}%`;
      m.style.width = `max(2px, ${((e.end - e.start) / frames) * 100}%)`;
      m.style.background = colourOf(e.category);
      return m;
    }),
  );
}

function visibleSuggestions() {
  const t = S.view.transcript;
  if (!t || !S.view.manifest.editable) return [];
  return t.suggestions.filter(
    (s) =>
      !S.rejected.has(s.id) &&
      ![...S.entries.values()].some((e) => e.category === s.category && e.start <= s.start && s.end <= e.end),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Editing

function addEntry({ start, end, category, note = null, startText, endText, comment }, edge = "end") {
  const id = `n${++S.newIds}`;
  S.entries.set(id, { id, start, end, category, note, startText, endText, comment });
  S.edge = edge;
  S.selected = id;
  edited();
  return id;
}

function removeEntry(id) {
  if (!S.entries.delete(id)) return;
  if (S.selected === id) S.selected = null;
  edited();
}

/** After any change: the waveform and list redrawn, the draft checked by the server shortly. */
function edited() {
  S.dirty = true;
  syncRegions();
  renderRanges();
  renderSuggestions();
  renderLoupe();
  updateDirty();
  clearTimeout(S.checkTimer);
  S.checkTimer = setTimeout(check, 250);
}

async function check() {
  if (!S.view?.manifest.editable) return;
  const seq = ++S.checkSeq;
  try {
    const result = await api(callPath("/check"), { method: "POST", body: draftOf() });
    if (seq !== S.checkSeq) return;
    S.errors = result.errors;
    S.warnings = result.warnings;
  } catch (err) {
    if (seq !== S.checkSeq) return;
    if (err instanceof ApiError && err.code === "E_CHANGED") showConflict(err.message);
    else if (err instanceof ApiError)
      S.errors = err.errors.length ? err.errors : [{ entry: null, message: err.message, where: "" }];
    else throw err;
  }
  renderProblems();
  renderRanges();
  syncRegions();
}

function select(id, focusRow = false) {
  S.selected = id;
  syncRegions();
  renderRanges();
  renderLoupe();
  const e = id && S.entries.get(id);
  if (e && S.wave) {
    // Bring it into view when it is off screen.
    const { ws } = S.wave;
    const px = S.wave.pxPerSec();
    const x = (e.start / S.rate) * px - ws.getScroll();
    if (x < 0 || x > ws.getWidth()) ws.setScroll(Math.max(0, (e.start / S.rate) * px - ws.getWidth() / 4));
  }
  if (focusRow && id) document.querySelector(`#ranges li[data-id="${id}"]`)?.scrollIntoView({ block: "nearest" });
}

function setCursor(sample, seek = true) {
  S.cursor = Math.max(0, Math.min(S.view.recording?.frames ?? 0, sample));
  if (seek && S.wave) S.wave.ws.setTime(S.cursor / S.rate);
  showPosition();
  if (!S.selected) renderLoupe();
}

function showPosition() {
  const el = document.getElementById("position");
  if (!el) return;
  const pending =
    S.pendingStart === null ? "" : ` · start set at ${sampleClock(S.pendingStart, S.rate)}: O ends the range`;
  el.textContent = `${sampleClock(S.cursor, S.rate)} · sample ${count(S.cursor)}${pending}`;
}

function zoomBy(factor) {
  if (!S.wave) return;
  S.wave.zoomTo(S.wave.pxPerSec() * factor, focusSample());
  renderWords();
}

function zoomFit() {
  S.wave?.zoomTo(0, focusSample());
  renderWords();
}

/** What zooming keeps in place: the selected edge, else the playhead. */
function focusSample() {
  const e = S.selected && S.entries.get(S.selected);
  return e ? e[S.edge] : S.cursor;
}

// ---------------------------------------------------------------------------------------------------------
// The ranges list

function issuesFor(id) {
  return [
    ...S.errors.filter((i) => i.entry === id).map((i) => ({ ...i, level: "error" })),
    ...S.warnings.filter((w) => w.entry === id || w.entries?.includes(id)).map((i) => ({ ...i, level: "warning" })),
  ];
}

function renderRanges() {
  const list = document.getElementById("ranges");
  if (!list) return;
  const editable = S.view.manifest.editable;
  const entries = sorted();
  document.getElementById("ranges-none").textContent = entries.length
    ? ""
    : editable
      ? "No ranges yet: drag across the waveform, or press I and O at the playhead."
      : "";
  const old = new Map([...list.children].map((li) => [li.dataset.id, li]));
  const rows = entries.map((e, i) => {
    let li = old.get(e.id);
    if (!li) li = rangeRow(e);
    updateRow(li, e, i + 1, editable);
    return li;
  });
  // Keep the focused row's element (and its input) while the list is put in order.
  put(list, ...rows);
}

function rangeRow(e) {
  const sampleInput = (edge) =>
    h("input", {
      className: `sample ${edge}`,
      type: "text",
      inputmode: "numeric",
      "aria-label": `${edge} sample`,
      onchange: (ev) => {
        const n = Number(ev.target.value.replace(/[ ,_]/g, ""));
        const entry = S.entries.get(e.id);
        if (!entry || !Number.isSafeInteger(n)) {
          toast(`${edge}: give a sample number (0 to ${count(S.view.recording.frames)})`, "error");
          renderRanges();
          return;
        }
        setEdge(entry, edge, n);
        S.edge = edge;
        S.selected = e.id;
        edited();
      },
      onfocus: () => {
        S.edge = edge;
        if (S.selected !== e.id) select(e.id);
        else renderLoupe();
      },
    });
  const category = h("select", {
    className: "category",
    "aria-label": "category",
    onchange: (ev) => {
      const entry = S.entries.get(e.id);
      if (!entry) return;
      entry.category = ev.target.value;
      S.lastCategory = entry.category;
      S.selected = e.id;
      edited();
    },
  });
  for (const c of S.view.categories) category.append(h("option", { value: c.name }, `${c.name} (${c.frequency} Hz)`));
  const note = h("input", {
    className: "note",
    type: "text",
    placeholder: "private note",
    "aria-label": "private note",
    maxlength: "500",
    onchange: (ev) => {
      const entry = S.entries.get(e.id);
      if (!entry) return;
      entry.note = ev.target.value.trim() || null;
      edited();
    },
  });
  return h(
    "li",
    { "data-id": e.id, onclick: (ev) => ev.target.closest("input,select,button") || select(e.id) },
    h(
      "div",
      { className: "row" },
      h("span", { className: "swatch" }),
      h("span", { className: "number" }),
      h("span", { className: "edge start" }, h("span", { className: "time start" }), sampleInput("start")),
      h("span", { className: "dash" }, "–"),
      h("span", { className: "edge end" }, h("span", { className: "time end" }), sampleInput("end")),
      h("span", { className: "length muted" }),
      category,
      note,
      h(
        "span",
        { className: "buttons" },
        h("button", { type: "button", className: "play-range", onclick: () => playRange(e.id) }, "Play"),
        h("button", { type: "button", className: "tone", onclick: () => playTone(e.id) }, "With tone"),
        h(
          "button",
          { type: "button", className: "delete", onclick: () => removeEntry(e.id), "aria-label": "remove this range" },
          "Remove",
        ),
      ),
    ),
    h("ul", { className: "issues" }),
  );
}

function updateRow(li, e, n, editable) {
  const colour = colourOf(e.category);
  li.querySelector(".swatch").style.background = colour;
  li.querySelector(".number").textContent = `${n}`;
  li.classList.toggle("selected", e.id === S.selected);
  li.setAttribute("aria-current", e.id === S.selected ? "true" : "false");
  for (const edge of ["start", "end"]) {
    li.querySelector(`.time.${edge}`).textContent = sampleClock(e[edge], S.rate);
    const input = li.querySelector(`input.sample.${edge}`);
    if (document.activeElement !== input) input.value = String(e[edge]);
    input.disabled = !editable;
    li.querySelector(`.edge.${edge}`).classList.toggle("active", e.id === S.selected && S.edge === edge);
  }
  li.querySelector(".length").textContent = length(e.end - e.start, S.rate);
  const select = li.querySelector("select.category");
  if (document.activeElement !== select) select.value = e.category;
  select.disabled = !editable;
  const note = li.querySelector("input.note");
  if (document.activeElement !== note) note.value = e.note ?? "";
  note.disabled = !editable;
  li.querySelector("button.delete").disabled = !editable;
  const issues = issuesFor(e.id);
  put(
    li.querySelector(".issues"),
    ...issues.map((i) =>
      h(
        "li",
        { className: i.level },
        `${i.level === "error" ? "Error" : "Warning"}: ${i.message}`,
        i.where ? h("span", { className: "where" }, ` (${i.where})`) : null,
      ),
    ),
  );
  li.classList.toggle(
    "has-error",
    issues.some((i) => i.level === "error"),
  );
}

function renderProblems() {
  const box = document.getElementById("problems");
  if (!box) return;
  const general = [
    ...S.view.problems.map((p) => ({ ...p, level: "error" })),
    ...S.errors.filter((i) => !i.entry || !S.entries.has(i.entry)).map((i) => ({ ...i, level: "error" })),
  ];
  put(
    box,
    ...general.map((i) =>
      h("li", { className: i.level }, i.message, i.where ? h("span", { className: "where" }, ` (${i.where})`) : null),
    ),
  );
}

function updateDirty() {
  const dirty = document.getElementById("dirty");
  if (!dirty) return;
  dirty.textContent = S.dirty ? "unsaved changes" : S.view.manifest.exists ? "saved" : "";
  document.getElementById("save").disabled = !S.view.manifest.editable || (!S.dirty && S.view.manifest.exists);
  document.getElementById("publish").disabled =
    !S.view.manifest.editable || S.dirty || !S.view.manifest.exists || S.publishing;
}

// ---------------------------------------------------------------------------------------------------------
// Words and suggestions

function setupWords() {
  const strip = document.getElementById("words");
  if (!strip) return;
  let from = null;
  strip.addEventListener("pointerdown", (ev) => {
    const b = ev.target.closest("button.word");
    if (b) from = Number(b.dataset.index);
  });
  strip.addEventListener("pointerup", (ev) => {
    const b = ev.target.closest("button.word");
    if (from === null || !b) return;
    const to = Number(b.dataset.index);
    const words = S.view.transcript.words;
    const [a, z] = from <= to ? [from, to] : [to, from];
    from = null;
    if (a === z) {
      setCursor(words[a].start);
      return;
    }
    if (!S.view.manifest.editable) return;
    addEntry({
      start: words[a].start,
      end: Math.max(...words.slice(a, z + 1).map((w) => w.end)),
      category: S.lastCategory,
    });
  });
  strip.addEventListener("keydown", (ev) => {
    const b = ev.target.closest("button.word");
    if (b && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      ev.stopPropagation();
      setCursor(S.view.transcript.words[Number(b.dataset.index)].start);
    }
  });
}

/** The transcript's words under the waveform, where they are said (those in view). */
function renderWords() {
  const strip = document.getElementById("words");
  const t = S.view?.transcript;
  if (!strip || !S.wave?.ws) return;
  if (!t || t.words.length === 0) {
    put(
      strip,
      h(
        "span",
        { className: "muted" },
        t?.error ? `Transcript: ${t.error}` : "No transcript for this call (see docs/studio.md).",
      ),
    );
    return;
  }
  const { ws } = S.wave;
  const px = S.wave.pxPerSec();
  if (px < 30) {
    put(
      strip,
      h(
        "span",
        { className: "muted" },
        `${count(t.words.length)} words in ${t.file}: zoom in (+) to see them under the waveform`,
      ),
    );
    return;
  }
  const scroll = ws.getScroll();
  const width = ws.getWidth();
  const t0 = (scroll / px) * S.rate;
  const t1 = ((scroll + width) / px) * S.rate;
  const shown = [];
  t.words.forEach((w, i) => {
    if (w.end < t0 || w.start > t1) return;
    const b = h(
      "button",
      { type: "button", className: "word", "data-index": i, title: `${sampleClock(w.start, S.rate)}` },
      w.text,
    );
    b.style.left = `${(w.start / S.rate) * px - scroll}px`;
    b.style.width = `${Math.max(4, ((w.end - w.start) / S.rate) * px - 1)}px`;
    shown.push(b);
  });
  put(strip, ...shown);
}

function renderSuggestions() {
  const box = document.getElementById("suggestions");
  if (!box) return;
  const t = S.view.transcript;
  if (!t) {
    put(
      box,
      h("p", { className: "muted" }, "No transcript found for this call (transcripts/<call>.json, .srt or .vtt)."),
    );
    return;
  }
  if (t.error) {
    put(box, h("p", { className: "error" }, t.error));
    return;
  }
  const list = visibleSuggestions();
  put(
    box,
    h("p", { className: "muted" }, `From ${t.file} and the word lists: proposals npm run suggest makes, drawn dashed.`),
    list.length === 0
      ? h("p", { className: "muted" }, "None left to review.")
      : h(
          "ul",
          { className: "suggestions" },
          list.map((s) =>
            h(
              "li",
              { id: `suggestion-${s.id}`, "data-id": s.id },
              h("span", { className: "swatch" }),
              h("span", { className: "when" }, `${clock(s.start / S.rate)}–${clock(s.end / S.rate)}`),
              h("span", { className: "what" }, ` ${s.category}: “${s.words}”`),
              s.estimated ? h("span", { className: "muted" }, " (times estimated)") : null,
              h("span", { className: "why muted" }, s.why),
              h(
                "span",
                { className: "buttons" },
                h("button", { type: "button", className: "listen", onclick: () => playSpan(s.start, s.end) }, "Play"),
                h("button", { type: "button", className: "accept", onclick: () => accept(s) }, "Accept"),
                h(
                  "button",
                  {
                    type: "button",
                    className: "reject",
                    onclick: () => {
                      S.rejected.add(s.id);
                      syncRegions();
                      renderSuggestions();
                    },
                  },
                  "Reject",
                ),
              ),
            ),
          ),
        ),
  );
  for (const li of box.querySelectorAll("li[data-id]")) {
    const s = t.suggestions.find((x) => x.id === li.dataset.id);
    li.querySelector(".swatch").style.background = colourOf(s.category);
  }
}

function accept(s) {
  addEntry({
    start: s.start,
    end: s.end,
    category: s.category,
    startText: s.startText,
    endText: s.endText,
    comment: `from ${S.view.transcript.file}: ${s.why}`,
  });
  toast(`Accepted: ${s.category} “${s.words}” (not saved yet)`);
}

// ---------------------------------------------------------------------------------------------------------
// Listening

function playSpan(start, end) {
  if (!S.wave) return;
  S.wave.ws.play(start / S.rate, end / S.rate);
}

function playRange(id) {
  const e = S.entries.get(id);
  if (e) playSpan(e.start, e.end);
}

let audioContext;
async function playTone(id) {
  const e = S.entries.get(id);
  if (!e) return;
  try {
    S.wave?.ws.pause();
    const { buffer, headers } = await bytes(callPath("/preview"), {
      method: "POST",
      body: { draft: draftOf(), start: e.start, end: e.end },
    });
    audioContext ??= new AudioContext();
    const audio = await audioContext.decodeAudioData(buffer);
    const source = audioContext.createBufferSource();
    source.buffer = audio;
    source.connect(audioContext.destination);
    source.start();
    const from = Number(headers.get("X-Preview-Start"));
    toast(`Playing range with its tone, from ${clock(from / S.rate)} (rendered by the pipeline's DSP)`);
  } catch (err) {
    if (err instanceof ApiError) {
      toast(`No preview: ${err.errors[0]?.message ?? err.message}`, "error");
      return;
    }
    throw err;
  }
}

function renderLoupe() {
  const canvas = document.getElementById("loupe");
  const text = document.getElementById("loupe-text");
  if (!canvas || !S.wave?.store) return;
  const e = S.selected && S.entries.get(S.selected);
  const sample = e ? e[S.edge] : S.cursor;
  const colour = e ? colourOf(e.category) : getComputedStyle(document.documentElement).getPropertyValue("--accent");
  const done = drawLoupe(canvas, S.wave.store, S.view.recording, S.wave.gain, sample, colour);
  if (!done) {
    clearTimeout(S.loupeTimer);
    S.loupeTimer = setTimeout(renderLoupe, 100);
  }
  text.textContent = e
    ? `${S.edge} of range ${sorted().indexOf(e) + 1}: sample ${count(sample)} (${sampleClock(sample, S.rate)}); ← → move it, Shift by one sample, E the other edge`
    : `playhead: sample ${count(sample)} (${sampleClock(sample, S.rate)})`;
}

// ---------------------------------------------------------------------------------------------------------
// Saving, reloading, publishing

async function save() {
  if (!S.view.manifest.editable) return;
  clearTimeout(S.checkTimer);
  try {
    const view = await api(callPath("/save"), { method: "POST", body: draftOf() });
    const selectedIndex = S.selected ? sorted().findIndex((e) => e.id === S.selected) : -1;
    loadView(view);
    S.selected = selectedIndex >= 0 ? (sorted()[selectedIndex]?.id ?? null) : null;
    S.checkSeq++;
    syncRegions();
    renderRanges();
    renderProblems();
    renderSuggestions();
    renderPublished();
    updateDirty();
    document.getElementById("conflict").hidden = true;
    toast(`Saved ${view.manifest.file}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.code === "E_CHANGED") {
      showConflict(err.message);
      return;
    }
    if (err.errors.length) {
      S.errors = err.errors;
      renderProblems();
      renderRanges();
      syncRegions();
    }
    toast(`Not saved: ${err.errors.length ? "fix the problems marked in red" : err.message}`, "error");
  }
}

function showConflict(message) {
  const box = document.getElementById("conflict");
  box.hidden = false;
  put(
    box,
    h("p", {}, message),
    h(
      "button",
      { type: "button", id: "conflict-reload", onclick: reload },
      "Reload from disk (drops the changes here)",
    ),
    h(
      "button",
      {
        type: "button",
        onclick: () => {
          box.hidden = true;
        },
      },
      "Keep editing",
    ),
  );
  box.querySelector("button").focus();
  toast("Not saved: the file changed on disk", "error");
}

async function reload() {
  const fromConflict = !document.getElementById("conflict").hidden;
  if (S.dirty && !fromConflict && !window.confirm("Drop the changes not saved here and read the file again?")) return;
  const keep = S.wave;
  const view = await api(callPath());
  loadView(view);
  document.getElementById("conflict").hidden = true;
  if (keep?.ws) {
    syncRegions();
    renderRanges();
    renderProblems();
    renderSuggestions();
    renderPublished();
    updateDirty();
    renderMarks();
    toast(`Reloaded ${view.manifest.file}`);
  } else await renderCall();
}

function renderPublished() {
  const box = document.getElementById("published");
  if (!box) return;
  const p = S.view.published;
  if (!p) {
    put(box, h("p", { className: "muted" }, "Save a manifest to publish this call."));
    return;
  }
  const v = p.verification;
  const failing = v ? v.rows.filter((r) => r.status !== "pass") : [];
  put(
    box,
    h("p", { className: `state state-${p.state}`, id: "publish-state" }, STATE_TEXT[p.state] ?? p.state),
    h("p", { className: "muted" }, p.detail),
    v
      ? h(
          "p",
          { id: "verification", className: v.passed ? "pass" : "fail", "data-passed": String(v.passed) },
          v.passed
            ? `Verified: all ${v.rows.length} checks passed (${new Date(v.at).toLocaleString()}).`
            : `Verification failed: ${failing.length} of ${v.rows.length} checks.`,
        )
      : null,
    failing.length
      ? h(
          "ul",
          { className: "failing" },
          failing.map((r) => h("li", {}, `${r.file}${r.range ? `, range ${r.range}` : ""}: ${r.detail}`)),
        )
      : null,
    p.page
      ? h(
          "p",
          {},
          h("a", { href: p.page, id: "page-link", target: "_blank", rel: "noopener" }, "Open the published page"),
        )
      : null,
    h("div", { id: "publish-progress", hidden: true }, h("progress", { max: 1 }), h("span", { className: "stage" })),
  );
}

const STAGES = {
  waiting: "waiting for another run publishing this call",
  reading: "reading the recording",
  redacting: "redacting",
  encoding: "encoding for the web",
  verifying: "verifying the files",
  done: "done",
};

async function publish() {
  if (S.dirty) {
    toast("Save first: publishing uses the manifest on disk", "error");
    return;
  }
  S.publishing = true;
  updateDirty();
  const box = document.getElementById("publish-progress");
  box.hidden = false;
  const bar = box.querySelector("progress");
  const stage = box.querySelector(".stage");
  bar.removeAttribute("value");
  stage.textContent = " starting…";
  try {
    const result = await events(
      callPath("/publish"),
      { method: "POST", body: { base: S.view.manifest.sha256 } },
      (name, data) => {
        if (name !== "progress") return;
        stage.textContent = ` ${STAGES[data.stage] ?? data.stage}`;
        if (typeof data.fraction === "number") bar.value = data.fraction;
        else bar.removeAttribute("value");
      },
    );
    S.view.published = result.published;
    renderPublished();
    toast(
      result.status === "skipped"
        ? "Nothing changed since it was published: out/ is up to date"
        : `Published in ${result.seconds.toFixed(1)} s`,
    );
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    renderPublished();
    const box2 = document.getElementById("published");
    box2.prepend(h("pre", { className: "error publish-error" }, err.message));
    if (err.code === "E_CHANGED") showConflict(err.message);
    toast("Not published", "error");
  } finally {
    S.publishing = false;
    updateDirty();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Keys

function onKey(ev) {
  if (!S.view || !document.querySelector(".call-view")) return;
  const target = ev.target;
  const typing = target.closest?.("input, select, textarea");
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "s") {
    ev.preventDefault();
    save();
    return;
  }
  if (typing) {
    if (ev.key === "Escape") target.blur();
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const onButton = target.closest?.("button, a, summary");
  if (onButton && (ev.key === " " || ev.key === "Enter")) return;
  const rec = S.view.recording;
  if (!rec || !S.wave) return;
  const editable = S.view.manifest.editable;
  const e = S.selected ? S.entries.get(S.selected) : null;
  const step = ev.shiftKey ? 1 : Math.max(1, Math.round(S.rate / 100));
  const handled = () => ev.preventDefault();
  switch (ev.key) {
    case " ":
      handled();
      S.wave.ws.playPause();
      return;
    case "i":
    case "I":
    case "[":
      if (!editable) return;
      handled();
      if (e) {
        if (S.cursor >= e.end) return toast("The start must be before the range's end", "error");
        setEdge(e, "start", S.cursor);
        S.edge = "start";
        edited();
      } else {
        S.pendingStart = S.cursor;
        syncRegions();
        showPosition();
      }
      return;
    case "o":
    case "O":
    case "]":
      if (!editable) return;
      handled();
      if (e) {
        if (S.cursor <= e.start) return toast("The end must be after the range's start", "error");
        setEdge(e, "end", S.cursor);
        S.edge = "end";
        edited();
      } else if (S.pendingStart !== null) {
        const [a, b] = S.pendingStart <= S.cursor ? [S.pendingStart, S.cursor] : [S.cursor, S.pendingStart];
        S.pendingStart = null;
        if (b > a) addEntry({ start: a, end: b, category: S.lastCategory }, "end");
        showPosition();
      } else toast("Press I at the start first (or select a range)", "error");
      return;
    case "ArrowLeft":
    case "ArrowRight": {
      handled();
      const d = ev.key === "ArrowLeft" ? -step : step;
      if (e && editable) {
        setEdge(e, S.edge, e[S.edge] + d);
        edited();
      } else setCursor(S.cursor + d);
      return;
    }
    case "PageUp":
    case "PageDown":
      handled();
      setCursor(S.cursor + (ev.key === "PageUp" ? -S.rate : S.rate));
      return;
    case "Home":
      handled();
      setCursor(0);
      return;
    case "End":
      handled();
      setCursor(rec.frames);
      return;
    case "e":
    case "E":
      if (!e) return;
      handled();
      S.edge = S.edge === "start" ? "end" : "start";
      select(e.id);
      return;
    case "ArrowUp":
    case "ArrowDown": {
      const list = sorted();
      if (list.length === 0) return;
      handled();
      const at = e ? list.indexOf(e) : -1;
      const next = ev.key === "ArrowUp" ? (at <= 0 ? list.length - 1 : at - 1) : (at + 1) % list.length;
      select(list[next].id, true);
      return;
    }
    case "Escape":
      S.pendingStart = null;
      select(null);
      showPosition();
      return;
    case "c":
    case "C": {
      if (!e || !editable) return;
      handled();
      const names = S.view.categories.map((c) => c.name);
      const i = names.indexOf(e.category);
      e.category = names[(i + (ev.shiftKey ? names.length - 1 : 1)) % names.length];
      S.lastCategory = e.category;
      edited();
      toast(`Range ${sorted().indexOf(e) + 1}: ${e.category}`);
      return;
    }
    case "p":
    case "P":
      if (!e) return;
      handled();
      playRange(e.id);
      return;
    case "t":
    case "T":
      if (!e) return;
      handled();
      playTone(e.id);
      return;
    case "+":
    case "=":
      handled();
      zoomBy(2);
      return;
    case "-":
      handled();
      zoomBy(0.5);
      return;
    case "0":
      handled();
      zoomFit();
      return;
    case "Delete":
    case "Backspace":
      if (!e || !editable) return;
      handled();
      removeEntry(e.id);
      return;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pages

async function route() {
  const m = /^\/calls\/([^/]+)$/.exec(location.pathname);
  try {
    if (m) await showCall(decodeURIComponent(m[1]));
    else await showCalls();
  } catch (err) {
    const message = err instanceof ApiError ? err.message : String(err?.message ?? err);
    put(
      app,
      h("h1", {}, "Something went wrong"),
      h("pre", { className: "error" }, message),
      h("p", {}, h("a", { href: "/" }, "Back to the calls")),
    );
    if (!(err instanceof ApiError)) throw err;
  }
}

document.addEventListener("keydown", onKey);
window.addEventListener("beforeunload", (ev) => {
  if (S.dirty) ev.preventDefault();
});
window.addEventListener("resize", () => {
  renderWords();
  renderLoupe();
});
route();
