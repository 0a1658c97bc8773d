/**
 * Attacks, run the way a careless or hostile input would arrive: through the
 * CLI, in a scratch project. Each gets a clear error (exit 2 or 1, no stack
 * trace, out/ exactly as it was) or a correct result (exit 0 and a passing
 * verification). The recovery attack and the metadata search are written here
 * on their own (ffmpeg's band-reject filter, a byte search), not with the
 * verification code they check.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { readWav, speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, type TempProject, tempProject } from "../helpers/project.ts";
import { ffmpeg, STACK, snapshot, tempFiles, verificationOf, verifyCli } from "../helpers/verify-cli.ts";

const projects: TempProject[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});
const newProject = (): TempProject => {
  const p = tempProject();
  projects.push(p);
  return p;
};

function expectCleanFailure(p: TempProject, run: () => CliResult, status: 1 | 2): CliResult {
  const before = snapshot(join(p.root, "out"));
  const r = run();
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toContain("internal error");
  expect(snapshot(join(p.root, "out"))).toEqual(before);
  return r;
}

/** Decode a file at `rate` mono through ffmpeg's band-reject filters at `frequency` (the attacker's notch). */
function notched(path: string, frequency: number, rate: number): Float32Array {
  const reject = `bandreject=f=${frequency}:width_type=h:w=${frequency / 2}`;
  const r = spawnSync(
    resolveFfmpeg().path,
    [
      "-v",
      "error",
      "-i",
      path,
      "-af",
      `${reject},${reject},${reject}`,
      "-ar",
      String(rate),
      "-ac",
      "1",
      "-f",
      "f32le",
      "-",
    ],
    { maxBuffer: 1 << 28 },
  );
  if (r.status !== 0) throw new Error(r.stderr.toString());
  const b = r.stdout as Buffer;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Largest |normalised correlation| of a[from..to) with b shifted by up to +-maxLag samples. */
function maxCorrelation(a: Float32Array, b: Float32Array, from: number, to: number, maxLag: number): number {
  let best = 0;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = from; i < to; i++) {
      const x = a[i] as number;
      const y = b[i + lag] ?? 0;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    if (aa > 0 && bb > 0) best = Math.max(best, Math.abs(ab) / Math.sqrt(aa * bb));
  }
  return best;
}

describe("the recovery attack: notch the tone out and look for the speech", () => {
  const RATE = 8000;
  const p = newProject();
  const speech = speechLike(RATE, 1, RATE * 5, 33);
  p.write("recordings/rec.wav", wavBytes(RATE, speech));
  p.write("redactions/rec.yaml", "redactions:\n  - { start: 1, end: 3.5, category: sensitive }\n");
  let run: CliResult;
  beforeAll(() => {
    run = p.redact(["rec"]);
    // The control: what a naive tool does, the tone laid over the speech turned down by 30 dB.
    const master = readWav(p.read("out/rec.wav")).channels[0] as Int16Array;
    const ducked = Int16Array.from(master, (v, n) =>
      n >= RATE && n < 3.5 * RATE ? v + Math.round(0.0316 * (speech[0]?.[n] ?? 0)) : v,
    );
    p.write("ducked.wav", wavBytes(RATE, [ducked]));
    ffmpeg([
      "-i",
      join(p.root, "ducked.wav"),
      "-ar",
      "48000",
      "-c:a",
      "libmp3lame",
      "-b:a",
      "64k",
      join(p.root, "ducked.mp3"),
    ]);
  }, 60_000);

  // The range's inside, away from its edges (and from the filters' start) by 50 ms.
  const from = 1.05 * RATE;
  const to = 3.45 * RATE;

  it("finds the speech in the control, so the attack works", () => {
    const source = notched(join(p.root, "recordings/rec.wav"), 440, RATE);
    const attacked = notched(join(p.root, "ducked.mp3"), 440, RATE);
    expect(maxCorrelation(attacked, source, from, to, 8)).toBeGreaterThan(0.9);
  });

  it("finds nothing of the speech in any published audio file", { timeout: 30_000 }, () => {
    expect(run.status, run.stderr).toBe(0);
    const source = notched(join(p.root, "recordings/rec.wav"), 440, RATE);
    const audio = readdirSync(join(p.root, "out")).filter((f) => /\.(wav|mp3|opus)$/.test(f));
    expect(audio.length).toBeGreaterThanOrEqual(2);
    for (const file of audio) {
      const attacked = notched(join(p.root, "out", file), 440, RATE);
      expect(maxCorrelation(attacked, source, from, to, 8), file).toBeLessThan(0.1);
    }
  });
});

describe("a source with a title, comment, artist, cover art and location", () => {
  const secrets = ["LEAK-TITLE-31337", "Caller McLeakface", "LEAK-COMMENT-2718", "+48.8584+002.2945/"];
  it("publishes none of them in any file, and verification looked for them", { timeout: 60_000 }, () => {
    const p = newProject();
    const plain = p.write("plain.wav", wavBytes(16000, speechLike(16000, 2, 16000 * 3, 5)));
    const cover = join(p.root, "cover.png");
    ffmpeg(["-f", "lavfi", "-i", "testsrc=s=48x48:d=1", "-frames:v", "1", cover]);
    ffmpeg([
      ...["-i", plain, "-i", cover, "-map", "0:a", "-map", "1:v", "-c:v", "copy", "-disposition:v", "attached_pic"],
      // FLAC: Vorbis comments hold every tag as text, and a PICTURE block the cover.
      ...["-c:a", "flac", "-metadata", `title=${secrets[0]}`, "-metadata", `artist=${secrets[1]}`],
      ...["-metadata", `comment=${secrets[2]}`, "-metadata", `location=${secrets[3]}`],
      join(p.root, "recordings", "tagged.flac"),
    ]);
    const source = readFileSync(join(p.root, "recordings", "tagged.flac"));
    for (const s of secrets) expect(source.includes(s), s).toBe(true);
    const png = readFileSync(cover);
    const coverPiece = png.subarray(png.length - 40, png.length - 16);
    expect(source.includes(coverPiece)).toBe(true);
    p.write("redactions/tagged.yaml", 'title: "Clean"\nredactions:\n  - { start: 1, end: 2, category: obscenity }\n');
    const r = p.redact(["tagged"]);
    expect(r.status, r.stderr).toBe(0);
    for (const file of readdirSync(join(p.root, "out"))) {
      const bytes = readFileSync(join(p.root, "out", file));
      for (const s of secrets) {
        for (const enc of ["utf8", "utf16le", "latin1"] as const) {
          expect(bytes.includes(Buffer.from(s, enc)), `${s} (${enc}) in ${file}`).toBe(false);
        }
      }
      expect(bytes.includes(coverPiece), `cover art in ${file}`).toBe(false);
    }
    const meta = verificationOf(p.root, "tagged").rows.find((row) => row.file === "*");
    expect(meta?.status).toBe("pass");
    expect(meta?.detail).toMatch(/([4-9]|\d\d) tag strings, 1 picture/);
  });
});

describe("paths that leave their folders", () => {
  const p = newProject();
  p.write("recordings/good.wav", wavBytes(8000, speechLike(8000, 1, 8000 * 2)));
  p.write("redactions/good.yaml", "redactions: []\n");
  p.write("out/good.wav", "earlier master");
  p.write("secret.wav", wavBytes(8000, speechLike(8000, 1, 8000)));

  it("call names with / or .. are refused, by redact and by verify (exit 2)", { timeout: 60_000 }, () => {
    const names = ["../good", "sub/good", "..", "good/..", "/etc/passwd", ".hidden"];
    const r = expectCleanFailure(p, () => p.redact(names), 2);
    for (const name of names) expect(r.stderr, name).toContain(`"${name}" is not a call name`);
    const v = expectCleanFailure(p, () => verifyCli(p.root, ["../good"]), 2);
    expect(v.stderr).toContain("is not a call name");
  });

  it("recording: paths and links that leave recordings/ are refused, each with its line and column (exit 2)", {
    timeout: 60_000,
  }, () => {
    p.write("redactions/up.yaml", "recording: ../secret.wav\nredactions: []\n");
    p.write("redactions/abs.yaml", `recording: ${join(p.root, "secret.wav")}\nredactions: []\n`);
    p.write("redactions/sneaky.yaml", "recording: sub/../../secret.wav\nredactions: []\n");
    symlinkSync(join(p.root, "secret.wav"), join(p.root, "recordings", "link.wav"));
    p.write("redactions/link.yaml", "redactions: []\n");
    mkdirSync(join(p.root, "elsewhere"));
    p.write("elsewhere/inside.wav", wavBytes(8000, speechLike(8000, 1, 8000)));
    symlinkSync(join(p.root, "elsewhere"), join(p.root, "recordings", "dir"));
    p.write("redactions/dirlink.yaml", "recording: dir/inside.wav\nredactions: []\n");
    const r = expectCleanFailure(p, () => p.redact(["up", "abs", "sneaky", "link", "dirlink"]), 2);
    expect(r.stderr).toContain("redactions/up.yaml:1:12: recording:");
    expect(r.stderr).toContain("redactions/abs.yaml:1:12: recording:");
    expect(r.stderr).toContain("redactions/sneaky.yaml:1:12: recording:");
    expect(r.stderr).toMatch(/redactions\/link\.yaml:\d+:\d+: recording: .*outside recordings\//);
    expect(r.stderr).toMatch(/redactions\/dirlink\.yaml:1:12: recording: .*outside recordings\//);
  });
});

describe("hostile manifests", () => {
  const p = newProject();
  p.write("out/keep.json", "{}");
  const yaml: Record<string, string> = {
    // Nine levels of nine: 387 million strings if aliases were expanded.
    bomb: `${["a: &a [x,x,x,x,x,x,x,x,x]", ..."bcdefghi".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`)].join("\n")}\nredactions: []\n`,
    large: `redactions:\n${"  - { start: 1, end: 2, category: sensitive }\n".repeat(30_000)}`,
    deep: `redactions: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
    dupkey: "redactions:\n  - start: 1\n    end: 2\n    start: 1.5\n    category: sensitive\n",
    nan: "redactions:\n  - { start: .nan, end: 2, category: sensitive }\n",
    negzero: "redactions:\n  - { start: -0, end: 2, category: sensitive }\n",
    minutes: 'redactions:\n  - { start: "99:99", end: 2, category: sensitive }\n',
  };
  for (const name of Object.keys(yaml)) {
    p.write(`redactions/${name}.yaml`, yaml[name] as string);
    p.write(`recordings/${name}.wav`, wavBytes(8000, speechLike(8000, 1, 8000 * 2)));
  }

  it("are refused before anything is decoded, every one with file:line:col (exit 2)", { timeout: 60_000 }, () => {
    // An ffmpeg that leaves a mark if it is ever started: refusing a manifest needs no decoding at all (and
    // the alias bomb is refused at its first anchor, never expanded).
    const mark = join(p.root, "ffmpeg-ran");
    const spy = p.write("spy-ffmpeg.sh", `#!/bin/sh\ntouch "${mark}"\nexit 1\n`);
    chmodSync(spy, 0o755);
    const r = expectCleanFailure(p, () => p.redact(Object.keys(yaml), { FFMPEG_PATH: spy }), 2);
    expect(existsSync(mark), "ffmpeg was started").toBe(false);
    for (const name of Object.keys(yaml)) {
      expect(r.stderr, name).toMatch(new RegExp(`^error: redactions/${name}\\.yaml:\\d+:\\d+: `, "m"));
    }
    expect(r.stderr).toMatch(/bomb\.yaml:1:4: .*anchors/);
    expect(r.stderr).toMatch(/large\.yaml:1:1: .*limit is 1 MiB/);
    expect(r.stderr).toMatch(/deep\.yaml:\d+:\d+: .*nested more than/);
    expect(r.stderr).toMatch(/dupkey\.yaml:4:5: redactions\[1\]\.start: duplicate key/);
    expect(r.stderr).toMatch(/nan\.yaml:2:14: redactions\[1\]\.start: .*not a number/);
    expect(r.stderr).toMatch(/negzero\.yaml:2:14: redactions\[1\]\.start:/);
    expect(r.stderr).toMatch(/minutes\.yaml:2:14: redactions\[1\]\.start: "99:99" is not a time/);
  });

  it("a time of 1e308 s is past the end of the recording, as a start or an end (exit 2)", { timeout: 60_000 }, () => {
    p.write("redactions/farstart.yaml", "redactions:\n  - { start: 1e308, duration: 1, category: sensitive }\n");
    p.write("redactions/farend.yaml", "redactions:\n  - { start: 1, end: 1e308, category: sensitive }\n");
    for (const name of ["farstart", "farend"])
      p.write(`recordings/${name}.wav`, wavBytes(8000, speechLike(8000, 1, 8000)));
    const r = expectCleanFailure(p, () => p.redact(["farstart", "farend"]), 2);
    expect(r.stderr).toMatch(/farstart\.yaml:2:14: redactions\[1\]\.start: 1\.00e\+308 s is past the end/);
    expect(r.stderr).toMatch(/farend\.yaml:2:22: redactions\[1\]\.end: .* is past the end of the recording/);
  });
});

describe("hostile audio", () => {
  const p = newProject();
  p.write("out/keep.json", "{}");
  const full = wavBytes(8000, speechLike(8000, 1, 8000 * 4, 9));
  beforeAll(() => {
    p.write("whole.wav", full);
    ffmpeg(["-i", join(p.root, "whole.wav"), "-c:a", "libmp3lame", "-b:a", "32k", join(p.root, "whole.mp3")]);
  });

  it("a text file named .mp3, an empty file and a file with no audio stream: exit 1, naming the file", {
    timeout: 60_000,
  }, () => {
    p.write("recordings/text.mp3", "this is not audio\n".repeat(200));
    p.write("recordings/empty.mp3", "");
    ffmpeg(["-f", "lavfi", "-i", "testsrc=s=32x32:d=1", "-c:v", "mpeg4", join(p.root, "recordings", "video.mp4")]);
    for (const name of ["text", "empty", "video"]) p.write(`redactions/${name}.yaml`, "redactions: []\n");
    const r = expectCleanFailure(p, () => p.redact(["text", "empty", "video"]), 1);
    expect(r.stderr).toContain("recordings/text.mp3");
    expect(r.stderr).toContain("recordings/empty.mp3");
    expect(r.stderr).toContain("recordings/video.mp4");
    expect(tempFiles(join(p.root, "out"))).toEqual([]);
  });

  it("a truncated MP3 (refused unless accepted), six channels, a one-sample range and a range over the whole recording: published and verified", {
    timeout: 120_000,
  }, () => {
    const mp3 = readFileSync(join(p.root, "whole.mp3"));
    p.write("recordings/cut.mp3", mp3.subarray(0, Math.floor(mp3.length / 2)));
    p.write("redactions/cut.yaml", "redactions:\n  - { start: 0.5, end: 1, category: sensitive }\n");
    p.write("recordings/six.wav", wavBytes(48000, speechLike(48000, 6, 48000 * 2, 4)));
    p.write("redactions/six.yaml", "redactions:\n  - { start: 0.5, end: 1.5, category: obscenity }\n");
    p.write("recordings/one.wav", full);
    p.write("redactions/one.yaml", "redactions:\n  - { start: 2, end: 2.000125, category: sensitive }\n");
    p.write("recordings/all.wav", full);
    p.write("redactions/all.yaml", "redactions:\n  - { start: 0, end: 4, category: sensitive }\n");
    // Its LAME header states the whole file's length: the half decodes to less, which is refused.
    const refused = p.redact(["cut"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/recordings\/cut\.mp3: .*the decoder gave \d+ samples; the LAME header/);
    const r = p.redact(["--accept-decode-errors", "cut", "six", "one", "all"]);
    expect(r.status, r.stderr).toBe(0);
    for (const call of ["cut", "six", "one", "all"]) {
      const report = JSON.parse(p.read(`out/${call}.json`).toString("utf8"));
      expect(verificationOf(p.root, call).passed, call).toBe(true);
      if (call === "cut") expect(report.source.samples).toBeLessThan(8000 * 3); // what the half file holds
      if (call === "one") expect([report.ranges[0].startSample, report.ranges[0].endSample]).toEqual([16000, 16001]);
      if (call === "all") expect([report.ranges[0].startSample, report.ranges[0].endSample]).toEqual([0, 32000]);
    }
    const six = readWav(p.read("out/six.wav"));
    expect(six.channels).toHaveLength(6);
  });
});

describe("writing the report", () => {
  it("verify refuses a report that is not one, without touching it (exit 1)", { timeout: 60_000 }, () => {
    const p = newProject();
    p.write("recordings/x.wav", wavBytes(8000, speechLike(8000, 1, 8000)));
    p.write("redactions/x.yaml", "redactions: []\n");
    for (const [text, why] of [
      [
        '{"source": 1}\n',
        /not a report of this tool: call, title, source, .* are missing or not as this tool writes them/,
      ],
      ["{ not json", /not a report of this tool: not valid JSON/],
    ] as const) {
      p.write("out/x.json", text);
      const before = snapshot(join(p.root, "out"));
      const r = verifyCli(p.root, ["x"]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`x\\.json\\s+FAIL\\s+${why.source}`));
      expect(r.stderr).not.toMatch(STACK);
      expect(snapshot(join(p.root, "out"))).toEqual(before);
    }
  });
});
