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

/** Widen column `column` of `min`/`max` to take in frames [from, to) of every channel of `planar`. */
function meterColumn(
  planar: readonly Float32Array[],
  from: number,
  to: number,
  min: Float32Array,
  max: Float32Array,
  column: number,
): void {
  let lo = min[column] as number;
  let hi = max[column] as number;
  for (const ch of planar) {
    for (let k = from; k < to; k++) {
      const v = ch[k] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  min[column] = lo;
  max[column] = hi;
}

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
      meterColumn(planar, i, end, this.min, this.max, column);
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

/** One level of a PeakPyramid: column c covers frames [c·framesPerColumn, (c+1)·framesPerColumn), the last one fewer. */
export interface PeakLevel {
  readonly framesPerColumn: number;
  readonly min: Float32Array;
  readonly max: Float32Array;
}

/** Columns of the finest level kept per block while a stream is metered. */
const BLOCK_COLUMNS = 1 << 14;

/**
 * Min/max peaks at several resolutions, for a stream whose length is not known until it ends (a decode):
 * columns of a fixed number of frames at each level, every level's column width a multiple of the one
 * before, so that each coarser level is made exactly from the one below it once the stream has ended.
 * Fed chunk by chunk in stream order; memory is two numbers per column of the finest level.
 */
export class PeakPyramid {
  private readonly finest: number;
  private readonly blocks: { min: Float32Array; max: Float32Array }[] = [];
  private frames = 0;

  constructor(private readonly framesPerColumn: readonly number[]) {
    const first = framesPerColumn[0];
    if (first === undefined || !Number.isSafeInteger(first) || first < 1) {
      throw new RangeError("PeakPyramid: give the levels' column widths, finest first");
    }
    framesPerColumn.forEach((w, i) => {
      const before = framesPerColumn[i - 1];
      if (before !== undefined && (!Number.isSafeInteger(w) || w <= before || w % before !== 0)) {
        throw new RangeError(`PeakPyramid: ${w} frames is not a multiple of the level before (${before})`);
      }
    });
    this.finest = first;
  }

  /** The next chunk of planar samples (every channel the same length), in stream order. */
  push(planar: readonly Float32Array[]): void {
    const length = planar[0]?.length ?? 0;
    let i = 0;
    while (i < length) {
      const column = Math.floor(this.frames / this.finest);
      const block = Math.floor(column / BLOCK_COLUMNS);
      if (block === this.blocks.length) {
        this.blocks.push({
          min: new Float32Array(BLOCK_COLUMNS).fill(Number.POSITIVE_INFINITY),
          max: new Float32Array(BLOCK_COLUMNS).fill(Number.NEGATIVE_INFINITY),
        });
      }
      const b = this.blocks[block] as { min: Float32Array; max: Float32Array };
      const end = Math.min(length, i + (column + 1) * this.finest - this.frames);
      meterColumn(planar, i, end, b.min, b.max, column - block * BLOCK_COLUMNS);
      this.frames += end - i;
      i = end;
    }
  }

  /** Every level, finest first, for the frames pushed; the stream ends here (call it once). */
  result(): { readonly frames: number; readonly levels: readonly PeakLevel[] } {
    const columns = Math.ceil(this.frames / this.finest);
    const min = new Float32Array(columns);
    const max = new Float32Array(columns);
    this.blocks.forEach((b, k) => {
      const n = Math.min(BLOCK_COLUMNS, columns - k * BLOCK_COLUMNS);
      min.set(b.min.subarray(0, n), k * BLOCK_COLUMNS);
      max.set(b.max.subarray(0, n), k * BLOCK_COLUMNS);
    });
    this.blocks.length = 0; // the stream has ended: its columns are in the levels now
    const levels: PeakLevel[] = [{ framesPerColumn: this.finest, min, max }];
    for (const width of this.framesPerColumn.slice(1)) {
      const below = levels[levels.length - 1] as PeakLevel;
      const ratio = width / below.framesPerColumn;
      const n = Math.ceil(below.min.length / ratio);
      const lo = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
      const hi = new Float32Array(n).fill(Number.NEGATIVE_INFINITY);
      for (let c = 0; c < below.min.length; c++) {
        const to = Math.floor(c / ratio);
        if ((below.min[c] as number) < (lo[to] as number)) lo[to] = below.min[c] as number;
        if ((below.max[c] as number) > (hi[to] as number)) hi[to] = below.max[c] as number;
      }
      levels.push({ framesPerColumn: width, min: lo, max: hi });
    }
    return { frames: this.frames, levels };
  }
}
