/**
 * Recordings as they arrive in real life: the demo MP3s, a tagged MP3 whose
 * metadata must not leak, and a recording with more channels than the web
 * files carry.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { decodeWithFfmpeg, ebur128, readWav, speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, REPO, type TempProject, tempProject } from "../helpers/project.ts";
import { toneEnergyFraction } from "../helpers/signal.ts";

const projects: TempProject[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

const ffmpeg = (args: string[]): void => {
  const r = spawnSync(resolveFfmpeg().path, ["-v", "error", "-y", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
};

describe("the demo calls", () => {
  let project: TempProject;
  let run: CliResult;

  // Run when these tests run, not when the file is collected.
  beforeAll(() => {
    project = tempProject();
    projects.push(project);
    for (const name of readdirSync(join(REPO, "recordings")).filter((n) => n.endsWith(".mp3"))) {
      copyFileSync(join(REPO, "recordings", name), join(project.root, "recordings", name));
    }
    for (const name of readdirSync(join(REPO, "redactions")).filter((n) => /^call\d\.yaml$/.test(n))) {
      copyFileSync(join(REPO, "redactions", name), join(project.root, "redactions", name));
    }
    // The demo ships a transcript of each call: published redacted beside it.
    for (const name of readdirSync(join(REPO, "transcripts"))) {
      project.write(`transcripts/${name}`, readFileSync(join(REPO, "transcripts", name)));
    }
    run = project.redact(["--all"]);
  }, 120_000);

  it("all publish with --all, one line per call", () => {
    expect(run.status, run.stderr).toBe(0);
    const perCall = run.stdout.split("\n").filter((line) => /^call\d: /.test(line));
    expect(perCall.map((line) => line.slice(0, 5)).sort()).toEqual(["call1", "call2", "call3", "call4"]);
  });

  it.each(["call1", "call2", "call3", "call4"])(
    "%s: publishes its transcript, one placeholder per range, in the report",
    (call) => {
      const report = JSON.parse(project.read(`out/${call}.json`).toString("utf8"));
      const vtt = project.read(`out/${call}.vtt`);
      expect(report.outputs.vtt).toEqual({
        file: `${call}.vtt`,
        sha256: createHash("sha256").update(vtt).digest("hex"),
      });
      const placeholders = vtt.toString("utf8").match(/<c\.redacted\.[a-z]+>/g) ?? [];
      expect(placeholders).toHaveLength(report.ranges.length);
      expect(project.read(`out/${call}.html`).toString("utf8")).toContain(`<track kind="captions" src="${call}.vtt"`);
    },
  );

  it.each(["call1", "call2", "call3", "call4"])("%s: each range of the master holds its tone and only it", (call) => {
    const report = JSON.parse(project.read(`out/${call}.json`).toString("utf8"));
    const master = readWav(project.read(`out/${call}.wav`));
    const decodedSource = decodeWithFfmpeg(join(project.root, "recordings", `${call}.mp3`), 1)[0] as Float32Array;
    const out = master.channels[0] as Int16Array;
    expect(out.length).toBe(decodedSource.length);
    for (const r of report.ranges) {
      const slice = Float32Array.from(out.subarray(r.startSample, r.endSample), (v) => v / 32768);
      expect(toneEnergyFraction(slice, r.frequency, master.sampleRate)).toBeGreaterThan(0.95);
    }
    if (call === "call3") expect(report.ranges).toEqual([]);
  });

  it("the published MP3s are on the mono loudness target", () => {
    for (const call of ["call1", "call4"]) {
      const m = ebur128(join(project.root, "out", `${call}.mp3`));
      expect(Math.abs(m.integratedLufs - -19), call).toBeLessThanOrEqual(1);
      expect(m.truePeakDbtp, call).toBeLessThanOrEqual(-1);
    }
  });
});

describe("metadata of the source", () => {
  it("appears in no output: title, artist, comment, cover art, location", () => {
    const project = tempProject();
    projects.push(project);
    const wav = project.write("plain.wav", wavBytes(44100, speechLike(44100, 2, 44100 * 3)));
    const cover = join(project.root, "cover.png");
    ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=16x16:d=1", "-frames:v", "1", cover]);
    ffmpeg([
      ...["-i", wav, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:v", "copy", "-c:a", "libmp3lame"],
      ...["-id3v2_version", "3", "-metadata", "title=LEAK-TITLE-123", "-metadata", "artist=LEAK-ARTIST-456"],
      ...["-metadata", "comment=LEAK-COMMENT-789", "-metadata", "location=+51.5074-000.1278/"],
      ...["-metadata:s:v", "title=LEAK-COVER", "-disposition:v", "attached_pic"],
      join(project.root, "recordings", "tagged.mp3"),
    ]);
    expect(readFileSync(join(project.root, "recordings", "tagged.mp3")).includes("LEAK-ARTIST-456")).toBe(true);
    project.write(
      "redactions/tagged.yaml",
      'title: "Clean title"\nredactions:\n  - { start: 1, end: 2, category: sensitive }\n',
    );
    const run = project.redact(["tagged"]);
    expect(run.status, run.stderr).toBe(0);
    for (const file of ["tagged.wav", "tagged.mp3", "tagged.json"]) {
      const bytes = project.read(`out/${file}`);
      for (const leak of ["LEAK-", "+51.5074", "Lavc", "PNG"]) {
        expect(bytes.includes(leak), `${leak} in ${file}`).toBe(false);
      }
    }
    expect(project.read("out/tagged.mp3").includes("Clean title")).toBe(true);
  });
});

describe("a six-channel recording", () => {
  it("keeps six channels in the master and publishes a mono mix on the mono target", () => {
    const project = tempProject();
    projects.push(project);
    project.write("recordings/six.wav", wavBytes(48000, speechLike(48000, 6, 48000 * 4, 3)));
    project.write("redactions/six.yaml", "redactions:\n  - { start: 1, end: 2.5, category: obscenity }\n");
    const run = project.redact(["six"]);
    expect(run.status, run.stderr).toBe(0);
    const master = readWav(project.read("out/six.wav"));
    expect(master.channels).toHaveLength(6);
    for (const ch of master.channels) expect(ch[48000 + 1000]).toBe(master.channels[0]?.[48000 + 1000]);
    const m = ebur128(join(project.root, "out", "six.mp3"));
    expect(Math.abs(m.integratedLufs - -19)).toBeLessThanOrEqual(1);
    expect(decodeWithFfmpeg(join(project.root, "out", "six.mp3"), 1)[0]?.length).toBeGreaterThan(0);
  });
});
