/**
 * A master for the web encoders' tests: speech-like audio with short loud 1 kHz bursts at random moments
 * (0.2 to 0.6 s apart), which the limiter has to take down once the speech is raised to the target,
 * written as a 16-bit mono WAV, with its loudness as pass 1 would measure it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LoudnessMeter } from "../../src/dsp/loudness.ts";
import type { Measured } from "../../src/dsp/normalise.ts";
import type { WebSignal } from "../../src/publish/web/plan.ts";
import { rng, speechLike, wavBytes } from "./audio.ts";

export interface BurstyOptions {
  readonly dir: string;
  readonly name: string;
  readonly sampleRate: number;
  readonly seconds: number;
  /** Seeds of the speech and of the burst times. */
  readonly speechSeed: number;
  readonly burstSeed: number;
  /** Length of each burst in frames, and its peak in 16-bit steps. */
  readonly burstFrames: number;
  readonly burstPeak: number;
  /** Which moments (in seconds) may have a burst; default all. */
  readonly where?: (t: number) => boolean;
}

export function burstyMaster(o: BurstyOptions): { s: WebSignal; measured: Measured } {
  const rate = o.sampleRate;
  const x = speechLike(rate, 1, rate * o.seconds, o.speechSeed)[0] as Int16Array;
  const rand = rng(o.burstSeed);
  for (let i = 0; i < x.length; i += Math.floor(rate * (0.2 + 0.4 * rand()))) {
    if (o.where && !o.where(i / rate)) continue;
    for (let k = 0; k < o.burstFrames && i + k < x.length; k++)
      x[i + k] = Math.round(o.burstPeak * Math.sin((2 * Math.PI * 1000 * k) / rate));
  }
  const path = join(o.dir, `${o.name}.wav`);
  writeFileSync(path, wavBytes(rate, [x]));
  const meter = new LoudnessMeter(rate, 1);
  meter.push([Float32Array.from(x, (v) => v / 32768)]);
  return {
    s: { masterPath: path, masterDisplay: `out/${o.name}.wav`, sampleRate: rate, webChannels: 1, frames: x.length },
    measured: meter.result(),
  };
}
