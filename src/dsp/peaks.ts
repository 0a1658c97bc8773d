/**
 * Waveform peaks for the published page: the recording divided into a fixed
 * number of columns, and for each column the lowest and highest sample over
 * all channels (min/max per column, as audiowaveform and peaks.js draw).
 *
 * Column c covers frames [ceil(c·N/C), ceil((c+1)·N/C)) of N frames in C
 * columns, so every frame falls in exactly one column and the columns differ
 * in width by at most one frame. Fed chunk by chunk in stream order; memory is
 * two numbers per column, whatever the recording's length.
 */

export interface Peaks {
  /** Number of frames the columns cover. */
  readonly frames: number;
  /** Per column, in [-1, 1]. */
  readonly min: Float32Array;
  readonly max: Float32Array;
}

/** Default number of columns: finer than a phone is wide, about 16 KB of SVG path. */
export const DEFAULT_PEAK_COLUMNS = 1000;

export class PeakMeter {
  private readonly columns: number;
  private readonly min: Float32Array;
  private readonly max: Float32Array;
  private frame = 0;
  private column = 0;
  /** First frame of the next column. */
  private nextStart: number;

  constructor(
    private readonly frames: number,
    columns: number = DEFAULT_PEAK_COLUMNS,
  ) {
    if (!Number.isSafeInteger(frames) || frames < 0) throw new RangeError(`PeakMeter: bad frame count ${frames}`);
    if (!Number.isSafeInteger(columns) || columns < 1) throw new RangeError(`PeakMeter: bad column count ${columns}`);
    // Never more columns than frames: an empty column would have no peak.
    this.columns = Math.min(columns, frames);
    this.min = new Float32Array(this.columns).fill(Number.POSITIVE_INFINITY);
    this.max = new Float32Array(this.columns).fill(Number.NEGATIVE_INFINITY);
    this.nextStart = this.columns === 0 ? 0 : this.startOf(1);
  }

  /** First frame of column c: ceil(c·N/C), exact in integers (c·N stays below 2^53 for any real recording). */
  private startOf(c: number): number {
    return Math.ceil((c * this.frames) / this.columns);
  }

  /** The next chunk of planar samples (every channel the same length), in stream order. */
  push(planar: readonly Float32Array[]): void {
    const length = planar[0]?.length ?? 0;
    if (this.frame + length > this.frames) {
      throw new RangeError(`PeakMeter: more than the ${this.frames} frames announced`);
    }
    let i = 0;
    while (i < length) {
      while (this.frame + i >= this.nextStart) {
        this.column++;
        this.nextStart = this.startOf(this.column + 1);
      }
      const end = Math.min(length, this.nextStart - this.frame);
      let lo = this.min[this.column] as number;
      let hi = this.max[this.column] as number;
      for (const ch of planar) {
        for (let k = i; k < end; k++) {
          const v = ch[k] as number;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      this.min[this.column] = lo;
      this.max[this.column] = hi;
      i = end;
    }
    this.frame += length;
  }

  /** The peaks; every frame announced must have been pushed. */
  result(): Peaks {
    if (this.frame !== this.frames) {
      throw new RangeError(`PeakMeter: ${this.frame} of ${this.frames} frames pushed`);
    }
    return { frames: this.frames, min: this.min, max: this.max };
  }
}
