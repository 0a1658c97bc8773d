/**
 * The last few thousand samples of a stream, addressed by absolute sample
 * index: what verification keeps to look a little back and ahead around a
 * range's edges. Fixed capacity, so memory does not grow with the recording.
 */
export class History {
  private readonly buf: Float64Array;
  private written = 0;
  private ended = false;
  /** Samples before this were skipped (or have not been kept): they cannot be read. */
  private validFrom = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  /** One past the last sample appended. */
  get end(): number {
    return this.written;
  }

  /** No more samples will come: reads past the end give zeros. */
  finish(): void {
    this.ended = true;
  }

  append(x: ArrayLike<number>): void {
    for (let i = 0; i < x.length; i++) this.buf[(this.written + i) % this.capacity] = x[i] as number;
    this.written += x.length;
  }

  /** Move on by n samples without keeping them (no measurement will look at them). */
  skip(n: number): void {
    this.written += n;
    this.validFrom = this.written;
  }

  /** Are the samples [from, to) all retained (or outside the stream, where they read as zero)? */
  has(from: number, to: number): boolean {
    const oldest = Math.max(this.written - this.capacity, this.validFrom);
    const lo = Math.max(from, 0);
    const hi = this.ended ? Math.min(to, this.written) : to;
    return lo >= hi || (lo >= oldest && hi <= this.written);
  }

  /** Samples [from, to): before the stream's start, and after its end once finished, they read as zero. */
  read(from: number, to: number, out: Float64Array = new Float64Array(Math.max(0, to - from))): Float64Array {
    if (!this.has(from, to)) {
      const oldest = Math.max(this.written - this.capacity, this.validFrom);
      throw new RangeError(`samples ${from}-${to} are not in the history (${oldest}-${this.written})`);
    }
    for (let n = from; n < to; n++) {
      out[n - from] = n < 0 || n >= this.written ? 0 : (this.buf[n % this.capacity] as number);
    }
    return out;
  }
}
