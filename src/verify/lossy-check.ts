/**
 * One lossy file (decoded at the source's rate and the web channel count)
 * against the expected master, range by range:
 *
 * - timing: around each edge of a range, the lag at which the file best
 *   matches the expected master (source with the tones in); it must be within
 *   one codec frame;
 * - tone: inside the range, away from the edges by a codec frame (and the
 *   fades), a sine at the range's frequency is fitted block by block
 *   (amplitude and phase free); it must hold nearly all of the energy;
 * - recovery: what remains once the fitted tone is taken out, and the band
 *   around the tone notched out (two octaves, where a codec leaves its own
 *   noise of the tone; an attacker would notch there too), is compared with
 *   the original speech in the range, notched the same way and scaled by the
 *   gain the file was published with: how loud it is, how much of it follows
 *   the speech (correlation), and so how much speech could be recovered.
 *
 * Streams: the analysis keeps a few codec frames of history per channel, so
 * memory does not depend on the recording's or the ranges' length.
 */
import { BiquadCascade, bestLag, fitTone, type LagMatch, notchCoefficients } from "../dsp/tonefit.ts";
import { History } from "./history.ts";
import { type ExpectedRange, fadeLength } from "./reference-tone.ts";

export interface LossyRangeResult {
  readonly number: number;
  /** Samples per channel inside the range that were measured (0: too short to measure). */
  readonly measuredSamples: number;
  readonly startLag: LagMatch | null;
  readonly endLag: LagMatch | null;
  /** Share of the energy inside the range that the fitted tone holds. */
  readonly toneShare: number | null;
  /** The gain the tone was published with, estimated from the fitted tone, in dB. */
  readonly gainDb: number | null;
  /** The original speech in the range (source, web mix), dBFS RMS, before the gain. */
  readonly speechDbfs: number | null;
  /** What remains after the tone is fitted and taken out (no notch), dB relative to the scaled speech. */
  readonly fitResidualDb: number | null;
  /** What remains after the tone is taken out and notched out, dB relative to the scaled speech (notched). */
  readonly residualDb: number | null;
  /** Correlation of what remains (notched) with the original speech (notched). */
  readonly correlation: number | null;
  /** How much of the speech follows into what remains, dB relative to the speech: residualDb + 20 log10 |correlation|. */
  readonly speechPartDb: number | null;
  /**
   * The correlation that two unrelated signals like these would show by chance (one standard deviation):
   * 1 / sqrt(N (1 - a) / (1 + a)), a the product of their lag-one autocorrelations (Bartlett, for
   * signals that are far from white: speech, and a codec's noise around the tone).
   */
  readonly chanceCorrelation: number | null;
}

export interface LossyOptions {
  /** The analysis rate: the source's. */
  readonly sampleRate: number;
  /** Channels of the lossy file (the web mix: 1 or 2). */
  readonly channels: number;
  /** One codec frame, in samples at the analysis rate. */
  readonly frame: number;
  /** Length of the recording in samples. */
  readonly totalSamples: number;
}

/** Fit blocks: about 20 ms, the tone's amplitude may drift a little between them (limiter, codec). */
const blockLength = (rate: number): number => Math.max(32, Math.round(rate * 0.02));
/** Samples appended between two looks at what can be measured. */
const SLICE = 4096;
/** Width of the notch around the tone, in octaves, and its stages (about 40 dB within +-10 % of the tone). */
const NOTCH_OCTAVES = 2;
const NOTCH_STAGES = 2;

interface RangeState {
  readonly r: ExpectedRange;
  startLag: LagMatch | null;
  endLag: LagMatch | null;
  step: "start" | "interior" | "end" | "done";
  /** Interior [a, b) split into `blocks` blocks; the next block to measure. */
  readonly a: number;
  readonly b: number;
  readonly blocks: number;
  block: number;
  tone: number;
  total: number;
  fitResidual: number;
  fitSpeech: number;
  residual: number;
  speech: number;
  cross: number;
  /** Lag-one products of what remains and of the speech (within blocks). */
  residualLag1: number;
  speechLag1: number;
  measured: number;
  /** Per channel: the notch on what remains, and on the speech. */
  notches?: Array<{ residual: BiquadCascade; speech: BiquadCascade }>;
}

export class LossyRangeAnalyzer {
  private readonly expected: History[];
  private readonly lossy: History[];
  private readonly source: History[];
  private readonly states: RangeState[];
  private current = 0;
  private readonly window: number;
  private readonly maxLag: number;
  private readonly q: number;
  private finished = false;
  private scratch = new Float64Array(0);
  private edgeScratch = new Float64Array(0);

  constructor(
    ranges: readonly ExpectedRange[],
    private readonly opts: LossyOptions,
  ) {
    this.window = Math.max(1, opts.frame);
    // Lags are searched over four codec frames each way: an offset of a few frames is measured, not just seen.
    this.maxLag = 4 * this.window;
    this.q = blockLength(opts.sampleRate);
    const capacity = 2 * (this.window + this.maxLag) + 4 * this.q + SLICE + 64;
    const make = (): History[] => Array.from({ length: opts.channels }, () => new History(capacity));
    this.expected = make();
    this.lossy = make();
    this.source = make();
    this.states = ranges.map((r) => {
      // Inside the range, away from each edge by two codec frames (one past the fade): a codec smears an edge
      // over the frames around it.
      const guard = Math.max(2 * this.window, fadeLength(r) + this.window);
      const a = r.start + guard;
      const b = r.end - guard;
      const blocks = b - a >= this.q ? Math.floor((b - a) / this.q) : 0;
      return {
        r,
        startLag: null,
        endLag: null,
        step: "start",
        a,
        b,
        blocks,
        block: 0,
        tone: 0,
        total: 0,
        fitResidual: 0,
        fitSpeech: 0,
        residual: 0,
        speech: 0,
        cross: 0,
        residualLag1: 0,
        speechLag1: 0,
        measured: 0,
      };
    });
  }

  /**
   * The next block of each stream, all the same length, in order: the expected
   * master (web mix), the lossy file, and the source (web mix).
   */
  push(expected: readonly Float32Array[], lossy: readonly Float32Array[], source: readonly Float32Array[]): void {
    const n = expected[0]?.length ?? 0;
    for (let from = 0; from < n; from += SLICE) {
      const to = Math.min(n, from + SLICE);
      for (let c = 0; c < this.opts.channels; c++) {
        (this.expected[c] as History).append((expected[c] as Float32Array).subarray(from, to));
        (this.lossy[c] as History).append((lossy[c] as Float32Array).subarray(from, to));
        (this.source[c] as History).append((source[c] as Float32Array).subarray(from, to));
      }
      this.pump();
    }
  }

  /**
   * Move on by n samples without looking at them: only where no measurement
   * needs them (see `needs`).
   */
  skip(n: number): void {
    for (const h of [...this.expected, ...this.lossy, ...this.source]) h.skip(n);
    this.pump();
  }

  /** Does any measurement look at samples in [from, to)? (Edges and insides of ranges, with their margins.) */
  needs(from: number, to: number): boolean {
    const margin = this.window + this.maxLag + this.q + SLICE;
    for (let i = this.current; i < this.states.length; i++) {
      const r = (this.states[i] as RangeState).r;
      if (r.start - margin >= to) return false;
      if (r.end + margin > from) return true;
    }
    return false;
  }

  finish(): LossyRangeResult[] {
    if (!this.finished) {
      for (const h of [...this.expected, ...this.lossy, ...this.source]) h.finish();
      this.finished = true;
      this.pump();
    }
    return this.states.map((s) => this.result(s));
  }

  /** Samples available so far (everything, once finished). */
  private ready(upTo: number): boolean {
    return this.finished || (this.expected[0] as History).end >= upTo;
  }

  private pump(): void {
    while (this.current < this.states.length) {
      const s = this.states[this.current] as RangeState;
      if (s.step === "start") {
        if (!this.ready(s.r.start + this.window + this.maxLag)) return;
        s.startLag = this.edgeLag(s.r.start);
        s.step = "interior";
      } else if (s.step === "interior") {
        if (s.block >= s.blocks) {
          s.step = "end";
          continue;
        }
        const len = s.b - s.a;
        const k0 = s.a + Math.floor((s.block * len) / s.blocks);
        const k1 = s.a + Math.floor(((s.block + 1) * len) / s.blocks);
        if (!this.ready(k1 + this.maxLag)) return;
        this.measureBlock(s, k0, k1);
        s.block++;
      } else if (s.step === "end") {
        if (!this.ready(s.r.end + this.window + this.maxLag)) return;
        s.endLag = this.edgeLag(s.r.end);
        s.step = "done";
        this.current++;
      } else {
        this.current++;
      }
    }
  }

  /** Lag of the lossy file against the expected master around sample `edge` (null at the recording's ends). */
  private edgeLag(edge: number): LagMatch | null {
    const from = Math.max(0, edge - this.window);
    const to = Math.min(this.opts.totalSamples, edge + this.window);
    // The window must hold both sides of the edge: at the recording's very start or end, a window of
    // nothing but the tone matches itself one period later as well as it matches in place.
    const side = Math.min(16, this.window);
    if (edge - from < side || to - edge < side) return null;
    // Buffers reused from edge to edge: a call with thousands of ranges would otherwise leave megabytes of
    // them for the collector at every range.
    const n = to - from;
    if (this.edgeScratch.length < 3 * (n + 2 * this.maxLag))
      this.edgeScratch = new Float64Array(3 * (n + 2 * this.maxLag));
    const ref = this.edgeScratch.subarray(0, n).fill(0);
    const sig = this.edgeScratch.subarray(n, 2 * n + 2 * this.maxLag).fill(0);
    const tmp = this.edgeScratch.subarray(2 * n + 2 * this.maxLag, 3 * n + 4 * this.maxLag);
    for (let c = 0; c < this.opts.channels; c++) {
      const e = (this.expected[c] as History).read(from, to, tmp.subarray(0, ref.length));
      for (let i = 0; i < ref.length; i++) ref[i] = (ref[i] as number) + (e[i] as number);
      const l = (this.lossy[c] as History).read(from - this.maxLag, to + this.maxLag, tmp);
      for (let i = 0; i < sig.length; i++) sig[i] = (sig[i] as number) + (l[i] as number);
    }
    return bestLag(ref, sig, this.maxLag);
  }

  private measureBlock(s: RangeState, k0: number, k1: number): void {
    const lag = s.startLag?.lag ?? 0;
    const len = k1 - k0;
    const rate = this.opts.sampleRate;
    if (this.scratch.length < 3 * len) this.scratch = new Float64Array(3 * len);
    const y = this.scratch.subarray(0, len);
    const x = this.scratch.subarray(len, 2 * len);
    const res = this.scratch.subarray(2 * len, 3 * len);
    s.notches ??= Array.from({ length: this.opts.channels }, () => {
      const c = notchCoefficients(s.r.frequency, rate, NOTCH_OCTAVES);
      return { residual: new BiquadCascade(c, NOTCH_STAGES), speech: new BiquadCascade(c, NOTCH_STAGES) };
    });
    for (let c = 0; c < this.opts.channels; c++) {
      (this.lossy[c] as History).read(k0 + lag, k1 + lag, y);
      (this.source[c] as History).read(k0, k1, x);
      const fit = fitTone(y, 0, len, k0 - s.r.start, s.r.frequency, rate, res);
      s.tone += fit.toneEnergy;
      s.total += fit.totalEnergy;
      for (let i = 0; i < len; i++) {
        s.fitResidual += (res[i] as number) ** 2;
        s.fitSpeech += (x[i] as number) ** 2;
      }
      const notch = s.notches[c] as { residual: BiquadCascade; speech: BiquadCascade };
      notch.residual.process(res);
      notch.speech.process(x);
      for (let i = 0; i < len; i++) {
        const r = res[i] as number;
        const v = x[i] as number;
        s.residual += r * r;
        s.speech += v * v;
        s.cross += r * v;
        if (i > 0) {
          s.residualLag1 += r * (res[i - 1] as number);
          s.speechLag1 += v * (x[i - 1] as number);
        }
      }
      s.measured += len;
    }
  }

  private result(s: RangeState): LossyRangeResult {
    const none = {
      number: s.r.number,
      measuredSamples: 0,
      startLag: s.startLag,
      endLag: s.endLag,
      toneShare: null,
      gainDb: null,
      speechDbfs: null,
      fitResidualDb: null,
      residualDb: null,
      correlation: null,
      speechPartDb: null,
      chanceCorrelation: null,
    };
    if (s.measured === 0) return none;
    const db = (x: number): number | null => (x > 0 && Number.isFinite(x) ? 10 * Math.log10(x) : null);
    // A sine of amplitude A holds A^2 / 2 per sample: the published gain is the fitted tone over the expected one.
    const gain2 = s.tone / ((s.r.amplitude * s.r.amplitude * s.measured) / 2);
    const correlation = s.residual > 0 && s.speech > 0 ? s.cross / Math.sqrt(s.residual * s.speech) : 0;
    const residualDb = s.speech * gain2 > 0 ? db(s.residual / (s.speech * gain2)) : null;
    const a =
      s.residual > 0 && s.speech > 0 ? Math.max(0, (s.residualLag1 / s.residual) * (s.speechLag1 / s.speech)) : 0;
    const dof = Math.max(1, (s.measured * (1 - Math.min(a, 0.999))) / (1 + a));
    const speechPartDb =
      residualDb === null || correlation === 0 ? null : residualDb + 20 * Math.log10(Math.abs(correlation));
    return {
      ...none,
      measuredSamples: s.measured / this.opts.channels,
      toneShare: s.total > 0 ? s.tone / s.total : 0,
      gainDb: db(gain2),
      speechDbfs: db(s.fitSpeech / s.measured),
      fitResidualDb: s.fitSpeech * gain2 > 0 ? db(s.fitResidual / (s.fitSpeech * gain2)) : null,
      residualDb,
      correlation,
      speechPartDb,
      chanceCorrelation: 1 / Math.sqrt(dof),
    };
  }
}
