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
import { planNormalisation } from "../../src/dsp/normalise.ts";
import { PeakMeter } from "../../src/dsp/peaks.ts";
import { mp3SampleRate } from "../../src/media/mp3.ts";
import { encodeMp3InParts, MIN_SPLIT_SECONDS, planMp3Split } from "../../src/publish/mp3-parts.ts";
import type { WebSignal } from "../../src/publish/web-audio.ts";
import { encodeWebFormats, type WebPlan } from "../../src/publish/web-encode.ts";
import { decodeWithFfmpeg, ebur128 } from "../helpers/audio.ts";
import { burstyMaster } from "../helpers/master.ts";

const dir = mkdtempSync(join(tmpdir(), "mp3-parts-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("planMp3Split", () => {
  it("splits recordings from MIN_SPLIT_SECONDS on, on the MP3 frame grid, covering every frame once", () => {
    for (const rate of [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000]) {
      expect(planMp3Split(MIN_SPLIT_SECONDS * rate - 1, rate)).toBeUndefined();
      for (const seconds of [MIN_SPLIT_SECONDS, 601.3, 3600]) {
        const frames = Math.round(seconds * rate);
        const split = planMp3Split(frames, rate);
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
function bursty(name: string, seconds: number): { s: WebSignal; plan: WebPlan } {
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
  return { s, plan: { format: "mp3", codecDb: 0, norm: { ...norm, expectedLufs: norm.targetLufs } } };
}

describe("encodeMp3InParts", { timeout: 60_000 }, () => {
  const { s, plan } = bursty("bursty", 60);
  const tags = { title: "parts" };
  const whole = join(dir, "whole.mp3");
  const onePart = encodeWebFormats(s, [{ format: "mp3", path: whole, display: "whole" }], [plan], tags, {
    minSplitSeconds: Number.POSITIVE_INFINITY,
    measure: true,
  });

  it("joins two parts into the one-part encode's equal, with the limiter working across the cut", async () => {
    const path = join(dir, "split.mp3");
    const progress: number[] = [];
    const { peaks, loudness } = await encodeWebFormats(s, [{ format: "mp3", path, display: "split" }], [plan], tags, {
      onFrames: (f) => progress.push(f),
      minSplitSeconds: 30,
      measure: true,
    });
    const { peaks: wholePeaks, loudness: wholeLoudness } = await onePart;
    // The feed's loudness, metered part by part and joined: the one pass's, to rounding.
    expect(loudness?.[0]).toBeCloseTo(wholeLoudness?.[0] as number, 9);
    expect(Array.from(peaks.min)).toEqual(Array.from(wholePeaks.min));
    expect(Array.from(peaks.max)).toEqual(Array.from(wholePeaks.max));
    expect(progress.at(-1)).toBe(s.frames);
    expect(readFileSync(path).equals(readFileSync(whole))).toBe(false);
    const [a] = decodeWithFfmpeg(path, 1) as [Float32Array];
    const [b] = decodeWithFfmpeg(whole, 1) as [Float32Array];
    expect(a.length).toBe(s.frames);
    expect(b.length).toBe(s.frames);
    // The same samples up to the frame before the cut window (the cut falls in it).
    const split = planMp3Split(s.frames, RATE, 30);
    const windowStart = ((split?.windows[0]?.first as number) - 1) * 1152 - 1105;
    let first = -1;
    for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== b[i]) first = i;
    expect(first).toBeGreaterThanOrEqual(windowStart);
    const la = ebur128(path);
    const lb = ebur128(whole);
    expect(Math.abs(la.integratedLufs - lb.integratedLufs)).toBeLessThanOrEqual(0.05);
    expect(la.truePeakDbtp).toBeLessThanOrEqual(lb.truePeakDbtp + 0.2);
  });

  it("encodes in one part when no cut qualifies, leaving no part file behind", async () => {
    const split = planMp3Split(s.frames, RATE, 30);
    if (!split) throw new Error("no split");
    const path = join(dir, "fallback.mp3");
    const peaks = new PeakMeter(s.frames);
    let wholeRuns = 0;
    await encodeMp3InParts(
      s,
      { ...split, windows: split.windows.map((w) => ({ first: w.last + 1, last: w.last })) },
      { path, display: "fallback" },
      plan.norm,
      tags,
      peaks,
      {
        encodeWhole: async () => {
          wholeRuns++;
          await encodeWebFormats(s, [{ format: "mp3", path, display: "fallback" }], [plan], tags, {
            minSplitSeconds: Number.POSITIVE_INFINITY,
          });
          return undefined;
        },
      },
    );
    await onePart;
    expect(wholeRuns).toBe(1);
    expect(readFileSync(path).equals(readFileSync(whole))).toBe(true);
    expect(peaks.result().frames).toBe(s.frames);
    expect(readdirSync(dir).filter((f) => f.includes(".part"))).toEqual([]);
  });
});
