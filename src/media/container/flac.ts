/** FLAC (native, after any ID3v2 tag): STREAMINFO's total samples, where 0 means "not stated". */
import { type ByteSource, type ContainerInfo, id3v2Length, readExactly, UNKNOWN } from "./types.ts";

export interface StreamInfo {
  readonly sampleRate: number;
  readonly channels: number;
  /** 0: not stated. */
  readonly totalSamples: number;
  readonly maxBlockSize: number;
}

/** The 34 bytes of a STREAMINFO block. */
export function parseStreamInfo(b: Buffer): StreamInfo | undefined {
  if (b.length < 18) return undefined;
  const maxBlockSize = b.readUInt16BE(2);
  const sampleRate = (b.readUInt16BE(10) << 4) | ((b[12] ?? 0) >> 4);
  const channels = (((b[12] ?? 0) >> 1) & 0x07) + 1;
  const totalSamples = ((b[13] ?? 0) & 0x0f) * 2 ** 32 + b.readUInt32BE(14);
  return { sampleRate, channels, totalSamples, maxBlockSize };
}

/** The container's answer from a STREAMINFO (shared with FLAC in Ogg). */
export function flacInfo(container: "flac" | "ogg", info: StreamInfo): ContainerInfo {
  const base = {
    container,
    codec: "flac",
    sampleRate: info.sampleRate,
    channels: info.channels,
    codecFrame: Math.max(1, info.maxBlockSize),
  } as const;
  return info.totalSamples === 0
    ? { ...base, statedWhat: "no total in the FLAC STREAMINFO (0: not stated)" }
    : { ...base, statedFrames: info.totalSamples, statedWhat: "the FLAC STREAMINFO" };
}

export function parseFlac(src: ByteSource): ContainerInfo {
  const at = id3v2Length(src);
  const b = readExactly(src, at, 4 + 4 + 34);
  if (b?.toString("latin1", 0, 4) !== "fLaC" || ((b[4] ?? 0) & 0x7f) !== 0) return UNKNOWN;
  const info = parseStreamInfo(b.subarray(8));
  return info ? flacInfo("flac", info) : UNKNOWN;
}
