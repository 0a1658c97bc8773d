/**
 * The published page in a real browser: Debian's Chromium, driven by
 * playwright-core (never a browser download), loading out/ from a local
 * static server. Checks what a listener relies on: the audio loads in both
 * formats with the report's duration, the waveform has one shaded region per
 * merged range in its category's colour and place, a listed redaction seeks
 * the player to its start, the waveform seeks too, and nothing is fetched from
 * anywhere else. Takes a screenshot (kept when BROWSER_SCREENSHOT names a file).
 *
 * Without Chromium the test is skipped with a message saying so; with
 * REQUIRE_BROWSER=1 (CI) a missing Chromium is a failure instead.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex } from "../helpers/signal.ts";
import { type StaticServer, serveFolder } from "../helpers/static-server.ts";

// What the test evaluates inside the page, typed just enough (the project's type-check has no DOM
// library, and these module-scoped declarations keep it that way for everything else).
interface Box {
  readonly left: number;
  readonly right: number;
  readonly width: number;
  readonly height: number;
}
interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Box;
  querySelector(selector: string): PageElement | null;
}
interface PageAudio extends PageElement {
  readonly currentSrc: string;
  readonly duration: number;
  readonly readyState: number;
  readonly error: { readonly code: number } | null;
  currentTime: number;
  pause(): void;
  addEventListener(type: string, listener: () => void): void;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  getElementById(id: string): PageElement | null;
  readonly documentElement: { readonly scrollWidth: number };
};
declare const getComputedStyle: (e: PageElement) => { readonly fill: string; readonly backgroundColor: string };
declare const Audio: new (src: string) => PageAudio;
declare const window: { scrollTo(x: number, y: number): void };

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const REQUIRED = process.env.REQUIRE_BROWSER === "1";
const NOT_RUN =
  `browser test NOT RUN: no Chromium at ${CHROMIUM}. Install it with \`sudo apt-get install chromium\` ` +
  "(Debian's package; set CHROMIUM_PATH for another binary). CI sets REQUIRE_BROWSER=1, which makes this a failure.";

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
/** The documented colours (README): Okabe-Ito blue, vermillion, then bluish green for the first custom category. */
const COLOURS: Record<string, string> = {
  sensitive: "rgb(0, 114, 178)",
  obscenity: "rgb(213, 94, 0)",
  music: "rgb(0, 158, 115)",
};

if (!HAVE_CHROMIUM && !REQUIRED) console.warn(`\n*** ${NOT_RUN}\n`);

describe.runIf(!HAVE_CHROMIUM && REQUIRED)("browser test (REQUIRE_BROWSER=1)", () => {
  it("has Chromium to run in", () => {
    throw new Error(NOT_RUN);
  });
});

describe.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? "a call's page in Chromium" : NOT_RUN, () => {
  let project: TempProject;
  let server: StaticServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const foreign: string[] = [];
  const durationSeconds = (RATE * SECONDS) / RATE;

  beforeAll(async () => {
    project = tempProject();
    project.write("recordings/call9.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * SECONDS, 11)));
    project.write("redactions/call9.yaml", MANIFEST);
    project.write("redactions/site.yaml", "title: Browser test site\nformats: [mp3, opus]\n");
    const run = project.redact(["call9"]);
    if (run.status !== 0) throw new Error(`redact failed (${run.status}): ${run.stderr}`);
    server = await serveFolder(join(project.root, "out"));
    const { chromium } = await import("playwright-core");
    profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 900, height: 1000 },
    });
    context.on("request", (r) => {
      if (!r.url().startsWith(`${server.url}/`)) foreign.push(r.url());
    });
    page = await context.newPage();
    await page.goto(`${server.url}/call9.html`);
  }, 120_000);

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
  });

  it("seeks the player to a redaction's start when it is chosen in the list", async () => {
    const links = page.locator("ol.redactions a");
    expect(await links.count()).toBe(EXPECTED.length);
    // Last to first, so that each seek moves the player backwards and a stale position cannot pass.
    for (let i = EXPECTED.length - 1; i >= 0; i--) {
      await links.nth(i).click();
      const t = await page.evaluate(() => (document.querySelector("audio") as PageAudio).currentTime);
      const start = (EXPECTED[i] as (typeof EXPECTED)[number]).start / RATE;
      // The link plays from there, so the position may have moved on a little.
      expect(t).toBeGreaterThanOrEqual(start - 1e-3);
      expect(t).toBeLessThan(start + 0.3);
    }
    await page.evaluate(() => (document.querySelector("audio") as PageAudio).pause());
  });

  it("seeks where the waveform is clicked, and from the keyboard", async () => {
    const wave = page.locator("#waveform");
    const box = await wave.boundingBox();
    if (!box) throw new Error("no waveform box");
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    const clicked = await page.evaluate(() => (document.querySelector("audio") as PageAudio).currentTime);
    expect(clicked).toBeCloseTo(0.75 * durationSeconds, 1);
    await wave.focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    const stepped = await page.evaluate(() => (document.querySelector("audio") as PageAudio).currentTime);
    expect(stepped).toBeCloseTo(5, 3);
    expect(await wave.getAttribute("aria-valuetext")).toBe("0:05.000 of 0:06.000");
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
    await phone.close();
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
    await index.close();
  });

  it("takes a screenshot", async () => {
    const shot = join(project.root, "call9.png");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env.BROWSER_SCREENSHOT) copyFileSync(shot, process.env.BROWSER_SCREENSHOT);
  });
});
