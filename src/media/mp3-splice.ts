/**
 * Joins MP3 files encoded in parts (one encoder per core, each part started a
 * few seconds early so its encoder is settled) into one stream, cutting
 * between whole frames inside the stretch both parts encoded.
 *
 * The parts are encoded on one frame grid: part i's first frame is frame
 * `firstFrame` of the whole. A cut at frame k takes frames before k from part
 * i and k onwards from part i+1. Two things make a frame boundary a valid cut:
 *
 * - The bit reservoir: frame k's main data begins `main_data_begin` bytes back,
 *   in the slots of the frames before it. Those bytes come from part i+1's own
 *   earlier frames and are copied into the end of part i's slots, which is
 *   allowed only where part i's last frame left that many bytes unused after
 *   its own data (ancillary space that decoders skip). Every frame decodes
 *   from exactly the bits its encoder wrote.
 * - The window shapes: the decoder overlaps the last granule of frame k-1
 *   with the first of frame k, so both must use the long window on the
 *   joining side (no short-block transition across the cut); then the two
 *   halves, encodings of the same audio, add up as one encoder's would, to
 *   within each encoder's quantisation noise.
 *
 * The first frame of the result is a new Info/LAME tag: frame and byte
 * counts, seek table, part 0's encoder delay, the last part's end padding and
 * the CRCs, as ffmpeg's muxer writes them, so players trim the same samples as
 * from a file encoded in one go. Memory: a few dozen frames at a time.
 */
import { type FileHandle, open } from "node:fs/promises";
import {
  crc16,
  type InfoTag,
  id3v2Length,
  type Mp3Header,
  parseInfoTag,
  parseMp3Header,
  parseSideInfo,
  rebuildInfoFrame,
  type SideInfo,
  XingToc,
} from "./mp3-frames.ts";

export interface Mp3Part {
  readonly path: string;
  /** Index, in the whole stream, of this part's first audio frame (the frame after its Info tag). */
  readonly firstFrame: number;
}

/** Frames (indices in the whole stream, inclusive) where the cut between part i and part i+1 may fall. */
export interface CutWindow {
  readonly first: number;
  readonly last: number;
}

/** No valid cut in a window: the caller encodes in one part instead. */
export class SpliceError extends Error {
  override readonly name = "SpliceError";
}

interface Frame {
  readonly bytes: Buffer;
  readonly header: Mp3Header;
  readonly side: SideInfo;
  /** Index in the whole stream. */
  readonly index: number;
}

const payload = (f: Frame): Buffer => f.bytes.subarray(f.header.payloadOffset);
/** Bytes left unused after the frame's own main data, at the end of its slot (what the next frame may take). */
const freeAfter = (f: Frame): number =>
  f.side.mainDataBegin + f.bytes.length - f.header.payloadOffset - Math.ceil(f.side.mainDataBits / 8);

/** Frames kept back before a cut window: enough slots to hold the largest reservoir (511 bytes). */
const KEEP = 16;
/** Each part's read buffer and the output's write buffer. */
const BUFFER_BYTES = 1 << 20;

/** A frame as read: `bytes` is a view into the read buffer, valid until the reader's next call. */
interface RawFrame {
  readonly bytes: Buffer;
  readonly header: Mp3Header;
}

/**
 * Reads a file's frames in order through one buffer of about a megabyte, refilled in place: no copy
 * per frame and no new buffer per read (the frames of an hour are over a hundred thousand).
 */
class FrameReader {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    bufferBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  static async open(path: string, bufferBytes: number): Promise<FrameReader> {
    return new FrameReader(await open(path, "r"), path, bufferBytes);
  }

  private get available(): number {
    return this.end - this.start;
  }

  /** Make `need` bytes available from `start` (fewer only at the end of the file). */
  private async fill(need: number): Promise<void> {
    if (this.available >= need || this.eof) return;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(need);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else {
      this.buf.copy(this.buf, 0, this.start, this.end);
    }
    this.end -= this.start;
    this.start = 0;
    while (!this.eof && this.end < need) {
      const { bytesRead } = await this.file.read(this.buf, this.end, this.buf.length - this.end, null);
      if (bytesRead === 0) this.eof = true;
      this.end += bytesRead;
    }
  }

  /** The ID3v2 tag at the start (empty when there is none), copied: call first. */
  async tag(): Promise<Buffer> {
    await this.fill(10);
    const length = id3v2Length(this.buf.subarray(this.start, this.end));
    await this.fill(length);
    const tag = Buffer.from(this.buf.subarray(this.start, this.start + length));
    this.start += length;
    return tag;
  }

  /** The next frame (a view into the buffer, valid until the next call), or undefined at the end. */
  async next(): Promise<RawFrame | undefined> {
    await this.fill(4);
    if (this.available === 0) return undefined;
    const header = this.available >= 4 ? parseMp3Header(this.buf, this.start) : undefined;
    if (!header) throw new Error(`${this.path}: no MP3 frame where one should start`);
    await this.fill(header.frameBytes);
    if (this.available < header.frameBytes) throw new Error(`${this.path}: the last frame is cut short`);
    const bytes = this.buf.subarray(this.start, this.start + header.frameBytes);
    this.start += header.frameBytes;
    return { bytes, header };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** A part's audio frames, its ID3 tag and Info frame read off first. */
class PartReader {
  private index: number;

  private constructor(
    private readonly reader: FrameReader,
    readonly tag: Buffer,
    readonly info: { readonly bytes: Buffer; readonly header: Mp3Header; readonly tag: InfoTag },
    firstFrame: number,
  ) {
    this.index = firstFrame;
  }

  static async open(part: Mp3Part, bufferBytes: number): Promise<PartReader> {
    const reader = await FrameReader.open(part.path, bufferBytes);
    try {
      const tag = await reader.tag();
      const frame = await reader.next();
      const info = frame && parseInfoTag(frame.bytes, frame.header);
      if (!frame || !info) throw new Error(`${part.path}: the first frame is not an Info/LAME tag`);
      return new PartReader(
        reader,
        tag,
        { bytes: Buffer.from(frame.bytes), header: frame.header, tag: info },
        part.firstFrame,
      );
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  /** Index (in the whole stream) of the frame `next` returns. */
  get nextIndex(): number {
    return this.index;
  }

  /** The next audio frame as read (a view), or undefined at the end. */
  async next(): Promise<RawFrame | undefined> {
    const f = await this.reader.next();
    if (f) this.index++;
    return f;
  }

  /** The next audio frame copied, with its side information (for frames held around a cut). */
  async nextFrame(): Promise<Frame | undefined> {
    const index = this.index;
    const f = await this.next();
    if (!f) return undefined;
    const bytes = Buffer.from(f.bytes);
    return { bytes, header: f.header, side: parseSideInfo(bytes, 0, f.header), index };
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

/** Buffered writer (one buffer, reused) that also counts the frames for the Info tag. */
class FrameSink {
  private readonly out: Buffer;
  private used = 0;
  private position: number;
  crc = 0;

  constructor(
    private readonly file: FileHandle,
    start: number,
    readonly toc: XingToc,
    bufferBytes: number,
  ) {
    this.position = start;
    this.out = Buffer.allocUnsafe(bufferBytes);
  }

  /** Copies `bytes` (they may be a reader's view, reused after this call). */
  async frame(bytes: Buffer): Promise<void> {
    this.toc.add(bytes.length);
    this.crc = crc16(bytes, this.crc);
    if (this.used + bytes.length > this.out.length) await this.flush();
    if (bytes.length > this.out.length) {
      await this.file.write(bytes, 0, bytes.length, this.position);
      this.position += bytes.length;
      return;
    }
    bytes.copy(this.out, this.used);
    this.used += bytes.length;
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.file.write(this.out, 0, this.used, this.position);
    this.position += this.used;
    this.used = 0;
  }
}

/** Whether frame `next` (of the later part) may follow `prev` (of the earlier part), given `before`: the later part's frames just before `next`. */
function canCut(prev: Frame, next: Frame, before: readonly Frame[]): boolean {
  if (prev.header.signature !== next.header.signature) return false;
  const lastGranule = prev.side.blockTypes[prev.side.blockTypes.length - 1] ?? [];
  if (!lastGranule.every((t) => t === 0 || t === 3)) return false;
  if (!(next.side.blockTypes[0] ?? []).every((t) => t === 0 || t === 1)) return false;
  const reservoir = next.side.mainDataBegin;
  const available = before.reduce((sum, f) => sum + payload(f).length, 0);
  return reservoir <= available && reservoir <= freeAfter(prev);
}

/** Copy the last `count` bytes of the slots of `from` into the last `count` bytes of the slots of `into`. */
function moveReservoir(from: readonly Frame[], into: readonly Frame[], count: number): void {
  const source: number[] = [];
  for (let i = from.length - 1; i >= 0 && source.length < count; i--) {
    const p = payload(from[i] as Frame);
    for (let j = p.length - 1; j >= 0 && source.length < count; j--) source.push(p[j] as number);
  }
  let k = 0;
  for (let i = into.length - 1; i >= 0 && k < count; i--) {
    const p = payload(into[i] as Frame);
    for (let j = p.length - 1; j >= 0 && k < count; j--) p[j] = source[k++] as number;
  }
  if (k < count) throw new Error("MP3 splice: not enough frames held back for the bit reservoir");
}

/**
 * Write `output` from `parts` (in order), cutting between part i and i+1 at the first valid frame of
 * `windows[i]`. Returns the cut frames and the number of audio frames written. Throws SpliceError when a
 * window has no valid cut. `bufferBytes` (default 1 MiB) sizes the read and write buffers; the bytes written
 * do not depend on it.
 */
export async function spliceMp3Parts(
  parts: readonly Mp3Part[],
  windows: readonly CutWindow[],
  output: string,
  options: { readonly bufferBytes?: number } = {},
): Promise<{ cuts: number[]; frames: number }> {
  const bufferBytes = options.bufferBytes ?? BUFFER_BYTES;
  if (parts.length === 0 || windows.length !== parts.length - 1) throw new Error("spliceMp3Parts: bad parts");
  const opened: PartReader[] = [];
  let file: FileHandle | undefined;
  try {
    for (const part of parts) opened.push(await PartReader.open(part, bufferBytes));
    const first = opened[0] as PartReader;
    const last = opened[opened.length - 1] as PartReader;
    file = await open(output, "w");
    await file.write(first.tag, 0, first.tag.length, 0);
    await file.write(first.info.bytes, 0, first.info.bytes.length, first.tag.length);
    const sink = new FrameSink(
      file,
      first.tag.length + first.info.bytes.length,
      new XingToc(first.info.bytes.length),
      bufferBytes,
    );
    const cuts: number[] = [];
    // The frame that starts the current part's run (the cut frame found in it), if any.
    let carried: Frame | undefined;
    for (let i = 0; i < opened.length; i++) {
      const current = opened[i] as PartReader;
      const window = windows[i];
      if (carried) await sink.frame(carried.bytes);
      carried = undefined;
      if (!window) {
        for (let f = await current.next(); f; f = await current.next()) await sink.frame(f.bytes);
        break;
      }
      // Up to the window (less the frames kept for the reservoir): straight out. Then hold the window.
      while (current.nextIndex < window.first - KEEP) {
        const f = await current.next();
        if (!f) break;
        await sink.frame(f.bytes);
      }
      const held: Frame[] = [];
      while (current.nextIndex <= window.last) {
        const f = await current.nextFrame();
        if (!f) break;
        held.push(f);
      }
      // The next part: find the first frame of the window it can take over at.
      const next = opened[i + 1] as PartReader;
      const before: Frame[] = [];
      while (next.nextIndex < window.first - KEEP) if (!(await next.next())) break;
      for (let f = await next.nextFrame(); f && f.index <= window.last; f = await next.nextFrame()) {
        const prev = held.find((h) => h.index === (f as Frame).index - 1);
        if (f.index >= window.first && prev && canCut(prev, f, before)) {
          carried = f;
          break;
        }
        before.push(f);
        if (before.length > KEEP) before.shift();
      }
      if (!carried) {
        throw new SpliceError(
          `no frame in ${window.first}..${window.last} where part ${i + 2} can take over from part ${i + 1}`,
        );
      }
      const kept = held.filter((h) => h.index < (carried as Frame).index);
      moveReservoir(before, kept, carried.side.mainDataBegin);
      for (const h of kept) await sink.frame(h.bytes);
      cuts.push(carried.index);
    }
    await sink.flush();
    const info = rebuildInfoFrame(first.info.bytes, first.info.header, {
      toc: sink.toc,
      delay: first.info.tag.delay,
      padding: last.info.tag.padding,
      musicCrc: sink.crc,
    });
    await file.write(info, 0, info.length, first.tag.length);
    return { cuts, frames: sink.toc.frames };
  } finally {
    await file?.close();
    await Promise.all(opened.map((p) => p.close()));
  }
}
