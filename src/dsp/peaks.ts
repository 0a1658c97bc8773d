/**
 * Waveform peaks for the published page: the recording divided into a fixed
 * number of columns, and for each column the lowest and highest sample over
 * all channels (min/max per column, as audiowaveform and peaks.js draw).
 *
 * Column c covers frames [ceil(c·N/C), ceil((c+1)·N/C)) of N frames in C
 * columns, so every frame falls in exactly one column and the columns differ
 * in width by at most one frame. Fed chunk by chunk, in stream order or at given offsets; memory is
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
  /** Frames pushed so far (in any order: each frame once). */
  private pushed = 0;

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
  }

  /** First frame of column c: ceil(c·N/C), exact in integers (c·N stays below 2^53 for any real recording). */
  private startOf(c: number): number {
    return Math.ceil((c * this.frames) / this.columns);
  }

  /** The next chunk of planar samples (every channel the same length), in stream order. */
  push(planar: readonly Float32Array[]): void {
    this.pushAt(this.pushed, planar);
  }

  /**
   * A chunk whose first frame is frame `offset` of the recording: chunks may come in any order (the
   * parts of a split encode each push their own stretch), each frame once.
   */
  pushAt(offset: number, planar: readonly Float32Array[]): void {
    const length = planar[0]?.length ?? 0;
    if (offset < 0 || offset + length > this.frames) {
      throw new RangeError(
        `PeakMeter: frames ${offset}..${offset + length}, more than the ${this.frames} frames announced`,
      );
    }
    // The column of frame f is floor(f·C/N): the last c with ceil(c·N/C) <= f.
    let column = Math.floor((offset * this.columns) / this.frames);
    let i = 0;
    while (i < length) {
      const end = Math.min(length, this.startOf(column + 1) - offset);
      let lo = this.min[column] as number;
      let hi = this.max[column] as number;
      for (const ch of planar) {
        for (let k = i; k < end; k++) {
          const v = ch[k] as number;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      this.min[column] = lo;
      this.max[column] = hi;
      i = end;
      column++;
    }
    this.pushed += length;
  }

  /** The peaks; every frame announced must have been pushed. */
  result(): Peaks {
    if (this.pushed !== this.frames) {
      throw new RangeError(`PeakMeter: ${this.pushed} of ${this.frames} frames pushed`);
    }
    return { frames: this.frames, min: this.min, max: this.max };
  }
}
