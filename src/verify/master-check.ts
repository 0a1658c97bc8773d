/**
 * The master, sample by sample: outside every range it must hold exactly the
 * decoded source; inside, in every channel, the expected tone rounded to 16
 * bits (within half a step, plus the float32 precision the tone is made in).
 * Streams block by block and keeps a few numbers per range.
 */
import { type ExpectedRange, expectedS16, expectedToneAt, fadeLength } from "./reference-tone.ts";

/** Half a 16-bit step, plus float32 rounding of a tone value before it is quantised. */
export const TONE_TOLERANCE_LSB = 0.501;

export interface MasterRangeResult {
  readonly number: number;
  /** Largest |master - expected tone| in 16-bit steps, over all channels. */
  readonly maxErrorLsb: number;
  /** Samples (counted per channel) further than the tolerance from the tone. */
  readonly badSamples: number;
  readonly firstBad: number | null;
}

export interface MasterResult {
  readonly ranges: readonly MasterRangeResult[];
  /** Samples outside the ranges (per channel) that differ from the decoded source. */
  readonly changedOutside: number;
  readonly firstChangedOutside: number | null;
  readonly framesCompared: number;
}

export class MasterCheck {
  private readonly stats: Array<{ max: number; bad: number; firstBad: number | null }>;
  private readonly fades: number[];
  private changed = 0;
  private firstChanged: number | null = null;
  private offset = 0;
  private next = 0; // first range that may still overlap the stream from `offset` on

  constructor(
    private readonly ranges: readonly ExpectedRange[],
    private readonly sampleRate: number,
  ) {
    this.stats = ranges.map(() => ({ max: 0, bad: 0, firstBad: null }));
    this.fades = ranges.map(fadeLength);
  }

  /**
   * Consecutive blocks of the source and the master as decoded: interleaved
   * 16-bit samples, `frames` frames of `channels` channels each.
   */
  push(source: Uint8Array, master: Uint8Array, frames: number, channels: number): void {
    const from = this.offset;
    const to = from + frames;
    const bpf = 2 * channels;
    let cursor = from;
    while (this.next < this.ranges.length && (this.ranges[this.next] as ExpectedRange).end <= from) this.next++;
    for (let i = this.next; i < this.ranges.length && cursor < to; i++) {
      const r = this.ranges[i] as ExpectedRange;
      if (r.start >= to) break;
      this.compareOutside(source, master, cursor, Math.max(cursor, r.start), from, bpf);
      const a = Math.max(r.start, from);
      const b = Math.min(r.end, to);
      if (b > a) {
        const m = new Int16Array(master.buffer, master.byteOffset + (a - from) * bpf, (b - a) * channels);
        this.compareTone(i, r, m, channels, a, b);
      }
      cursor = Math.max(cursor, b);
    }
    this.compareOutside(source, master, cursor, to, from, bpf);
    this.offset = to;
  }

  /** Frames [a, b) must be byte for byte the source's (compared as memory; counted only when they differ). */
  private compareOutside(source: Uint8Array, master: Uint8Array, a: number, b: number, base: number, bpf: number) {
    if (b <= a) return;
    const s = Buffer.from(source.buffer, source.byteOffset + (a - base) * bpf, (b - a) * bpf);
    const m = Buffer.from(master.buffer, master.byteOffset + (a - base) * bpf, (b - a) * bpf);
    if (s.equals(m)) return;
    const s16 = new Int16Array(s.buffer, s.byteOffset, s.length / 2);
    const m16 = new Int16Array(m.buffer, m.byteOffset, m.length / 2);
    const channels = bpf / 2;
    for (let k = 0; k < s16.length; k++) {
      if (s16[k] !== m16[k]) {
        this.changed++;
        const n = a + Math.floor(k / channels);
        if (this.firstChanged === null || n < this.firstChanged) this.firstChanged = n;
      }
    }
  }

  /** Frames [a, b) of the master (interleaved int16 in `m`) must hold the tone in every channel. */
  private compareTone(i: number, r: ExpectedRange, m: Int16Array, channels: number, a: number, b: number) {
    const st = this.stats[i] as { max: number; bad: number; firstBad: number | null };
    const fade = this.fades[i] as number;
    for (let n = a, k = 0; n < b; n++) {
      const want = expectedS16(expectedToneAt(r, n, this.sampleRate, fade));
      for (let c = 0; c < channels; c++, k++) {
        const err = Math.abs((m[k] as number) - want);
        if (err > st.max) st.max = err;
        if (err > TONE_TOLERANCE_LSB) {
          st.bad++;
          if (st.firstBad === null) st.firstBad = n;
        }
      }
    }
  }

  result(): MasterResult {
    return {
      ranges: this.ranges.map((r, i) => {
        const st = this.stats[i] as { max: number; bad: number; firstBad: number | null };
        return { number: r.number, maxErrorLsb: st.max, badSamples: st.bad, firstBad: st.firstBad };
      }),
      changedOutside: this.changed,
      firstChangedOutside: this.firstChanged,
      framesCompared: this.offset,
    };
  }
}
