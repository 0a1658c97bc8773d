/**
 * Which container a recording is, by its first bytes, and what it states: one parser per format.
 * Anything else is `{ container: "unknown" }`, decoded without a length check.
 */
import { parseAiff } from "./aiff.ts";
import { parseAmr } from "./amr.ts";
import { parseAsf } from "./asf.ts";
import { parseFlac } from "./flac.ts";
import { parseMp3 } from "./mp3.ts";
import { looksLikeMp4, parseMp4 } from "./mp4.ts";
import { parseOgg } from "./ogg.ts";
import { type ByteSource, type ContainerInfo, id3v2Length, UNKNOWN } from "./types.ts";
import { parseWav } from "./wav.ts";

export type { ByteSource, ContainerInfo, KnownContainer, OggFacts } from "./types.ts";
export { bufferSource } from "./types.ts";

export function probeContainer(src: ByteSource): ContainerInfo {
  const head = src.readAt(0, 16);
  const magic = head.toString("latin1", 0, 4);
  if (magic === "RIFF" || magic === "RF64" || magic === "BW64") return parseWav(src);
  if (magic === "FORM") return parseAiff(src);
  if (magic === "OggS") return parseOgg(src);
  if (magic === "fLaC") return parseFlac(src);
  if (head.toString("latin1", 0, 5) === "#!AMR") return parseAmr(src);
  if (head.toString("hex", 0, 4) === "3026b275") return parseAsf(src);
  if (looksLikeMp4(head)) return parseMp4(src);
  // ID3v2 tags come before MP3 frames, and sometimes before FLAC's marker.
  const tagged = id3v2Length(src);
  if (tagged > 0 && src.readAt(tagged, 4).toString("latin1") === "fLaC") return parseFlac(src);
  const mp3 = parseMp3(src);
  return mp3.container === "unknown" ? UNKNOWN : mp3;
}
