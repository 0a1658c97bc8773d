/**
 * The web files' gain when the limiter is needed: on a long recording the encode starts at a gain raised
 * by the limiter's estimated loss (a sample of the master), and the loudness of what the encoder is fed
 * is metered: the file is kept when it lands within 0.1 LU of the target, and otherwise the encode is made
 * again at the settled gain. Either way the file is what the settled gain gives.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Measured } from "../../src/dsp/normalise.ts";
import { firstGains, type GainRequest, settleGains, type WebSignal } from "../../src/publish/web-audio.ts";
import { codecLevels, encodeWeb, encodeWebFormats, WEB_CODECS, type WebPlan } from "../../src/publish/web-encode.ts";
import { ebur128 } from "../helpers/audio.ts";
import { burstyMaster } from "../helpers/master.ts";

const dir = mkdtempSync(join(tmpdir(), "web-encode-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 8000;
const TARGET = -19;

/** The bursty master at 8 kHz; `where` says which moments may have a burst. */
const master = (name: string, seconds: number, where: (t: number) => boolean): { s: WebSignal; measured: Measured } =>
  burstyMaster({
    dir,
    name,
    sampleRate: RATE,
    seconds,
    speechSeed: 3,
    burstSeed: 99,
    burstFrames: 40,
    burstPeak: 14000,
    where,
  });

async function encode(name: string, s: WebSignal, measured: Measured) {
  const levels = codecLevels(["mp3"], { sampleRate: RATE, channels: 1 });
  const request: GainRequest = { codecDb: (await levels)[0] as number, headroomDb: WEB_CODECS.mp3.headroomDb };
  const estimate = await firstGains(s, measured, [request]);
  const progress: number[] = [];
  const path = join(dir, `${name}.mp3`);
  const { plans } = await encodeWeb(
    s,
    measured,
    [{ format: "mp3", path, display: `out/${name}.mp3` }],
    levels,
    { title: name },
    (f) => progress.push(f),
  );
  return { request, estimate, plan: plans[0] as WebPlan, progress, path };
}

/** The same master encoded directly with this plan (MP3 encoding is bit-exact: same input, same bytes). */
async function encodedWith(name: string, s: WebSignal, plan: WebPlan): Promise<Buffer> {
  const path = join(dir, `${name}.reference.mp3`);
  await encodeWebFormats(s, [{ format: "mp3", path, display: "reference" }], [plan], { title: name });
  return readFileSync(path);
}

describe("the web gain under the limiter", { timeout: 60_000 }, () => {
  it("keeps the estimated gain when the metered feed finds it on target, and encodes once", async () => {
    const { s, measured } = master("uniform", 150, () => true);
    const r = await encode("uniform", s, measured);
    expect(r.estimate.kind).toBe("estimated");
    const estimated = r.estimate.gains[0]?.gainDb as number;
    // Raised above the plain gain by what the limiter takes.
    expect(estimated).toBeGreaterThan(TARGET - (measured.integratedLufs + r.request.codecDb) + 0.2);
    expect(r.plan?.norm.gainDb).toBe(estimated);
    expect(r.plan?.norm.limiter).toBe(true);
    expect(Math.abs((r.plan?.norm.expectedLufs as number) - TARGET)).toBeLessThanOrEqual(0.1);
    // One encode: progress only goes forward.
    expect(r.progress.every((f, i) => i === 0 || f >= (r.progress[i - 1] as number))).toBe(true);
    expect(r.progress.at(-1)).toBe(s.frames);
    expect(readFileSync(r.path).equals(await encodedWith("uniform", s, r.plan))).toBe(true);
    // The file itself, measured by ffmpeg: on target (the codec's own variation included).
    expect(Math.abs(ebur128(r.path).integratedLufs - TARGET)).toBeLessThanOrEqual(0.5);
  });

  it("encodes again at the settled gain when the estimate missed (bursts only where the sample does not look)", async () => {
    // The sample reads 2 s of every 7.5 s on a 150 s recording (20 stretches): bursts only in the gaps.
    const { s, measured } = master("hidden", 150, (t) => t % 7.5 >= 3.5 && t % 7.5 < 7);
    const r = await encode("hidden", s, measured);
    expect(r.estimate.kind).toBe("estimated");
    const settled = await settleGains(s, measured, [r.request], [r.estimate.gains[0]?.gainDb as number]);
    expect(settled[0]?.gainDb).not.toBe(r.estimate.gains[0]?.gainDb);
    expect(r.plan?.norm.gainDb).toBe(settled[0]?.gainDb);
    // The file is the settled gain's, not the estimate's.
    expect(r.progress.at(-1)).toBe(s.frames);
    const atSettled = await encodedWith("hidden", s, r.plan);
    expect(readFileSync(r.path).equals(atSettled)).toBe(true);
    const atEstimate = await encodedWith("hidden-estimate", s, {
      ...r.plan,
      norm: r.estimate.gains[0] as WebPlan["norm"],
    });
    expect(readFileSync(r.path).equals(atEstimate)).toBe(false);
    expect(Math.abs(ebur128(r.path).integratedLufs - TARGET)).toBeLessThanOrEqual(0.5);
  });

  it("settles a short recording before encoding, and needs no dry run without the limiter", async () => {
    const short = master("short", 60, () => true);
    const request: GainRequest = { codecDb: -0.5, headroomDb: 1 };
    expect((await firstGains(short.s, short.measured, [request])).kind).toBe("settle-first");
    const quiet: Measured = { ...short.measured, truePeakDbtp: -30 };
    const plain = await firstGains(short.s, quiet, [request]);
    expect(plain.kind).toBe("final");
    expect(plain.gains[0]?.limiter).toBe(false);
    expect(plain.gains[0]?.gainDb).toBeCloseTo(TARGET - (quiet.integratedLufs - 0.5), 10);
  });
});
