/**
 * AIFF and AIFF-C: COMM states the number of sample frames, whatever the encoding. Trusted for the
 * encodings whose frames a decoder gives one for one (PCM, a-law, mu-law) and for IMA4 (64-sample
 * packets); for any other compression the length is not checked.
 */
import { type ByteSource, type ContainerInfo, readExactly, UNKNOWN } from "./types.ts";

/** Compression types of AIFF-C, by fourcc, with the codec's samples per packet. */
const KNOWN: Readonly<Record<string, number>> = {
  NONE: 1,
  twos: 1,
  sowt: 1,
  "raw ": 1,
  in24: 1,
  in32: 1,
  "42ni": 1,
  fl32: 1,
  FL32: 1,
  fl64: 1,
  FL64: 1,
  alaw: 1,
  ALAW: 1,
  ulaw: 1,
  ULAW: 1,
  ima4: 64,
};

const MAX_CHUNKS = 4096;

/** An 80-bit IEEE 754 extended float (AIFF's sample rate). */
export function extended80(b: Buffer, at: number): number {
  const exponent = b.readUInt16BE(at) & 0x7fff;
  const sign = (b[at] ?? 0) & 0x80 ? -1 : 1;
  const mantissa = b.readUInt32BE(at + 2) * 2 ** 32 + b.readUInt32BE(at + 6);
  if (exponent === 0 && mantissa === 0) return 0;
  return sign * mantissa * 2 ** (exponent - 16383 - 63);
}

export function parseAiff(src: ByteSource): ContainerInfo {
  const head = readExactly(src, 0, 12);
  if (head?.toString("latin1", 0, 4) !== "FORM") return UNKNOWN;
  const form = head.toString("latin1", 8, 12);
  if (form !== "AIFF" && form !== "AIFC") return UNKNOWN;
  let off = 12;
  for (let n = 0; n < MAX_CHUNKS; n++) {
    const h = readExactly(src, off, 8);
    if (!h) break;
    const size = h.readUInt32BE(4);
    if (h.toString("latin1", 0, 4) === "COMM") {
      const b = readExactly(src, off + 8, Math.min(size, 22));
      if (!b || b.length < 18) return UNKNOWN;
      const channels = b.readUInt16BE(0);
      const frames = b.readUInt32BE(2);
      const sampleRate = Math.round(extended80(b, 8));
      const compression = form === "AIFC" && b.length >= 22 ? b.toString("latin1", 18, 22) : "NONE";
      const container = form === "AIFC" ? "aifc" : "aiff";
      const perPacket = KNOWN[compression];
      const codec = compression === "NONE" ? "pcm" : compression.trim();
      if (perPacket === undefined) {
        return { container, codec, sampleRate, channels, codecFrame: 1, statedWhat: `no length check for ${codec}` };
      }
      return {
        container,
        codec,
        sampleRate,
        channels,
        codecFrame: perPacket,
        statedFrames: frames,
        statedWhat: "the AIFF COMM chunk",
      };
    }
    off += 8 + size + (size % 2);
  }
  return UNKNOWN;
}
