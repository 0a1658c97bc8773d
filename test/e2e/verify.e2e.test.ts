/**
 * `npm run verify` and the verification at the end of every `redact`, as a
 * user runs them: on a freshly published call everything passes and the
 * call's private record carries the result; on deliberately broken outputs
 * (each one broken in one way, with its report's hashes made to match so that
 * only the audio or metadata check can catch it) the run exits 1 with a row
 * that says why.
 */
import { createHash } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { ffmpeg, type Row, recordOf, STACK, snapshot, verificationOf, verifyCli } from "../helpers/verify-cli.ts";

const RATE = 8000;
const SECONDS = 6;
const MANIFEST = `title: "Published title"
redactions:
  - { start: 1, end: 2, category: sensitive, note: "NOTE-private-4711" }
  - { start: 2.75, end: 3.5, category: obscenity }
  - { start: 4.5, duration: 0.8, category: sensitive }
`;
// The source's own metadata: none of it may be published.
const TAGS = { title: "SRC-TITLE-77", artist: "Jane Q. Caller", comment: "call from +44 20 7946 0958" };

let project: TempProject;
let out: string;
const sha = (p: string): string => createHash("sha256").update(readFileSync(p)).digest("hex");

beforeAll(() => {
  project = tempProject();
  out = join(project.root, "out");
  const plain = project.write("plain.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * SECONDS, 21)));
  const cover = join(project.root, "cover.png");
  ffmpeg(["-f", "lavfi", "-i", "testsrc=s=32x32:d=1", "-frames:v", "1", cover]);
  ffmpeg([
    ...["-i", plain, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:v", "copy", "-disposition:v", "attached_pic"],
    ...["-c:a", "libmp3lame", "-b:a", "32k", "-id3v2_version", "3"],
    ...Object.entries(TAGS).flatMap(([k, v]) => ["-metadata", `${k}=${v}`]),
    join(project.root, "recordings", "good.mp3"),
  ]);
  project.write("redactions/good.yaml", MANIFEST);
  const run = project.redact(["good"]);
  if (run.status !== 0) throw new Error(`redact failed: ${run.stderr}`);
}, 60_000);
afterAll(() => project.cleanup());

const reportOf = (call: string) => JSON.parse(readFileSync(join(out, `${call}.json`), "utf8"));
const AUDIO = /\.(wav|mp3|opus|ogg|m4a)$/;

describe("after redact", () => {
  it("the private record carries a passing verification: a row per range and audio file, and per file", () => {
    const report = reportOf("good");
    const v = verificationOf(project.root, "good");
    expect(v.passed).toBe(true);
    const audio = Object.values(report.outputs as Record<string, { file: string }>)
      .map((o) => o.file)
      .filter((f) => AUDIO.test(f));
    expect(audio).toEqual(expect.arrayContaining(["good.wav", "good.mp3"]));
    for (const file of audio) {
      expect(v.rows.filter((r) => r.file === file && r.range === null)).toHaveLength(1);
      for (const range of [1, 2, 3]) {
        const rows = v.rows.filter((r) => r.file === file && r.range === range);
        expect(rows, `${file} range ${range}`).toHaveLength(1);
        expect(rows[0]?.status).toBe("pass");
      }
    }
    expect(v.rows.find((r) => r.file === "good.json")?.status).toBe("pass");
    const meta = v.rows.find((r) => r.file === "*");
    expect(meta?.status).toBe("pass");
    // It looked for the source's tags and its picture, and for the private note.
    expect(meta?.detail).toMatch(/[3-9] tag strings, 1 picture, 1 private note/);
  });

  it("the report's hashes are the files' hashes", () => {
    for (const o of Object.values(reportOf("good").outputs as Record<string, { file: string; sha256: string }>)) {
      expect(sha(join(out, o.file)), o.file).toBe(o.sha256);
    }
  });
});

describe("npm run verify on a good call", () => {
  it("passes, prints one row per range and file, and leaves out/ byte-identical", () => {
    const before = snapshot(out);
    const r = verifyCli(project.root, ["good"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const audio = readdirSync(out).filter((f) => f.startsWith("good.") && AUDIO.test(f));
    for (const range of [1, 2, 3]) {
      const lines = r.stdout.split("\n").filter((l) => new RegExp(`^good\\s+${range}\\s`).test(l));
      expect(lines).toHaveLength(audio.length);
      for (const l of lines) expect(l).toMatch(/\sok\s/);
    }
    expect(r.stdout).toContain("good: verified");
    expect(snapshot(out)).toEqual(before);
  });
});

/**
 * Make call `name` a copy of "good" (same recording and manifest, its outputs
 * copied under its own name), break it with `breakIt`, and make its report's
 * hashes match the broken files.
 */
function brokenCopy(name: string, breakIt: (file: (ext: string) => string) => void, manifest = MANIFEST): void {
  copyFileSync(join(project.root, "recordings/good.mp3"), join(project.root, `recordings/${name}.mp3`));
  project.write(`redactions/${name}.yaml`, manifest);
  const report = reportOf("good");
  report.call = name;
  for (const o of Object.values(report.outputs as Record<string, { file: string }>)) {
    const ext = o.file.slice("good.".length);
    copyFileSync(join(out, o.file), join(out, `${name}.${ext}`));
    o.file = `${name}.${ext}`;
  }
  // The page's links and player, to the copy's own files.
  const page = join(out, `${name}.html`);
  writeFileSync(page, readFileSync(page, "utf8").replaceAll("good.", `${name}.`));
  breakIt((ext) => join(out, `${name}.${ext}`));
  for (const o of Object.values(report.outputs as Record<string, { file: string; sha256: string }>)) {
    o.sha256 = sha(join(out, o.file));
  }
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
}

/** Re-encode out/<call>.mp3 through an ffmpeg filter, as the pipeline encodes (48 kHz mono 64 kbps). */
function reencode(input: string, output: string, filter: string): void {
  // Scratch files outside out/: anything of the call's name in out/ is checked (and fails) as the call's.
  const tmp = join(project.root, "reencoded.tmp.mp3");
  ffmpeg(["-i", input, "-af", filter, "-ar", "48000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", tmp]);
  copyFileSync(tmp, output);
}

describe("npm run verify on broken outputs", () => {
  let run: ReturnType<typeof verifyCli>;
  let results: Array<{ call: string; passed: boolean; rows: Row[] }>;
  const rows = (call: string): Row[] => results.find((r) => r.call === call)?.rows ?? [];
  const failing = (call: string): Row[] => rows(call).filter((r) => r.status === "fail");

  beforeAll(() => {
    const gainDb = reportOf("good").loudness.gainDb as number;
    // 1. The master: one sample before the first range changed (16-bit mono: data starts at byte 44).
    brokenCopy("b-master", (file) => {
      const wav = readFileSync(file("wav"));
      wav.writeInt16LE(wav.readInt16LE(44 + 2 * 100) ^ 0x40, 44 + 2 * 100);
      writeFileSync(file("wav"), wav);
    });
    // 2. The MP3 made from the source instead of the master: the speech is still in the ranges.
    brokenCopy("b-speech", (file) =>
      reencode(join(project.root, "recordings/good.mp3"), file("mp3"), `volume=${gainDb}dB`),
    );
    // 3. The MP3 60 ms late (480 samples at 8 kHz, over two MP3 frames), same length.
    brokenCopy("b-late", (file) => reencode(file("mp3"), file("mp3"), `adelay=60,atrim=0:${SECONDS}`));
    // 4. The source's artist tag copied into the MP3.
    brokenCopy("b-tag", (file) => {
      const tagged = join(project.root, "tagged.tmp.mp3");
      ffmpeg(["-i", file("mp3"), "-c", "copy", "-metadata", `artist=${TAGS.artist}`, tagged]);
      copyFileSync(tagged, file("mp3"));
    });
    // 5. The MP3 6 dB too loud.
    brokenCopy("b-loud", (file) => reencode(file("mp3"), file("mp3"), "volume=6dB"));
    // 6. The manifest changed after publishing: the outputs no longer match what it asks for.
    brokenCopy("b-stale", () => {}, MANIFEST.replace("start: 2.75", "start: 2.25"));
    const calls = ["b-master", "b-speech", "b-late", "b-tag", "b-loud", "b-stale"];
    run = verifyCli(project.root, calls);
    const json = verifyCli(project.root, [...calls, "--json"]);
    results = JSON.parse(json.stdout);
  }, 60_000);

  it("exits 1, without a stack trace, with FAIL rows in the table", () => {
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(STACK);
    expect(run.stdout).toMatch(/FAIL/);
    for (const call of ["b-master", "b-speech", "b-late", "b-tag", "b-loud", "b-stale"]) {
      expect(run.stdout).toContain(`${call}: verification FAILED`);
      expect(results.find((r) => r.call === call)?.passed).toBe(false);
    }
  });

  it("a changed master sample: the master's row says which sample differs from the source", () => {
    const f = failing("b-master");
    expect(f.map((r) => r.file)).toEqual(["b-master.wav"]);
    expect(f[0]?.detail).toMatch(/1 sample outside the ranges differ.* at sample 100 /);
  });

  it("speech left in the ranges: each range's MP3 row says the tone does not hold it", () => {
    const f = failing("b-speech").filter((r) => r.file === "b-speech.mp3" && r.range !== null);
    expect(f.map((r) => r.range)).toEqual([1, 2, 3]);
    for (const r of f) expect(r.detail).toMatch(/tone holds only/);
  });

  it("a late MP3: each range's row says its edges are off by more than one codec frame", () => {
    const f = failing("b-late").filter((r) => r.file === "b-late.mp3" && r.range !== null);
    expect(f.map((r) => r.range)).toEqual([1, 2, 3]);
    for (const r of f) expect(r.detail).toMatch(/start is 480 samples \(60\.0 ms\) off the master's/);
  });

  it("a source tag in the MP3: the metadata row names the tag and the file", () => {
    const f = failing("b-tag");
    expect(f.map((r) => r.file)).toEqual(["*"]);
    expect(f[0]?.detail).toContain("the source's artist tag is in out/b-tag.mp3");
    expect(f[0]?.detail).not.toContain(TAGS.artist); // the secret itself is not repeated
  });

  it("a loud MP3: its file row gives the loudness and the target", () => {
    const f = failing("b-loud").filter((r) => r.range === null);
    expect(f.map((r) => r.file)).toEqual(["b-loud.mp3"]);
    expect(f[0]?.detail).toMatch(/loudness -1[23]\.\d\d LUFS is not within 1 LU of -19/);
  });

  it("a stale report: the report's row says the manifest's ranges differ", () => {
    const f = failing("b-stale");
    expect(f.map((r) => r.file)).toContain("b-stale.json");
    expect(f.find((r) => r.file === "b-stale.json")?.detail).toMatch(
      /ranges differ from the manifest's \(range 2: report 22000-28000 obscenity 660 Hz, manifest 18000-28000/,
    );
  });
});

describe("redact --no-verify", () => {
  it("publishes the same files, and its private record says they were not verified", () => {
    const before = readFileSync(join(out, "good.mp3"));
    const r = project.redact(["good", "--force", "--no-verify"]);
    expect(r.status, r.stderr).toBe(0);
    expect(recordOf(project.root, "good").verification).toBeNull();
    expect(readFileSync(join(out, "good.mp3")).equals(before)).toBe(true);
  });
});
