/**
 * The web MP3 of a long recording in two parts side by side: the split sits on the MP3 frame grid, and
 * the joined file is the one-part encode's equal: same length, same waveform peaks, the same samples
 * up to the cut window, the same loudness; with the limiter working throughout. When no join
 * qualifies, the file is the one-part encode, byte for byte, and no part file is left behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planNormalisation } from "../../../src/dsp/normalise.ts";
import { PeakMeter } from "../../../src/dsp/peaks.ts";
import { mp3SampleRate } from "../../../src/media/mp3.ts";
import { encodeInOnePass } from "../../../src/publish/web/encode.ts";
import { encodeFast, FAST_MIN_SECONDS } from "../../../src/publish/web/fast.ts";
import { encodeMp3InParts, planMp3Split } from "../../../src/publish/web/mp3-parts.ts";
import type { FormatPlan, WebSignal } from "../../../src/publish/web/plan.ts";
import { decodeWithFfmpeg, ebur128 } from "../../helpers/audio.ts";
import { burstyMaster } from "../../helpers/master.ts";

const dir = mkdtempSync(join(tmpdir(), "mp3-parts-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("planMp3Split", () => {
  it("splits recordings from FAST_MIN_SECONDS on, on the MP3 frame grid, covering every frame once", () => {
    for (const rate of [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000]) {
      expect(planMp3Split(FAST_MIN_SECONDS * rate - 1, rate, FAST_MIN_SECONDS)).toBeUndefined();
      for (const seconds of [FAST_MIN_SECONDS, 601.3, 3600]) {
        const frames = Math.round(seconds * rate);
        const split = planMp3Split(frames, rate, FAST_MIN_SECONDS);
        if (!split) throw new Error(`no split at ${rate} Hz, ${seconds} s`);
        const outRate = mp3SampleRate(rate);
        expect(split.parts[0]?.from).toBe(0);
        expect(split.parts.at(-1)?.to).toBe(frames);
        expect(split.parts[0]?.ownFrom).toBe(0);
        expect(split.parts.at(-1)?.ownTo).toBe(frames);
        split.parts.forEach((p, i) => {
          // A whole number of MP3 frames at the encoder's rate: the parts frame the audio alike.
          expect((p.from * outRate) % (rate * 1152)).toBe(0);
          expect(p.firstFrame).toBe((p.from * outRate) / (rate * 1152));
          const next = split.parts[i + 1];
          if (!next) return;
          expect(next.ownFrom).toBe(p.ownTo);
          // Part 2 starts 3 s before the cut; part 1 runs 8 s past it; the window lies in between.
          expect(p.ownTo - next.from).toBeGreaterThanOrEqual(2.9 * rate);
          expect(p.to - p.ownTo).toBeGreaterThanOrEqual(7.9 * rate);
          const w = split.windows[i];
          expect(w && w.first * 1152 * rate).toBe(p.ownTo * outRate);
          expect(w && (w.last + 4) * 1152 * rate).toBeLessThanOrEqual(p.to * outRate);
        });
      }
    }
  });
});

const RATE = 44100;

/** A minute of speech-like audio with loud bursts every 0.2-0.6 s: at the target, the limiter works throughout. */
function bursty(name: string, seconds: number, path: string): { s: WebSignal; plan: FormatPlan } {
  const { s, measured } = burstyMaster({
    dir,
    name,
    sampleRate: RATE,
    seconds,
    speechSeed: 5,
    burstSeed: 7,
    burstFrames: 200,
    burstPeak: 16000,
  });
  const norm = planNormalisation(measured, 1, 1);
  expect(norm.limiter).toBe(true);
  const gain = { ...norm, expectedLufs: norm.targetLufs };
  return {
    s,
    plan: {
      format: "mp3",
      file: "x.mp3",
      path,
      display: path,
      codecDb: 0,
      headroomDb: 1,
      first: norm,
      gain,
      step: "final",
    },
  };
}

describe("encodeMp3InParts", { timeout: 60_000 }, () => {
  const whole = join(dir, "whole.mp3");
  const { s, plan } = bursty("bursty", 60, whole);
  const at = (path: string): FormatPlan => ({ ...plan, path, display: path });
  const tags = { title: "parts" };
  const onePart = encodeInOnePass(s, [plan], tags, { measure: true });

  it("joins two parts into the one-part encode's equal, with the limiter working across the cut", async () => {
    const path = join(dir, "split.mp3");
    const progress: number[] = [];
    const peaks = new PeakMeter(s.frames);
    const split = planMp3Split(s.frames, RATE, 30);
    if (!split) throw new Error("no split");
    const joined = await encodeMp3InParts(s, split, at(path), tags, peaks, {
      onFrames: (f) => progress.push(f),
      measure: true,
    });
    if (joined.kind !== "joined") throw new Error("not joined");
    const { peaks: wholePeaks, loudness: wholeLoudness } = await onePart;
    // The feed's loudness, metered part by part and joined: the one pass's, to rounding.
    expect(joined.loudness).toBeCloseTo(wholeLoudness?.get("mp3") as number, 9);
    // The speed path that uses it gives the same file.
    const viaFast = join(dir, "fast.mp3");
    await encodeFast(s, [at(viaFast)], tags, { minSeconds: 30 });
    expect(readFileSync(viaFast).equals(readFileSync(path))).toBe(true);
    const joinedPeaks = peaks.result();
    expect(Array.from(joinedPeaks.min)).toEqual(Array.from(wholePeaks.min));
    expect(Array.from(joinedPeaks.max)).toEqual(Array.from(wholePeaks.max));
    expect(progress.at(-1)).toBe(s.frames);
    expect(readFileSync(path).equals(readFileSync(whole))).toBe(false);
    const [a] = decodeWithFfmpeg(path, 1) as [Float32Array];
    const [b] = decodeWithFfmpeg(whole, 1) as [Float32Array];
    expect(a.length).toBe(s.frames);
    expect(b.length).toBe(s.frames);
    // The same samples up to the frame before the cut window (the cut falls in it).
    const windowStart = ((split.windows[0]?.first as number) - 1) * 1152 - 1105;
    let first = -1;
    for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== b[i]) first = i;
    expect(first).toBeGreaterThanOrEqual(windowStart);
    const la = ebur128(path);
    const lb = ebur128(whole);
    expect(Math.abs(la.integratedLufs - lb.integratedLufs)).toBeLessThanOrEqual(0.05);
    expect(la.truePeakDbtp).toBeLessThanOrEqual(lb.truePeakDbtp + 0.2);
  });

  it("says there is no cut when no join qualifies, leaving no part file behind", async () => {
    const split = planMp3Split(s.frames, RATE, 30);
    if (!split) throw new Error("no split");
    const path = join(dir, "fallback.mp3");
    const peaks = new PeakMeter(s.frames);
    const outcome = await encodeMp3InParts(
      s,
      { ...split, windows: split.windows.map((w) => ({ first: w.last + 1, last: w.last })) },
      at(path),
      tags,
      peaks,
    );
    await onePart;
    expect(outcome.kind).toBe("no-cut");
    expect(peaks.result().frames).toBe(s.frames);
    expect(readdirSync(dir).filter((f) => f.includes(".part"))).toEqual([]);
  });
});
