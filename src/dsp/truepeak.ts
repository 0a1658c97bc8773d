/**
 * True peak per ITU-R BS.1770-4 Annex 2: 4x oversampling with the recommendation's 48-tap, 4-phase
 * interpolating FIR, over planar Float32Array chunks.
 *
 * Geometry. Phase k of the filter, fed input frames x[m-11..m], gives the interpolated signal at time
 * m - 5.875 + k/4 (in input frames): the four values from input frame m lie inside the interval between
 * frames m-6 and m-5, at 1/8, 3/8, 5/8 and 7/8 of it. No phase lands on an input sample, so a peak
 * reading is the maximum of the interpolated values and the sample values (a true peak never reads below
 * the sample peak). The stream is taken as zero before its first and after its last sample, as a DAC
 * playing the file would see it, so the ringing just outside the ends counts too.
 *
 * Pure computation, no I/O. Results do not depend on how the stream is cut into chunks: every value is
 * computed from the same samples in the same order whatever the chunking, and work is only skipped when
 * it provably cannot change the result.
 */

/** Phase 0 and 1 of the BS.1770-4 Annex 2 filter; phase 3 is phase 0 reversed, phase 2 is phase 1 reversed. */
const P0 = [
  0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875,
  -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125,
] as const;
const P1 = [
  -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625, 0.77978515625,
  -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
] as const;

/** The 4 x 12 coefficients, `TRUE_PEAK_FIR[phase][tap]`; tap j multiplies x[m - j]. */
export const TRUE_PEAK_FIR: readonly (readonly number[])[] = [P0, P1, [...P1].reverse(), [...P0].reverse()];

/** Taps per phase. */
const TAPS = 12;
/** History kept per channel: the 11 frames before the current one. */
const HIST = TAPS - 1;

/**
 * max over phases of sum |h_k[j]|: no interpolated value can exceed this times the largest |x| in its
 * 12-frame window. The coefficients are multiples of 2^-13, so the sum is exact.
 */
export const TRUE_PEAK_GAIN_BOUND: number = Math.max(
  ...TRUE_PEAK_FIR.map((phase) => phase.reduce((s, c) => s + Math.abs(c), 0)),
);

/**
 * Relative slack on the skip test. A computed interpolated value can exceed its exact value by a few ulps
 * of rounding; 1e-9 is far above that, so a skipped block can never have raised the result.
 */
const SKIP_SLACK = 1 + 1e-9;

/** Frames processed per inner block: small enough to stay in cache, large enough to amortise the checks. */
const BLOCK = 512;

const [c00, c01, c02, c03, c04, c05, c06, c07, c08, c09, c10, c11] = P0;
const [c10_, c11_, c12_, c13_, c14_, c15_, c16_, c17_, c18_, c19_, c1a_, c1b_] = P1;

/**
 * Runs the four phases over buf[HIST .. HIST+n) (buf[0..HIST) is the history) and writes, for each of the
 * n input frames, max(floor, largest |interpolated value| of its interval) into iv[0..n). With floor >= 0
 * the comparisons rarely succeed on signals mostly under it, which keeps the branches predictable.
 */
function interpolate(buf: Float64Array, n: number, iv: Float64Array, floor: number): void {
  // x0 = newest frame, x11 = oldest in the window.
  let x1 = buf[10]!;
  let x2 = buf[9]!;
  let x3 = buf[8]!;
  let x4 = buf[7]!;
  let x5 = buf[6]!;
  let x6 = buf[5]!;
  let x7 = buf[4]!;
  let x8 = buf[3]!;
  let x9 = buf[2]!;
  let x10 = buf[1]!;
  let x11 = buf[0]!;
  for (let i = 0; i < n; i++) {
    const x0 = buf[HIST + i]!;
    // Phase k and phase 3-k share coefficients in reverse order.
    const y0 =
      c00 * x0 +
      c01 * x1 +
      c02 * x2 +
      c03 * x3 +
      c04 * x4 +
      c05 * x5 +
      c06 * x6 +
      c07 * x7 +
      c08 * x8 +
      c09 * x9 +
      c10 * x10 +
      c11 * x11;
    const y1 =
      c10_ * x0 +
      c11_ * x1 +
      c12_ * x2 +
      c13_ * x3 +
      c14_ * x4 +
      c15_ * x5 +
      c16_ * x6 +
      c17_ * x7 +
      c18_ * x8 +
      c19_ * x9 +
      c1a_ * x10 +
      c1b_ * x11;
    const y2 =
      c1b_ * x0 +
      c1a_ * x1 +
      c19_ * x2 +
      c18_ * x3 +
      c17_ * x4 +
      c16_ * x5 +
      c15_ * x6 +
      c14_ * x7 +
      c13_ * x8 +
      c12_ * x9 +
      c11_ * x10 +
      c10_ * x11;
    const y3 =
      c11 * x0 +
      c10 * x1 +
      c09 * x2 +
      c08 * x3 +
      c07 * x4 +
      c06 * x5 +
      c05 * x6 +
      c04 * x7 +
      c03 * x8 +
      c02 * x9 +
      c01 * x10 +
      c00 * x11;
    const a0 = Math.abs(y0);
    const a1 = Math.abs(y1);
    const a2 = Math.abs(y2);
    const a3 = Math.abs(y3);
    let a = floor;
    if (a0 > a) a = a0;
    if (a1 > a) a = a1;
    if (a2 > a) a = a2;
    if (a3 > a) a = a3;
    iv[i] = a;
    x11 = x10;
    x10 = x9;
    x9 = x8;
    x8 = x7;
    x7 = x6;
    x6 = x5;
    x5 = x4;
    x4 = x3;
    x3 = x2;
    x2 = x1;
    x1 = x0;
  }
}

/**
 * As interpolate, but only returns max(start, largest |interpolated value|). Comparing every value with the
 * running maximum (almost never exceeded) keeps the branches predictable, which makes this much faster than
 * taking per-frame maxima on noisy signals.
 */
function interpolateMax(buf: Float64Array, n: number, start: number): number {
  // x0 = newest frame, x11 = oldest in the window.
  let x1 = buf[10]!;
  let x2 = buf[9]!;
  let x3 = buf[8]!;
  let x4 = buf[7]!;
  let x5 = buf[6]!;
  let x6 = buf[5]!;
  let x7 = buf[4]!;
  let x8 = buf[3]!;
  let x9 = buf[2]!;
  let x10 = buf[1]!;
  let x11 = buf[0]!;
  let max = start;
  for (let i = 0; i < n; i++) {
    const x0 = buf[HIST + i]!;
    // Phase k and phase 3-k share coefficients in reverse order.
    const y0 =
      c00 * x0 +
      c01 * x1 +
      c02 * x2 +
      c03 * x3 +
      c04 * x4 +
      c05 * x5 +
      c06 * x6 +
      c07 * x7 +
      c08 * x8 +
      c09 * x9 +
      c10 * x10 +
      c11 * x11;
    const y1 =
      c10_ * x0 +
      c11_ * x1 +
      c12_ * x2 +
      c13_ * x3 +
      c14_ * x4 +
      c15_ * x5 +
      c16_ * x6 +
      c17_ * x7 +
      c18_ * x8 +
      c19_ * x9 +
      c1a_ * x10 +
      c1b_ * x11;
    const y2 =
      c1b_ * x0 +
      c1a_ * x1 +
      c19_ * x2 +
      c18_ * x3 +
      c17_ * x4 +
      c16_ * x5 +
      c15_ * x6 +
      c14_ * x7 +
      c13_ * x8 +
      c12_ * x9 +
      c11_ * x10 +
      c10_ * x11;
    const y3 =
      c11 * x0 +
      c10 * x1 +
      c09 * x2 +
      c08 * x3 +
      c07 * x4 +
      c06 * x5 +
      c05 * x6 +
      c04 * x7 +
      c03 * x8 +
      c02 * x9 +
      c01 * x10 +
      c00 * x11;
    const a0 = Math.abs(y0);
    const a1 = Math.abs(y1);
    const a2 = Math.abs(y2);
    const a3 = Math.abs(y3);
    if (a0 > max) max = a0;
    if (a1 > max) max = a1;
    if (a2 > max) max = a2;
    if (a3 > max) max = a3;
    x11 = x10;
    x10 = x9;
    x9 = x8;
    x8 = x7;
    x7 = x6;
    x6 = x5;
    x5 = x4;
    x4 = x3;
    x3 = x2;
    x2 = x1;
    x1 = x0;
  }
  return max;
}

/** Copies src[from .. from+n) into buf after the history and returns max |x| over history and new frames. */
function load(buf: Float64Array, src: Float32Array, from: number, n: number): number {
  let m = 0;
  for (let i = 0; i < HIST; i++) {
    const v = buf[i]!;
    const a = Math.abs(v);
    if (a > m) m = a;
  }
  for (let i = 0; i < n; i++) {
    const v = src[from + i]!;
    buf[HIST + i] = v;
    const a = Math.abs(v);
    if (a > m) m = a;
  }
  return m;
}

/** max |x| over the history buf[0 .. HIST) and src[from .. from+n), without copying anything. */
function windowMax(buf: Float64Array, src: Float32Array, from: number, n: number): number {
  let m = 0;
  for (let i = 0; i < HIST; i++) {
    const a = Math.abs(buf[i]!);
    if (a > m) m = a;
  }
  for (let i = from, end = from + n; i < end; i++) {
    const a = Math.abs(src[i]!);
    if (a > m) m = a;
  }
  return m;
}

/** For a skipped block: the history becomes the last HIST frames of history + src[from .. from+n). */
function keepHistory(buf: Float64Array, src: Float32Array, from: number, n: number): void {
  if (n >= HIST) {
    for (let i = 0, j = from + n - HIST; i < HIST; i++, j++) buf[i] = src[j]!;
  } else {
    buf.copyWithin(0, n, HIST);
    for (let i = HIST - n, j = from; i < HIST; i++, j++) buf[i] = src[j]!;
  }
}

/** Keeps the last HIST frames of buf[0 .. HIST+n) as the history for the next block. */
function shiftHistory(buf: Float64Array, n: number): void {
  buf.copyWithin(0, n, n + HIST);
}

/** Checks a planar chunk against the channel count; returns its length in frames. (Shared by the dsp modules.) */
export function checkChunk(chunk: readonly Float32Array[], channels: number): number {
  if (chunk.length !== channels) {
    throw new RangeError(`expected ${channels} channel(s) in the chunk, got ${chunk.length}`);
  }
  const n = chunk[0]?.length ?? 0;
  for (const ch of chunk) {
    if (ch.length !== n) throw new RangeError("all channels of a chunk must have the same length");
  }
  return n;
}

function checkChannels(channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`channels must be a positive integer, got ${channels}`);
  }
}

/**
 * Streaming true-peak meter: the largest |value| of the 4x-interpolated signal (and of the samples
 * themselves) over all channels, linear. `maxAbs` may be read at any time; it includes the ringing after
 * the last sample pushed so far (the stream taken as ending there) without disturbing the stream.
 */
export class TruePeakMeter {
  readonly channels: number;
  private readonly bufs: Float64Array[];
  private max = 0;
  /** max including the tail after the last pushed frame, or -1 when stale. */
  private withTail = 0;

  constructor(channels: number) {
    checkChannels(channels);
    this.channels = channels;
    this.bufs = Array.from({ length: channels }, () => new Float64Array(HIST + BLOCK));
  }

  push(chunk: readonly Float32Array[]): void {
    const n = checkChunk(chunk, this.channels);
    if (n === 0) return;
    this.withTail = -1;
    let max = this.max;
    for (let c = 0; c < this.channels; c++) {
      const buf = this.bufs[c]!;
      const src = chunk[c]!;
      for (let from = 0; from < n; from += BLOCK) {
        const len = Math.min(BLOCK, n - from);
        const m = windowMax(buf, src, from, len);
        // Every interpolated value in this block is at most m * bound, every sample at most m.
        if (m * TRUE_PEAK_GAIN_BOUND * SKIP_SLACK > max) {
          load(buf, src, from, len);
          if (m > max) max = m;
          max = interpolateMax(buf, len, max);
          shiftHistory(buf, len);
        } else keepHistory(buf, src, from, len);
      }
    }
    this.max = max;
  }

  /** Linear true peak so far (0 for silence or nothing pushed). */
  get maxAbs(): number {
    if (this.withTail < 0) {
      // Ringing after the end: feed HIST zeros to a copy of the history.
      let max = this.max;
      const tmp = new Float64Array(2 * HIST);
      for (const buf of this.bufs) {
        tmp.set(buf.subarray(0, HIST));
        max = interpolateMax(tmp, HIST, max);
      }
      this.withTail = max;
    }
    return this.withTail;
  }
}

/**
 * Per-frame inter-sample peak for a look-ahead limiter, streaming with a fixed delay.
 *
 * The peak of frame i is the largest of |x_c[i]| and the |interpolated values| in the intervals
 * (i-1, i) and (i, i+1), over all channels c; frame 0 also takes the ringing before the stream, and the
 * last frame the ringing after it (so the maximum over all frames equals `TruePeakMeter.maxAbs`). An
 * interpolated value near frame i needs input up to frame i + DELAY, so `process` emits the peaks of
 * frames [emitted, pushed - DELAY) and `flush` the last ones; over the whole stream exactly one value
 * per input frame comes out, in order.
 *
 * With a `threshold` (the same for the whole stream), each peak is reported as max(threshold, peak): the
 * limiter only needs to know which frames exceed its ceiling, and the work for blocks that provably stay at
 * or under it is skipped. The default (-1) gives every peak exactly. Either way the values do not depend
 * on the chunking.
 */
export class InterSamplePeaks {
  static readonly DELAY = 6;
  readonly channels: number;
  private readonly bufs: Float64Array[];
  /** Per-channel interval maxima of the current block, and their max over channels. */
  private readonly ivc = new Float64Array(BLOCK);
  private readonly ivAll = new Float64Array(BLOCK);
  /** Frames pushed and frame peaks emitted so far. */
  private pushed = 0;
  private emitted = 0;
  /** Interval value of the previous input frame (the interval before the current one). */
  private prevIv = 0;
  /** Max of the intervals before frame 0 (input frames 0..4), folded into frame 0's peak. */
  private lead = 0;
  /** |x| of the last DELAY+1 frames, max over channels, in a ring indexed by frame % (DELAY + 1). */
  private readonly absRing = new Float64Array(InterSamplePeaks.DELAY + 1);
  /** max over channels of |x| per frame of the current block. */
  private readonly absBlock = new Float64Array(BLOCK);
  private flushed = false;

  constructor(channels: number) {
    checkChannels(channels);
    this.channels = channels;
    this.bufs = Array.from({ length: channels }, () => new Float64Array(HIST + BLOCK));
  }

  /** Pushes a chunk; writes the newly known frame peaks into out[0..k) and returns k. out needs chunk length. */
  process(chunk: readonly Float32Array[], out: Float64Array, threshold = -1): number {
    if (this.flushed) throw new Error("InterSamplePeaks: process() after flush()");
    const n = checkChunk(chunk, this.channels);
    if (out.length < n) throw new RangeError("out is shorter than the chunk");
    let k = 0;
    for (let from = 0; from < n; from += BLOCK) {
      const len = Math.min(BLOCK, n - from);
      this.block(chunk, from, len, threshold);
      k = this.emit(len, out, k, threshold);
    }
    return k;
  }

  /** Ends the stream: writes the remaining frame peaks (at most DELAY) into out and returns how many. */
  flush(out: Float64Array, threshold = -1): number {
    if (this.flushed) return 0;
    this.flushed = true;
    const remaining = this.pushed - this.emitted;
    if (out.length < remaining) throw new RangeError("out is too short for the remaining frame peaks");
    if (remaining === 0) return 0;
    // Zeros after the end: the first DELAY complete the pending peaks; the intervals closed by the other
    // HIST - DELAY lie after the last frame and are folded into its peak.
    const D = InterSamplePeaks.DELAY;
    const zeros = Array.from({ length: this.channels }, () => new Float32Array(HIST));
    this.block(zeros, 0, HIST, threshold);
    let tail = 0;
    for (let j = D; j < HIST; j++) tail = Math.max(tail, this.ivAll[j]!);
    const k = this.emit(D, out, 0, threshold);
    out[k - 1] = Math.max(out[k - 1]!, tail);
    return k;
  }

  /**
   * Interpolates len frames of chunk starting at from: leaves the interval maxima (over channels) in ivAll
   * and max |x| over channels per frame in absBlock.
   */
  private block(chunk: readonly Float32Array[], from: number, len: number, threshold: number): void {
    const ivAll = this.ivAll;
    const absBlock = this.absBlock;
    const ivc = this.ivc;
    // Values at or under the threshold need not be exact (emit raises them to it).
    const floor = Math.max(threshold, 0);
    ivAll.fill(0, 0, len);
    absBlock.fill(0, 0, len);
    for (let c = 0; c < this.channels; c++) {
      const buf = this.bufs[c]!;
      const m = load(buf, chunk[c]!, from, len);
      for (let j = 0; j < len; j++) {
        const v = buf[HIST + j]!;
        const a = Math.abs(v);
        if (a > absBlock[j]!) absBlock[j] = a;
      }
      // A skipped channel leaves 0: all its interpolated values are <= m * bound <= threshold.
      if (m * TRUE_PEAK_GAIN_BOUND * SKIP_SLACK > threshold) {
        interpolate(buf, len, ivc, floor);
        for (let j = 0; j < len; j++) if (ivc[j]! > ivAll[j]!) ivAll[j] = ivc[j]!;
      }
      shiftHistory(buf, len);
    }
  }

  /** Turns the last block (ivAll, absBlock; len input frames) into frame peaks written to out from k. */
  private emit(len: number, out: Float64Array, k: number, threshold: number): number {
    const D = InterSamplePeaks.DELAY;
    const R = D + 1;
    const ring = this.absRing;
    const absBlock = this.absBlock;
    const ivAll = this.ivAll;
    // The per-frame state in locals (written back below): this loop runs once per frame of every pass.
    let m = this.pushed;
    let prevIv = this.prevIv;
    let lead = this.lead;
    let emitted = this.emitted;
    // Ring slots of frame m (written) and of frame m - D (read): m % R and (m - D) % R = (m + 1) % R.
    let put = m % R;
    let get = (m + 1) % R;
    for (let j = 0; j < len; j++, m++) {
      ring[put] = absBlock[j]!;
      // Input frame m closes the interval (m-6, m-5).
      const iv = ivAll[j]!;
      if (m < D) {
        // (m-6, m-5) for m < 6: before frame 0, except m = 5, which is (-1, 0) and becomes prevIv.
        if (iv > lead) lead = iv;
        prevIv = iv;
      } else {
        let p = ring[get]!;
        if (prevIv > p) p = prevIv;
        if (iv > p) p = iv;
        if (m === D && lead > p) p = lead;
        if (threshold > p) p = threshold;
        prevIv = iv;
        out[k++] = p;
        emitted++;
      }
      put = get;
      if (++get === R) get = 0;
    }
    this.pushed = m;
    this.prevIv = prevIv;
    this.lead = lead;
    this.emitted = emitted;
    return k;
  }
}
