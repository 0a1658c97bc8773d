/**
 * Deterministic speech-like test audio for the benchmark: seeded pink noise, band-passed to the
 * telephone band (300-3400 Hz), shaped into syllable-like bursts grouped in phrases with pauses, and a
 * faint line hiss underneath. Pure computation: the same seed gives the same samples however the
 * stream is cut into chunks.
 */

/** Bump when the signal changes, so cached recordings are regenerated. */
export const SYNTH_VERSION = "speech-v1";

/** mulberry32: small, fast, seedable; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BiquadState {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

/** RBJ cookbook high- or low-pass, Q = 1/sqrt(2). */
function biquad(kind: "highpass" | "lowpass", f0: number, sampleRate: number): BiquadState {
  const w = (2 * Math.PI * f0) / sampleRate;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const b1 = kind === "lowpass" ? 1 - cos : -(1 + cos);
  const b0 = kind === "lowpass" ? (1 - cos) / 2 : (1 + cos) / 2;
  return {
    b0: b0 / a0,
    b1: b1 / a0,
    b2: b0 / a0,
    a1: (-2 * cos) / a0,
    a2: (1 - alpha) / a0,
    x1: 0,
    x2: 0,
    y1: 0,
    y2: 0,
  };
}

function runBiquad(f: BiquadState, x: number): number {
  let y = f.b0 * x + f.b1 * f.x1 + f.b2 * f.x2 - f.a1 * f.y1 - f.a2 * f.y2;
  if (Math.abs(y) < 1e-30) y = 0;
  f.x2 = f.x1;
  f.x1 = x;
  f.y2 = f.y1;
  f.y1 = y;
  return y;
}

export interface SpeechSynthOptions {
  readonly seed: number;
  readonly sampleRate: number;
}

/** Overall gain: speech bursts around -20 dBFS RMS with peaks a few dB under full scale. */
const GAIN = 1.6;
/** Line hiss under everything, relative to a full-level syllable (about -50 dB). */
const FLOOR = 0.003;

export class SpeechSynth {
  readonly sampleRate: number;
  private readonly rng: () => number;
  private readonly pink = new Float64Array(7);
  private readonly filters: BiquadState[];
  /** Current envelope segment: its length, position in it, peak level (0 for a gap or pause). */
  private segLength = 0;
  private segPos = 0;
  private segLevel = 0;
  private syllablesLeft = 0;
  private inSyllable = false;

  constructor(opts: SpeechSynthOptions) {
    this.sampleRate = opts.sampleRate;
    this.rng = mulberry32(opts.seed);
    const sr = opts.sampleRate;
    this.filters = [biquad("highpass", 300, sr), biquad("highpass", 300, sr), biquad("lowpass", 3400, sr)];
    this.filters.push(biquad("lowpass", 3400, sr));
  }

  private uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng();
  }

  /** Pick the next envelope segment: syllable, short gap between syllables, or a pause between phrases. */
  private nextSegment(): void {
    const sr = this.sampleRate;
    this.segPos = 0;
    if (this.inSyllable) {
      this.inSyllable = false;
      this.segLevel = 0;
      if (this.syllablesLeft > 0) this.segLength = Math.round(this.uniform(0.02, 0.09) * sr);
      else this.segLength = Math.round(this.uniform(0.25, 1.4) * sr);
      return;
    }
    if (this.syllablesLeft === 0) this.syllablesLeft = 3 + Math.floor(this.rng() * 12);
    this.syllablesLeft--;
    this.inSyllable = true;
    this.segLength = Math.max(1, Math.round(this.uniform(0.1, 0.28) * sr));
    this.segLevel = this.uniform(0.35, 1);
  }

  /** Paul Kellet's pink-noise filter over uniform white noise in [-1, 1). */
  private pinkSample(): number {
    const w = this.rng() * 2 - 1;
    const b = this.pink;
    b[0] = 0.99886 * (b[0] as number) + w * 0.0555179;
    b[1] = 0.99332 * (b[1] as number) + w * 0.0750759;
    b[2] = 0.969 * (b[2] as number) + w * 0.153852;
    b[3] = 0.8665 * (b[3] as number) + w * 0.3104856;
    b[4] = 0.55 * (b[4] as number) + w * 0.5329522;
    b[5] = -0.7616 * (b[5] as number) - w * 0.016898;
    const out = (b[0] as number) + (b[1] as number) + (b[2] as number) + (b[3] as number);
    const p = out + (b[4] as number) + (b[5] as number) + (b[6] as number) + w * 0.5362;
    b[6] = w * 0.115926;
    return p * 0.11;
  }

  /** The next n samples, in [-1, 1]. */
  next(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (this.segPos >= this.segLength) this.nextSegment();
      let env = 0;
      if (this.inSyllable) {
        const s = Math.sin((Math.PI * this.segPos) / this.segLength);
        env = this.segLevel * s * s;
      }
      this.segPos++;
      let x = this.pinkSample();
      for (const f of this.filters) x = runBiquad(f, x);
      const v = GAIN * x * (FLOOR + env);
      out[i] = Math.min(1, Math.max(-1, v));
    }
    return out;
  }
}

/** Float samples to 16-bit little-endian PCM (round to nearest, clipped), as the recording's source. */
export function floatToS16le(x: Float32Array): Buffer {
  const buf = Buffer.allocUnsafe(2 * x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round((x[i] as number) * 32767);
    buf.writeInt16LE(Math.min(32767, Math.max(-32768, v)), 2 * i);
  }
  return buf;
}
