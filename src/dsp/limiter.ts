/**
 * Streaming look-ahead true-peak limiter, over planar Float32Array chunks. Pure computation, no I/O.
 *
 * Meant for the web mix after the one linear normalisation gain, and only when that gain pushes the true
 * peak over the ceiling: it leaves everything else alone. Wherever no inter-sample peak within the
 * look-ahead window exceeds the ceiling (and the release after an earlier reduction has finished), the gain
 * is exactly 1 and samples pass through bit-identical.
 *
 * Gain computer, for frame n (one gain for all channels):
 *   P[n]   frame peak: max over channels of |x[n]| and the 4x-interpolated values (BS.1770-4 Annex 2) on
 *          both sides of it (see InterSamplePeaks);
 *   r[n]   required gain: 1 if P[n] <= ceiling, else target / P[n] (target a little under the ceiling, see
 *          targetRatio), floored to a multiple of 2^-32;
 *   h[n]   = min r over [n - E, n + L + E]: L frames of look-ahead, widened by E = 7 frames on both sides,
 *          which covers the 12 input frames the interpolation of any peak near n reads, so the gain is the
 *          same on all of them;
 *   h2[n]  = min(h[n], 1 - floor(a (1 - h2[n-1]))): instant attack, exponential release (time constant
 *          releaseMs; the floor makes the release reach exactly 1 in finite time);
 *   g[n]   = mean of h2 over [n - L, n]: the boxcar turns the attack into a ramp of L + 1 frames while every
 *          term of the mean at a peak's frames is already <= that peak's requirement, so g <= r there.
 * All gains are integers in units of 2^-32 until the final division, so the running sum is exact, the
 * result is deterministic and independent of the chunking, and "no reduction" is exactly 1.
 *
 * Gains are also computed for the L frames before the stream (where the signal is zero), so a peak in the
 * first frames already gets its full ramp.
 *
 * Latency: the output is delayed by L + E + 6 frames internally; `process` returns what is ready and
 * `flush` the rest, so the concatenated output has exactly as many frames as the input, frame n of the
 * output being frame n of the input times g[n].
 */
import { checkChunk, InterSamplePeaks } from "./truepeak.ts";

export interface TruePeakLimiterOptions {
  sampleRate: number;
  channels: number;
  /**
   * Ceiling in dBTP (e.g. -1). The output's true peak, as TruePeakMeter reads it, stays at or under it:
   * exactly where the gain is steady across a peak, and by a measured margin where it is still moving (see
   * targetRatio). Codecs add their own overshoot on top; leave room for that before encoding.
   */
  ceilingDbtp: number;
  /** Look-ahead, and so the attack ramp, in ms (default 5). */
  lookaheadMs?: number;
  /** Release time constant in ms (default 100). */
  releaseMs?: number;
}

/** One in fixed point: gains are integers in units of 2^-32. */
const ONE = 2 ** 32;
/** Frames of hold added on both sides of the look-ahead window (see above). */
const EXTRA = 7;
/**
 * How far under the ceiling the limiter aims, as a fraction, for a look-ahead of L frames. Where the gain is
 * constant over a peak's 12 interpolation taps the output peak is exactly gain x input peak, and only float32
 * rounding (~1e-7) needs headroom. Where the gain is still moving (ramps between closely spaced peaks of
 * different heights) the interpolated output can exceed that product slightly, by about L^-1.5 to L^-2.5:
 * measured worst cases over harsh random signals (40 dB level jumps every 5-200 frames) were 1.1e-2 at
 * L = 8, 2.4e-3 at L = 40, 6.9e-4 at L = 80 and 6e-5 at L = 221. 2 / (L+1)^1.5 stays 3 to 10 times above
 * those: 0.005 dB at 44.1 kHz and 0.066 dB at 8 kHz with the default 5 ms.
 */
function targetRatio(L: number): number {
  return 1 - Math.min(0.1, Math.max(1e-5, 2 / (L + 1) ** 1.5));
}
/** Frames processed per internal step, which bounds the internal buffers. */
const STEP = 4096;

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class TruePeakLimiter {
  readonly sampleRate: number;
  readonly channels: number;
  readonly ceiling: number;
  /** Look-ahead in frames (L). */
  readonly lookahead: number;
  /** Total internal delay in frames. */
  readonly latency: number;
  private readonly target: number;
  private readonly releaseCoeff: number;
  private readonly peaks: InterSamplePeaks;
  private readonly peakBuf = new Float64Array(STEP + InterSamplePeaks.DELAY);

  private readonly reqBuf = new Float64Array(STEP + InterSamplePeaks.DELAY);

  /** Input delay line, per channel, indexed by frame & ringMask (a power-of-two ring). */
  private readonly ring: Float32Array[];
  private readonly ringMask: number;

  /** Sliding minimum of r over the hold window: a monotonic deque (values increasing front to back). */
  private readonly dqIndex: Float64Array;
  private readonly dqValue: Float64Array;
  private readonly dqMask: number;
  private dqHead = 0;
  private dqTail = 0;
  /** Frames whose required gain is known (the next r index). */
  private reqCount = 0;

  /** Last h2 (fixed point), the boxcar of h2 values and its exact integer sum. */
  private h2 = ONE;
  private readonly box: Float64Array;
  private boxPos = 0;
  private boxSum: number;
  private readonly boxFull: number;

  private framesIn = 0;
  private framesOut = 0;
  private flushed = false;

  constructor(opts: TruePeakLimiterOptions) {
    const { sampleRate, channels, ceilingDbtp } = opts;
    const lookaheadMs = opts.lookaheadMs ?? 5;
    const releaseMs = opts.releaseMs ?? 100;
    if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
      throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
    }
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    }
    if (!Number.isFinite(ceilingDbtp) || ceilingDbtp > 6) {
      throw new RangeError(`ceilingDbtp must be a finite level up to +6 dBTP, got ${ceilingDbtp}`);
    }
    if (!(lookaheadMs > 0 && lookaheadMs <= 1000)) {
      throw new RangeError(`lookaheadMs must be in (0, 1000], got ${lookaheadMs}`);
    }
    if (!(releaseMs > 0 && releaseMs <= 60_000)) {
      throw new RangeError(`releaseMs must be in (0, 60000], got ${releaseMs}`);
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.ceiling = 10 ** (ceilingDbtp / 20);
    const L = Math.max(1, Math.round((lookaheadMs * sampleRate) / 1000));
    this.lookahead = L;
    this.target = this.ceiling * targetRatio(L);
    this.latency = L + EXTRA + InterSamplePeaks.DELAY;
    this.releaseCoeff = Math.exp(-1000 / (releaseMs * sampleRate));
    this.peaks = new InterSamplePeaks(channels);
    const ringSize = pow2AtLeast(this.latency + STEP + 1);
    this.ringMask = ringSize - 1;
    this.ring = Array.from({ length: channels }, () => new Float32Array(ringSize));
    // The deque holds at most one hold window (L + 2E + 1 entries) plus the newest, and never fills up.
    const dqCap = pow2AtLeast(L + 2 * EXTRA + 3);
    this.dqMask = dqCap - 1;
    this.dqIndex = new Float64Array(dqCap);
    this.dqValue = new Float64Array(dqCap);
    this.box = new Float64Array(L + 1).fill(ONE);
    this.boxFull = (L + 1) * ONE;
    this.boxSum = this.boxFull;
  }

  /** Feeds a chunk; returns the output frames that are ready (possibly none), in order. */
  process(chunk: readonly Float32Array[]): Float32Array[] {
    if (this.flushed) throw new Error("TruePeakLimiter: process() after flush()");
    const n = checkChunk(chunk, this.channels);
    const total = Math.max(0, this.framesIn + n - this.latency) - this.framesOut;
    const out = Array.from({ length: this.channels }, () => new Float32Array(total));
    let written = 0;
    for (let from = 0; from < n; from += STEP) {
      const len = Math.min(STEP, n - from);
      // Into the delay line.
      for (let c = 0; c < this.channels; c++) {
        const src = chunk[c]!;
        const dst = this.ring[c]!;
        const mask = this.ringMask;
        for (let i = 0, f = this.framesIn; i < len; i++, f++) dst[f & mask] = src[from + i]!;
      }
      this.framesIn += len;
      const part = chunk.map((ch) => ch.subarray(from, from + len));
      const k = this.peaks.process(part, this.peakBuf, this.ceiling);
      written = this.consumePeaks(k, out, written);
    }
    return out;
  }

  /** Ends the stream: returns the remaining frames. After this, the limiter takes no more input. */
  flush(): Float32Array[] {
    if (this.flushed) return Array.from({ length: this.channels }, () => new Float32Array(0));
    this.flushed = true;
    const total = this.framesIn - this.framesOut;
    const out = Array.from({ length: this.channels }, () => new Float32Array(total));
    const k = this.peaks.flush(this.peakBuf, this.ceiling);
    const written = this.consumePeaks(k, out, 0);
    // After the end nothing needs reducing: the window slides on over "no requirement" until the hold window
    // of the last frame, [n - E, n + L + E], is complete.
    if (this.framesIn > 0) this.advance(null, this.framesIn + this.lookahead + EXTRA - this.reqCount, out, written);
    return out;
  }

  /** Turns k new frame peaks (in peakBuf) into requirements, emitting the frames that become ready. */
  private consumePeaks(k: number, out: Float32Array[], written: number): number {
    const ceiling = this.ceiling;
    const target = this.target;
    const peaks = this.peakBuf;
    const req = this.reqBuf;
    for (let j = 0; j < k; j++) {
      const p = peaks[j]!;
      // (A NaN peak asks for silence rather than poisoning the running minimum.)
      req[j] = p <= ceiling ? ONE : p > 0 ? Math.floor((target / p) * ONE) : 0;
    }
    return this.advance(req, k, out, written);
  }

  /**
   * Appends the required gains req[0..k) of the next frames (req null: k frames of "no requirement", after the
   * end). Each time the hold window of frame n = index - L - E is complete, computes g[n] and, for n >= 0,
   * writes output frame n at out[..][written++]. Returns the new write position.
   */
  private advance(req: Float64Array | null, k: number, out: Float32Array[], written: number): number {
    const L = this.lookahead;
    const mask = this.dqMask;
    const qi = this.dqIndex;
    const qv = this.dqValue;
    const box = this.box;
    const boxLen = box.length;
    const boxFull = this.boxFull;
    const release = this.releaseCoeff;
    const ringMask = this.ringMask;
    const channels = this.channels;
    const ring = this.ring;
    let head = this.dqHead;
    let tail = this.dqTail; // one past the back; head === tail: empty
    let idx = this.reqCount;
    let h2 = this.h2;
    let boxSum = this.boxSum;
    let boxPos = this.boxPos;
    for (let j = 0; j < k; j++, idx++) {
      const r = req === null ? ONE : req[j]!;
      // No requirement in the hold window (the deque holds only ones, so h = 1) and none in the frames that
      // follow: until the next requirement, each frame only releases, moves the boxcar and is output. This
      // is what the general step below computes for those frames, without the deque (which ends up holding
      // only the newest frame). Once the release is over and the boxcar is all ones (at rest), the rest
      // of the run is the delayed input, bit for bit, and is copied.
      if (r === ONE && idx - L - EXTRA >= 0 && (head === tail || qv[head] === ONE)) {
        let end = j + 1;
        if (req === null) end = k;
        else while (end < k && req[end] === ONE) end++;
        const count = end - j;
        let from = idx - L - EXTRA; // the output frame of idx
        let t = 0;
        for (; t < count && (h2 !== ONE || boxSum !== boxFull); t++, from++) {
          if (h2 !== ONE) h2 = ONE - Math.floor((ONE - h2) * release);
          boxSum += h2 - box[boxPos]!;
          box[boxPos] = h2;
          if (++boxPos === boxLen) boxPos = 0;
          const pos = from & ringMask;
          if (boxSum === boxFull) {
            for (let c = 0; c < channels; c++) out[c]![written] = ring[c]![pos]!;
          } else {
            const g = boxSum / boxFull;
            for (let c = 0; c < channels; c++) out[c]![written] = ring[c]![pos]! * g;
          }
          written++;
        }
        // At rest: the boxcar holds only ones, wherever its position.
        const rest = count - t;
        for (let c = 0; c < channels; c++) {
          const src = ring[c]!;
          const dst = out[c]!;
          for (let i = 0; i < rest; i++) dst[written + i] = src[(from + i) & ringMask]!;
        }
        written += rest;
        boxPos = (boxPos + rest) % boxLen;
        head = 0;
        tail = 1;
        qi[0] = idx + count - 1;
        qv[0] = ONE;
        idx += count - 1;
        j = end - 1;
        continue;
      }
      // Monotonic deque: drop back entries that can never be the minimum again.
      while (head !== tail && qv[(tail - 1) & mask]! >= r) tail = (tail - 1) & mask;
      qi[tail] = idx;
      qv[tail] = r;
      tail = (tail + 1) & mask;
      const n = idx - L - EXTRA;
      // Gains are also computed for the L frames before the stream (where the signal is zero), so that the
      // boxcar already holds the attack ramp towards a peak in the first frames.
      if (n < -L) continue;
      // Window of h[n]: [n - E, n + L + E] = [n - E, idx].
      const first = n - EXTRA;
      while (qi[head]! < first) head = (head + 1) & mask;
      const h = qv[head]!;
      // Release towards 1, then the attack to h.
      if (h2 !== ONE) h2 = ONE - Math.floor((ONE - h2) * release);
      if (h < h2) h2 = h;
      // Boxcar over h2[n - L .. n].
      boxSum += h2 - box[boxPos]!;
      box[boxPos] = h2;
      if (++boxPos === boxLen) boxPos = 0;
      if (n < 0) continue;
      // Output frame n.
      const pos = n & ringMask;
      if (boxSum === boxFull) {
        for (let c = 0; c < channels; c++) out[c]![written] = ring[c]![pos]!;
      } else {
        const g = boxSum / boxFull;
        for (let c = 0; c < channels; c++) out[c]![written] = ring[c]![pos]! * g;
      }
      written++;
    }
    this.dqHead = head;
    this.dqTail = tail;
    this.reqCount = idx;
    this.h2 = h2;
    this.boxSum = boxSum;
    this.boxPos = boxPos;
    this.framesOut = Math.max(0, idx - L - EXTRA);
    return written;
  }
}
