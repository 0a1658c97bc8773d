/**
 * Nothing of the source's metadata may reach a published file. Collect what
 * the source carries (every tag of the file, of each stream and of each
 * chapter, as ffmpeg reads them, and the bytes of any picture), then look for
 * each string, in UTF-8, Latin-1 and UTF-16 (both byte orders: ID3 uses them),
 * anywhere in every output file, byte by byte. The same pass hashes each file.
 */
import { createHash } from "node:crypto";
import { RedactError } from "../errors.ts";
import { type FfmpegJob, startFfmpeg } from "../media/ffmpeg.ts";
import { forEachChunk } from "../media/hash.ts";

export interface Needle {
  /** What it is, for messages; never the secret itself: "the source's artist tag". */
  readonly label: string;
  readonly bytes: Buffer;
}

/** Keys that describe a container's technical make-up, not the call. */
const TECHNICAL_KEYS = new Set(["encoder", "major_brand", "minor_version", "compatible_brands"]);

/**
 * A value that only names a codec or muxer and its version (`LAME3.100`, `Lavf58.76.100`, `Lavc libopus`):
 * the same strings every encoder writes into its own files, ours included, so finding one in an output says
 * nothing about the source, whatever tag it was under.
 */
export const GENERIC_ENCODER =
  /^(?:lame|lavf|lavc|lavu|libavformat|libavcodec|libmp3lame|libopus|libvorbis|opus|vorbis|ffmpeg|xiph\.org libvorbis(?: i)?|libsndfile|sox)(?:[\s_-]?v?[\d.]+)*(?:\s+(?:lame|libmp3lame|libopus|libvorbis|aac|pcm_[a-z0-9]+|mp3|opus|vorbis|flac))?(?:\s*\([^)]*\))?$/i;

/** Shorter strings, and numbers shorter than this, turn up by chance in audio bytes and in the report. */
export const MIN_TEXT_LENGTH = 6;
export const MIN_NUMBER_LENGTH = 8;

/** Parse ffmpeg's ffmetadata text: `key=value` lines, `\` escaping `=`, `;`, `#`, `\` and newlines. */
export function parseFfmetadata(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "\\" && i + 1 < text.length) {
      cur += `\\${text[++i]}`;
    } else if (ch === "\n") {
      lines.push(cur);
      cur = "";
    } else cur += ch;
  }
  lines.push(cur);
  for (const line of lines) {
    if (line === "" || line.startsWith(";") || line.startsWith("#") || line.startsWith("[")) continue;
    let key = "";
    let value = "";
    let inValue = false;
    for (let i = 0; i < line.length; i++) {
      let ch = line[i] as string;
      let escaped = false;
      if (ch === "\\" && i + 1 < line.length) {
        ch = line[++i] as string;
        escaped = true;
      }
      if (!inValue && ch === "=" && !escaped) inValue = true;
      else if (inValue) value += ch;
      else key += ch;
    }
    if (inValue) out.push([key, value]);
  }
  return out;
}

/** Is this a string worth looking for (long enough not to turn up by chance)? */
export function isDistinctive(text: string): boolean {
  const t = text.trim();
  if (/^[\d\s.,:;/+\-_TZ]*$/.test(t)) return t.replace(/\D/g, "").length >= MIN_NUMBER_LENGTH;
  return t.length >= MIN_TEXT_LENGTH;
}

/** A text as the bytes it may be stored as. */
export function textNeedles(label: string, text: string): Needle[] {
  const t = text.trim();
  const forms = [Buffer.from(t, "utf8"), Buffer.from(t, "utf16le"), Buffer.from(t, "utf16le").swap16()];
  // Latin-1 only where every character fits (else it would stand for a different string).
  if ([...t].every((c) => c.charCodeAt(0) < 256)) forms.push(Buffer.from(t, "latin1"));
  const seen = new Set<string>();
  return forms
    .filter((b) => {
      const k = b.toString("hex");
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((bytes) => ({ label, bytes }));
}

async function collect(job: FfmpegJob, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  if (job.stdout) {
    for await (const b of job.stdout) {
      parts.push(b as Buffer);
      size += (b as Buffer).length;
      if (size >= limit) {
        job.kill();
        break;
      }
    }
  }
  await job.done.catch((err: unknown) => {
    if (size < limit) throw err;
  });
  return Buffer.concat(parts).subarray(0, limit);
}

async function ffmetadata(path: string, display: string, streamIndex: number | undefined): Promise<string | null> {
  const job = startFfmpeg({
    summary: `reading the metadata of ${display}`,
    stdout: "pipe",
    args: [
      ...["-i", path],
      ...(streamIndex === undefined ? [] : ["-map_metadata", `0:s:${streamIndex}`]),
      ...["-fflags", "+bitexact", "-flags", "+bitexact", "-f", "ffmetadata", "pipe:1"],
    ],
  });
  try {
    return (await collect(job, 1 << 20)).toString("utf8");
  } catch {
    return null; // no such stream
  }
}

async function picture(path: string, display: string, index: number): Promise<Buffer | null> {
  const job = startFfmpeg({
    summary: `reading the pictures of ${display}`,
    stdout: "pipe",
    args: ["-i", path, "-map", `0:v:${index}`, "-c", "copy", "-frames:v", "1", "-f", "rawvideo", "pipe:1"],
  });
  try {
    const bytes = await collect(job, 1 << 20);
    return bytes.length > 0 ? bytes : null;
  } catch {
    return null;
  }
}

export interface SourceMetadata {
  readonly needles: readonly Needle[];
  /** Distinct strings and pictures looked for. */
  readonly strings: number;
  readonly pictures: number;
}

/** Streams and pictures looked at, at most (a recording has one or two). */
const MAX_STREAMS = 8;
const MAX_PICTURES = 4;

/**
 * The strings and pictures of a source file to look for in the outputs.
 * `exempt` are texts the outputs carry on purpose (the title the manifest
 * gives): a tag that says the same is not a leak.
 */
export async function sourceMetadata(
  path: string,
  display: string,
  exempt: readonly string[],
): Promise<SourceMetadata> {
  const texts = new Map<string, string>(); // text -> label
  const add = (key: string, value: string, where: string): void => {
    if (TECHNICAL_KEYS.has(key.toLowerCase())) return;
    for (const t of [value, ...value.split("\n")]) {
      const text = t.trim();
      if (!isDistinctive(text) || texts.has(text) || GENERIC_ENCODER.test(text)) continue;
      if (exempt.some((e) => e.includes(text))) continue;
      texts.set(text, `the source's ${key} ${where}`);
    }
  };
  const global = await ffmetadata(path, display, undefined);
  if (global === null) throw new RedactError("E_DECODE", 1, `${display}: cannot read its metadata`);
  for (const [k, v] of parseFfmetadata(global)) add(k, v, "tag");
  for (let s = 0; s < MAX_STREAMS; s++) {
    const text = await ffmetadata(path, display, s);
    if (text === null) break;
    for (const [k, v] of parseFfmetadata(text)) add(k, v, `tag of stream ${s}`);
  }
  const needles: Needle[] = [];
  for (const [text, label] of texts) needles.push(...textNeedles(label, text));
  let pictures = 0;
  for (let v = 0; v < MAX_PICTURES; v++) {
    const bytes = await picture(path, display, v);
    if (!bytes) break;
    pictures++;
    needles.push(...pictureNeedles(`the source's picture ${v + 1}`, bytes));
  }
  return { needles, strings: texts.size, pictures };
}

/** Three 24-byte pieces of a picture, past its format's usual header, or the whole of a tiny one. */
export function pictureNeedles(label: string, bytes: Buffer): Needle[] {
  const piece = 24;
  const skip = Math.min(64, Math.max(0, bytes.length - piece));
  if (bytes.length < 16) return [];
  if (bytes.length - skip <= piece) return [{ label, bytes: Buffer.from(bytes.subarray(skip)) }];
  const span = bytes.length - skip - piece;
  return [0, 1, 2].map((j) => {
    const at = skip + Math.floor((j * span) / 2);
    return { label, bytes: Buffer.from(bytes.subarray(at, at + piece)) };
  });
}

export interface ScanResult {
  readonly sha256: string;
  readonly bytes: number;
  /** Labels of the needles found, in the order first found. */
  readonly found: readonly string[];
}

/** Hash a file and look for every needle in it, in one streamed read. */
export async function scanFile(path: string, display: string, needles: readonly Needle[]): Promise<ScanResult> {
  const hash = createHash("sha256");
  const keep = Math.max(0, ...needles.map((n) => n.bytes.length - 1));
  const found = new Set<string>();
  // The last `keep` bytes read: a needle across two chunks is found in them joined to the next chunk's first bytes.
  let tail = Buffer.alloc(0);
  let bytes = 0;
  const look = (hay: Buffer): void => {
    for (const n of needles) if (!found.has(n.label) && hay.includes(n.bytes)) found.add(n.label);
  };
  try {
    await forEachChunk(path, (b) => {
      hash.update(b);
      bytes += b.length;
      if (tail.length > 0) look(Buffer.concat([tail, b.subarray(0, keep)]));
      look(b);
      tail = Buffer.concat([tail, b.subarray(Math.max(0, b.length - keep))]);
      tail = Buffer.from(tail.subarray(Math.max(0, tail.length - keep)));
    });
  } catch (err) {
    throw new RedactError("E_IO", 1, `reading ${display} failed: ${(err as Error).message}`, { cause: err });
  }
  return { sha256: hash.digest("hex"), bytes, found: [...found] };
}

/** Look for the needles in text written in memory (the report, before it is written). */
export function scanText(text: string, needles: readonly Needle[]): string[] {
  const hay = Buffer.from(text, "utf8");
  const found = new Set<string>();
  for (const n of needles) if (!found.has(n.label) && hay.includes(n.bytes)) found.add(n.label);
  return [...found];
}
