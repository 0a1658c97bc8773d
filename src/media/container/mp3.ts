/**
 * MP3: the exact length a gapless decoder gives comes from the first frame's Xing/Info header
 * (frame count) and, when the encoder string is LAME's or ffmpeg's (LAME, Lavf, Lavc, as ffmpeg
 * checks), its encoder delay and padding: frames x samples per frame - delay - padding. A VBRI
 * header gives a frame count. Without either, the length is not stated: a duration from the
 * bitrate and the file size is an estimate and is never compared.
 */
import { type ByteSource, type ContainerInfo, id3v2Length, UNKNOWN } from "./types.ts";

const RATES: Readonly<Record<number, readonly number[]>> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};
const KBPS_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const KBPS_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/**
 * How far past ID3 tags to look for the first frame (taggers leave padding, and ffmpeg skips junk
 * there too). A file without tags must start with a frame: any other file is not called an MP3 here.
 */
const SEARCH_BYTES = 64 * 1024;

export interface Mp3Frame {
  readonly version: 0 | 2 | 3;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
  readonly samplesPerFrame: 1152 | 576;
  /** Bytes, header included. */
  readonly size: number;
}

/** A Layer III frame header at b[at..at+4]; free-format and reserved values are not frames here. */
export function parseFrameHeader(b: Buffer, at: number): Mp3Frame | undefined {
  if (at + 4 > b.length) return undefined;
  const b1 = b[at + 1] ?? 0;
  const b2 = b[at + 2] ?? 0;
  const b3 = b[at + 3] ?? 0;
  if (b[at] !== 0xff || (b1 & 0xe0) !== 0xe0 || ((b1 >> 1) & 3) !== 1) return undefined;
  const v = (b1 >> 3) & 3;
  if (v !== 0 && v !== 2 && v !== 3) return undefined;
  const kbps = (v === 3 ? KBPS_V1 : KBPS_V2)[b2 >> 4];
  const sampleRate = RATES[v]?.[(b2 >> 2) & 3];
  if (!kbps || !sampleRate) return undefined;
  const padding = (b2 >> 1) & 1;
  const size = Math.floor(((v === 3 ? 144000 : 72000) * kbps) / sampleRate) + padding;
  return {
    version: v,
    sampleRate,
    channels: b3 >> 6 === 3 ? 1 : 2,
    samplesPerFrame: v === 3 ? 1152 : 576,
    size,
  };
}

/** The first frame at or after `start` whose next frame follows where its size says. */
function firstFrame(src: ByteSource, start: number, search: number): { at: number; frame: Mp3Frame } | undefined {
  const b = src.readAt(start, search + 4096);
  for (let i = 0; i < Math.min(b.length, search); i++) {
    if (b[i] !== 0xff) continue;
    const frame = parseFrameHeader(b, i);
    if (!frame) continue;
    const next = i + frame.size;
    const following = next + 4 <= b.length ? parseFrameHeader(b, next) : undefined;
    // A lone frame (a file of one frame) or one followed by a frame of the same stream.
    if (next + 4 > b.length ? start + next >= src.size : following?.sampleRate === frame.sampleRate) {
      return { at: start + i, frame };
    }
  }
  return undefined;
}

/** Where the Xing/Info tag sits: after the side information, which depends on version and channels. */
const xingOffset = (f: Mp3Frame): number =>
  4 + (f.version === 3 ? (f.channels === 1 ? 17 : 32) : f.channels === 1 ? 9 : 17);

const GAPLESS_ENCODERS = ["LAME", "Lavf", "Lavc"];

export function parseMp3(src: ByteSource): ContainerInfo {
  const start = id3v2Length(src);
  const found = firstFrame(src, start, start > 0 ? SEARCH_BYTES : 1);
  if (!found) return UNKNOWN;
  const { at, frame } = found;
  const spf = frame.samplesPerFrame;
  const base = {
    container: "mp3",
    codec: "mp3",
    sampleRate: frame.sampleRate,
    channels: frame.channels,
    codecFrame: spf,
  } as const;
  const b = src.readAt(at, Math.max(frame.size, 192));
  const xo = xingOffset(frame);
  const tag = b.toString("latin1", xo, xo + 4);
  if ((tag === "Xing" || tag === "Info") && b.length >= xo + 8) {
    const flags = b.readUInt32BE(xo + 4);
    let p = xo + 8;
    const frames = flags & 1 && b.length >= p + 4 ? b.readUInt32BE(p) : 0;
    // (ffmpeg trims the end only with a frame count: without one, no length is stated.)
    if (frames === 0) return { ...base, statedWhat: "no frame count in the Xing/Info header" };
    p += 4;
    if (flags & 2) p += 4;
    if (flags & 4) p += 100;
    if (flags & 8) p += 4;
    const encoder = b.toString("latin1", p, p + 4);
    if (GAPLESS_ENCODERS.includes(encoder) && b.length >= p + 24) {
      const delays = ((b[p + 21] ?? 0) << 16) | ((b[p + 22] ?? 0) << 8) | (b[p + 23] ?? 0);
      const delay = delays >> 12;
      const padding = delays & 0xfff;
      return {
        ...base,
        statedFrames: Math.max(0, frames * spf - delay - padding),
        statedWhat: "the LAME header (frame count less encoder delay and padding)",
      };
    }
    return { ...base, statedFrames: frames * spf, statedWhat: "the Xing/Info header" };
  }
  if (b.toString("latin1", 36, 40) === "VBRI" && b.length >= 36 + 18 && b.readUInt32BE(36 + 14) > 0) {
    return { ...base, statedFrames: b.readUInt32BE(36 + 14) * spf, statedWhat: "the VBRI header" };
  }
  return { ...base, statedWhat: "no Xing/Info or VBRI header (without one an MP3 states no exact length)" };
}
