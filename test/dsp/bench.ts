/**
 * Throughput of the DSP modules (not a test). Run: npx tsx test/dsp/bench.ts [seconds-of-audio]
 * Prints frames per second for LoudnessMeter.push (K-weighting, gating blocks and true peak), TruePeakMeter
 * alone, and TruePeakLimiter.process, on speech-like noise at 44.1 kHz mono.
 */
import { LoudnessMeter } from "../../src/dsp/loudness.ts";
import { TruePeakLimiter } from "../../src/dsp/limiter.ts";
import { TruePeakMeter } from "../../src/dsp/truepeak.ts";

const RATE = 44100;
const seconds = Number(process.argv[2] ?? 120);
const frames = Math.round(seconds * RATE);
const CHUNK = 8192;
type Kind = "speech" | "rising" | "dense";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * "speech": noise with a syllable-rate envelope and pauses, roughly speech-shaped levels; "rising": the same
 * with the level rising through the file, so the running peak keeps being beaten; "dense": steady white
 * noise, where no block can be skipped (the worst case for the true-peak skip test).
 */
function signal(n: number, kind: Kind): Float32Array {
  const r = rng(1);
  const x = new Float32Array(n);
  if (kind === "dense") {
    for (let i = 0; i < n; i++) x[i] = (r() * 2 - 1) * 0.25;
    return x;
  }
  const ramp = kind === "rising";
  let lp = 0;
  for (let i = 0; i < n; i++) {
    const syll = Math.max(0, Math.sin((2 * Math.PI * 4 * i) / RATE)) ** 2;
    const pause = Math.floor(i / (RATE * 3)) % 4 === 3 ? 0.01 : 1;
    lp = 0.7 * lp + 0.3 * (r() * 2 - 1);
    // ramp: level rising through the file, so the running peak keeps being beaten (worst case for skipping).
    const level = ramp ? 0.05 + (0.9 * i) / n : 0.3;
    x[i] = lp * syll * pause * level;
  }
  return x;
}

function time(label: string, x: Float32Array, run: (chunk: Float32Array[]) => void, quiet: boolean): void {
  const t0 = performance.now();
  for (let i = 0; i < x.length; i += CHUNK) run([x.subarray(i, Math.min(x.length, i + CHUNK))]);
  const s = (performance.now() - t0) / 1000;
  const rate = x.length / s;
  if (quiet) return;
  console.log(
    `${label.padEnd(40)} ${(rate / 1e6).toFixed(1).padStart(6)} M frames/s  ` +
      `(${(rate / RATE).toFixed(0)}x real time; 1 h of 44.1 kHz mono: ${((3600 * RATE) / rate).toFixed(1)} s)`,
  );
}

for (const pass of ["warm-up", "measured"]) {
  if (pass === "measured") console.log("--- measured (after a warm-up pass) ---");
  for (const tag of ["speech", "rising", "dense"] as const) {
    const x = signal(pass === "warm-up" ? Math.min(frames, 10 * RATE) : frames, tag);
    const quiet = pass === "warm-up";
    const lm = new LoudnessMeter(RATE, 1);
    time(`LoudnessMeter.push, ${tag}`, x, (c) => lm.push(c), quiet);
    const tp = new TruePeakMeter(1);
    time(`TruePeakMeter.push, ${tag}`, x, (c) => tp.push(c), quiet);
    // Gain so that peaks go well over -1 dBTP: the limiter works throughout.
    const loud = x.map((v) => v * 4);
    const lim = new TruePeakLimiter({ sampleRate: RATE, channels: 1, ceilingDbtp: -1 });
    time(`TruePeakLimiter.process, ${tag}, x4 gain`, loud, (c) => void lim.process(c), quiet);
    lim.flush();
    if (!quiet) {
      const r = lm.result();
      console.log(`  (${tag}: ${r.integratedLufs.toFixed(2)} LUFS, ${r.truePeakDbtp.toFixed(2)} dBTP)`);
    }
  }
}
