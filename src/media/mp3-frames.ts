/**
 * MPEG audio Layer III at the frame level: frame headers, the side information
 * that says where each frame's main data lies in the bit reservoir and which
 * block types its granules use, and the Xing/Info + LAME tag that ffmpeg's MP3
 * muxer writes as the first frame (frame count, byte count, seek table,
 * encoder delay and padding, CRCs). Pure byte work, no I/O: what mp3-splice.ts
 * needs to join MP3 streams encoded in parts into one valid stream.
 *
 * References: ISO/IEC 11172-3 (MPEG-1) and 13818-3 (MPEG-2 LSF) for headers and
 * side information; the LAME tag layout as ffmpeg's libavformat/mp3enc.c writes
 * it (checked here by rebuilding ffmpeg's own tag byte for byte, see the tests).
 */

export interface Mp3Header {
  /** MPEG-1, or one of the low sampling frequency extensions (MPEG-2, MPEG-2.5). */
  readonly mpeg1: boolean;
  readonly sampleRate: number;
  readonly bitrateKbps: number;
  readonly channels: 1 | 2;
  /** A CRC-16 follows the header. */
  readonly protected: boolean;
  /** Whole frame, header included. */
  readonly frameBytes: number;
  readonly samplesPerFrame: 576 | 1152;
  /** Header (and CRC) plus side information: where the frame's main data slot starts. */
  readonly payloadOffset: number;
  /** The header's first four bytes, for comparing streams (bitrate, rate, mode; padding bit cleared). */
  readonly signature: number;
}

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES = [44100, 48000, 32000];

/** The Layer III frame header at `at`, or undefined when there is none there. Free-format frames are not read. */
export function parseMp3Header(b: Uint8Array, at: number): Mp3Header | undefined {
  if (at + 4 > b.length) return undefined;
  const b1 = b[at + 1] as number;
  const b2 = b[at + 2] as number;
  const b3 = b[at + 3] as number;
  if (b[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = (b1 >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
  const layer = (b1 >> 1) & 3; // 1: Layer III
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const mpeg1 = version === 3;
  const sampleRate = (RATES[rateIndex] as number) / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const bitrateKbps = (mpeg1 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex] as number;
  const padding = (b2 >> 1) & 1;
  const channels = b3 >> 6 === 3 ? 1 : 2;
  const isProtected = (b1 & 1) === 0;
  const samplesPerFrame = mpeg1 ? 1152 : 576;
  const frameBytes = Math.floor(((samplesPerFrame / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  const sideInfo = mpeg1 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17;
  return {
    mpeg1,
    sampleRate,
    bitrateKbps,
    channels,
    protected: isProtected,
    frameBytes,
    samplesPerFrame,
    payloadOffset: 4 + (isProtected ? 2 : 0) + sideInfo,
    signature: ((0xff << 24) | (b1 << 16) | ((b2 & ~2) << 8) | (b3 & 0xc0)) >>> 0,
  };
}

export interface SideInfo {
  /** Bytes before this frame's main data slot where its main data begins (the bit reservoir). */
  readonly mainDataBegin: number;
  /** Bits of main data over all granules and channels (part2_3_length summed). */
  readonly mainDataBits: number;
  /** Block type of each granule and channel: 0 normal (long), 1 start, 2 short, 3 stop. */
  readonly blockTypes: readonly (readonly number[])[];
}

/** The side information of the frame at `at` (its header already parsed). */
export function parseSideInfo(b: Uint8Array, at: number, h: Mp3Header): SideInfo {
  let pos = (at + 4 + (h.protected ? 2 : 0)) * 8;
  const read = (bits: number): number => {
    let v = 0;
    for (let i = 0; i < bits; i++, pos++) v = (v << 1) | (((b[pos >> 3] as number) >> (7 - (pos & 7))) & 1);
    return v;
  };
  const mono = h.channels === 1;
  const mainDataBegin = read(h.mpeg1 ? 9 : 8);
  read(h.mpeg1 ? (mono ? 5 : 3) : mono ? 1 : 2); // private bits
  if (h.mpeg1) read(4 * h.channels); // scfsi
  const granules = h.mpeg1 ? 2 : 1;
  let mainDataBits = 0;
  const blockTypes: number[][] = [];
  for (let gr = 0; gr < granules; gr++) {
    const types: number[] = [];
    for (let ch = 0; ch < h.channels; ch++) {
      mainDataBits += read(12); // part2_3_length
      read(9 + 8); // big_values, global_gain
      read(h.mpeg1 ? 4 : 9); // scalefac_compress
      if (read(1) === 1) {
        // window_switching_flag: block_type, mixed_block_flag, 2 table_select, 3 subblock_gain
        types.push(read(2));
        read(1 + 2 * 5 + 3 * 3);
      } else {
        types.push(0);
        read(3 * 5 + 4 + 3); // table_select x3, region0_count, region1_count
      }
      read(h.mpeg1 ? 3 : 2); // (preflag,) scalefac_scale, count1table_select
    }
    blockTypes.push(types);
  }
  return { mainDataBegin, mainDataBits, blockTypes };
}

/** CRC-16/ARC (poly 0x8005 reflected, init 0): the LAME tag's music and tag CRCs (ffmpeg's AV_CRC_16_ANSI_LE). */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16(bytes: Uint8Array, crc = 0): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c;
}

/** The Xing/Info tag's fields this tool reads and rewrites. */
export interface InfoTag {
  /** Offset of "Info"/"Xing" in the frame. */
  readonly offset: number;
  readonly frames: number;
  /** Encoder delay and end padding in samples (the LAME tag's 12-bit fields). */
  readonly delay: number;
  readonly padding: number;
}

/** Where the Xing tag sits in a frame: after the side information. */
const xingOffset = (h: Mp3Header): number => 4 + (h.mpeg1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17);
/** Bytes of the tag from "Info" to the tag CRC (ffmpeg's XING_SIZE), and the bytes the tag CRC covers. */
const XING_SIZE = 156;
const TAG_CRC_BYTES = 190;

/** The frame's Info/Xing tag with a LAME extension, or undefined when it is an audio frame. */
export function parseInfoTag(frame: Uint8Array, h: Mp3Header): InfoTag | undefined {
  const at = xingOffset(h);
  if (at + XING_SIZE > frame.length) return undefined;
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const id = b.toString("latin1", at, at + 4);
  if (id !== "Info" && id !== "Xing") return undefined;
  const delayPadding = b.readUIntBE(at + 141, 3);
  return { offset: at, frames: b.readUInt32BE(at + 8), delay: delayPadding >> 12, padding: delayPadding & 0xfff };
}

/**
 * The seek table as ffmpeg's muxer builds it (after LAME's VbrTag.c): the running byte count sampled
 * every `want` frames into 400 bags, halving the table and doubling `want` when it fills.
 */
export class XingToc {
  private readonly bag = new Float64Array(400);
  private want = 1;
  private seen = 0;
  private pos = 0;
  private bytes: number;
  frames = 0;

  /** `infoFrameBytes`: the Info frame counts in the byte total. */
  constructor(infoFrameBytes: number) {
    this.bytes = infoFrameBytes;
  }

  add(frameBytes: number): void {
    this.frames++;
    this.seen++;
    this.bytes += frameBytes;
    if (this.want === this.seen) {
      this.bag[this.pos] = this.bytes;
      if (++this.pos === this.bag.length) {
        for (let i = 1; i < this.bag.length; i += 2) this.bag[i >> 1] = this.bag[i] as number;
        this.want *= 2;
        this.pos = this.bag.length / 2;
      }
      this.seen = 0;
    }
  }

  /** Bytes from the Info frame to the end of the last frame. */
  get size(): number {
    return this.bytes;
  }

  table(): Uint8Array {
    const toc = new Uint8Array(100);
    for (let i = 1; i < 100; i++) {
      const j = Math.floor((i * this.pos) / 100);
      toc[i] = Math.min(255, Math.floor((256 * (this.bag[j] as number)) / this.bytes));
    }
    return toc;
  }
}

/**
 * A copy of `template` (an Info frame ffmpeg wrote) describing the frames `toc` counted: frame and byte
 * counts, seek table, delay and padding, music length and CRC (`musicCrc`: crc16 of the audio frames),
 * and the tag CRC over the frame's first 190 bytes, as ffmpeg's mp3_update_xing writes them.
 */
export function rebuildInfoFrame(
  template: Uint8Array,
  h: Mp3Header,
  fields: { toc: XingToc; delay: number; padding: number; musicCrc: number },
): Buffer {
  const at = xingOffset(h);
  const out = Buffer.from(template);
  if (fields.delay >= 1 << 12 || fields.padding >= 1 << 12) {
    throw new RangeError(`LAME tag: delay ${fields.delay} or padding ${fields.padding} does not fit 12 bits`);
  }
  out.writeUInt32BE(fields.toc.frames, at + 8);
  out.writeUInt32BE(fields.toc.size, at + 12);
  out.set(fields.toc.table(), at + 16);
  out.writeUIntBE(fields.delay * 4096 + fields.padding, at + 141, 3);
  out.writeUInt32BE(fields.toc.size, at + XING_SIZE - 8);
  out.writeUInt16BE(fields.musicCrc, at + XING_SIZE - 4);
  out.writeUInt16BE(0, at + XING_SIZE - 2);
  out.writeUInt16BE(crc16(out.subarray(0, TAG_CRC_BYTES)), at + XING_SIZE - 2);
  return out;
}

/** Length of an ID3v2 tag at the start of `b` (0 when there is none). */
export function id3v2Length(b: Uint8Array): number {
  if (b.length < 10 || b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return 0;
  const size = (((b[6] as number) & 0x7f) << 21) | (((b[7] as number) & 0x7f) << 14);
  const footer = ((b[5] as number) & 0x10) !== 0 ? 10 : 0;
  return 10 + footer + (size | (((b[8] as number) & 0x7f) << 7) | ((b[9] as number) & 0x7f));
}
