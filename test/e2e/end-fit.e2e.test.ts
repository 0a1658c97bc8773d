/**
 * The recording's length is only known once it is decoded, and `pad:` is clipped there. redact makes
 * the master in one decode, so the last frames wait until the length is known and are redacted with the
 * fitted plan: a range padded past the end gets its last fade at the real end, and one that the clipping
 * leaves shorter than two fades gets shortened fades. Checked sample by sample against tones computed
 * here (refTone), on a recording several decoder chunks long.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWav, speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex, refTone } from "../helpers/signal.ts";
import { verificationOf } from "../helpers/verify-cli.ts";

const RATE = 8000;
const FRAMES = 5 * RATE + 37; // 40037 samples: 5.004625 s, several 16384-frame chunks
let project: TempProject;
let source: Int16Array;

beforeAll(() => {
  project = tempProject();
  source = speechLike(RATE, 1, FRAMES, 8)[0] as Int16Array;
  project.write("recordings/tail.wav", wavBytes(RATE, [source]));
}, 60_000);
afterAll(() => project.cleanup());

/** The master's samples of [start, end) against the reference tone (ramp in ms, -18 dBFS), within half a step. */
function expectTone(master: Int16Array, start: number, end: number, frequency: number, rampMs: number): void {
  let worst = 0;
  for (let n = start; n < end; n++) {
    const want = refTone(n - start, end - start, frequency, RATE, -18, rampMs) * 32768;
    worst = Math.max(worst, Math.abs((master[n] as number) - want));
  }
  expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);
}

describe("ranges at the end of the recording", () => {
  it("a range padded past the end fades out at the real end, with fades fitted to its clipped length", () => {
    // 30 ms fades, 40 ms of padding. Range 2, [4.99 s, 5.004 s), is padded to [4.95 s, 5.044 s): 94 ms,
    // room for two full fades; clipped at the end (5.004625 s) it is 54.6 ms, so each fade is half of
    // it (218 samples, not 240), the fade-in included.
    project.write(
      "redactions/tail.yaml",
      [
        "pad: 40",
        "tone: { ramp: 30 }",
        "redactions:",
        "  - { start: 3, end: 4.9, category: sensitive }",
        "  - { start: 4.99, end: 5.004, category: obscenity }",
        "",
      ].join("\n"),
    );
    const run = project.redact(["tail", "--formats", "mp3"]);
    expect(run.status, run.stderr).toBe(0);
    const master = readWav(readFileSync(join(project.root, "out/tail.wav"))).channels[0] as Int16Array;
    expect(master.length).toBe(FRAMES);
    const at = (t: string): number => refSampleIndex(t, RATE);
    // Range 1, padded to [2.96 s, 4.94 s): inside the recording, full fades.
    expectTone(master, at("2.96"), at("4.94"), 440, 30);
    // Range 2, [4.95 s, the end).
    expectTone(master, at("4.95"), FRAMES, 660, 30);
    // Outside the ranges: the source, untouched.
    expect(master.subarray(0, at("2.96"))).toEqual(source.subarray(0, at("2.96")));
    expect(master.subarray(at("4.94"), at("4.95"))).toEqual(source.subarray(at("4.94"), at("4.95")));
    const report = JSON.parse(readFileSync(join(project.root, "out/tail.json"), "utf8"));
    expect(report.ranges.map((r: { startSample: number; endSample: number }) => [r.startSample, r.endSample])).toEqual([
      [at("2.96"), at("4.94")],
      [at("4.95"), FRAMES],
    ]);
    expect(verificationOf(project.root, "tail").passed).toBe(true);
  });
});
