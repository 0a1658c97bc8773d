/**
 * In-process throughput of the DSP core and the PCM conversions: the per-sample work `npm run redact`
 * does in node, timed on speech-like audio cut into chunks as the decoder cuts it.
 */
import { TruePeakLimiter } from "../../src/dsp/limiter.ts";
import { LoudnessMeter } from "../../src/dsp/loudness.ts";
import { redactChunk } from "../../src/dsp/redact.ts";
import { dbToAmplitude, type ToneRange } from "../../src/dsp/tone.ts";
import { applyGain, webMix } from "../../src/dsp/webmix.ts";
import { planarToF32, planarToS16, s16ToPlanar } from "../../src/media/pcm.ts";
import { hertz, sampleIndex } from "../../src/units.ts";
import { median, round } from "./stats.ts";
import { floatToS16le, SpeechSynth } from "./synth.ts";

export interface DspFigure {
  readonly name: string;
  /** Sample frames (mono: samples) per second of CPU time, median of the timed repeats. */
  readonly samplesPerSecond: number;
  /** How many times faster than real time at the benchmark's rate. */
  readonly realtimeX: number;
  /** Seconds this step would take over one hour of audio at the benchmark's rate. */
  readonly secondsPerHour: number;
}

export interface DspResults {
  readonly sampleRate: number;
  readonly seconds: number;
  readonly chunkFrames: number;
  readonly repeats: number;
  /** The redaction plan used: ranges in samples and the fraction of the audio they cover. */
  readonly ranges: readonly { start: number; end: number; frequency: number }[];
  readonly coverage: number;
  readonly figures: readonly DspFigure[];
}

/** About 5 % of the audio covered: one range per 20 s, alternating 440 and 660 Hz, -18 dBFS, 5 ms ramps. */
export function typicalPlan(totalFrames: number, sampleRate: number): ToneRange[] {
  const count = Math.max(1, Math.floor(totalFrames / (20 * sampleRate)));
  const slot = totalFrames / count;
  const length = Math.max(1, Math.round(0.05 * slot));
  return Array.from({ length: count }, (_, k): ToneRange => {
    const start = Math.round((k + 0.5) * slot);
    return {
      start: sampleIndex(start),
      end: sampleIndex(start + length),
      frequency: hertz(k % 2 === 0 ? 440 : 660),
      amplitude: dbToAmplitude(-18),
      rampSamples: Math.round(0.005 * sampleRate),
    };
  });
}

export function dspThroughput(seconds: number, sampleRate = 44100, chunkFrames = 16384, repeats = 5): DspResults {
  const total = Math.round(seconds * sampleRate);
  const s16 = floatToS16le(new SpeechSynth({ seed: 7, sampleRate }).next(total));
  const s16Chunks: Buffer[] = [];
  for (let i = 0; i < total; i += chunkFrames)
    s16Chunks.push(s16.subarray(2 * i, 2 * Math.min(total, i + chunkFrames)));
  const decoded = (): Float32Array[][] => s16Chunks.map((b) => s16ToPlanar(b, 1));
  const planar = decoded();
  const offsets = s16Chunks.map((_, k) => k * chunkFrames);
  const ranges = typicalPlan(total, sampleRate);
  const gain = 10 ** (8 / 20);

  const figures: DspFigure[] = [];
  const time = (name: string, run: () => void): void => {
    run(); // warm-up: let the JIT optimise before timing
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      run();
      rates.push(total / ((performance.now() - t0) / 1000));
    }
    const sps = median(rates);
    figures.push({
      name,
      samplesPerSecond: Math.round(sps),
      realtimeX: Math.round(sps / sampleRate),
      secondsPerHour: round((3600 * sampleRate) / sps, 2),
    });
  };

  time("s16ToPlanar", () => {
    for (const b of s16Chunks) s16ToPlanar(b, 1);
  });
  const redactInput = decoded();
  time("redactChunk (5% covered)", () => {
    for (let k = 0; k < redactInput.length; k++) {
      redactChunk(redactInput[k] as Float32Array[], sampleIndex(offsets[k] as number), ranges, sampleRate);
    }
  });
  time("planarToS16", () => {
    for (const p of planar) planarToS16(p);
  });
  time("LoudnessMeter.push", () => {
    const meter = new LoudnessMeter(sampleRate, 1);
    for (const p of planar) meter.push(webMix(p));
  });
  time("planarToF32", () => {
    for (const p of planar) planarToF32(p);
  });
  time("TruePeakLimiter.process (+8 dB)", () => {
    const limiter = new TruePeakLimiter({ sampleRate, channels: 1, ceilingDbtp: -2 });
    for (const p of planar) {
      const web = p.map((c) => c.slice());
      applyGain(web, gain);
      limiter.process(web);
    }
    limiter.flush();
  });
  time("pass 1 in node (decode->redact->s16+meter)", () => {
    const meter = new LoudnessMeter(sampleRate, 1);
    for (let k = 0; k < s16Chunks.length; k++) {
      const p = s16ToPlanar(s16Chunks[k] as Buffer, 1);
      redactChunk(p, sampleIndex(offsets[k] as number), ranges, sampleRate);
      planarToS16(p);
      meter.push(webMix(p));
    }
  });
  time("pass 2 in node (s16->gain->f32, no limiter)", () => {
    for (const b of s16Chunks) {
      const web = webMix(s16ToPlanar(b, 1));
      applyGain(web, gain);
      planarToF32(web);
    }
  });

  let covered = 0;
  for (const r of ranges) covered += r.end - r.start;
  return {
    sampleRate,
    seconds,
    chunkFrames,
    repeats,
    ranges: ranges.map((r) => ({ start: r.start, end: r.end, frequency: r.frequency })),
    coverage: round(covered / total, 4),
    figures,
  };
}
