/**
 * The published page in a real browser: Debian's Chromium, driven by
 * playwright-core (never a browser download), loading out/ from a local
 * static server and from disk (file://). Checks what a listener relies on: the
 * audio loads in both formats with the report's duration, the waveform has one
 * shaded region per merged range in its category's colour and place (in the
 * DOM, and in a screenshot's pixels), a listed redaction seeks the player to
 * its start, the waveform seeks too, the transcript beside the player (its
 * placeholders in their colours, the line being played highlighted as the
 * recording plays, a word or a line chosen moving the player there, the VTT
 * loading as the audio's captions track), nothing is fetched from anywhere else,
 * and, while all that is done, no page breaks its Content-Security-Policy or
 * logs an error. The screenshots are kept when BROWSER_SCREENSHOT names a file.
 *
 * Without Chromium the test is skipped with a message saying so; with
 * REQUIRE_BROWSER=1 (CI) a missing Chromium is a failure instead. With
 * Chromium, nothing is skipped.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { HAVE_CHROMIUM, launchChromium, NOT_RUN, REQUIRED, watchProblems } from "../helpers/chromium.ts";
import { pixelAt, readPng } from "../helpers/png.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex } from "../helpers/signal.ts";
import { type StaticServer, serveFolder } from "../helpers/static-server.ts";

// What the test evaluates inside the page, typed just enough (the project's type-check has no DOM
// library, and these module-scoped declarations keep it that way for everything else).
interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly width: number;
  readonly height: number;
}
interface PageElement {
  textContent: string | null;
  readonly clientLeft: number;
  readonly clientTop: number;
  readonly clientWidth: number;
  readonly clientHeight: number;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  getBoundingClientRect(): Box;
  querySelector(selector: string): PageElement | null;
  appendChild(child: PageElement): void;
}
interface PageList extends PageElement {
  readonly scrollTop: number;
  readonly children: ArrayLike<PageElement & { readonly offsetTop: number; readonly offsetHeight: number }>;
}
interface PageTrack {
  mode: string;
  readonly cues: ArrayLike<{ readonly startTime: number; readonly endTime: number; readonly text: string }> | null;
}
interface PageAudio extends PageElement {
  readonly textTracks: ArrayLike<PageTrack>;
  play(): Promise<void>;
  readonly currentSrc: string;
  readonly duration: number;
  readonly readyState: number;
  readonly paused: boolean;
  readonly error: { readonly code: number } | null;
  currentTime: number;
  pause(): void;
  addEventListener(type: string, listener: () => void): void;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  getElementById(id: string): PageElement | null;
  createElement(tag: string): PageElement;
  readonly documentElement: { readonly scrollWidth: number };
  readonly body: PageElement;
};
declare const getComputedStyle: (e: PageElement) => {
  readonly fill: string;
  readonly backgroundColor: string;
  readonly boxShadow: string;
};
declare const Audio: new (src: string) => PageAudio;
declare const window: { scrollTo(x: number, y: number): void; injected?: boolean };

const RATE = 44100;
const SECONDS = 6;
const TITLE = `Test call <b>&</b> "quotes"`;
const MANIFEST = `title: '${TITLE}'
categories:
  music: { frequency: 1000, label: "copyrighted music" }
redactions:
  - { start: "0:00.800", end: "0:01.400", category: sensitive, note: SECRET-NOTE-browser }
  - { start: 1.3, end: 1.9, category: sensitive }
  - { start: "2.5", duration: 0.5, category: obscenity }
  - { start: "4.000", end: "4.600", category: music }
`;
/** The merged ranges, from the manifest's text (entries 1 and 2 overlap and merge). */
const EXPECTED = [
  { start: refSampleIndex("0.800", RATE), end: refSampleIndex("1.9", RATE), category: "sensitive" },
  { start: refSampleIndex("2.5", RATE), end: refSampleIndex("3.0", RATE), category: "obscenity" },
  { start: refSampleIndex("4.000", RATE), end: refSampleIndex("4.600", RATE), category: "music" },
];
/**
 * The transcript: one word every 250 ms, two to a sentence (so each sentence is a line of its own), spoken by
 * "Caller"; the words that overlap a range (in whole milliseconds here, which are whole samples at 44.1 kHz)
 * are published as their range's placeholder.
 */
const NATO =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey".split(
    " ",
  );
const WORDS = NATO.map((w, i) => ({
  text: i % 2 === 1 ? `${w}.` : w[0]?.toUpperCase() + w.slice(1),
  start: 50 + 250 * i,
  end: 250 + 250 * i,
}));
const vttTime = (ms: number): string =>
  `00:00:${String(Math.floor(ms / 1000)).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
const TRANSCRIPT = `WEBVTT\n\n${WORDS.map((w) => `${vttTime(w.start)} --> ${vttTime(w.end)}\n<v Caller>${w.text}\n`).join("\n")}`;
const RANGES_MS = [
  { start: 800, end: 1900, category: "sensitive" },
  { start: 2500, end: 3000, category: "obscenity" },
  { start: 4000, end: 4600, category: "music" },
];
const redactedWord = (w: { start: number; end: number }): boolean =>
  RANGES_MS.some((r) => w.start < r.end && r.start < w.end);
/** What the page's transcript shows, line by line, worked out here from the words and ranges alone. */
const LINES: readonly string[] = (() => {
  const lines: string[] = [];
  let line: string[] = [];
  const events = [
    ...WORDS.filter((w) => !redactedWord(w)).map((w) => ({ at: w.start, text: w.text })),
    ...RANGES_MS.map((r) => ({ at: r.start, text: `[${r.category === "music" ? "copyrighted music" : r.category}]` })),
  ].sort((a, b) => a.at - b.at);
  for (const e of events) {
    if (e.text.startsWith("[")) {
      if (line.length) lines.push(line.join(" "));
      lines.push(e.text);
      line = [];
      continue;
    }
    line.push(e.text);
    if (e.text.endsWith(".")) {
      lines.push(line.join(" "));
      line = [];
    }
  }
  if (line.length) lines.push(line.join(" "));
  return lines;
})();

/** The documented colours (README): Okabe-Ito blue, vermillion, then bluish green for the first custom category. */
const HEX: Readonly<Record<string, string>> = { sensitive: "#0072b2", obscenity: "#d55e00", music: "#009e73" };

type Rgb = readonly [number, number, number];
const rgbOf = (hex: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
/** As getComputedStyle gives a colour: "rgb(0, 114, 178)". */
const COLOURS: Record<string, string> = Object.fromEntries(
  Object.entries(HEX).map(([name, hex]) => [name, `rgb(${rgbOf(hex).join(", ")})`]),
);
/** `top` at opacity `alpha` painted over `under`, as the browser composites it (in sRGB, unrounded). */
const over = (top: Rgb, alpha: number, under: Rgb): Rgb =>
  top.map((t, i) => alpha * t + (1 - alpha) * (under[i] as number)) as unknown as Rgb;

/**
 * What a reader sees in the waveform, from the page's style (assets.ts) in each colour scheme: the page's
 * background, tinted by the waveform's own background (the text colour at 4%); a region is its category's
 * colour at fill-opacity .35 over that.
 */
const SCHEMES = {
  light: { background: rgbOf("#fdfdfc"), text: rgbOf("#1b1b1b") },
  dark: { background: rgbOf("#161616"), text: rgbOf("#ececea") },
} as const;
const REGION_OPACITY = 0.35;
/**
 * Per channel, out of 255. Chromium rounds each layer to 8 bits before blending the next over it, so the
 * pixels sit up to 2 from the unrounded blend (measured, Chromium 156); 3 leaves a level to spare, while a
 * wrong opacity (.30 for .35) is up to 12 off and the backdrop without its tint 6 to 9.
 */
const TOLERANCE = 3;
/** Pixels kept clear of an edge (region borders, the waveform's rounded corners, the playhead) before judging. */
const EDGE = 4;

if (!HAVE_CHROMIUM && !REQUIRED) console.warn(`\n*** ${NOT_RUN}\n`);

// Only the tests that can run here are declared, so a full run with Chromium skips nothing, a run that
// requires the browser fails without it, and a local run without it skips one test named after the reason.
if (HAVE_CHROMIUM) describe("a call's page in Chromium", pageInChromium);
else if (REQUIRED) {
  describe("browser test (REQUIRE_BROWSER=1)", () => {
    it("has Chromium to run in", () => {
      throw new Error(NOT_RUN);
    });
  });
} else {
  describe.skip(NOT_RUN, () => {
    it("opens the published page in Chromium", () => {});
  });
}

function pageInChromium(): void {
  let project: TempProject;
  let server: StaticServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  /** out/ as a file: URL, for the pages opened from disk. */
  let disk: string;
  const foreign: string[] = [];
  /** Policy violations and console errors on any page, as they happen; each test must leave none. */
  const problems: string[] = [];
  const durationSeconds = (RATE * SECONDS) / RATE;

  /** Lets events a page has queued (a violation is reported in a task of its own) reach the test. */
  const settle = async (p: Page): Promise<void> => {
    if (!p.isClosed()) await p.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve, 50)));
  };
  const closePage = async (p: Page): Promise<void> => {
    await settle(p);
    await p.close();
  };
  const player = (): Promise<{ time: number; paused: boolean }> =>
    page.evaluate(() => {
      const a = document.querySelector("audio") as PageAudio;
      return { time: a.currentTime, paused: a.paused };
    });

  beforeAll(async () => {
    project = tempProject();
    project.write("recordings/call9.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * SECONDS, 11)));
    project.write("redactions/call9.yaml", MANIFEST);
    project.write("redactions/site.yaml", "title: Browser test site\nformats: [mp3, opus]\n");
    project.write("transcripts/call9.vtt", TRANSCRIPT);
    const run = project.redact(["call9"]);
    if (run.status !== 0) throw new Error(`redact failed (${run.status}): ${run.stderr}`);
    server = await serveFolder(join(project.root, "out"));
    disk = pathToFileURL(join(project.root, "out")).href;
    ({ context, profile } = await launchChromium({ viewport: { width: 900, height: 1000 }, colorScheme: "light" }));
    context.on("request", (r) => {
      const url = r.url();
      if (!url.startsWith(`${server.url}/`) && !url.startsWith(`${disk}/`)) foreign.push(url);
    });
    // Every page reports the violations it sees (the securitypolicyviolation event, which a policy in a
    // <meta> fires on the document) to the test at once, and every console error and uncaught exception.
    await watchProblems(context, problems);
    page = await context.newPage();
    await page.goto(`${server.url}/call9.html`);
  }, 120_000);

  afterEach(async () => {
    if (page) await settle(page);
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    project?.cleanup();
  });

  const report = () => JSON.parse(project.read("out/call9.json").toString("utf8"));

  it("shows the title as text, and the report agrees with the manifest", async () => {
    expect(await page.title()).toBe(`${TITLE} – Browser test site`);
    expect(await page.locator("h1").textContent()).toBe(TITLE);
    const r = report();
    expect(r.ranges.map((x: { startSample: number; endSample: number }) => [x.startSample, x.endSample])).toEqual(
      EXPECTED.map((x) => [x.start, x.end]),
    );
  });

  it("loads the audio (Opus first) with the recording's duration, and the MP3 too", async () => {
    await page.waitForFunction(() => {
      const a = document.querySelector("audio") as PageAudio | null;
      return a !== null && a.readyState >= 1 && Number.isFinite(a.duration);
    });
    const opus = await page.evaluate(() => {
      const a = document.querySelector("audio") as PageAudio;
      return { src: a.currentSrc, duration: a.duration };
    });
    expect(opus.src).toBe(`${server.url}/call9.opus`);
    // Chromium counts Opus' pre-skip (312 samples at 48 kHz) into the duration; ffmpeg does not (see the e2e test).
    expect(Math.abs(opus.duration - durationSeconds)).toBeLessThanOrEqual(312 / 48000 + 1e-4);
    const mp3 = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const a = new Audio("call9.mp3");
          a.addEventListener("loadedmetadata", () => resolve(a.duration));
          a.addEventListener("error", () => reject(new Error(`MP3 error ${a.error?.code}`)));
        }),
    );
    // One MP3 frame (1152 samples, 26 ms at 44.1 kHz) is the most a player may differ by.
    expect(Math.abs(mp3 - durationSeconds)).toBeLessThan(1152 / RATE);
  });

  it("shades one region per merged range, in its category's colour and place", async () => {
    const svgWidth = await page.$eval("#waveform", (svg) => svg.getBoundingClientRect().width);
    const regions = await page.$$eval("#waveform rect.region", (rects) => {
      const svg = (document.getElementById("waveform") as PageElement).getBoundingClientRect();
      return rects.map((r) => {
        const box = r.getBoundingClientRect();
        return {
          category: r.getAttribute("data-category"),
          fill: getComputedStyle(r).fill,
          left: (box.left - svg.left) / svg.width,
          right: (box.right - svg.left) / svg.width,
          visible: box.width > 0 && box.height > 0,
        };
      });
    });
    expect(regions).toHaveLength(EXPECTED.length);
    regions.forEach((region, i) => {
      const want = EXPECTED[i] as (typeof EXPECTED)[number];
      expect(region.category).toBe(want.category);
      expect(region.fill).toBe(COLOURS[want.category]);
      expect(region.visible).toBe(true);
      // In place to the pixel: the hairline border adds under a pixel on each side.
      const pixel = 1 / svgWidth;
      expect(Math.abs(region.left - want.start / (RATE * SECONDS))).toBeLessThan(1.5 * pixel);
      expect(Math.abs(region.right - want.end / (RATE * SECONDS))).toBeLessThan(1.5 * pixel);
    });
    const legend = await page.$$eval(".legend li", (items) =>
      items.map((li) => ({
        text: li.textContent,
        colour: getComputedStyle(li.querySelector(".swatch") as PageElement).backgroundColor,
      })),
    );
    expect(legend).toEqual([
      { text: "440 Hz tone: sensitive information", colour: COLOURS.sensitive },
      { text: "660 Hz tone: obscenity", colour: COLOURS.obscenity },
      { text: "1000 Hz tone: copyrighted music", colour: COLOURS.music },
    ]);
    // The list's swatches too: their colour is a class of the page's style, no longer a style attribute.
    const listed = await page.$$eval("ol.redactions .swatch", (swatches) =>
      swatches.map((s) => getComputedStyle(s).backgroundColor),
    );
    expect(listed).toEqual(EXPECTED.map((r) => COLOURS[r.category]));
  });

  it("plays, and seeks the player to a redaction's start when it is chosen in the list", async () => {
    const links = page.locator("ol.redactions a");
    expect(await links.count()).toBe(EXPECTED.length);
    // Last to first, so that each seek moves the player backwards and a stale position cannot pass.
    for (let i = EXPECTED.length - 1; i >= 0; i--) {
      await links.nth(i).click();
      const { time } = await player();
      const start = (EXPECTED[i] as (typeof EXPECTED)[number]).start / RATE;
      // The link plays from there, so the position may have moved on a little.
      expect(time).toBeGreaterThanOrEqual(start - 1e-3);
      expect(time).toBeLessThan(start + 0.3);
    }
    // It plays: the position moves on from the first range's start.
    await page.waitForFunction(() => (document.querySelector("audio") as PageAudio).currentTime > 1);
    expect((await player()).paused).toBe(false);
    await page.evaluate(() => (document.querySelector("audio") as PageAudio).pause());
  });

  it("seeks where the waveform is clicked, and from the keyboard", async () => {
    const wave = page.locator("#waveform");
    const box = await wave.boundingBox();
    if (!box) throw new Error("no waveform box");
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    expect((await player()).time).toBeCloseTo(0.75 * durationSeconds, 1);
    await wave.focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    expect((await player()).time).toBeCloseTo(5, 3);
    expect(await wave.getAttribute("aria-valuetext")).toBe("0:05.000 of 0:06.000");
    // Space plays and pauses.
    await page.keyboard.press("Space");
    expect((await player()).paused).toBe(false);
    await page.keyboard.press("Space");
    expect((await player()).paused).toBe(true);
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    expect((await player()).time).toBeCloseTo(5, 3);
  });

  it("shows the transcript beside the player, each redacted stretch as its category in its colour", async () => {
    const lines = await page.$$eval("#transcript li", (items) =>
      items.map((li) => (li.querySelector(".line") as PageElement).textContent ?? ""),
    );
    // The speaker's name before the first line only: it does not change.
    expect(lines.map((l) => l.replace(/^Caller: /, ""))).toEqual(LINES);
    expect(lines[0]).toMatch(/^Caller: /);
    const placeholders = await page.$$eval("#transcript .redacted", (spans) =>
      spans.map((s) => ({ text: s.textContent, shadow: getComputedStyle(s).boxShadow })),
    );
    expect(placeholders.map((p) => p.text)).toEqual(["[sensitive]", "[obscenity]", "[copyrighted music]"]);
    // Marked at the left in the category's own colour (and tinted with it).
    placeholders.forEach((p, i) => {
      expect(p.shadow).toContain(COLOURS[(RANGES_MS[i] as (typeof RANGES_MS)[number]).category] as string);
    });
    // Nothing of a redacted word on the page.
    const html = await page.content();
    for (const w of WORDS.filter(redactedWord)) expect(html).not.toContain(w.text.replace(".", ""));
  });

  it("moves the player to a word or a line chosen in the transcript", async () => {
    await page.evaluate(() => (document.querySelector("audio") as PageAudio).pause());
    const word = WORDS.find((w) => w.text === "Whiskey") ?? WORDS[0];
    await page.locator("#transcript .w", { hasText: "Whiskey" }).click();
    let { time } = await player();
    expect(time).toBeGreaterThanOrEqual((word?.start ?? 0) / 1000 - 1e-3);
    expect(time).toBeLessThan((word?.start ?? 0) / 1000 + 0.3);
    // A line's time (the link that, without the script, opens the audio there).
    await page.locator("#transcript li", { hasText: "Mike november." }).locator("a.at").click();
    ({ time } = await player());
    const mike = WORDS.find((w) => w.text === "Mike");
    expect(time).toBeGreaterThanOrEqual((mike?.start ?? 0) / 1000 - 1e-3);
    expect(time).toBeLessThan((mike?.start ?? 0) / 1000 + 0.3);
    await page.evaluate(() => (document.querySelector("audio") as PageAudio).pause());
  });

  it("highlights the line being played as the recording plays, and keeps it in view", async () => {
    const current = () =>
      page.evaluate(() => {
        const a = document.querySelector("audio") as PageAudio;
        const list = document.getElementById("transcript") as PageList;
        const li = document.querySelector('#transcript li[aria-current="true"]') as
          | (PageElement & { offsetTop: number; offsetHeight: number })
          | null;
        return {
          time: a.currentTime,
          line: li ? ((li.querySelector(".line") as PageElement).textContent ?? "") : null,
          start: li ? Number(li.getAttribute("data-start")) : Number.NaN,
          end: li ? Number(li.getAttribute("data-end")) : Number.NaN,
          inView: li
            ? li.offsetTop >= list.scrollTop && li.offsetTop + li.offsetHeight <= list.scrollTop + list.clientHeight
            : false,
        };
      });
    await page.locator("#transcript .w", { hasText: "Alpha" }).click();
    const first = await current();
    expect(first.line).toContain("Alpha bravo.");
    // While it plays, the highlight moves on with it: to the obscenity's placeholder, then to the line after it,
    // each while the player is inside that line's time.
    const reaches = (text: string) =>
      page
        .waitForFunction((want) => {
          const a = document.querySelector("audio") as PageAudio;
          const li = document.querySelector('#transcript li[aria-current="true"]');
          if (!li || (li.querySelector(".line") as PageElement).textContent !== want) return false;
          return {
            time: a.currentTime,
            start: Number(li.getAttribute("data-start")),
            end: Number(li.getAttribute("data-end")),
          };
        }, text)
        .then((h) => h.jsonValue() as Promise<{ time: number; start: number; end: number }>);
    const tone = await reaches("[obscenity]");
    expect([tone.start, tone.end]).toEqual([2.5, 3]);
    expect(tone.time).toBeGreaterThanOrEqual(2.5);
    const next = await reaches("Mike november.");
    expect(next.time).toBeGreaterThanOrEqual(next.start);
    expect(next.time).toBeLessThan(next.end + 0.1);
    expect((await current()).inView).toBe(true);
    await page.evaluate(() => (document.querySelector("audio") as PageAudio).pause());
    // A line far down the list, chosen while paused, is scrolled into the panel's view.
    await page.evaluate(() => {
      (document.querySelector("audio") as PageAudio).currentTime = 5.6;
    });
    await page.waitForFunction(() =>
      (document.querySelector('#transcript li[aria-current="true"]')?.textContent ?? "").includes("Whiskey"),
    );
    expect((await current()).inView).toBe(true);
  });

  it("loads the VTT as the audio's captions track (when a reader turns it on), with the page's lines", async () => {
    const cues = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const a = document.querySelector("audio") as PageAudio;
          const track = a.textTracks[0] as PageTrack;
          track.mode = "hidden";
          const started = Date.now();
          const poll = (): void => {
            const list = track.cues;
            if (list && list.length > 0) resolve(Array.from(list, (c) => c.text));
            else if (Date.now() - started > 5000) reject(new Error("the captions track did not load"));
            else setTimeout(poll, 50);
          };
          poll();
        }),
    );
    expect(cues.map((t) => t.replace(/<[^>]*>/g, ""))).toEqual(LINES);
  });

  it("fits a phone's width", async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 360, height: 740 });
    await phone.goto(`${server.url}/call9.html`);
    const widths = await phone.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      wave: (document.getElementById("waveform") as PageElement).getBoundingClientRect().width,
    }));
    expect(widths.page).toBeLessThanOrEqual(360);
    expect(widths.wave).toBeGreaterThan(300);
    await closePage(phone);
  });

  it("lists the call on the index, linking to its page", async () => {
    const index = await context.newPage();
    await index.goto(`${server.url}/index.html`);
    expect(await index.locator("h1").textContent()).toBe("Browser test site");
    const link = index.locator("ol.calls a");
    expect(await link.count()).toBe(1);
    expect(await link.textContent()).toBe(TITLE);
    expect(await index.locator("ol.calls .meta").textContent()).toBe("0:06 · 3 redactions");
    await link.click();
    await index.waitForURL(`${server.url}/call9.html`);
    await closePage(index);
  });

  it("works opened from disk (file://): the index links to the page, whose audio loads, plays and seeks", async () => {
    const local = await context.newPage();
    await local.goto(`${disk}/index.html`);
    await local.locator("ol.calls a").click();
    await local.waitForURL(`${disk}/call9.html`);
    await local.waitForFunction(() => {
      const a = document.querySelector("audio") as PageAudio | null;
      return a !== null && a.readyState >= 1 && Number.isFinite(a.duration);
    });
    // media-src 'self' lets a page opened as a file load the audio beside it (Chromium counts file: as 'self').
    expect(await local.evaluate(() => (document.querySelector("audio") as PageAudio).currentSrc)).toBe(
      `${disk}/call9.opus`,
    );
    await local.locator("ol.redactions a").nth(1).click(); // 2.5 s, and plays
    await local.waitForFunction(() => (document.querySelector("audio") as PageAudio).currentTime > 2.7);
    await local.locator("#waveform").focus();
    await local.keyboard.press("End");
    const end = await local.evaluate(() => (document.querySelector("audio") as PageAudio).currentTime);
    expect(Math.abs(end - durationSeconds)).toBeLessThan(0.05);
    await closePage(local);
  });

  it("makes no request anywhere but its own folder, and shows no private note", async () => {
    expect(foreign).toEqual([]);
    // And nothing it asks its own folder for is missing (no favicon.ico, for one).
    const missing = server.requests.filter((path) => !existsSync(join(project.root, "out", path)));
    expect(missing).toEqual([]);
    expect(await page.content()).not.toContain("SECRET-NOTE");
    for (const name of readdirSync(join(project.root, "out"))) {
      expect(project.read(`out/${name}`).includes("SECRET-NOTE"), name).toBe(false);
    }
  });

  it.each(["light", "dark"] as const)(
    "shows each range shaded in its category's colour where it is, and the background elsewhere (%s)",
    async (scheme) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.evaluate(() => window.scrollTo(0, 0));
      const shot = await page.screenshot({ fullPage: true });
      const kept = process.env.BROWSER_SCREENSHOT;
      if (kept) writeFileSync(scheme === "light" ? kept : kept.replace(/(\.png)?$/, `-${scheme}.png`), shot);
      const g = await page.evaluate(() => {
        const svg = document.getElementById("waveform") as PageElement;
        const box = svg.getBoundingClientRect();
        return {
          // The drawing fills the content box: inside the 1 px border.
          left: box.left + svg.clientLeft,
          top: box.top + svg.clientTop,
          width: svg.clientWidth,
          height: svg.clientHeight,
          columns: Number(svg.getAttribute("data-columns")),
          viewHeight: Number((svg.getAttribute("viewBox") ?? "").split(" ")[3]),
          path: (svg.querySelector(".wave") as PageElement).getAttribute("d") ?? "",
          playhead: Number((document.getElementById("playhead") as PageElement).getAttribute("x1")),
        };
      });
      const image = readPng(shot);
      expect(image.width).toBe(900); // one image pixel per CSS pixel

      // Where the outline is, from its path: the top of each column left to right, then the bottoms back.
      const points = g.path.replace(/[MZ]/g, " ").trim().split(/\s+/).map(Number);
      const ys = points.filter((_, i) => i % 2 === 1);
      expect(ys).toHaveLength(2 * g.columns);
      const top = ys.slice(0, g.columns);
      const bottom = ys.slice(g.columns).reverse();
      /** The rows (content-box pixels) the outline may cover at pixel column x, with a pixel to spare. */
      const waveRows = (x: number): [number, number] => {
        const from = Math.max(0, Math.floor(((x - 1) / g.width) * g.columns) - 1);
        const to = Math.min(g.columns - 1, Math.floor(((x + 2) / g.width) * g.columns) + 1);
        let hi = Number.POSITIVE_INFINITY;
        let lo = Number.NEGATIVE_INFINITY;
        for (let c = from; c <= to; c++) {
          hi = Math.min(hi, top[c] as number);
          lo = Math.max(lo, bottom[c] as number);
        }
        return [(hi / g.viewHeight) * g.height - 1.5, (lo / g.viewHeight) * g.height + 1.5];
      };

      const { background, text } = SCHEMES[scheme];
      const backdrop = over(text, 0.04, background);
      const frames = RATE * SECONDS;
      /** What each pixel column should show where the outline is not: a range's colour, or the backdrop. */
      interface Tally {
        readonly name: string;
        readonly colour: Rgb;
        /** Pixels in its columns; those clear of the outline, judged; those judged that are not its colour. */
        area: number;
        checked: number;
        readonly wrong: string[];
      }
      const spans = EXPECTED.map((r) => ({
        left: (r.start / frames) * g.width,
        right: (r.end / frames) * g.width,
        tally: {
          name: r.category,
          colour: over(rgbOf(HEX[r.category] as string), REGION_OPACITY, backdrop),
          area: 0,
          checked: 0,
          wrong: [],
        } as Tally,
      }));
      const outside: Tally = { name: "background", colour: backdrop, area: 0, checked: 0, wrong: [] };
      const playhead = (g.playhead / g.columns) * g.width;
      for (let x = EDGE; x < g.width - EDGE; x++) {
        const centre = x + 0.5;
        if (Math.abs(centre - playhead) < EDGE) continue;
        const inside = spans.find((s) => centre >= s.left + EDGE && centre <= s.right - EDGE);
        const near = spans.some((s) => centre > s.left - EDGE && centre < s.right + EDGE);
        const tally = inside ? inside.tally : near ? undefined : outside;
        if (!tally) continue; // at a region's edge: its border
        const [waveTop, waveBottom] = waveRows(x);
        for (let y = EDGE; y < g.height - EDGE; y++) {
          tally.area++;
          if (y + 1 > waveTop && y < waveBottom) continue; // the outline is drawn here
          const [r, gr, b] = pixelAt(image, Math.round(g.left) + x, Math.round(g.top) + y);
          tally.checked++;
          const want = tally.colour;
          if (Math.max(Math.abs(r - want[0]), Math.abs(gr - want[1]), Math.abs(b - want[2])) > TOLERANCE) {
            tally.wrong.push(`(${x}, ${y}): rgb(${r}, ${gr}, ${b}), not rgb(${want.map(Math.round).join(", ")})`);
          }
        }
      }
      // Enough of each is clear of the outline to judge (about 40% of a region, where the tone is drawn over
      // half the height, and of the background between the loudest syllables), and every pixel judged is right.
      for (const t of [...spans.map((s) => s.tally), outside]) {
        expect(t.checked, t.name).toBeGreaterThan(0.25 * t.area);
        expect(t.wrong.slice(0, 5), `${t.name}: ${t.wrong.length} of ${t.checked} pixels`).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: "light" });
    },
  );

  it("is held to its policy: a style attribute or a script added to it is refused, and the refusal is seen", async () => {
    const probe = await context.newPage();
    await probe.goto(`${server.url}/call9.html`);
    const result = await probe.evaluate(() => {
      document.body.setAttribute("style", "background-color: rgb(255, 0, 0)");
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.appendChild(script);
      return { background: getComputedStyle(document.body).backgroundColor, ran: window.injected === true };
    });
    expect(result.background).not.toBe("rgb(255, 0, 0)");
    expect(result.ran).toBe(false);
    await closePage(probe);
    // The watch above saw both (and the console's report of each): it would see one on the real pages too.
    const seen = problems.splice(0);
    expect(seen.filter((p) => p.startsWith("CSP violation")).map((p) => /: (\S+) refused/.exec(p)?.[1])).toEqual([
      "style-src-attr",
      "script-src-elem",
    ]);
  });
}
