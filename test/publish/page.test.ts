import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse.ts";
import { buildPlan } from "../../src/plan/plan.ts";
import { projectLayout } from "../../src/project/layout.ts";
import { type CallPageData, renderCallPage } from "../../src/publish/page/call-page.ts";
import { categoryColours } from "../../src/publish/page/colours.ts";
import { clock, esc } from "../../src/publish/page/html.ts";
import { renderIndexPage } from "../../src/publish/page/index-page.ts";
import { wavePath } from "../../src/publish/page/waveform.ts";
import { naturalCompare, publishedCalls } from "../../src/publish/site-index.ts";
import { legendCategories } from "../../src/publish/web/publish.ts";

const HOSTILE = `<script>alert("x")</script> & 'co'`;

const page = (over: Partial<CallPageData> = {}): CallPageData => ({
  title: "Call 4",
  siteTitle: "Scam calls",
  sampleRate: 8000,
  samples: 80000, // 10 s
  ranges: [
    { startSample: 8000, endSample: 16000, category: "sensitive" },
    { startSample: 40000, endSample: 44000, category: "music" },
  ],
  categories: [
    { name: "sensitive", frequency: 440, label: "sensitive information", colour: "#0072b2" },
    { name: "obscenity", frequency: 660, label: "obscenity", colour: "#d55e00" },
    { name: "music", frequency: 1000, label: "copyrighted music", colour: "#009e73" },
  ],
  audio: [
    { file: "call4.opus", mimeType: 'audio/ogg; codecs="opus"', name: "Opus" },
    { file: "call4.mp3", mimeType: "audio/mpeg", name: "MP3" },
  ],
  peaks: { frames: 80000, min: new Float32Array([-0.5, -0.25, 0, -1]), max: new Float32Array([0.5, 0.25, 0.5, 1]) },
  ...over,
});

/** Attribute values of every match of `re` (first group). */
const all = (html: string, re: RegExp): string[] => [...html.matchAll(re)].map((m) => m[1] as string);

describe("the call page", () => {
  it("offers every format, Opus first, each with its type, and a download link", () => {
    const html = renderCallPage(page());
    expect(all(html, /<source src="([^"]+)"/g)).toEqual(["call4.opus", "call4.mp3"]);
    expect(html).toContain('<source src="call4.opus" type="audio/ogg; codecs=&quot;opus&quot;">');
    expect(html).toContain('<source src="call4.mp3" type="audio/mpeg">');
    expect(html).toContain('Download: <a href="call4.opus" download>Opus</a> · <a href="call4.mp3" download>MP3</a>');
  });

  it("shades one rectangle per range at its place, in its category's colour", () => {
    const html = renderCallPage(page());
    // 4 columns over 80000 frames: x = start / 80000 * 4.
    expect(all(html, /<rect class="region"[^>]* x="([^"]+)"/g)).toEqual(["0.4", "2"]);
    expect(all(html, /<rect class="region"[^>]* width="([^"]+)"/g)).toEqual(["0.4", "0.2"]);
    expect(all(html, /<rect class="region"[^>]* fill="([^"]+)"/g)).toEqual(["#0072b2", "#009e73"]);
    expect(all(html, /<rect class="region" data-category="([^"]+)"/g)).toEqual(["sensitive", "music"]);
  });

  it("explains every tone in the legend and lists every range as a link to its start", () => {
    const html = renderCallPage(page());
    expect(all(html, /<li data-category="[^"]+">.*?<\/span>([^<]+)<\/li>/g)).toEqual([
      "440 Hz tone: sensitive information",
      "660 Hz tone: obscenity",
      "1000 Hz tone: copyrighted music",
    ]);
    expect(all(html, /<a href="[^"]+" data-start="([^"]+)"/g)).toEqual(["1", "5"]);
    // Without the script, the link opens the MP3 at that time (a media fragment).
    expect(all(html, /<a href="([^"]+)" data-start=/g)).toEqual(["call4.mp3#t=1.000", "call4.mp3#t=5.000"]);
    expect(html).toContain('<span class="when">0:01.000 – 0:02.000</span>');
    expect(html).toContain("0:10 · 2 redactions");
  });

  it("says so when nothing is redacted", () => {
    const html = renderCallPage(page({ ranges: [] }));
    expect(html).toContain("Nothing in this call is redacted.");
    expect(html).not.toContain('<rect class="region"');
  });

  it("escapes every text it is given", () => {
    const html = renderCallPage(
      page({
        title: HOSTILE,
        siteTitle: HOSTILE,
        categories: [
          { name: "sensitive", frequency: 440, label: HOSTILE, colour: "#0072b2" },
          { name: "music", frequency: 1000, label: HOSTILE, colour: "#009e73" },
        ],
      }),
    );
    expect(html.match(/<script/g)).toHaveLength(1); // the page's own
    expect(html).not.toContain("<script>alert");
    expect(html).toContain(esc(HOSTILE));
    expect(esc(HOSTILE)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
  });

  it("refuses a range whose category the legend does not explain", () => {
    expect(() => renderCallPage(page({ categories: [] }))).toThrow(/no legend entry for category "sensitive"/);
  });

  it("makes no external reference: no URL but its own files (and an empty icon, so none is fetched)", () => {
    const html = renderCallPage(page());
    expect(
      all(html, /(?:src|href)="([^"]+)"/g).every((u) => /^(call4\.(opus|mp3)(#t=[\d.]+)?|index\.html|data:,)$/.test(u)),
    ).toBe(true);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
  });
});

/** The page's policy: each directive's sources, by directive name; and the <meta> must open <head>. */
function policyOf(html: string): Map<string, string[]> {
  const m = /<head>\s*<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  if (!m) throw new Error("no Content-Security-Policy <meta> as the first element of <head>");
  const directives = new Map<string, string[]>();
  for (const part of (m[1] as string).split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(directives.has(name), `${name} twice`).toBe(false);
    directives.set(name, sources);
  }
  return directives;
}

/** The CSP source for an inline element's text, computed here on its own: 'sha256-<base64 of the digest>'. */
const hashSource = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The text of every inline element `tag` exactly as it stands in the page (no element of it has attributes). */
function inlineTexts(html: string, tag: "script" | "style"): string[] {
  expect(html.match(new RegExp(`<${tag}\\b`, "g"))?.length ?? 0).toBe(
    html.match(new RegExp(`<${tag}>`, "g"))?.length ?? 0,
  );
  return all(html, new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"));
}

/** Every attribute name of every tag, outside the script's and style's text. */
function attributeNames(html: string): string[] {
  const markup = html.replace(/<(script|style)>[\s\S]*?<\/\1>/g, "");
  const names: string[] = [];
  for (const tag of markup.matchAll(
    /<[a-zA-Z][^\s/>]*((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g,
  )) {
    for (const attr of (tag[1] as string).matchAll(/\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g)) {
      names.push((attr[1] as string).toLowerCase());
    }
  }
  return names;
}

describe("the Content-Security-Policy of every page", () => {
  const hostile = page({
    title: `${HOSTILE} " onmouseover="alert(1)" style="x`,
    siteTitle: HOSTILE,
    categories: [
      { name: "sensitive", frequency: 440, label: HOSTILE, colour: "#0072b2" },
      { name: "music", frequency: 1000, label: `" style="color:red`, colour: "#009e73" },
    ],
  });
  const index = (over: Partial<Parameters<typeof renderIndexPage>[0]> = {}) =>
    renderIndexPage({
      siteTitle: HOSTILE,
      description: `Two " onload="x`,
      calls: [{ title: `${HOSTILE} onclick=`, href: "call1.html", durationSeconds: 61.9, redactions: 1 }],
      ...over,
    });
  const pages: Record<string, string> = {
    "call page": renderCallPage(page()),
    "call page with hostile text": renderCallPage(hostile),
    "call page without ranges": renderCallPage(page({ ranges: [] })),
    index: index(),
    "empty index": index({ calls: [] }),
  };

  it.each(Object.entries(pages))("%s: allows its inline script and style by the SHA-256 of their text", (_, html) => {
    const policy = policyOf(html);
    const scripts = inlineTexts(html, "script");
    const styles = inlineTexts(html, "style");
    expect(styles).toHaveLength(1);
    expect(policy.get("style-src")).toEqual(styles.map(hashSource));
    if (scripts.length > 0) expect(policy.get("script-src")).toEqual(scripts.map(hashSource));
    else expect(policy.has("script-src")).toBe(false); // default-src 'none': no script at all
  });

  it.each(Object.entries(pages))("%s: allows nothing from elsewhere", (name, html) => {
    const policy = policyOf(html);
    expect(policy.get("default-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("form-action")).toEqual(["'none'"]);
    expect(policy.get("img-src")).toEqual(["data:"]); // the empty favicon, data:, and nothing else
    expect(policy.get("media-src")).toEqual(name.startsWith("call") ? ["'self'"] : undefined);
    expect([...policy.keys()].sort()).toEqual(
      (name.startsWith("call")
        ? ["base-uri", "default-src", "form-action", "img-src", "media-src", "script-src", "style-src"]
        : ["base-uri", "default-src", "form-action", "img-src", "style-src"]
      ).sort(),
    );
    const everySource = [...policy.values()].flat();
    expect(everySource.filter((s) => !/^'(none|self|sha256-[A-Za-z0-9+/]{43}=)'$|^data:$/.test(s))).toEqual([]);
  });

  it.each(Object.entries(pages))("%s: has no style= attribute and no inline event handler", (_, html) => {
    const names = attributeNames(html);
    expect(names).toContain("class"); // the parser above does find attributes
    expect(names.filter((n) => n === "style" || n.startsWith("on"))).toEqual([]);
  });

  it("has no media-src on a call page without audio", () => {
    expect(policyOf(renderCallPage(page({ audio: [] }))).has("media-src")).toBe(false);
  });

  it("colours the swatches by class, one rule per legend category in the page's one style block", () => {
    const html = renderCallPage(page());
    const [style] = inlineTexts(html, "style");
    expect(all(style ?? "", /^(\.cat-\d+ \{ background: #[0-9a-f]{6}; \})$/gm)).toEqual([
      ".cat-0 { background: #0072b2; }",
      ".cat-1 { background: #d55e00; }",
      ".cat-2 { background: #009e73; }",
    ]);
    expect(all(html, /<li data-category="[^"]+"><span class="swatch (cat-\d+)"/g)).toEqual(["cat-0", "cat-1", "cat-2"]);
    // The list's swatches take their category's class: sensitive, then music.
    expect(all(html, /<span class="what"><span class="swatch (cat-\d+)"/g)).toEqual(["cat-0", "cat-2"]);
  });

  it("refuses a colour that is not a plain hex colour (CSS text cannot be escaped like HTML)", () => {
    const bad = page({
      categories: [{ name: "sensitive", frequency: 440, label: "s", colour: "red} body{display:none" }],
      ranges: [],
    });
    expect(() => renderCallPage(bad)).toThrow(/not a #rgb or #rrggbb colour/);
  });
});

describe("the waveform outline", () => {
  it("joins the column maxima left to right and the minima back, scaled so the loudest peak fills 95%", () => {
    // Loudest |peak| 1 -> 95 units of the 100 above and below the middle line (y = 100).
    const path = wavePath({ frames: 2, min: new Float32Array([-1, 0]), max: new Float32Array([0.5, 1]) });
    expect(path).toBe("M0.5 52.5 1.5 5 1.5 100 0.5 195Z");
  });

  it("draws silence as a hairline, not as nothing", () => {
    expect(wavePath({ frames: 1, min: new Float32Array([0]), max: new Float32Array([0]) })).toBe(
      "M0.5 99.8 0.5 100.3Z",
    );
  });
});

describe("colours and clocks", () => {
  it("gives the built-ins their documented colours and custom categories the rest in order", () => {
    expect([...categoryColours(["sensitive", "obscenity", "music", "laugh"])]).toEqual([
      ["sensitive", "#0072b2"],
      ["obscenity", "#d55e00"],
      ["music", "#009e73"],
      ["laugh", "#cc79a7"],
    ]);
  });

  it("shows durations as players do, rounded down", () => {
    expect([clock(54.648), clock(59.999), clock(3723.5)]).toEqual(["0:54", "0:59", "1:02:03"]);
  });
});

describe("the index", () => {
  const root = mkdtempSync(join(tmpdir(), "index-test-"));
  const layout = projectLayout(root);
  mkdirSync(layout.outDir, { recursive: true });
  mkdirSync(layout.redactionsDir, { recursive: true });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const sha = "0".repeat(64);
  const report = (call: string, title: string, samples: number, ranges: number, outputs: object) =>
    JSON.stringify({
      call,
      title,
      source: { sampleRate: 8000, channels: 1, samples },
      ranges: Array.from({ length: ranges }, (_, i) => ({
        startSample: i,
        endSample: i + 1,
        startSeconds: 0,
        endSeconds: 0,
        category: "sensitive",
        frequency: 440,
        entries: [i + 1],
      })),
      tone: { levelDb: -18, rampMs: 5, padMs: 0 },
      loudness: {
        measuredLufs: null,
        measuredTruePeakDbtp: null,
        targetLufs: -19,
        gainDb: 0,
        limiter: false,
        encoderLevelDb: 0,
        expectedLufs: null,
      },
      outputs,
      tool: { name: "call-redactor", version: "x" },
    });
  const put = (name: string, text = ""): void => writeFileSync(join(layout.outDir, name), text);
  const manifest = (call: string): void =>
    writeFileSync(join(layout.redactionsDir, `${call}.yaml`), "redactions: []\n");

  it("lists the calls of redactions/ with a report in out/, in natural order, linking to the page (or the audio)", () => {
    for (const c of ["call10", "call2", "old", "older", "gone", "notes", "broken", "evil", "other"]) manifest(c);
    put("call10.json", report("call10", "Ten", 8000 * 75, 1, { html: { file: "call10.html", sha256: sha } }));
    put("call10.html");
    put("call2.json", report("call2", "Two", 8000 * 61, 3, { html: { file: "call2.html", sha256: sha } }));
    put("call2.html");
    const mp3 = {
      sampleRate: 44100,
      bitrateKbps: 64,
      gainDb: 0,
      limiter: false,
      encoderLevelDb: 0,
      expectedLufs: null,
    };
    put("old.json", report("old", "Old", 8000, 0, { mp3: { file: "old.mp3", sha256: sha, ...mp3 } }));
    put("old.mp3"); // published without a page
    put("older.json", report("older", "Older", 8000, 0, { wav: { file: "older.wav", sha256: sha } }));
    put("older.mp3"); // on disk, but its report does not list it
    put("gone.json", report("gone", "Gone", 8000, 0, { html: { file: "gone.html", sha256: sha } })); // no page
    put("notes.json", '{"hello": 1}');
    put("broken.json", "{");
    put("evil.json", report("evil", "Evil", 8000, 0, { html: { file: "../../etc/passwd", sha256: sha } }));
    put("other.json", report("call2", "Another's", 8000, 0, { html: { file: "call2.html", sha256: sha } }));
    put("stray.json", report("stray", "No manifest", 8000, 0, { html: { file: "stray.html", sha256: sha } }));
    put("stray.html");
    expect(publishedCalls(layout)).toEqual([
      { title: "Two", href: "call2.html", durationSeconds: 61, redactions: 3 },
      { title: "Ten", href: "call10.html", durationSeconds: 75, redactions: 1 },
      { title: "Old", href: "old.mp3", durationSeconds: 1, redactions: 0 },
    ]);
  });

  it("renders titles escaped, with length and count", () => {
    const html = renderIndexPage({
      siteTitle: HOSTILE,
      description: "One.\n\nTwo <b>",
      calls: [{ title: HOSTILE, href: "call1.html", durationSeconds: 61.9, redactions: 1 }],
    });
    expect(html).not.toContain("<script");
    expect(html).toContain(
      `<li><a href="call1.html">${esc(HOSTILE)}</a><div class="meta">1:01 · 1 redaction</div></li>`,
    );
    expect(html).toContain('<p class="intro">One.</p>\n<p class="intro">Two &lt;b&gt;</p>');
    expect(renderIndexPage({ siteTitle: "S", calls: [] })).toContain("No calls are published yet.");
  });

  it("orders names with numbers as people do", () => {
    expect(["call10", "call2", "call1", "a", "call1b"].sort(naturalCompare)).toEqual([
      "a",
      "call1",
      "call1b",
      "call2",
      "call10",
    ]);
  });
});

describe("the legend", () => {
  const manifest = parseManifest(
    [
      "categories:",
      "  music: { frequency: 1000, label: copyrighted music }",
      "  laugh: { frequency: 1500 }",
      "redactions:",
      "  - { start: 1, end: 2, category: obscenity }",
      "  - { start: 3, end: 4, category: music }",
      "",
    ].join("\n"),
    { file: "redactions/c.yaml", call: "c" },
  );

  it("explains the tones the call uses, in the manifest's order, and no other", () => {
    const plan = buildPlan(manifest, 8000);
    expect(legendCategories(manifest, plan).map((c) => [c.name, c.frequency, c.label, c.colour])).toEqual([
      ["obscenity", 660, "obscenity", "#d55e00"],
      ["music", 1000, "copyrighted music", "#009e73"],
    ]);
  });

  it("is left out of a page with nothing redacted", () => {
    const none = { ...manifest, entries: [] };
    const categories = legendCategories(none, buildPlan(none, 8000));
    expect(categories).toEqual([]);
    const html = renderCallPage(page({ ranges: [], categories }));
    expect(html).not.toContain('class="legend"');
    expect(html).not.toContain("<figcaption>");
    expect(html).toContain("Nothing in this call is redacted.");
  });
});
