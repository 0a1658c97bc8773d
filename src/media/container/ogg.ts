/**
 * Ogg (Vorbis, Opus, FLAC, Speex): the identification header of the first audio stream gives the
 * codec and format; its last page's granule position, less where the stream starts (and Opus's
 * pre-skip), is the length a decoder that trims to it gives (current ffmpeg does, on a page marked
 * end-of-stream). Where the stream starts (not at 0 in a file cut without re-encoding) is worked out
 * from the first audio page: its granule less the samples of the packets that end on it, which Opus
 * TOC bytes, Speex headers and FLAC frame headers give, and Vorbis packets through the block-size
 * flags of the setup header's modes. Pages are read at the start and, seeking, at the end.
 */
import { flacInfo, parseStreamInfo, type StreamInfo } from "./flac.ts";
import { type ByteSource, type ContainerInfo, type OggFacts, readExactly, UNKNOWN } from "./types.ts";

interface Page {
  readonly offset: number;
  readonly flags: number;
  /** Undefined for -1: no packet ends on this page. */
  readonly granule: number | undefined;
  readonly serial: number;
  readonly lacing: Buffer;
  readonly bodyOffset: number;
  readonly size: number;
}

const CONTINUED = 1;
const BOS = 2;
const EOS = 4;
const MAX_HEAD_PAGES = 256;
/** Tail windows to look for the stream's last page in: a page is at most 65,307 bytes. */
const TAIL_WINDOWS = [1 << 16, 1 << 18, 1 << 20];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(b: Buffer): number {
  let crc = 0;
  for (let i = 0; i < b.length; i++) {
    // The checksum field itself counts as zero.
    const byte = i >= 22 && i < 26 ? 0 : (b[i] as number);
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  }
  return crc;
}

/** The page at `offset`; with `verify`, only if its checksum holds (a page found by searching for "OggS"). */
function readPage(src: ByteSource, offset: number, verify: boolean): Page | undefined {
  const h = readExactly(src, offset, 27);
  if (h?.toString("latin1", 0, 4) !== "OggS" || h[4] !== 0) return undefined;
  const nsegs = h[26] ?? 0;
  const lacing = readExactly(src, offset + 27, nsegs);
  if (!lacing) return undefined;
  let body = 0;
  for (const l of lacing) body += l;
  const size = 27 + nsegs + body;
  if (verify) {
    const whole = readExactly(src, offset, size);
    if (!whole || oggCrc(whole) !== h.readUInt32LE(22)) return undefined;
  }
  const g = h.readBigInt64LE(6);
  return {
    offset,
    flags: h[5] ?? 0,
    granule: g < 0n || g > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(g),
    serial: h.readUInt32LE(14),
    lacing,
    bodyOffset: offset + 27 + nsegs,
    size,
  };
}

type Codec =
  | {
      readonly name: "vorbis";
      readonly rate: number;
      readonly channels: number;
      readonly bs0: number;
      readonly bs1: number;
    }
  | { readonly name: "opus"; readonly channels: number; readonly preSkip: number }
  | {
      readonly name: "speex";
      readonly rate: number;
      readonly channels: number;
      readonly perPacket: number;
      readonly extra: number;
    }
  | { readonly name: "flac"; readonly headers: number; readonly info: StreamInfo };

function identify(p: Buffer): Codec | undefined {
  if (p.length >= 30 && p.toString("latin1", 0, 7) === "\x01vorbis") {
    const sizes = p[28] ?? 0;
    return {
      name: "vorbis",
      channels: p[11] ?? 0,
      rate: p.readUInt32LE(12),
      bs0: 1 << (sizes & 15),
      bs1: 1 << (sizes >> 4),
    };
  }
  if (p.length >= 19 && p.toString("latin1", 0, 8) === "OpusHead") {
    return { name: "opus", channels: p[9] ?? 0, preSkip: p.readUInt16LE(10) };
  }
  if (p.length >= 72 && p.toString("latin1", 0, 8) === "Speex   ") {
    return {
      name: "speex",
      rate: p.readUInt32LE(36),
      channels: p.readUInt32LE(48),
      perPacket: p.readUInt32LE(56) * Math.max(1, p.readUInt32LE(64)),
      extra: p.readUInt32LE(68),
    };
  }
  if (p.length >= 51 && p.toString("latin1", 0, 5) === "\x7fFLAC" && p.toString("latin1", 9, 13) === "fLaC") {
    const si = parseStreamInfo(p.subarray(17, 51));
    if (!si) return undefined;
    return { name: "flac", headers: p.readUInt16BE(7), info: si };
  }
  return undefined;
}

/** Samples in an Opus packet at 48 kHz, from its TOC byte (RFC 6716, 3.1). */
export function opusPacketSamples(toc: number, count: number | undefined): number {
  const config = toc >> 3;
  const frame =
    config < 12
      ? [480, 960, 1920, 2880][config % 4]
      : config < 16
        ? [480, 960][config % 2]
        : [120, 240, 480, 960][config % 4];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (count ?? 0) & 0x3f;
  return (frame ?? 0) * frames;
}

/** Samples in a FLAC frame, from its header's block size (FLAC format, "FRAME_HEADER"). */
export function flacFrameSamples(b: Buffer): number | undefined {
  if (b.length < 6 || b[0] !== 0xff || ((b[1] ?? 0) & 0xfe) !== 0xf8) return undefined;
  const code = (b[2] ?? 0) >> 4;
  if (code === 1) return 192;
  if (code >= 2 && code <= 5) return 576 << (code - 2);
  if (code >= 8) return 256 << (code - 8);
  if (code !== 6 && code !== 7) return undefined;
  // The frame or sample number comes first, UTF-8 coded: its first byte's leading ones give its length.
  const lead = b[4] ?? 0;
  let ones = 0;
  while (ones < 8 && lead & (0x80 >> ones)) ones++;
  if (ones === 1) return undefined;
  const at = 4 + Math.max(1, ones);
  if (code === 6) return at < b.length ? (b[at] as number) + 1 : undefined;
  return at + 1 < b.length ? b.readUInt16BE(at) + 1 : undefined;
}

/** The first audio page of a stream with a granule: its granule, the headers, and how each audio packet up to it starts. */
interface FirstPages {
  readonly granule: number;
  /** The header packets, whole (a Vorbis setup header spans pages). */
  readonly headers: readonly Buffer[];
  /** The first bytes (up to PACKET_PREFIX) of every audio packet that ends on or before that page. */
  readonly packets: readonly Buffer[];
}

const PACKET_PREFIX = 16;
/** A header packet larger than this is not read (a Vorbis setup header is a few kilobytes). */
const MAX_HEADER = 1 << 20;

function firstPages(src: ByteSource, serial: number, headerCount: number, start: number): FirstPages | undefined {
  const headers: Buffer[] = [];
  const packets: Buffer[] = [];
  let parts: Buffer[] = [];
  let have = 0;
  let offset = start;
  for (let n = 0; n < MAX_HEAD_PAGES; n++) {
    const page = readPage(src, offset, false);
    if (!page) return undefined;
    offset += page.size;
    if (page.serial !== serial) continue;
    const body = src.readAt(page.bodyOffset, page.size - (page.bodyOffset - page.offset));
    let pos = 0;
    for (const l of page.lacing) {
      const isHeader = headers.length < headerCount;
      const want = isHeader ? MAX_HEADER : PACKET_PREFIX;
      if (have < want && l > 0) {
        const part = body.subarray(pos, pos + Math.min(l, want - have));
        parts.push(part);
        have += part.length;
      }
      pos += l;
      if (l < 255) {
        (isHeader ? headers : packets).push(Buffer.concat(parts));
        parts = [];
        have = 0;
      }
    }
    if (packets.length > 0 && page.granule !== undefined) return { granule: page.granule, headers, packets };
  }
  return undefined;
}

/**
 * Which Vorbis modes use the long block, from the end of the setup header, read backwards as
 * ffmpeg's and liboggz's parsers do (the modes are its last fields; what comes before them has no
 * length that can be found without decoding the codebooks).
 */
export function vorbisModeBlockFlags(setup: Buffer): boolean[] | undefined {
  if (setup.length < 7 || setup[0] !== 5 || setup.toString("latin1", 1, 7) !== "vorbis") return undefined;
  const total = setup.length * 8;
  // Bit i counted from the end: the last byte's top bit first (Vorbis packs from the low bit up).
  const bit = (i: number): number => ((setup[setup.length - 1 - (i >> 3)] as number) >> (7 - (i & 7))) & 1;
  const bits = (from: number, n: number): number => {
    let v = 0;
    for (let j = 0; j < n; j++) v = v * 2 + bit(from + j);
    return v;
  };
  let k = 0;
  let framing = -1;
  while (total - k > 97) {
    if (bit(k++)) {
      framing = k;
      break;
    }
  }
  if (framing < 0) return undefined;
  let count = 0;
  let modes = 0;
  // Each mode, seen from the end: mapping (8 bits, under 64), transform and window type (16 bits each, 0), block flag.
  while (total - k >= 97) {
    if (bits(k, 8) > 63 || bits(k + 8, 16) !== 0 || bits(k + 24, 16) !== 0) break;
    k += 41;
    count++;
    if (count > 64) break;
    if (bits(k, 6) + 1 === count) modes = count;
  }
  if (modes === 0 || modes > 63) return undefined;
  const flags = new Array<boolean>(modes);
  k = framing;
  for (let i = modes - 1; i >= 0; i--) {
    k += 40;
    flags[i] = bit(k++) === 1;
  }
  return flags;
}

/** Samples of each Vorbis audio packet (the first gives none, then half of each overlap), or undefined. */
function vorbisSamples(
  codec: { bs0: number; bs1: number },
  setup: Buffer | undefined,
  packets: readonly Buffer[],
): number | undefined {
  const flags = setup && vorbisModeBlockFlags(setup);
  if (!flags) return undefined;
  const modeBits = flags.length > 1 ? Math.floor(Math.log2(flags.length - 1)) + 1 : 0;
  let previous: number | undefined;
  let samples = 0;
  for (const p of packets) {
    const first = p[0];
    if (first === undefined || first & 1) return undefined; // empty, or not an audio packet
    const size = flags[(first >> 1) & ((1 << modeBits) - 1)] ? codec.bs1 : codec.bs0;
    if (previous !== undefined) samples += (previous + size) / 4;
    previous = size;
  }
  return samples;
}

function startGranule(src: ByteSource, codec: Codec, serial: number, firstPage: number): number | undefined {
  // (FLAC's count of header packets may be 0, "unknown": then where the audio starts is unknown too.)
  if (codec.name === "flac" && codec.headers === 0) return undefined;
  const headerCount =
    codec.name === "vorbis"
      ? 3
      : codec.name === "opus"
        ? 2
        : codec.name === "speex"
          ? 2 + codec.extra
          : 1 + codec.headers;
  const first = firstPages(src, serial, headerCount, firstPage);
  if (!first) return undefined;
  let samples: number | undefined = 0;
  switch (codec.name) {
    case "vorbis":
      samples = vorbisSamples(codec, first.headers[2], first.packets);
      break;
    case "speex":
      samples = codec.perPacket * first.packets.length;
      break;
    case "flac":
      for (const p of first.packets)
        samples = samples === undefined ? undefined : addDefined(samples, flacFrameSamples(p));
      break;
    case "opus":
      for (const p of first.packets) if (p.length > 0) samples += opusPacketSamples(p[0] as number, p[1]);
      break;
  }
  return samples === undefined ? undefined : first.granule - samples;
}

const addDefined = (a: number, b: number | undefined): number | undefined => (b === undefined ? undefined : a + b);

/** The granule and flags of the stream's last page with a granule, and whether another stream follows it. */
function lastPage(src: ByteSource, serial: number): { granule: number; eos: boolean; chained: boolean } | undefined {
  for (const window of TAIL_WINDOWS) {
    const base = Math.max(0, src.size - window);
    const tail = src.readAt(base, src.size - base);
    let chained = false;
    for (let i = tail.lastIndexOf("OggS"); i >= 0; i = i > 0 ? tail.lastIndexOf("OggS", i - 1) : -1) {
      const page = readPage(src, base + i, true);
      if (!page) continue;
      if (page.serial !== serial) {
        if (page.flags & BOS) chained = true;
        continue;
      }
      if (page.granule === undefined) continue;
      return { granule: page.granule, eos: (page.flags & EOS) !== 0, chained };
    }
    if (base === 0) break;
  }
  return undefined;
}

export function parseOgg(src: ByteSource): ContainerInfo {
  // The identification pages come first, one per stream: the first audio stream is the one decoded.
  let offset = 0;
  let codec: Codec | undefined;
  let serial = 0;
  for (let n = 0; n < 16; n++) {
    const page = readPage(src, offset, false);
    if (!page || !(page.flags & BOS) || page.flags & CONTINUED) break;
    let len = 0;
    for (const l of page.lacing) {
      len += l;
      if (l < 255) break;
    }
    codec = identify(src.readAt(page.bodyOffset, Math.min(len, 256)));
    serial = page.serial;
    if (codec) break;
    offset += page.size;
  }
  if (!codec) {
    return readPage(src, 0, false)
      ? {
          container: "ogg",
          codec: "unknown",
          codecFrame: 1,
          statedWhat: "an Ogg stream of a codec this tool does not read",
        }
      : UNKNOWN;
  }
  if (codec.name === "flac" && codec.info.totalSamples > 0) return flacInfo("ogg", codec.info);
  const last = lastPage(src, serial);
  const start = startGranule(src, codec, serial, 0);
  const ogg: OggFacts = {
    ...(start === undefined ? {} : { startGranule: start }),
    ...(last ? { lastGranule: last.granule } : {}),
    endOfStream: last?.eos ?? false,
  };
  const base = { container: "ogg", ...codecFields(codec), ogg } as const;
  if (!last) return { ...base, statedWhat: "no last Ogg page of the stream found" };
  if (last.chained) return { ...base, statedWhat: "a chained Ogg file (another stream follows)" };
  if (start === undefined) return { ...base, statedWhat: "an Ogg stream whose start this tool cannot place" };
  const skip = codec.name === "opus" ? codec.preSkip : 0;
  return {
    ...base,
    statedFrames: Math.max(0, last.granule - start - skip),
    statedWhat: codec.name === "opus" ? "the last Ogg granule (less the Opus pre-skip)" : "the last Ogg granule",
  };
}

function codecFields(codec: Codec): { codec: string; sampleRate: number; channels: number; codecFrame: number } {
  switch (codec.name) {
    case "vorbis":
      return { codec: "vorbis", sampleRate: codec.rate, channels: codec.channels, codecFrame: codec.bs1 };
    case "opus":
      // ffmpeg decodes Opus at 48 kHz whatever rate the header gives as the input's.
      return { codec: "opus", sampleRate: 48000, channels: codec.channels, codecFrame: 960 };
    case "speex":
      return { codec: "speex", sampleRate: codec.rate, channels: codec.channels, codecFrame: codec.perPacket };
    case "flac":
      return {
        codec: "flac",
        sampleRate: codec.info.sampleRate,
        channels: codec.info.channels,
        codecFrame: Math.max(1, codec.info.maxBlockSize),
      };
  }
}
