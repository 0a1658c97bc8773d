/**
 * The studio in a real browser (Debian's Chromium, playwright-core), as a person uses it: open a call from
 * the list; drag out a range; move its end to an exact sample with the keyboard; make it an obscenity; save,
 * and the manifest on disk holds exactly that range with every other byte as it was; accept a suggestion
 * from the transcript; refuse to overwrite a manifest changed on disk; listen to a range with its tone;
 * publish, and out/ holds verified files; do it all from the keyboard; fit a phone. While it runs, no page
 * breaks its Content-Security-Policy, logs an error, or asks anything of another host.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse.ts";
import { toSampleIndex } from "../../src/manifest/time.ts";
import { type Studio, startStudio } from "../../src/studio/server.ts";
import { readWav, speechLike, wavBytes } from "../helpers/audio.ts";
import { HAVE_CHROMIUM, launchChromium, NOT_RUN, REQUIRED, watchProblems } from "../helpers/chromium.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex, toneEnergyFraction } from "../helpers/signal.ts";

const RATE = 44100;
const SECONDS = 6;
const MANIFEST = `# The test call: this comment stays
title: Studio test call   # and this one
redactions:
  # a name
  - start: "0:00.300"
    end: 0.6
    category: sensitive
    note: "secret"
  - { start: 4.0, duration: 0.5, category: sensitive }  # a flow entry

# the settings stay below the list
tone: { level: -18, ramp: 5 }
`;
/** One word per cue; "bloody" is on the project's list of obscenities. */
const SRT = ["you", "bloody", "fool"]
  .map((w, i) => {
    const t = (s: number): string => `00:00:0${Math.floor(s)},${String(Math.round((s % 1) * 1000)).padStart(3, "0")}`;
    const start = 2.9 + (i === 0 ? 0 : 0.1 + (i - 1) * 0.4);
    const end = i === 0 ? 3.0 : start + 0.4;
    return `${i + 1}\n${t(start)} --> ${t(end)}\n${w}\n`;
  })
  .join("\n");

/** The text between the longest common start and end of two texts: what an edit put in (or took out). */
function difference(before: string, after: string): { removed: string; added: string } {
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let q = 0;
  while (q < before.length - p && q < after.length - p && before[before.length - 1 - q] === after[after.length - 1 - q])
    q++;
  return { removed: before.slice(p, before.length - q), added: after.slice(p, after.length - q) };
}

// What the test evaluates inside the page, typed just enough (the type-check has no DOM library).
interface PageElement {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getBoundingClientRect(): { width: number };
}
declare const document: {
  readonly activeElement: { readonly id: string; getAttribute(name: string): string | null } | null;
  readonly documentElement: PageElement;
  getElementById(id: string): PageElement | null;
};
declare function fetch(url: string, init: object): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>;

if (!HAVE_CHROMIUM && !REQUIRED) console.warn(`\n*** ${NOT_RUN}\n`);

if (HAVE_CHROMIUM) describe("the studio in Chromium", studioInChromium);
else if (REQUIRED) {
  describe("studio browser test (REQUIRE_BROWSER=1)", () => {
    it("has Chromium to run in", () => {
      throw new Error(NOT_RUN);
    });
  });
} else {
  describe.skip(NOT_RUN, () => {
    it("uses the studio in Chromium", () => {});
  });
}

function studioInChromium(): void {
  let project: TempProject;
  let studio: Studio;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const problems: string[] = [];
  const foreign: string[] = [];
  const manifestPath = (): string => join(project.root, "redactions", "call9.yaml");
  const manifestText = (): string => readFileSync(manifestPath(), "utf8");
  const entries = () => parseManifest(manifestText(), { file: "redactions/call9.yaml", call: "call9" }).entries;
  const samples = (e: { start: { num: bigint; den: bigint }; end: { num: bigint; den: bigint } }) => [
    toSampleIndex(e.start, RATE),
    toSampleIndex(e.end, RATE),
  ];

  /** Open call9 in the page and wait for its waveform. */
  const openCall = async (p: Page = page): Promise<void> => {
    await p.goto(`${studio.origin}/calls/call9`);
    await p.waitForSelector("#wave[data-ready='true']", { timeout: 60_000 });
  };
  const waitSaved = async (): Promise<void> => {
    await page.waitForFunction(() => document.getElementById("dirty") !== null, undefined, { timeout: 10_000 });
    await page.locator("#dirty", { hasText: /^saved$/ }).waitFor({ timeout: 10_000 });
  };

  beforeAll(async () => {
    project = tempProject();
    project.write("recordings/call9.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * SECONDS, 5)));
    project.write("recordings/call8.wav", wavBytes(8000, speechLike(8000, 1, 8000, 6)));
    project.write("redactions/call9.yaml", MANIFEST);
    project.write("redactions/lists/obscenities.txt", "# words to bleep\nbloody\n");
    project.write("transcripts/call9.srt", SRT);
    studio = await startStudio({ root: project.root, log: (m) => problems.push(`server: ${m}`) });
    ({ context, profile } = await launchChromium({ viewport: { width: 1280, height: 900 } }));
    context.on("request", (r) => {
      if (!r.url().startsWith(`${studio.origin}/`)) foreign.push(r.url());
    });
    await watchProblems(context, problems);
    page = await context.newPage();
    // The printed address: its token becomes a cookie, and leaves the address bar.
    await page.goto(studio.url);
    expect(page.url()).toBe(`${studio.origin}/`);
  }, 120_000);

  afterEach(async () => {
    if (page && !page.isClosed()) await page.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve, 50)));
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    await studio?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    project?.cleanup();
  });

  it("lists every call with its state, and opens one with its ranges drawn in their category's colour", async () => {
    await page.waitForSelector(".calls li");
    expect(await page.locator(".calls li[data-call='call9'] .state").textContent()).toBe("ready");
    expect(await page.locator(".calls li[data-call='call8'] .state").textContent()).toBe("no manifest yet");
    await page.click("a[href='/calls/call9']");
    await page.waitForSelector("#wave[data-ready='true']", { timeout: 60_000 });
    // Regions live in wavesurfer's shadow root (playwright's selectors go through it).
    const regions = await page
      .locator("[data-category]")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-id"), e.getAttribute("data-category")]));
    expect(regions).toEqual([
      ["m1", "sensitive"],
      ["m2", "sensitive"],
    ]);
    expect(await page.locator("#ranges > li").count()).toBe(2);
    expect(await page.locator("#ranges > li").first().locator("input.sample.start").inputValue()).toBe(
      String(refSampleIndex("0.300", RATE)),
    );
  });

  it("makes a range by dragging, moves its end to an exact sample with the keyboard, makes it obscenity, and saves just that", async () => {
    await openCall();
    const before = manifestText();
    const box = await page.locator("#wave").boundingBox();
    if (!box) throw new Error("no waveform");
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * (2.2 / SECONDS), y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * (2.5 / SECONDS), y, { steps: 4 });
    await page.mouse.move(box.x + box.width * (2.7 / SECONDS), y, { steps: 4 });
    await page.mouse.up();
    const row = page.locator("#ranges > li.selected");
    await row.waitFor();
    const start = Number(await row.locator("input.sample.start").inputValue());
    const dragged = Number(await row.locator("input.sample.end").inputValue());
    expect(Math.abs(start / RATE - 2.2)).toBeLessThan(0.05);
    expect(Math.abs(dragged / RATE - 2.7)).toBeLessThan(0.05);
    // The end is the edge the arrows move: 10 ms (441 samples) once, then three single samples.
    await page.locator("#wave").focus();
    await page.keyboard.press("ArrowRight");
    for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowRight");
    const end = dragged + 441 + 3;
    expect(await row.locator("input.sample.end").inputValue()).toBe(String(end));
    await row.locator("select.category").selectOption("obscenity");
    await page.click("#save");
    await waitSaved();
    const after = manifestText();
    const { removed, added } = difference(before, after);
    expect(removed).toBe("");
    expect(added).toMatch(/^ {2}- start: "0:0\d\.\d+"\n {4}end: "0:0\d\.\d+"\n {4}category: obscenity\n$/);
    const saved = entries();
    expect(saved).toHaveLength(3);
    expect(samples(saved[2] as (typeof saved)[number])).toEqual([start, end]);
    expect(saved[2]?.category).toBe("obscenity");
  });

  it("accepts a suggestion from the transcript, with the transcript's own times", async () => {
    await openCall();
    const before = manifestText();
    const suggestion = page.locator(".suggestions li");
    expect(await suggestion.count()).toBe(1);
    expect(await suggestion.locator(".what").textContent()).toContain("obscenity: “bloody”");
    await suggestion.locator("button.accept").click();
    expect(await page.locator(".suggestions li").count()).toBe(0);
    await page.click("#save");
    await waitSaved();
    const { removed, added } = difference(before, manifestText());
    expect(removed).toBe("");
    expect(added).toContain(
      '  # from transcripts/call9.srt: "bloody" (redactions/lists/obscenities.txt:2) matched "bloody"\n',
    );
    expect(added).toContain('  - start: "0:03.000"\n    end: "0:03.400"\n    category: obscenity\n');
    expect(samples(entries()[3] as ReturnType<typeof entries>[number])).toEqual([3 * RATE, 3.4 * RATE]);
  });

  it("refuses to overwrite a manifest changed on disk after it was opened, and reloads it on request", async () => {
    await openCall();
    const note = page.locator("#ranges > li").first().locator("input.note");
    await note.fill("changed in the studio");
    await note.press("Tab");
    const elsewhere = `${manifestText()}# added in an editor\n`;
    writeFileSync(manifestPath(), elsewhere);
    await page.click("#save");
    const banner = page.locator("#conflict");
    await banner.waitFor({ state: "visible" });
    expect(await banner.textContent()).toContain("changed on disk since this page opened it");
    expect(manifestText()).toBe(elsewhere);
    // The browser reports the refusal (409 Conflict) as a resource that failed to load: expected here only.
    await page.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve, 300)));
    const refused = problems.filter((p) => p.includes("409 (Conflict)"));
    expect(refused.length).toBeGreaterThan(0);
    problems.splice(0, problems.length, ...problems.filter((p) => !refused.includes(p)));
    await page.click("#conflict-reload");
    await banner.waitFor({ state: "hidden" });
    expect(await page.locator("#ranges > li").first().locator("input.note").inputValue()).toBe("secret");
    expect(await page.locator("#dirty").textContent()).toBe("saved");
    expect(manifestText()).toBe(elsewhere);
  });

  it("plays a range with its tone, rendered by the pipeline's DSP from the decode", async () => {
    await openCall();
    const first = page.locator("#ranges > li").first();
    await first.locator("button.tone").click();
    await page.locator("#toast", { hasText: "with its tone" }).waitFor();
    // The same request, looked at: the range is the 440 Hz tone, the context around it the recording itself.
    const opened = JSON.parse(
      Buffer.from(
        await page.evaluate(() =>
          fetch("/api/calls/call9", { credentials: "same-origin" })
            .then((r) => r.arrayBuffer())
            .then((b) => Array.from(new Uint8Array(b))),
        ),
      ).toString("utf8"),
    ) as { manifest: { sha256: string }; entries: { id: string; start: number; end: number; category: string }[] };
    const body = {
      draft: { base: opened.manifest.sha256, entries: opened.entries },
      start: opened.entries[0]?.start,
      end: opened.entries[0]?.end,
    };
    const wav = Buffer.from(
      await page.evaluate(
        (b) =>
          fetch("/api/calls/call9/preview", {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(b),
          })
            .then((r) => r.arrayBuffer())
            .then((x) => Array.from(new Uint8Array(x))),
        body,
      ),
    );
    const preview = readWav(wav);
    const source = readWav(project.read("recordings/call9.wav")).channels[0] as Int16Array;
    const tone = preview.channels[0] as Int16Array;
    const from = 0; // the range starts 0.3 s in: the preview starts at the recording's start
    const s = refSampleIndex("0.300", RATE);
    const e = refSampleIndex("0.6", RATE);
    expect(Array.from(tone.subarray(from, s))).toEqual(Array.from(source.subarray(0, s)));
    expect(Array.from(tone.subarray(e - from, e - from + RATE))).toEqual(Array.from(source.subarray(e, e + RATE)));
    const inside = Float32Array.from(tone.subarray(s + 300, e - 300), (v) => v / 32768);
    expect(toneEnergyFraction(inside, 440, RATE)).toBeGreaterThan(0.999);
  });

  it("publishes with progress, shows the verification and links the page; out/ holds verified files", async () => {
    await openCall();
    await page.click("#publish");
    const verified = page.locator("#verification");
    await verified.waitFor({ timeout: 120_000 });
    expect(await verified.getAttribute("data-passed")).toBe("true");
    expect(await page.locator("#publish-state").textContent()).toBe("published, up to date");
    for (const f of ["call9.wav", "call9.mp3", "call9.html", "call9.json", "index.html"]) {
      expect(project.read(`out/${f}`).length, f).toBeGreaterThan(0);
    }
    const record = JSON.parse(project.read("private/call9.json").toString("utf8"));
    expect(record.verification.passed).toBe(true);
    // npm run verify agrees, from the files alone.
    const verify = project.cli("verify", ["call9"]);
    expect(verify.status, verify.stderr).toBe(0);
    // And npm run redact sees nothing to do: the studio published what it would.
    const again = project.redact(["call9"]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("call9: unchanged since its last run, skipped");
    const href = await page.locator("#page-link").getAttribute("href");
    expect(href).toBe("/out/call9.html");
    const published = await context.newPage();
    await published.goto(`${studio.origin}${href}`);
    expect(await published.locator("h1").textContent()).toBe("Studio test call");
    await published.close();
  });

  it("works from the keyboard alone: open a call, mark a range at the playhead, choose its category, save", async () => {
    const before = manifestText();
    await page.goto(`${studio.origin}/`);
    await page.waitForSelector(".calls li");
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.getAttribute("href"))) === "/calls/call9") break;
    }
    await page.keyboard.press("Enter");
    await page.waitForSelector("#wave[data-ready='true']", { timeout: 60_000 });
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.id)) === "wave") break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("wave");
    await page.keyboard.press("Home");
    await page.keyboard.press("PageDown"); // 1 s
    await page.keyboard.press("i");
    await page.keyboard.press("PageDown"); // 2 s
    for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+ArrowRight");
    await page.keyboard.press("o");
    await page.keyboard.press("c"); // sensitive -> obscenity
    await page.keyboard.press("Control+s");
    await waitSaved();
    const { removed, added } = difference(before, manifestText());
    expect(removed).toBe("");
    expect(added).toBe('  - start: "0:01.000"\n    end: "0:02.00011"\n    category: obscenity\n');
    const last = entries().at(-1) as ReturnType<typeof entries>[number];
    expect(samples(last)).toEqual([RATE, 2 * RATE + 5]);
  });

  it("gives a recording without a manifest one on its first save, and warns of a range at its very start", async () => {
    await page.goto(`${studio.origin}/calls/call8`);
    await page.waitForSelector("#wave[data-ready='true']", { timeout: 60_000 });
    expect(await page.locator(".files").textContent()).toContain("redactions/call8.yaml (not written yet)");
    await page.locator("#wave").focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("i");
    for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight"); // 10 ms (80 samples at 8 kHz) each
    await page.keyboard.press("o");
    await page.locator("#ranges .issues .warning").waitFor();
    expect(await page.locator("#ranges .issues .warning").textContent()).toContain("starts in the first 10 ms");
    await page.keyboard.press("Control+s");
    await waitSaved();
    expect(project.read("redactions/call8.yaml").toString("utf8")).toBe(
      "# yaml-language-server: $schema=../schema/manifest.schema.json\n" +
        "# Made in the studio (npm run studio); edit it there or in any editor.\n" +
        'redactions:\n  - start: "0:00.000"\n    end: "0:00.100"\n    category: sensitive\n',
    );
  });

  it("fits a phone's width", async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await openCall(phone);
    const widths = await phone.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      wave: (document.getElementById("wave") as PageElement).getBoundingClientRect().width,
    }));
    expect(widths.page).toBeLessThanOrEqual(390);
    expect(widths.wave).toBeGreaterThan(300);
    await phone.close();
  });

  it("asks nothing of any other host", () => {
    expect(foreign).toEqual([]);
  });
}
