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
const READ_BYTES = 1 << 20;

/** The file's frames in order; the first item is the ID3v2 tag's bytes (possibly empty). */
async function* readFile(path: string): AsyncGenerator<Buffer | { bytes: Buffer; header: Mp3Header }> {
  const file = await open(path, "r");
  try {
    let buf = Buffer.alloc(0);
    let eof = false;
    const fill = async (need: number): Promise<void> => {
      while (!eof && buf.length < need) {
        const chunk = Buffer.alloc(Math.max(READ_BYTES, need));
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) eof = true;
        buf = buf.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([buf, chunk.subarray(0, bytesRead)]);
      }
    };
    await fill(10);
    const tag = id3v2Length(buf);
    await fill(tag);
    yield Buffer.from(buf.subarray(0, tag));
    buf = buf.subarray(tag);
    for (;;) {
      await fill(4);
      if (buf.length === 0) return;
      const header = parseMp3Header(buf, 0);
      if (!header) throw new Error(`${path}: no MP3 frame where one should start`);
      await fill(header.frameBytes);
      if (buf.length < header.frameBytes) throw new Error(`${path}: the last frame is cut short`);
      yield { bytes: Buffer.from(buf.subarray(0, header.frameBytes)), header };
      buf = buf.subarray(header.frameBytes);
    }
  } finally {
    await file.close();
  }
}

/** A part's audio frames, its ID3 tag and Info frame read off first. */
async function openPart(part: Mp3Part): Promise<{
  tag: Buffer;
  info: { bytes: Buffer; header: Mp3Header; tag: InfoTag };
  frames: AsyncGenerator<Frame>;
}> {
  const items = readFile(part.path);
  const first = await items.next();
  const second = await items.next();
  const tag = first.value;
  const infoFrame = second.value;
  if (!Buffer.isBuffer(tag) || infoFrame === undefined || Buffer.isBuffer(infoFrame)) {
    throw new Error(`${part.path}: not an MP3 file with an Info frame`);
  }
  const info = parseInfoTag(infoFrame.bytes, infoFrame.header);
  if (!info) throw new Error(`${part.path}: the first frame is not an Info/LAME tag`);
  async function* frames(): AsyncGenerator<Frame> {
    let index = part.firstFrame;
    for await (const item of items) {
      if (Buffer.isBuffer(item)) continue;
      yield { ...item, side: parseSideInfo(item.bytes, 0, item.header), index: index++ };
    }
  }
  return { tag, info: { ...infoFrame, tag: info }, frames: frames() };
}

/** Buffered writer that also counts the frames for the Info tag. */
class FrameSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position: number;
  crc = 0;

  constructor(
    private readonly file: FileHandle,
    start: number,
    readonly toc: XingToc,
  ) {
    this.position = start;
  }

  async frame(bytes: Buffer): Promise<void> {
    this.toc.add(bytes.length);
    this.crc = crc16(bytes, this.crc);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= READ_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.file.write(data, 0, data.length, this.position);
    this.position += data.length;
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
 * window has no valid cut.
 */
export async function spliceMp3Parts(
  parts: readonly Mp3Part[],
  windows: readonly CutWindow[],
  output: string,
): Promise<{ cuts: number[]; frames: number }> {
  if (parts.length === 0 || windows.length !== parts.length - 1) throw new Error("spliceMp3Parts: bad parts");
  const opened = await Promise.all(parts.map(openPart));
  const first = opened[0] as (typeof opened)[number];
  const last = opened[opened.length - 1] as (typeof opened)[number];
  const file = await open(output, "w");
  const cuts: number[] = [];
  try {
    await file.write(first.tag, 0, first.tag.length, 0);
    await file.write(first.info.bytes, 0, first.info.bytes.length, first.tag.length);
    const sink = new FrameSink(file, first.tag.length + first.info.bytes.length, new XingToc(first.info.bytes.length));
    // The frame that starts the current part's run (the cut frame of a later part), if any.
    let carried: Frame | undefined;
    for (let i = 0; i < opened.length; i++) {
      const current = (opened[i] as (typeof opened)[number]).frames;
      const window = windows[i];
      if (carried) {
        await sink.frame(carried.bytes);
        carried = undefined;
      }
      if (!window) {
        for await (const f of current) await sink.frame(f.bytes);
        break;
      }
      // Up to the window (less the frames kept for the reservoir): straight out. Then hold the window.
      const held: Frame[] = [];
      for await (const f of current) {
        if (f.index > window.last) break;
        held.push(f);
        if (f.index < window.first - KEEP) await sink.frame((held.shift() as Frame).bytes);
      }
      await current.return(undefined);
      // The next part: find the first frame of the window it can take over at.
      const next = (opened[i + 1] as (typeof opened)[number]).frames;
      const before: Frame[] = [];
      let cut: Frame | undefined;
      // (Read by hand: a for-await loop would close the generator at the break, and the rest is needed.)
      for (let item = await next.next(); !item.done; item = await next.next()) {
        const f = item.value;
        if (f.index >= window.first) {
          if (f.index > window.last) break;
          const prev = held.find((h) => h.index === f.index - 1);
          if (prev && canCut(prev, f, before)) {
            cut = f;
            break;
          }
        }
        before.push(f);
        if (before.length > KEEP) before.shift();
      }
      if (!cut) {
        throw new SpliceError(
          `no frame in ${window.first}..${window.last} where part ${i + 2} can take over from part ${i + 1}`,
        );
      }
      const kept = held.filter((h) => h.index < (cut as Frame).index);
      moveReservoir(before, kept, cut.side.mainDataBegin);
      for (const h of kept) await sink.frame(h.bytes);
      cuts.push(cut.index);
      carried = cut;
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
    await file.close();
    await Promise.all(opened.map((p) => p.frames.return(undefined)));
  }
}
