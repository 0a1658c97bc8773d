/**
 * MP4, M4A, 3GP, MOV: the first sound track's media duration (mdhd) less the start its edit list
 * skips (the encoder's priming: 1024 or 2112 samples for AAC), or the edit's own duration when it
 * cuts the end sooner. The sample entry's fourcc gives the codec (mp4a, samr, sawb...). Only the
 * box headers and the few small boxes needed are read, wherever the index (moov) sits.
 */
import { type ByteSource, type ContainerInfo, readExactly, UNKNOWN, u64be } from "./types.ts";

interface Box {
  readonly type: string;
  /** Where the body starts and ends. */
  readonly body: number;
  readonly end: number;
}

const MAX_BOXES = 10000;

function* children(src: ByteSource, start: number, end: number): Generator<Box> {
  let off = start;
  for (let n = 0; n < MAX_BOXES && off + 8 <= end; n++) {
    const h = readExactly(src, off, 16) ?? readExactly(src, off, 8);
    if (!h) return;
    let size = h.readUInt32BE(0);
    let header = 8;
    if (size === 1) {
      if (h.length < 16) return;
      size = u64be(h, 8) ?? 0;
      header = 16;
    } else if (size === 0) {
      size = end - off;
    }
    if (size < header) return;
    yield { type: h.toString("latin1", 4, 8), body: off + header, end: Math.min(off + size, end) };
    off += size;
  }
}

const find = (src: ByteSource, parent: Box, type: string): Box | undefined => {
  for (const b of children(src, parent.body, parent.end)) if (b.type === type) return b;
  return undefined;
};

/** Timescale and duration of an mvhd or mdhd box (same layout). */
function timing(src: ByteSource, box: Box): { timescale: number; duration: number | undefined } | undefined {
  const b = readExactly(src, box.body, 32);
  if (!b) return undefined;
  if (b[0] === 1) {
    const d = u64be(b, 24);
    return { timescale: b.readUInt32BE(20), duration: d === undefined || d === 2 ** 64 - 1 ? undefined : d };
  }
  const d = b.readUInt32BE(16);
  return { timescale: b.readUInt32BE(12), duration: d === 0xffffffff ? undefined : d };
}

interface Edit {
  readonly segment: number;
  readonly mediaTime: number;
}

function edits(src: ByteSource, box: Box): Edit[] | undefined {
  const h = readExactly(src, box.body, 8);
  if (!h) return undefined;
  const v1 = h[0] === 1;
  const count = h.readUInt32BE(4);
  if (count > 16) return undefined;
  const each = v1 ? 20 : 12;
  const b = readExactly(src, box.body + 8, count * each);
  if (!b) return undefined;
  const out: Edit[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * each;
    const segment = v1 ? u64be(b, at) : b.readUInt32BE(at);
    const mediaTime = v1 ? Number(b.readBigInt64BE(at + 8)) : b.readInt32BE(at + 4);
    const rate = b.readInt32BE(at + (v1 ? 16 : 8));
    if (segment === undefined || rate !== 0x10000) return undefined;
    out.push({ segment, mediaTime });
  }
  return out;
}

/** Codecs by sample-entry fourcc, with samples per codec frame at the decoded rate. */
const CODECS: Readonly<Record<string, { readonly codec: string; readonly frame: number }>> = {
  // AAC frames are 1024 samples, 2048 with SBR (HE-AAC), which the sample entry need not say.
  mp4a: { codec: "aac", frame: 2048 },
  samr: { codec: "amr_nb", frame: 160 },
  sawb: { codec: "amr_wb", frame: 320 },
  alac: { codec: "alac", frame: 4096 },
  fLaC: { codec: "flac", frame: 4608 },
  Opus: { codec: "opus", frame: 960 },
  "ac-3": { codec: "ac3", frame: 1536 },
  sowt: { codec: "pcm", frame: 1 },
  twos: { codec: "pcm", frame: 1 },
  lpcm: { codec: "pcm", frame: 1 },
  ulaw: { codec: "pcm_mulaw", frame: 1 },
  alaw: { codec: "pcm_alaw", frame: 1 },
};

/** The first sample entry's fourcc and channel count (QuickTime version 2 entries keep theirs further on). */
function sampleEntry(src: ByteSource, stsd: Box): { fourcc: string; channels: number } | undefined {
  const b = readExactly(src, stsd.body + 8, 52) ?? readExactly(src, stsd.body + 8, 36);
  if (!b) return undefined;
  const fourcc = b.toString("latin1", 4, 8);
  if (b.readUInt16BE(16) === 2 && b.length >= 52) return { fourcc, channels: b.readUInt32BE(48) };
  return { fourcc, channels: b.readUInt16BE(24) };
}

export function parseMp4(src: ByteSource): ContainerInfo {
  const top = { type: "", body: 0, end: src.size };
  const moov = find(src, top, "moov");
  if (!moov) return UNKNOWN;
  const mvhd = find(src, moov, "mvhd");
  const movie = mvhd ? timing(src, mvhd) : undefined;
  const fragmented = find(src, moov, "mvex") !== undefined;
  for (const trak of children(src, moov.body, moov.end)) {
    if (trak.type !== "trak") continue;
    const mdia = find(src, trak, "mdia");
    const hdlr = mdia && find(src, mdia, "hdlr");
    if (!mdia || !hdlr || readExactly(src, hdlr.body + 8, 4)?.toString("latin1") !== "soun") continue;
    const media = (() => {
      const mdhd = find(src, mdia, "mdhd");
      return mdhd ? timing(src, mdhd) : undefined;
    })();
    const minf = find(src, mdia, "minf");
    const stbl = minf && find(src, minf, "stbl");
    const stsd = stbl && find(src, stbl, "stsd");
    const entry = stsd && sampleEntry(src, stsd);
    if (!entry || !media || media.timescale === 0) return UNKNOWN;
    const known = CODECS[entry.fourcc];
    const base = {
      container: "mp4",
      codec: known?.codec ?? entry.fourcc,
      // Lengths are counted in the track's timescale, which is the sample rate in audio tracks: the
      // entry's own 16.16 rate field cannot hold 96 kHz, and HE-AAC's may give the core rate. The
      // check compares in time when the decoder's rate differs.
      sampleRate: media.timescale,
      // 3GPP fixes an AMR sample entry's channel count at 2 (AMR is mono), and MP4 writers put 2 in an
      // AAC entry whatever the audio (its own config says): the entry's count is only kept for the rest.
      ...(known?.codec.startsWith("amr")
        ? { channels: 1 }
        : entry.fourcc === "mp4a"
          ? {}
          : { channels: entry.channels }),
      codecFrame: known?.frame ?? 1,
    } as const;
    const notStated = (why: string): ContainerInfo => ({ ...base, statedWhat: why });
    if (!known) return notStated(`no length check for sample entry ${entry.fourcc}`);
    if (fragmented) return notStated("a fragmented MP4 (no length for the whole track)");
    if (media.duration === undefined || media.duration === 0) return notStated("no MP4 track duration");
    const edts = find(src, trak, "edts");
    const elst = edts && find(src, edts, "elst");
    const list = elst ? edits(src, elst) : [];
    if (list === undefined || list.length > 1 || (list[0] && list[0].mediaTime < 0)) {
      return notStated("an MP4 edit list this tool does not interpret");
    }
    let frames = media.duration;
    const edit = list[0];
    if (edit) {
      frames -= edit.mediaTime;
      // The edit's duration is in the movie's timescale (often milliseconds): it only counts when it
      // cuts the end by more than its own rounding.
      if (movie && movie.timescale > 0 && edit.segment > 0) {
        const segment = (edit.segment * media.timescale) / movie.timescale;
        if (segment + media.timescale / movie.timescale < frames) frames = Math.round(segment);
      }
    }
    return {
      ...base,
      statedFrames: Math.max(0, frames),
      statedWhat: edit ? "the MP4 track duration (less its edit list's start)" : "the MP4 track duration",
    };
  }
  return UNKNOWN;
}

/** An ISO base media file: a known box type in the first eight bytes. */
export function looksLikeMp4(head: Buffer): boolean {
  return head.length >= 8 && ["ftyp", "moov", "mdat", "free", "wide", "skip"].includes(head.toString("latin1", 4, 8));
}
