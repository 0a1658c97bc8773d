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
import type { Measured } from "../../../src/dsp/normalise.ts";
import { codecLevels } from "../../../src/publish/web/codecs.ts";
import { encodeInOnePass } from "../../../src/publish/web/encode.ts";
import { encodeFast, estimateGains, fastApplies } from "../../../src/publish/web/fast.ts";
import { type FormatPlan, planFormats, type WebSignal } from "../../../src/publish/web/plan.ts";
import { settleGains } from "../../../src/publish/web/settle.ts";
import { ebur128 } from "../../helpers/audio.ts";
import { burstyMaster } from "../../helpers/master.ts";

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

/** The MP3's plan for this master, as the pipeline makes it (pure: planFormats). */
async function mp3Plan(name: string, measured: Measured, path = join(dir, `${name}.mp3`)): Promise<FormatPlan> {
  const levels = await codecLevels(["mp3"], { sampleRate: RATE, channels: 1 });
  const [plan] = planFormats(
    [{ format: "mp3", file: `${name}.mp3`, path, display: `out/${name}.mp3` }],
    levels,
    measured,
    1,
  );
  if (!plan) throw new Error("no plan");
  return plan;
}

/** The fast path on a long recording under the limiter: the gain estimated, the encode metered. */
async function encode(name: string, s: WebSignal, measured: Measured) {
  const first = await mp3Plan(name, measured);
  expect(fastApplies(s, [first])).toBe(true);
  const [estimate] = await estimateGains(s, [first]);
  if (!estimate) throw new Error("no estimate");
  const progress: number[] = [];
  // In one part (the split is tested in mp3-parts.test.ts): the file can then be compared byte for byte.
  const { plans } = await encodeFast(
    s,
    [estimate],
    { title: name },
    { onFrames: (f) => progress.push(f), minSeconds: 1e9 },
  );
  return { first, estimate, plan: plans[0] as FormatPlan, progress, path: estimate.path };
}

/** The same master encoded directly with this plan (MP3 encoding is bit-exact: same input, same bytes). */
async function encodedWith(name: string, s: WebSignal, plan: FormatPlan): Promise<Buffer> {
  const path = join(dir, `${name}.reference.mp3`);
  await encodeInOnePass(s, [{ ...plan, path, display: "reference" }], { title: name });
  return readFileSync(path);
}

describe("the web gain under the limiter", { timeout: 60_000 }, () => {
  it("keeps the estimated gain when the metered feed finds it on target, and encodes once", async () => {
    const { s, measured } = master("uniform", 150, () => true);
    const r = await encode("uniform", s, measured);
    expect(r.first.step).toBe("settle");
    const estimated = r.estimate.gain.gainDb;
    // Raised above the plain gain by what the limiter takes.
    expect(estimated).toBeGreaterThan(TARGET - (measured.integratedLufs + r.first.codecDb) + 0.2);
    expect(r.plan.gain.gainDb).toBe(estimated);
    expect(r.plan.gain.limiter).toBe(true);
    expect(Math.abs(r.plan.gain.expectedLufs - TARGET)).toBeLessThanOrEqual(0.1);
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
    expect(r.first.step).toBe("settle");
    const [settled] = await settleGains(s, [r.estimate]);
    expect(settled?.gain.gainDb).not.toBe(r.estimate.gain.gainDb);
    expect(r.plan.gain.gainDb).toBe(settled?.gain.gainDb);
    // The file is the settled gain's, not the estimate's.
    expect(r.progress.at(-1)).toBe(s.frames);
    const atSettled = await encodedWith("hidden", s, r.plan);
    expect(readFileSync(r.path).equals(atSettled)).toBe(true);
    const atEstimate = await encodedWith("hidden-estimate", s, r.estimate);
    expect(readFileSync(r.path).equals(atEstimate)).toBe(false);
    expect(Math.abs(ebur128(r.path).integratedLufs - TARGET)).toBeLessThanOrEqual(0.5);
  });

  it("settles a short recording before encoding (the plain path), and needs no dry run without the limiter", async () => {
    const short = master("short", 60, () => true);
    const loud = await mp3Plan("short", short.measured);
    expect(loud.step).toBe("settle");
    expect(fastApplies(short.s, [loud])).toBe(false);
    const quiet: Measured = { ...short.measured, truePeakDbtp: -30 };
    const plain = await mp3Plan("short", quiet);
    expect(plain.step).toBe("final");
    expect(plain.gain.limiter).toBe(false);
    expect(plain.gain.gainDb).toBeCloseTo(TARGET - (quiet.integratedLufs + plain.codecDb), 10);
  });
});
