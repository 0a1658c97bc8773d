/**
 * 16-bit PCM WAV: parsing the header ffmpeg writes on a pipe (sizes unknown,
 * extra chunks such as LIST possible, WAVE_FORMAT_EXTENSIBLE for more than two
 * channels) and writing the master incrementally, patching the sizes at the end.
 */
import { closeSync, readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { openRegularSync } from "../regular-file.ts";

export interface PcmFormat {
  readonly sampleRate: number;
  readonly channels: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** What a WAV header says of its samples. */
export interface WavFormat extends PcmFormat {
  readonly bits: number;
  /** IEEE float samples (else integer PCM). */
  readonly float: boolean;
}

export type WavHeader =
  | { readonly kind: "more" }
  | { readonly kind: "ok"; readonly format: WavFormat; readonly dataOffset: number }
  | { readonly kind: "bad"; readonly reason: string };

/**
 * The one reader of RIFF/WAVE headers, for a stream's first bytes (ffmpeg's pipes, whose sizes are unknown,
 * with extra chunks such as LIST possible, WAVE_FORMAT_EXTENSIBLE for more than two channels) and for files.
 * Returns "more" until the `data` chunk's header has arrived. Integer PCM and IEEE float are read; what
 * a caller accepts of them is its own check.
 */
export function readWavHeader(buf: Uint8Array): WavHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12) return { kind: "more" };
  if (b.toString("latin1", 0, 4) !== "RIFF" || b.toString("latin1", 8, 12) !== "WAVE") {
    return { kind: "bad", reason: "not a RIFF/WAVE stream" };
  }
  let off = 12;
  let format: WavFormat | undefined;
  for (;;) {
    if (b.length < off + 8) return { kind: "more" };
    const id = b.toString("latin1", off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === "data") {
      if (!format) return { kind: "bad", reason: "data chunk before fmt chunk" };
      return { kind: "ok", format, dataOffset: off + 8 };
    }
    if (b.length < off + 8 + size) return { kind: "more" };
    if (id === "fmt ") {
      if (size < 16) return { kind: "bad", reason: "fmt chunk too short" };
      let tag = b.readUInt16LE(off + 8);
      const channels = b.readUInt16LE(off + 10);
      const sampleRate = b.readUInt32LE(off + 12);
      const bits = b.readUInt16LE(off + 22);
      if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 40) tag = b.readUInt16LE(off + 8 + 24);
      if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
        return { kind: "bad", reason: `not PCM (format ${tag}, ${bits} bits)` };
      }
      if (channels < 1 || sampleRate < 1) return { kind: "bad", reason: "no channels or no sample rate" };
      format = { sampleRate, channels, bits, float: tag === WAVE_FORMAT_IEEE_FLOAT };
    }
    off += 8 + size + (size % 2);
  }
}

export type WavHeaderParse =
  | { readonly kind: "more" }
  | { readonly kind: "ok"; readonly format: PcmFormat; readonly dataOffset: number }
  | { readonly kind: "bad"; readonly reason: string };

/** A 16-bit integer PCM header (what the decoder asks ffmpeg for, and what the master is); anything else is bad. */
export function parseWavHeader(buf: Uint8Array): WavHeaderParse {
  const h = readWavHeader(buf);
  if (h.kind !== "ok") return h;
  const { sampleRate, channels, bits, float } = h.format;
  if (float || bits !== 16) {
    return { kind: "bad", reason: `expected 16-bit PCM, got ${float ? "float" : "integer"} samples of ${bits} bits` };
  }
  return { kind: "ok", format: { sampleRate, channels }, dataOffset: h.dataOffset };
}

/** The first `bytes` bytes of a file (fewer if it is shorter), read at once: enough for a WAV header. */
export function readFileHead(path: string, bytes = 4096): Buffer {
  const fd = openRegularSync(path);
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** Header for a 16-bit PCM WAV holding `dataBytes` bytes of samples. */
export function wavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const { channels, sampleRate } = format;
  const extensible = channels > 2;
  const fmtSize = extensible ? 40 : 16;
  const headerBytes = 12 + 8 + fmtSize + 8;
  const h = Buffer.alloc(headerBytes);
  const blockAlign = channels * 2;
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(headerBytes - 8 + dataBytes + (dataBytes % 2), 4);
  h.write("WAVE", 8, "latin1");
  h.write("fmt ", 12, "latin1");
  h.writeUInt32LE(fmtSize, 16);
  h.writeUInt16LE(extensible ? WAVE_FORMAT_EXTENSIBLE : WAVE_FORMAT_PCM, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34);
  let off = 36;
  if (extensible) {
    h.writeUInt16LE(22, 36); // cbSize
    h.writeUInt16LE(16, 38); // valid bits per sample
    h.writeUInt32LE(0, 40); // channel mask: no speaker positions claimed
    // KSDATAFORMAT_SUBTYPE_PCM GUID 00000001-0000-0010-8000-00aa00389b71
    Buffer.from("0100000000001000800000aa00389b71", "hex").copy(h, 44);
    off = 60;
  }
  h.write("data", off, "latin1");
  h.writeUInt32LE(dataBytes, off + 4);
  return h;
}

/** Largest data chunk a RIFF WAV can describe. */
const MAX_DATA_BYTES = 0xffffffff - 64;

/** Writes a 16-bit WAV incrementally: header placeholder, samples, then the real sizes. */
export class WavFileWriter {
  private dataBytes = 0;
  private constructor(
    private readonly fh: FileHandle,
    private readonly format: PcmFormat,
    private readonly headerBytes: number,
  ) {}

  static async create(path: string, format: PcmFormat): Promise<WavFileWriter> {
    const fh = await open(path, "wx");
    const header = wavHeader(format, 0);
    await fh.write(header, 0, header.length, 0);
    return new WavFileWriter(fh, format, header.length);
  }

  async write(s16: Buffer): Promise<void> {
    if (this.dataBytes + s16.length > MAX_DATA_BYTES) {
      throw new RangeError("recording too long for a WAV file (over 4 GiB of 16-bit samples)");
    }
    await this.fh.write(s16, 0, s16.length, this.headerBytes + this.dataBytes);
    this.dataBytes += s16.length;
  }

  /**
   * Write the real sizes into the header: the file is complete for readers from here on. Getting it onto
   * the disk (fsync, slow for an hour's master on a slow disk) goes on in the background: await the promise
   * returned before the file is renamed into place.
   */
  async close(): Promise<{ readonly durable: Promise<void> }> {
    if (this.dataBytes % 2 === 1) await this.fh.write(Buffer.alloc(1), 0, 1, this.headerBytes + this.dataBytes);
    const header = wavHeader(this.format, this.dataBytes);
    await this.fh.write(header, 0, header.length, 0);
    const fh = this.fh;
    const durable = fh.sync().finally(() => fh.close());
    durable.catch(() => {}); // awaited by the caller
    return { durable };
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
