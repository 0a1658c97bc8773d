/**
 * The studio shows and plays a recording as `npm run redact` decodes it: decoded once, by the pipeline's own
 * decoder (media/source.ts, media/decode.ts), into a 16-bit WAV in private/cache/<sha256>/, with min/max
 * peaks at several resolutions taken in the same pass (dsp/peaks.ts PeakPyramid). Reopening a call whose
 * recording has not changed (same SHA-256, same ffmpeg, same decode options) decodes nothing.
 *
 *   private/cache/<sha256>/audio.wav    the decode, 16-bit PCM at the recording's own rate and channels
 *   private/cache/<sha256>/peaks.bin    per level, finest first: int16 min and max per column, little-endian
 *   private/cache/<sha256>/meta.json    what the files hold; written last, so a cache with it is whole
 *
 * The cache is private (it is the recording, decoded) and can be deleted at any time.
 */
import { closeSync, mkdirSync, readSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { PeakPyramid } from "../dsp/peaks.ts";
import { RedactError } from "../errors.ts";
import { openDecoder } from "../media/decode.ts";
import { frameBytes } from "../media/pcm.ts";
import type { SourcePlan } from "../media/source.ts";
import { wavHeader } from "../media/wav.ts";
import { OutputSet } from "../project/atomic.ts";
import { type Layout, locksDir } from "../project/layout.ts";
import { acquireLock } from "../project/lock.ts";
import { ffmpegIdentity } from "../publish/fingerprint.ts";
import { isRegularFile, openRegularSync, readRegularFileSync } from "../regular-file.ts";

/** Frames per column of each level, finest first: each 4 times the one before. */
export const PEAK_LEVELS: readonly number[] = [64, 256, 1024, 4096, 16384, 65536];
/** Columns per block served to the page (a block is 4 bytes a column). */
export const BLOCK_COLUMNS = 8192;
/** A WAV file's data cannot be longer (its sizes are 32-bit). */
const MAX_WAV_BYTES = 0xffffffff - 64;
/** Bumped when the files' layout changes: an older cache is made again. */
const CACHE_VERSION = 1;

export interface CacheLevel {
  readonly framesPerColumn: number;
  readonly columns: number;
  /** Where the level starts in peaks.bin, in bytes. */
  readonly offset: number;
}

export interface CacheMeta {
  readonly version: number;
  readonly sha256: string;
  /** The SHA-256 of `ffmpeg -version`: another ffmpeg may decode differently. */
  readonly ffmpeg: string;
  readonly acceptDecodeErrors: boolean;
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number;
  /** Where the samples start in audio.wav. */
  readonly dataOffset: number;
  readonly levels: readonly CacheLevel[];
}

export interface DecodedAudio {
  readonly dir: string;
  readonly wavPath: string;
  readonly peaksPath: string;
  readonly meta: CacheMeta;
}

/** Decodes in progress, each with everyone waiting for its progress. */
const inFlight = new Map<
  string,
  { readonly done: Promise<DecodedAudio>; readonly listeners: Set<(f: number) => void> }
>();

const files = (dir: string) => ({
  wavPath: join(dir, "audio.wav"),
  peaksPath: join(dir, "peaks.bin"),
  metaPath: join(dir, "meta.json"),
});

/** The cache of a recording, if it is whole and made as this run would make it. */
function readCache(
  dir: string,
  want: Pick<CacheMeta, "sha256" | "ffmpeg" | "acceptDecodeErrors">,
): DecodedAudio | undefined {
  const { wavPath, peaksPath, metaPath } = files(dir);
  let meta: CacheMeta;
  try {
    meta = JSON.parse(readRegularFileSync(metaPath, 1 << 16).toString("utf8")) as CacheMeta;
  } catch {
    return undefined;
  }
  if (
    meta.version !== CACHE_VERSION ||
    meta.sha256 !== want.sha256 ||
    meta.ffmpeg !== want.ffmpeg ||
    meta.acceptDecodeErrors !== want.acceptDecodeErrors ||
    !isRegularFile(wavPath) ||
    !isRegularFile(peaksPath) ||
    statSync(wavPath).size !== meta.dataOffset + meta.frames * frameBytes(meta.channels) ||
    statSync(peaksPath).size !== meta.levels.reduce((n, l) => n + 4 * l.columns, 0)
  ) {
    return undefined;
  }
  return { dir, wavPath, peaksPath, meta };
}

export interface DecodeRequest {
  readonly layout: Layout;
  readonly source: SourcePlan;
  /** SHA-256 of the recording's bytes: the cache's key. */
  readonly sha256: string;
  /** Told the frames decoded so far during a decode (whoever started it: a second caller joins it). */
  readonly onFrames?: (frames: number) => void;
}

/**
 * The recording decoded as the pipeline decodes it, from the cache or decoded now (once, however many ask at
 * the same time). A decode the pipeline would refuse (E_DECODE) is refused here too.
 */
export function decodeCached(req: DecodeRequest): Promise<DecodedAudio> {
  const key = `${req.sha256}/${req.source.acceptDecodeErrors}`;
  let running = inFlight.get(key);
  if (!running) {
    const listeners = new Set<(f: number) => void>();
    const done = decode(req, (frames) => {
      for (const l of listeners) l(frames);
    }).finally(() => inFlight.delete(key));
    running = { done, listeners };
    inFlight.set(key, running);
  }
  const { onFrames } = req;
  if (onFrames) {
    running.listeners.add(onFrames);
    void running.done.finally(() => running.listeners.delete(onFrames)).catch(() => {});
  }
  return running.done;
}

async function decode(req: DecodeRequest, onFrames: (frames: number) => void): Promise<DecodedAudio> {
  const { layout, source, sha256 } = req;
  const dir = join(layout.privateDir, "cache", sha256);
  const want = { sha256, ffmpeg: (await ffmpegIdentity()).sha256, acceptDecodeErrors: source.acceptDecodeErrors };
  const cached = readCache(dir, want);
  if (cached) return cached;
  // One writer per cache (another studio may be decoding the same recording): "@" is in no call's name.
  const lock = await acquireLock(locksDir(layout), `cache@${sha256.slice(0, 16)}`);
  try {
    const made = readCache(dir, want); // made by the other writer meanwhile
    if (made) return made;
    mkdirSync(dir, { recursive: true });
    const outputs = new OutputSet(dir, { leftovers: ["audio.wav", "peaks.bin", "meta.json"] });
    try {
      const { wavPath, peaksPath } = files(dir);
      const wavTmp = outputs.temp("audio.wav");
      const decoder = await openDecoder(source);
      const pyramid = new PeakPyramid(PEAK_LEVELS);
      const file = await open(wavTmp, "wx");
      let frames = 0;
      // Writes are queued (a few at a time) while the peaks of the next chunks are taken: no fsync, the
      // cache is made again if it is found incomplete (its sizes are checked when it is read).
      const writing = new Set<Promise<unknown>>();
      try {
        const header = wavHeader(decoder.format, 0);
        let at = header.length;
        for await (const chunk of decoder.chunks()) {
          if (at + chunk.interleaved.length > MAX_WAV_BYTES) {
            throw new RedactError(
              "E_RECORDING",
              1,
              `${source.display} is too long for the studio: its decode is over 4 GiB`,
            );
          }
          const w = file.write(chunk.interleaved, 0, chunk.interleaved.length, at);
          writing.add(w);
          w.finally(() => writing.delete(w)).catch(() => {});
          at += chunk.interleaved.length;
          pyramid.push(chunk.planar);
          frames = chunk.offset + (chunk.planar[0]?.length ?? 0);
          onFrames(frames);
          if (writing.size >= 8) await Promise.race(writing);
        }
        await Promise.all(writing);
        await file.write(wavHeader(decoder.format, at - header.length), 0, header.length, 0);
      } catch (err) {
        decoder.cancel();
        throw err;
      } finally {
        await Promise.allSettled([...writing]);
        await file.close();
      }
      if (frames === 0) throw new RedactError("E_DECODE", 1, `${source.display}: the recording has no audio samples`);
      const peaks = pyramid.result();
      // All levels in one buffer, as int16 pairs (peaks are exact int16 values / 32768).
      const levels: CacheLevel[] = [];
      let offset = 0;
      for (const level of peaks.levels) {
        levels.push({ framesPerColumn: level.framesPerColumn, columns: level.min.length, offset });
        offset += 4 * level.min.length;
      }
      const bytes = Buffer.alloc(offset);
      peaks.levels.forEach((level, i) => {
        let at = (levels[i] as CacheLevel).offset;
        for (let c = 0; c < level.min.length; c++, at += 4) {
          bytes.writeInt16LE(Math.round((level.min[c] as number) * 32768), at);
          bytes.writeInt16LE(Math.round((level.max[c] as number) * 32768), at + 2);
        }
      });
      writeFileSync(outputs.temp("peaks.bin"), bytes);
      const meta: CacheMeta = {
        version: CACHE_VERSION,
        ...want,
        sampleRate: decoder.format.sampleRate,
        channels: decoder.format.channels,
        frames,
        dataOffset: wavHeader(decoder.format, 0).length,
        levels,
      };
      writeFileSync(outputs.temp("meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
      outputs.commit();
      return { dir, wavPath, peaksPath, meta };
    } catch (err) {
      outputs.discard();
      if (err instanceof RedactError) throw err;
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      if (typeof code === "string") {
        throw new RedactError("E_IO", 1, `writing the studio's cache in ${dir}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      throw err;
    }
  } finally {
    lock.release();
  }
}

/** Read `length` bytes at `position` of a regular file (fewer at its end). */
function readAt(path: string, position: number, length: number): Buffer {
  const fd = openRegularSync(path);
  try {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * One block of peaks for the page: int16 min and max per column, little-endian. Level 0 is single frames (the
 * min and max over the channels of each, read from the decode); level k ≥ 1 is PEAK_LEVELS[k - 1].
 */
export function peakBlock(audio: DecodedAudio, level: number, block: number): Buffer {
  const { meta } = audio;
  if (level === 0) {
    const first = block * BLOCK_COLUMNS;
    if (first >= meta.frames) return Buffer.alloc(0);
    const count = Math.min(BLOCK_COLUMNS, meta.frames - first);
    const bpf = frameBytes(meta.channels);
    const raw = readAt(audio.wavPath, meta.dataOffset + first * bpf, count * bpf);
    const frames = Math.floor(raw.length / bpf);
    const out = Buffer.alloc(frames * 4);
    for (let f = 0; f < frames; f++) {
      let lo = 32767;
      let hi = -32768;
      for (let c = 0; c < meta.channels; c++) {
        const v = raw.readInt16LE(f * bpf + 2 * c);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      out.writeInt16LE(lo, 4 * f);
      out.writeInt16LE(hi, 4 * f + 2);
    }
    return out;
  }
  const l = meta.levels[level - 1];
  if (!l) throw new RedactError("E_USAGE", 2, `there is no peak level ${level}`);
  const first = block * BLOCK_COLUMNS;
  if (first >= l.columns) return Buffer.alloc(0);
  const count = Math.min(BLOCK_COLUMNS, l.columns - first);
  return readAt(audio.peaksPath, l.offset + first * 4, count * 4);
}

/** What the cache says of a recording's decode (its rate and exact length), if it has been decoded before. */
export function cachedLength(layout: Layout, sha256: string): { sampleRate: number; frames: number } | undefined {
  try {
    const meta = JSON.parse(
      readRegularFileSync(join(layout.privateDir, "cache", sha256, "meta.json"), 1 << 16).toString("utf8"),
    ) as Partial<CacheMeta>;
    if (meta.version !== CACHE_VERSION || meta.sha256 !== sha256) return undefined;
    if (!Number.isSafeInteger(meta.sampleRate) || !Number.isSafeInteger(meta.frames)) return undefined;
    return { sampleRate: meta.sampleRate as number, frames: meta.frames as number };
  } catch {
    return undefined;
  }
}
