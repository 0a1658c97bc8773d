/**
 * What a container says about its audio, read from the file's own bytes: the codec, the format and,
 * where the format states it exactly, the number of sample frames a full decode gives. The
 * pipeline cross-checks that figure against the decode (src/media/source.ts), so a figure that is
 * only an estimate (a bitrate times a file size, a duration rounded to milliseconds with no
 * tolerance for it) must never be given as `statedFrames`.
 *
 * Parsers are pure: they read through a ByteSource and never open files themselves.
 */

/** A file seen as bytes at offsets: parsers seek (an MP4's index at the end, an Ogg file's last page). */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset`: fewer at the end of the file, none past it. */
  readAt(offset: number, length: number): Buffer;
}

export type ContainerName = "wav" | "rf64" | "aiff" | "aifc" | "flac" | "mp3" | "ogg" | "mp4" | "asf" | "amr";

export interface KnownContainer {
  readonly container: ContainerName;
  /** ffmpeg's name for the codec where there is one: pcm_s16le, mp3, vorbis, opus, amr_nb, wmav2... */
  readonly codec: string;
  /** The rate `statedFrames` and `codecFrame` count in (for Opus, the 48 kHz it always decodes to). */
  readonly sampleRate?: number;
  readonly channels?: number;
  /** Sample frames a full decode gives, as the container states it exactly; absent: not stated. */
  readonly statedFrames?: number;
  /** Where the figure comes from ("the WAV data chunk"), or why there is none. */
  readonly statedWhat: string;
  /**
   * How far a correct decode may be from `statedFrames`, in samples: one codec frame (a decoder
   * works in whole frames, and containers state the length before or after trimming); 1 for PCM.
   */
  readonly codecFrame: number;
  /** Ogg only: what the pages say, for a decoder that does not trim to them itself. */
  readonly ogg?: OggFacts;
}

export interface OggFacts {
  /** The granule position before the stream's first sample (0 normally); absent when the first pages do not tell. */
  readonly startGranule?: number;
  /** The granule position of the stream's last page, if it was found. */
  readonly lastGranule?: number;
  /** That last page is flagged end-of-stream: current ffmpeg trims the decode to its granule only then. */
  readonly endOfStream: boolean;
}

export interface UnknownContainer {
  readonly container: "unknown";
}

export type ContainerInfo = KnownContainer | UnknownContainer;

export const UNKNOWN: UnknownContainer = { container: "unknown" };

/** A ByteSource over bytes in memory (tests, and parsers that have already read a block). */
export function bufferSource(bytes: Buffer): ByteSource {
  return {
    size: bytes.length,
    readAt: (offset, length) => bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length)),
  };
}

/** A 64-bit little-endian unsigned integer as a number, or undefined past 2^53. */
export function u64le(b: Buffer, at: number): number | undefined {
  const v = b.readBigUInt64LE(at);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

export function u64be(b: Buffer, at: number): number | undefined {
  const v = b.readBigUInt64BE(at);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** Bytes [offset, offset + length) exactly, or undefined if the file ends before. */
export function readExactly(src: ByteSource, offset: number, length: number): Buffer | undefined {
  if (offset < 0 || offset + length > src.size) return undefined;
  const b = src.readAt(offset, length);
  return b.length === length ? b : undefined;
}

/** The length of the ID3v2 tags at `offset` (0 if none): MP3 and FLAC files may start with them. */
export function id3v2Length(src: ByteSource, offset = 0): number {
  let at = offset;
  for (;;) {
    const h = readExactly(src, at, 10);
    if (h?.toString("latin1", 0, 3) !== "ID3") return at - offset;
    const size = ((h[6] ?? 0) << 21) | ((h[7] ?? 0) << 14) | ((h[8] ?? 0) << 7) | (h[9] ?? 0);
    const footer = ((h[5] ?? 0) & 0x10) !== 0 ? 10 : 0;
    at += 10 + size + footer;
  }
}
