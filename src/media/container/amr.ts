/**
 * Raw AMR (RFC 4867 storage format, `#!AMR\n` or `#!AMR-WB\n`): no header states a length, but
 * every frame's first byte says its type and so its size. Counting every frame, speech, SID
 * (comfort noise under DTX) and NO_DATA alike, times 160 (NB, 8 kHz) or 320 (WB, 16 kHz) samples is
 * exactly the length a decoder that handles DTX gives. The whole file is walked, a block at a time.
 */
import { type ByteSource, type ContainerInfo, UNKNOWN } from "./types.ts";

/** Bytes after the frame's type byte, by frame type (RFC 4867, 5.3; 0 for NO_DATA and reserved types). */
const NB_SIZES = [12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0];
const WB_SIZES = [17, 23, 32, 36, 40, 46, 50, 58, 60, 5, 0, 0, 0, 0, 0, 0];

const BLOCK = 1 << 16;

export function parseAmr(src: ByteSource): ContainerInfo {
  const head = src.readAt(0, 9);
  const wb = head.toString("latin1", 0, 9) === "#!AMR-WB\n";
  if (!wb && head.toString("latin1", 0, 6) !== "#!AMR\n") return UNKNOWN;
  const sizes = wb ? WB_SIZES : NB_SIZES;
  const perFrame = wb ? 320 : 160;
  let pos = wb ? 9 : 6;
  let frames = 0;
  let block: Buffer = Buffer.alloc(0);
  let blockStart = 0;
  while (pos < src.size) {
    if (pos >= blockStart + block.length) {
      blockStart = pos;
      block = src.readAt(pos, BLOCK);
      if (block.length === 0) break;
    }
    const toc = block[pos - blockStart] as number;
    const next = pos + 1 + (sizes[(toc >> 3) & 15] as number);
    // A last frame cut short is not a frame.
    if (next > src.size) break;
    frames++;
    pos = next;
  }
  return {
    container: "amr",
    codec: wb ? "amr_wb" : "amr_nb",
    sampleRate: wb ? 16000 : 8000,
    channels: 1,
    codecFrame: perFrame,
    statedFrames: frames * perFrame,
    statedWhat: "the count of frames in the AMR file",
  };
}
