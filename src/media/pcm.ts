import { endianness } from "node:os";
import type { ToneRange } from "../dsp/tone.ts";

/**
 * Conversions between 16-bit little-endian interleaved PCM (what ffmpeg pipes
 * and WAV files hold) and planar Float32Array chunks (what the DSP core uses).
 * s16 -> float -> s16 is exact: x / 32768 * 32768 === x for every int16.
 */

/** Bytes per sample frame for 16-bit PCM. */
export const frameBytes = (channels: number): number => 2 * channels;

/** Int16Array reads the machine's byte order: it can stand for the little-endian bytes on such machines. */
const LITTLE_ENDIAN = endianness() === "LE";

export function s16ToPlanar(bytes: Uint8Array, channels: number): Float32Array[] {
  const frames = Math.floor(bytes.byteLength / (2 * channels));
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  const scale = 1 / 32768;
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    // The same integers as DataView.getInt16(.., true) gives, read several times faster.
    const s16 = new Int16Array(bytes.buffer, bytes.byteOffset, frames * channels);
    for (let c = 0; c < channels; c++) {
      const ch = out[c] as Float32Array;
      for (let i = 0, o = c; i < frames; i++, o += channels) ch[i] = (s16[o] as number) * scale;
    }
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (channels === 1) {
    const ch = out[0] as Float32Array;
    for (let i = 0; i < frames; i++) ch[i] = view.getInt16(2 * i, true) * scale;
    return out;
  }
  for (let c = 0; c < channels; c++) {
    const ch = out[c] as Float32Array;
    for (let i = 0, o = 2 * c, step = 2 * channels; i < frames; i++, o += step) ch[i] = view.getInt16(o, true) * scale;
  }
  return out;
}

/**
 * Float sample to int16: x * 32768 rounded to nearest (halves up), clipped to [-32768, 32767].
 * Samples that came from int16 convert back exactly; only tone samples are ever rounded.
 */
export const floatToS16 = (x: number): number => Math.min(32767, Math.max(-32768, Math.round(x * 32768)));

export function planarToS16(planar: readonly Float32Array[]): Buffer {
  const channels = planar.length;
  const frames = planar[0]?.length ?? 0;
  const buf = Buffer.allocUnsafe(frames * channels * 2);
  for (let c = 0; c < channels; c++) {
    const ch = planar[c] as Float32Array;
    for (let i = 0, o = 2 * c, step = 2 * channels; i < frames; i++, o += step)
      buf.writeInt16LE(floatToS16(ch[i] as number), o);
  }
  return buf;
}

/** Planar float to interleaved 32-bit float (machine order, little-endian on x86/arm), for piping to ffmpeg `-f f32le`. */
export function planarToF32(planar: readonly Float32Array[]): Buffer {
  const channels = planar.length;
  const frames = planar[0]?.length ?? 0;
  if (channels === 1) return Buffer.from((planar[0] as Float32Array).slice().buffer);
  const out = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++) {
    const ch = planar[c] as Float32Array;
    for (let i = 0, o = c; i < frames; i++, o += channels) out[o] = ch[i] as number;
  }
  return Buffer.from(out.buffer);
}

/**
 * The bytes planarToF32 gives, without a copy for mono: a view of the channel's own memory, so the
 * channel must stay as it is while the bytes are in use (a pipe's write queue holds them until written).
 */
export function f32Bytes(planar: readonly Float32Array[]): Buffer {
  const only = planar.length === 1 ? planar[0] : undefined;
  return only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : planarToF32(planar);
}

/**
 * The 16-bit interleaved bytes of a chunk after redaction, made from the bytes it was decoded from:
 * outside the ranges planarToS16 would give those same bytes back (int16 -> float -> int16 is exact), so
 * only the samples inside `ranges` (sorted, disjoint, in absolute frames; the chunk starts at frame
 * `offset`) are converted, in place. Equal to planarToS16(planar) for a chunk whose only changes are
 * inside the ranges, at a fraction of the cost.
 */
export function patchRanges(
  s16: Buffer,
  planar: readonly Float32Array[],
  offset: number,
  ranges: readonly ToneRange[],
): Buffer {
  const channels = planar.length;
  const frames = planar[0]?.length ?? 0;
  if (s16.byteLength !== frames * channels * 2) throw new RangeError("patchRanges: bytes and samples differ in length");
  const end = offset + frames;
  for (const r of ranges) {
    if (r.end <= offset) continue;
    if (r.start >= end) break;
    const from = Math.max(r.start, offset) - offset;
    const to = Math.min(r.end, end) - offset;
    for (let c = 0; c < channels; c++) {
      const ch = planar[c] as Float32Array;
      for (let i = from, o = 2 * (from * channels + c), step = 2 * channels; i < to; i++, o += step)
        s16.writeInt16LE(floatToS16(ch[i] as number), o);
    }
  }
  return s16;
}
