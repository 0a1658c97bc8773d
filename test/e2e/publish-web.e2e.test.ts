/**
 * Publishing for the web, as a user runs it: Opus beside MP3, the call's page
 * and the index, the site settings, and which formats are written. Audio is
 * decoded and measured with ffmpeg, independently of the pipeline's own meters.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeWithFfmpeg, ebur128, probeWithFfmpeg, speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex, toneEnergyFraction } from "../helpers/signal.ts";

const projects: TempProject[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});
const project = (): TempProject => {
  const p = tempProject();
  projects.push(p);
  return p;
};

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** The tags ffmpeg prints for a file, lower-cased names: { title: "...", ... }. */
function tags(path: string): Record<string, string> {
  const full = probeWithFfmpeg(path);
  const info = full.slice(0, full.indexOf("Stream mapping")); // the input's description only
  const out: Record<string, string> = {};
  for (const m of info.matchAll(/^\s{4,}(\w+)\s*: (.*)$/gm)) out[(m[1] as string).toLowerCase()] = m[2] as string;
  return out;
}

describe("Opus beside MP3, a page and an index (44.1 kHz stereo)", () => {
  const RATE = 44100;
  const SECONDS = 5;
  const FRAMES = RATE * SECONDS;
  const p = project();
  const ranges = [
    { start: refSampleIndex("1.25", RATE), end: refSampleIndex("2.0", RATE), frequency: 440 },
    { start: refSampleIndex("3.1", RATE), end: refSampleIndex("3.85", RATE), frequency: 660 },
  ];
  let run: ReturnType<TempProject["redact"]>;

  beforeAll(() => {
    p.write("recordings/talk.wav", wavBytes(RATE, speechLike(RATE, 2, FRAMES, 5)));
    p.write(
      "redactions/talk.yaml",
      [
        'title: "A call & a <test>"',
        "redactions:",
        '  - { start: "1.25", end: "0:02", category: sensitive, note: PRIVATE-NOTE-xyz }',
        "  - { start: 3.1, duration: 0.75, category: obscenity }",
        "",
      ].join("\n"),
    );
    p.write("redactions/site.yaml", "title: My calls\nartist: Jane Doe\nalbum: Scam calls\nformats: [mp3, opus]\n");
    run = p.redact(["talk"]);
  }, 120_000);

  it("writes the master, both web formats, the page, the report and the index", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("out/talk.opus");
    expect(run.stdout).toContain("out/index.html: 1 call listed");
    expect(readdirSync(join(p.root, "out")).sort()).toEqual([
      "index.html",
      "talk.html",
      "talk.json",
      "talk.mp3",
      "talk.opus",
      "talk.wav",
    ]);
  });

  it("records every output in the report with its hash", () => {
    const report = JSON.parse(p.read("out/talk.json").toString("utf8"));
    for (const [key, file] of [
      ["opus", "talk.opus"],
      ["mp3", "talk.mp3"],
      ["html", "talk.html"],
    ] as const) {
      expect(report.outputs[key].file).toBe(file);
      expect(report.outputs[key].sha256).toBe(sha256(p.read(`out/${file}`)));
    }
    expect(report.outputs.opus).toMatchObject({ sampleRate: 48000, bitrateKbps: 48 });
  });

  it("publishes Ogg Opus at 48 kHz, exactly as long as the master and aligned with it", () => {
    const path = join(p.root, "out/talk.opus");
    expect(p.read("out/talk.opus").subarray(0, 4).toString("latin1")).toBe("OggS");
    const info = probeWithFfmpeg(path);
    expect(info).toMatch(/Audio: opus, 48000 Hz, stereo/);
    const decoded = decodeWithFfmpeg(path, 2);
    // The decoder drops the pre-skip and trims the end: the length is the master's, resampled.
    expect(decoded[0]?.length).toBe((FRAMES * 48000) / RATE);
    const ratio = 48000 / RATE;
    const frame = 960; // one 20 ms Opus frame
    for (const r of ranges) {
      const from = Math.round(r.start * ratio);
      const to = Math.round(r.end * ratio);
      for (const ch of decoded) {
        expect(toneEnergyFraction(ch.subarray(from + frame, to - frame), r.frequency, 48000)).toBeGreaterThan(0.9);
        // Just outside the range there is speech, not tone: a shifted file would fail one of these.
        expect(toneEnergyFraction(ch.subarray(from - 3 * frame, from - frame), r.frequency, 48000)).toBeLessThan(0.5);
        expect(toneEnergyFraction(ch.subarray(to + frame, to + 3 * frame), r.frequency, 48000)).toBeLessThan(0.5);
      }
    }
  });

  it("puts the Opus on the stereo loudness target with true peak at most -1 dBTP, as the MP3", () => {
    for (const ext of ["opus", "mp3"]) {
      const m = ebur128(join(p.root, `out/talk.${ext}`));
      expect(Math.abs(m.integratedLufs - -16), ext).toBeLessThanOrEqual(1);
      expect(m.truePeakDbtp, ext).toBeLessThanOrEqual(-1);
    }
  });

  it("tags both files with the title, artist and album, and nothing from the source", () => {
    for (const ext of ["opus", "mp3"]) {
      const t = tags(join(p.root, `out/talk.${ext}`));
      // Ogg Opus always carries ffmpeg's constant encoder name (like the MP3's LAME header).
      const { encoder, ...rest } = t;
      expect(rest, ext).toEqual({ title: "A call & a <test>", artist: "Jane Doe", album: "Scam calls" });
      if (ext === "opus") expect(encoder).toBe("Lavc libopus");
    }
  });

  it("never publishes the private note, in any file", () => {
    for (const name of readdirSync(join(p.root, "out"))) {
      expect(p.read(`out/${name}`).includes("PRIVATE-NOTE"), name).toBe(false);
    }
  });

  it("gives byte-identical files when run again", () => {
    const first = p.snapshotOut();
    const again = p.redact(["talk", "--force"]);
    expect(again.status, again.stderr).toBe(0);
    expect(p.snapshotOut()).toEqual(first);
  }, 120_000);
});

describe("which formats are written", () => {
  const RATE = 8000;
  const p = project();
  const manifest = (extra: string): string => `${extra}redactions:\n  - { start: 0.5, end: 1, category: sensitive }\n`;
  const files = (): string[] => readdirSync(join(p.root, "out")).sort();

  beforeAll(() => {
    for (const call of ["a", "b"]) p.write(`recordings/${call}.wav`, wavBytes(RATE, speechLike(RATE, 1, RATE * 2, 3)));
    p.write("redactions/a.yaml", manifest(""));
    p.write("redactions/b.yaml", manifest("formats: [opus]\n"));
    p.write("redactions/site.yml", "formats: [mp3]\n");
  });

  it("takes the site's default, and a manifest's formats: over it; --all passes the site file by", () => {
    const r = p.redact(["--all"]);
    expect(r.status, r.stderr).toBe(0);
    expect(files()).toEqual([
      "a.html",
      "a.json",
      "a.mp3",
      "a.wav",
      "b.html",
      "b.json",
      "b.opus",
      "b.wav",
      "index.html",
    ]);
    expect(p.read("out/b.html").toString()).not.toContain("b.mp3");
  }, 120_000);

  it("takes --formats over both, and removes a format no longer chosen", () => {
    const both = p.redact(["a", "--formats", "opus,mp3"]);
    expect(both.status, both.stderr).toBe(0);
    expect(existsSync(join(p.root, "out/a.opus"))).toBe(true);
    expect(Object.keys(JSON.parse(p.read("out/a.json").toString()).outputs)).toEqual(["wav", "mp3", "opus", "html"]);
    const back = p.redact(["a"]);
    expect(back.status, back.stderr).toBe(0);
    expect(existsSync(join(p.root, "out/a.opus"))).toBe(false);
    expect(Object.keys(JSON.parse(p.read("out/a.json").toString()).outputs)).toEqual(["wav", "mp3", "html"]);
  }, 120_000);

  it("refuses invalid site settings like a manifest, at file:line:col, and writes nothing", () => {
    const before = p.snapshotOut();
    p.write("redactions/site.yml", "title: ok\nformats: [mp3, flac]\n");
    const r = p.redact(["a", "--force"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'error: redactions/site.yml:2:16: formats[2]: unknown format "flac"; expected one of mp3, opus\n',
    );
    expect(p.snapshotOut()).toEqual(before);
    p.write("redactions/site.yml", "formats: [mp3]\n");
  });

  it("lists both calls on the index with their titles and links", () => {
    const html = p.read("out/index.html").toString();
    expect([...html.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual([
      ["a.html", "a"],
      ["b.html", "b"],
    ]);
    expect(html).toContain("<h1>Call recordings</h1>"); // the default site title
  });
});
