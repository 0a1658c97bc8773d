/**
 * ASF (WMA): the first audio stream's codec from its WAVEFORMATEX (0x0160 wmav1, 0x0161 wmav2,
 * 0x0162 wmapro, 0x0163 wmalossless, 0x000A wmavoice) and the play duration less the preroll from
 * the file properties. That duration is written in milliseconds and the decoders end a whole frame
 * apart, so the tolerance is two frames.
 */
import { type ByteSource, type ContainerInfo, readExactly, UNKNOWN, u64le } from "./types.ts";

const guid = (hex: string): string => hex.toLowerCase();
const HEADER = guid("3026b2758e66cf11a6d900aa0062ce6c");
const FILE_PROPERTIES = guid("a1dcab8c47a9cf118ee400c00c205365");
const STREAM_PROPERTIES = guid("9107dcb7b7a9cf118ee600c00c205365");
const AUDIO_MEDIA = guid("409e69f84d5bcf11a8fd00805f5c442b");

const CODECS: Readonly<Record<number, string>> = {
  352: "wmav1",
  353: "wmav2",
  354: "wmapro",
  355: "wmalossless",
  10: "wmavoice",
};

const BROADCAST = 1;

export function parseAsf(src: ByteSource): ContainerInfo {
  const head = readExactly(src, 0, 30);
  if (!head || head.toString("hex", 0, 16) !== HEADER) return UNKNOWN;
  const count = head.readUInt32LE(24);
  let durationMs: number | undefined;
  let format: { tag: number; channels: number; rate: number } | undefined;
  let off = 30;
  for (let i = 0; i < Math.min(count, 1000); i++) {
    const h = readExactly(src, off, 24);
    if (!h) break;
    const id = h.toString("hex", 0, 16);
    const size = u64le(h, 16);
    if (size === undefined || size < 24) break;
    if (id === FILE_PROPERTIES) {
      const b = readExactly(src, off + 24, 68);
      if (b) {
        const play = u64le(b, 40);
        const preroll = u64le(b, 56);
        if (!(b.readUInt32LE(64) & BROADCAST) && play !== undefined && preroll !== undefined && play > 0) {
          durationMs = play / 10000 - preroll;
        }
      }
    } else if (id === STREAM_PROPERTIES && !format) {
      const b = readExactly(src, off + 24, 54 + 8);
      if (b && b.toString("hex", 0, 16) === AUDIO_MEDIA) {
        format = { tag: b.readUInt16LE(54), channels: b.readUInt16LE(56), rate: b.readUInt32LE(58) };
      }
    }
    off += size;
  }
  if (!format) return UNKNOWN;
  const codec = CODECS[format.tag] ?? `asf format 0x${format.tag.toString(16).padStart(4, "0")}`;
  const base = { container: "asf", codec, sampleRate: format.rate, channels: format.channels } as const;
  if (codec !== "wmav1" && codec !== "wmav2")
    return { ...base, codecFrame: 1, statedWhat: `no length check for ${codec}` };
  // WMA v1/v2 frame lengths by rate (as ffmpeg's decoder chooses them).
  const frame = format.rate <= 16000 ? 512 : format.rate <= 22050 ? 1024 : 2048;
  if (durationMs === undefined || durationMs <= 0)
    return { ...base, codecFrame: 2 * frame, statedWhat: "no ASF play duration" };
  return {
    ...base,
    codecFrame: 2 * frame,
    statedFrames: Math.round((durationMs * format.rate) / 1000),
    statedWhat: "the ASF play duration (less its preroll)",
  };
}
