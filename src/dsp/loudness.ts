/**
 * Integrated loudness (EBU R128 / ITU-R BS.1770-4) with sample and true peak, streaming over planar
 * Float32Array chunks. Pure computation, no I/O.
 *
 * - K-weighting: the BS.1770 pre-filter (high shelf) then the RLB high-pass, each a biquad whose
 *   coefficients are derived for the actual sample rate from the analog prototype (as libebur128 does);
 *   at 48 kHz they reproduce the recommendation's tables.
 * - Mean square over 400 ms blocks every 100 ms (75 % overlap), built from 100 ms sub-block sums. Sub-block
 *   k covers frames [floor(k fs / 10), floor((k+1) fs / 10)), so rates like 11025 Hz, where 100 ms is not a
 *   whole number of frames, still get blocks of exactly 400 ms of frames. Only complete blocks count.
 * - All channel weights 1.0 (the meter is fed the mono or stereo mix); block loudness
 *   l = -0.691 + 10 log10(sum over channels of mean square).
 * - Gating: absolute at -70 LUFS, then relative at 10 LU below the loudness of the blocks above it;
 *   "above" is strict (l > gate), as in the recommendation. No block left: -Infinity.
 *
 * Memory: a few numbers per channel, plus two numbers (a sub-block's energy and length) per 100 ms of audio.
 * Chunk independence: samples are filtered and accumulated one at a time in stream order into per-channel
 * state, so the result is bit-identical however the stream is cut.
 */
import { checkChunk, TruePeakMeter } from "./truepeak.ts";

export interface LoudnessResult {
  /** Gated integrated loudness, LUFS; -Infinity when no block passes the gates (silence, or under 400 ms). */
  integratedLufs: number;
  /**
   * BS.1770-4 true peak (4x oversampled, never below the sample peak), dBTP; -Infinity for silence;
   * NaN when the meter was made with `{ truePeak: false }`.
   */
  truePeakDbtp: number;
  /** Largest |sample|, dBFS; -Infinity for silence. */
  samplePeakDbfs: number;
}

/** Biquad coefficients, a0 normalised to 1: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** The two K-weighting stages for a sample rate, from the analog prototypes behind BS.1770-4 Tables 1 and 2. */
export function kWeightingCoefficients(sampleRate: number): { shelf: Biquad; highPass: Biquad } {
  // Stage 1: high shelf, +4 dB above about 1.7 kHz (head effects).
  let f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / sampleRate);
  const vh = 10 ** (gainDb / 20);
  const vb = vh ** 0.4996667741545416;
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  // Stage 2: RLB high-pass around 38 Hz. The numerator is [1, -2, 1] unnormalised, as in Table 2.
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / sampleRate);
  a0 = 1 + k / q + k * k;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  return { shelf, highPass };
}

const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = 10;
const OFFSET = -0.691;

function lufs(energy: number): number {
  return OFFSET + 10 * Math.log10(energy);
}

function db(linear: number): number {
  return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

export class LoudnessMeter {
  readonly sampleRate: number;
  readonly channels: number;
  private readonly shelf: Biquad;
  private readonly highPass: Biquad;
  /** Per channel: x1, x2, y1, y2 of the shelf, then y1, y2 of the high-pass (its input is the shelf's output). */
  private readonly state: Float64Array[];
  /** Per channel: sum of squares of the K-weighted signal in the current sub-block. */
  private readonly acc: Float64Array;
  private readonly truePeak: TruePeakMeter | undefined;
  private samplePeak = 0;
  /** Frames pushed so far; index of the current sub-block and its end frame. */
  private frames = 0;
  private subIndex = 0;
  private subEnd: number;
  /** Energy sum (all channels) and frame count of each completed sub-block, in order from `firstSub`. */
  private subSums = new Float64Array(1024);
  private subLens = new Float64Array(1024);
  private subCount = 0;
  /** Index of the first sub-block, and the first frame counted (see `startFrame`). */
  private readonly firstSub: number;
  private readonly startFrame: number;

  /**
   * `truePeak: false` leaves out the true-peak measurement (about half the meter's work) for callers that
   * need the loudness only; the loudness is the same either way.
   */
  constructor(
    sampleRate: number,
    channels: number,
    options: {
      readonly truePeak?: boolean;
      /**
       * The frame of the whole stream that the first pushed frame is (default 0): a meter over one stretch
       * of a stream keeps the stream's sub-block grid, so that LoudnessMeter.combined can join the stretches.
       */
      readonly startFrame?: number;
    } = {},
  ) {
    if (!Number.isInteger(sampleRate) || sampleRate < 4000 || sampleRate > 1_000_000) {
      throw new RangeError(`sampleRate must be an integer from 4000 to 1000000 Hz, got ${sampleRate}`);
    }
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    const { shelf, highPass } = kWeightingCoefficients(sampleRate);
    this.shelf = shelf;
    this.highPass = highPass;
    this.state = Array.from({ length: channels }, () => new Float64Array(6));
    this.acc = new Float64Array(channels);
    this.truePeak = options.truePeak === false ? undefined : new TruePeakMeter(channels);
    this.startFrame = options.startFrame ?? 0;
    if (!Number.isSafeInteger(this.startFrame) || this.startFrame < 0) {
      throw new RangeError(`startFrame must be a whole number of frames, got ${this.startFrame}`);
    }
    // The sub-block holding startFrame: the last k with boundary(k) <= startFrame.
    let k = Math.floor((this.startFrame * 10) / sampleRate);
    while (this.boundary(k + 1) <= this.startFrame) k++;
    while (this.boundary(k) > this.startFrame) k--;
    this.firstSub = k;
    this.subIndex = k;
    this.frames = this.startFrame;
    this.subEnd = this.boundary(k + 1);
  }

  /** First frame of sub-block k. */
  private boundary(k: number): number {
    return Math.floor((k * this.sampleRate) / 10);
  }

  /**
   * Run `chunk` through the K-weighting without counting it: the frames just before `startFrame`, so that
   * the filters start from the state a meter over the whole stream would have there.
   */
  prime(chunk: readonly Float32Array[]): void {
    const n = checkChunk(chunk, this.channels);
    const acc = this.acc.slice();
    const peak = this.samplePeak;
    for (let c = 0; c < this.channels; c++) this.filter(c, chunk[c]!, 0, n);
    this.acc.set(acc);
    this.samplePeak = peak;
  }

  push(chunk: readonly Float32Array[]): void {
    const n = checkChunk(chunk, this.channels);
    if (n === 0) return;
    this.truePeak?.push(chunk);
    let from = 0;
    while (from < n) {
      const len = Math.min(n - from, this.subEnd - this.frames);
      for (let c = 0; c < this.channels; c++) this.filter(c, chunk[c]!, from, from + len);
      from += len;
      this.frames += len;
      if (this.frames === this.subEnd) this.endSubBlock();
    }
  }

  /** K-weights src[from..to) of channel c, adding the squares to its sub-block sum; tracks the sample peak. */
  private filter(c: number, src: Float32Array, from: number, to: number): void {
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const h1 = this.highPass.a1;
    const h2 = this.highPass.a2;
    const st = this.state[c]!;
    let x1 = st[0]!;
    let x2 = st[1]!;
    let y1 = st[2]!;
    let y2 = st[3]!;
    let z1 = st[4]!;
    let z2 = st[5]!;
    let sum = this.acc[c]!;
    let peak = this.samplePeak;
    for (let i = from; i < to; i++) {
      const x = src[i]!;
      const a = Math.abs(x);
      if (a > peak) peak = a;
      let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      // High-pass with numerator [1, -2, 1] on the shelf output y.
      let z = y - 2 * y1 + y2 - h1 * z1 - h2 * z2;
      // After digital silence the recursion decays into subnormal numbers, which are many times slower on
      // most CPUs. Anything under 1e-30 (600 dB below full scale) is zero for this measurement.
      if (Math.abs(y) < 1e-30) y = 0;
      if (Math.abs(z) < 1e-30) z = 0;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      sum += z * z;
    }
    st[0] = x1;
    st[1] = x2;
    st[2] = y1;
    st[3] = y2;
    st[4] = z1;
    st[5] = z2;
    this.acc[c] = sum;
    this.samplePeak = peak;
  }

  private endSubBlock(): void {
    let sum = 0;
    for (let c = 0; c < this.channels; c++) sum += this.acc[c]!;
    this.acc.fill(0);
    if (this.subCount === this.subSums.length) {
      const sums = new Float64Array(this.subSums.length * 2);
      const lens = new Float64Array(this.subSums.length * 2);
      sums.set(this.subSums);
      lens.set(this.subLens);
      this.subSums = sums;
      this.subLens = lens;
    }
    this.subSums[this.subCount] = sum;
    this.subLens[this.subCount] = this.subEnd - Math.max(this.boundary(this.subIndex), this.startFrame);
    this.subCount++;
    this.subIndex++;
    this.subEnd = this.boundary(this.subIndex + 1);
  }

  /** Index of the sub-block under way when it has frames (it then counts as the last sub-block), else -1. */
  private partialSub(): number {
    return this.frames > Math.max(this.boundary(this.subIndex), this.startFrame) ? this.subIndex : -1;
  }

  /** Add the sub-blocks so far (the completed ones and the one under way) into arrays indexed from `lo`. */
  private addSubBlocks(sums: Float64Array, lens: Float64Array, lo: number): void {
    const add = (k: number, sum: number, len: number): void => {
      sums[k - lo] = sums[k - lo]! + sum;
      lens[k - lo] = lens[k - lo]! + len;
    };
    for (let j = 0; j < this.subCount; j++) add(this.firstSub + j, this.subSums[j]!, this.subLens[j]!);
    if (this.partialSub() >= 0) {
      let sum = 0;
      for (let c = 0; c < this.channels; c++) sum += this.acc[c]!;
      add(this.subIndex, sum, this.frames - Math.max(this.boundary(this.subIndex), this.startFrame));
    }
  }

  /**
   * Integrated loudness of a stream measured in stretches, one meter each (made with `startFrame`, and
   * primed with the frames before it): sub-blocks split between two meters are added up, and every 400 ms
   * block whose four sub-blocks are whole counts. Over stretches that cover the stream this is the single
   * meter's figure (up to the order of two additions per join). Memory: two numbers per sub-block.
   */
  static combined(meters: readonly LoudnessMeter[]): number {
    const first = meters[0];
    if (!first) return Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const m of meters) {
      const end = Math.max(m.firstSub + m.subCount, m.partialSub() + 1);
      if (end <= m.firstSub) continue;
      lo = Math.min(lo, m.firstSub);
      hi = Math.max(hi, end);
    }
    if (!(hi > lo)) return Number.NEGATIVE_INFINITY;
    const n = hi - lo;
    const sums = new Float64Array(n);
    const lens = new Float64Array(n);
    for (const m of meters) m.addSubBlocks(sums, lens, lo);
    const whole = (k: number): boolean => lens[k] === first.boundary(lo + k + 1) - first.boundary(lo + k);
    const blocks = new Float64Array(Math.max(0, n - 3));
    let count = 0;
    for (let k = 0; k + 3 < n; k++) {
      if (!(whole(k) && whole(k + 1) && whole(k + 2) && whole(k + 3))) continue;
      blocks[count++] = blockEnergy(sums, lens, k);
    }
    return gatedLoudness(blocks, count);
  }

  /** Measurement of everything pushed so far; the meter can keep going afterwards. */
  result(): LoudnessResult {
    // Blocks of four sub-blocks, 75 % overlap, summed in the order the incremental meter used.
    const count = Math.max(0, this.subCount - 3);
    const blocks = new Float64Array(count);
    for (let j = 0; j < count; j++) blocks[j] = blockEnergy(this.subSums, this.subLens, j);
    const integratedLufs = gatedLoudness(blocks, count);
    return {
      integratedLufs,
      truePeakDbtp: this.truePeak ? db(Math.max(this.truePeak.maxAbs, this.samplePeak)) : Number.NaN,
      samplePeakDbfs: db(this.samplePeak),
    };
  }
}

/** Mean-square energy of the 400 ms block made of sub-blocks k..k+3 (sums over channels, and frame counts). */
const blockEnergy = (sums: Float64Array, lens: Float64Array, k: number): number =>
  (sums[k]! + sums[k + 1]! + sums[k + 2]! + sums[k + 3]!) / (lens[k]! + lens[k + 1]! + lens[k + 2]! + lens[k + 3]!);

/** BS.1770 gating over block energies: absolute gate, then relative gate 10 LU under the blocks above it. */
function gatedLoudness(blocks: Float64Array, count: number): number {
  let sum = 0;
  let kept = 0;
  for (let j = 0; j < count; j++) {
    const e = blocks[j]!;
    if (lufs(e) > ABSOLUTE_GATE_LUFS) {
      sum += e;
      kept++;
    }
  }
  if (kept === 0) return Number.NEGATIVE_INFINITY;
  const relativeGate = lufs(sum / kept) - RELATIVE_GATE_LU;
  let gatedSum = 0;
  let gated = 0;
  for (let j = 0; j < count; j++) {
    const e = blocks[j]!;
    const l = lufs(e);
    if (l > ABSOLUTE_GATE_LUFS && l > relativeGate) {
      gatedSum += e;
      gated++;
    }
  }
  return gated > 0 ? lufs(gatedSum / gated) : Number.NEGATIVE_INFINITY;
}
