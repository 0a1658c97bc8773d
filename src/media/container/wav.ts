/**
 * WAV (RIFF, and RF64/BW64 for files over 4 GiB): the format from `fmt `, the length from the data
 * chunk's size for PCM, or from the `fact` chunk for compressed codecs (ADPCM, GSM), whose data
 * ends in a partly filled block. A data size of 0 or 0xFFFFFFFF is what a writer leaves when it
 * could not seek back (a stream, a crash): the length is then not stated.
 */
import { type ByteSource, type ContainerInfo, readExactly, UNKNOWN, u64le } from "./types.ts";

/** Format tags whose data is plain samples: frames = data size / block size. */
const PCM_TAGS: Readonly<Record<number, string>> = { 1: "pcm", 3: "pcm_float", 6: "pcm_alaw", 7: "pcm_mulaw" };

/** Compressed tags whose `fact` count this tool trusts, and the codec's name. */
const BLOCK_TAGS: Readonly<Record<number, string>> = { 2: "adpcm_ms", 17: "adpcm_ima_wav", 49: "gsm_ms" };

const EXTENSIBLE = 0xfffe;
const NOT_STATED = new Set([0, 0xffffffff]);
/** More chunks than any real file has before its data: a corrupt or hostile file is not walked forever. */
const MAX_CHUNKS = 4096;

interface Fmt {
  readonly tag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly blockAlign: number;
  readonly bits: number;
  /** ADPCM: samples per block, from the format's extension. */
  readonly samplesPerBlock?: number;
}

function parseFmt(b: Buffer): Fmt | undefined {
  if (b.length < 16) return undefined;
  let tag = b.readUInt16LE(0);
  if (tag === EXTENSIBLE && b.length >= 26) tag = b.readUInt16LE(24);
  const fmt: Fmt = {
    tag,
    channels: b.readUInt16LE(2),
    sampleRate: b.readUInt32LE(4),
    blockAlign: b.readUInt16LE(12),
    bits: b.readUInt16LE(14),
  };
  if ((tag === 2 || tag === 0x11) && b.length >= 20) return { ...fmt, samplesPerBlock: b.readUInt16LE(18) };
  return fmt;
}

function pcmCodec(fmt: Fmt): string {
  if (fmt.tag === 1) return fmt.bits === 8 ? "pcm_u8" : `pcm_s${fmt.bits}le`;
  if (fmt.tag === 3) return `pcm_f${fmt.bits}le`;
  return PCM_TAGS[fmt.tag] ?? "pcm";
}

export function parseWav(src: ByteSource): ContainerInfo {
  const head = readExactly(src, 0, 12);
  if (!head) return UNKNOWN;
  const riff = head.toString("latin1", 0, 4);
  if (!["RIFF", "RF64", "BW64"].includes(riff) || head.toString("latin1", 8, 12) !== "WAVE") return UNKNOWN;
  const rf64 = riff !== "RIFF";
  let ds64Data: number | undefined;
  let fmt: Fmt | undefined;
  let fact: number | undefined;
  let dataSize: number | undefined;
  let off = 12;
  for (let n = 0; n < MAX_CHUNKS; n++) {
    const h = readExactly(src, off, 8);
    if (!h) break;
    const id = h.toString("latin1", 0, 4);
    const size = h.readUInt32LE(4);
    if (id === "ds64") {
      const b = readExactly(src, off + 8, 24);
      if (b) ds64Data = u64le(b, 8);
    } else if (id === "fmt ") {
      fmt = parseFmt(src.readAt(off + 8, Math.min(size, 64)));
    } else if (id === "fact" && size >= 4) {
      fact = readExactly(src, off + 8, 4)?.readUInt32LE(0);
    } else if (id === "data") {
      const stated = rf64 && size === 0xffffffff ? ds64Data : size;
      dataSize = stated === undefined || NOT_STATED.has(stated) ? undefined : stated;
      // A compressed file may put its fact chunk after the data: look there too, if the data's end is known.
      if (fact !== undefined || fmt === undefined || PCM_TAGS[fmt.tag] !== undefined || dataSize === undefined) break;
      off += 8 + dataSize + (dataSize % 2);
      continue;
    }
    off += 8 + size + (size % 2);
  }
  if (!fmt) return UNKNOWN;
  const container = rf64 ? "rf64" : "wav";
  const base = { container, sampleRate: fmt.sampleRate, channels: fmt.channels } as const;
  if (PCM_TAGS[fmt.tag] !== undefined) {
    const codec = pcmCodec(fmt);
    if (dataSize === undefined || fmt.blockAlign === 0) {
      return { ...base, codec, codecFrame: 1, statedWhat: "no WAV data size (0 or 0xFFFFFFFF: written as a stream)" };
    }
    return {
      ...base,
      codec,
      codecFrame: 1,
      statedFrames: Math.floor(dataSize / fmt.blockAlign),
      statedWhat: rf64 ? "the RF64 ds64 data size" : "the WAV data chunk",
    };
  }
  const codec = BLOCK_TAGS[fmt.tag] ?? `wav format 0x${fmt.tag.toString(16).padStart(4, "0")}`;
  const frame = fmt.tag === 0x31 ? 320 : fmt.samplesPerBlock;
  if (BLOCK_TAGS[fmt.tag] === undefined || frame === undefined || frame === 0) {
    return { ...base, codec, codecFrame: 1, statedWhat: "no length this tool can check for this WAV codec" };
  }
  if (fact === undefined) return { ...base, codec, codecFrame: frame, statedWhat: "no WAV fact chunk" };
  return { ...base, codec, codecFrame: frame, statedFrames: fact, statedWhat: "the WAV fact chunk" };
}
