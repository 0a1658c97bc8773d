/**
 * Read 16-bit PCM WAV streams chunk by chunk: from ffmpeg decoding any
 * recording (at the recording's own sample rate and channel count, first audio
 * stream only, no metadata), or from a WAV file on disk. Memory stays flat:
 * one chunk at a time.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { RedactError } from "../errors.ts";
import { startFfmpeg } from "./ffmpeg.ts";
import { frameBytes, s16ToPlanar } from "./pcm.ts";
import { type PcmFormat, parseWavHeader } from "./wav.ts";

export interface DecodedChunk {
  /** Absolute index of the chunk's first sample frame. */
  readonly offset: number;
  /** Planar samples in [-1, 1), exactly int16 / 32768. */
  readonly planar: Float32Array[];
  /** The same samples as they came: 16-bit little-endian, interleaved (a buffer of the chunk's own). */
  readonly interleaved: Buffer;
}

export interface PcmStream {
  readonly format: PcmFormat;
  /** Planar chunks in order; iterate once. Rejects with the source's error (E_DECODE for ffmpeg). */
  chunks(): AsyncGenerator<DecodedChunk>;
  /** Count the sample frames without converting them (iterate instead of chunks()). */
  countFrames(): Promise<number>;
  /** Stop reading early. */
  cancel(): void;
}

/** Aim for chunks of about this many frames: big enough to amortise, small enough to keep memory flat. */
const TARGET_CHUNK_FRAMES = 16384;

/** Decode a recording with ffmpeg. */
export function openDecoder(file: string, displayName: string): Promise<PcmStream> {
  const job = startFfmpeg({
    summary: `decoding ${displayName}`,
    errorCode: "E_DECODE",
    stdout: "pipe",
    args: [
      ...["-i", file, "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1"],
      ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-c:a", "pcm_s16le", "-f", "wav", "pipe:1"],
    ],
  });
  if (!job.stdout) throw new Error("decoder has no stdout");
  return openWavStream(job.stdout, displayName, job.done, () => job.kill());
}

/** Read a 16-bit PCM WAV file from disk (the master, for the web encodes). */
export function openWavFile(path: string, displayName: string): Promise<PcmStream> {
  const stream = createReadStream(path, { highWaterMark: 1 << 18 });
  const done = new Promise<void>((resolve, reject) => {
    stream.once("close", resolve);
    stream.once("error", (err) =>
      reject(new RedactError("E_IO", 1, `reading ${displayName} failed: ${err.message}`, { cause: err })),
    );
  });
  done.catch(() => {});
  return openWavStream(stream, displayName, done, () => stream.destroy());
}

async function openWavStream(
  source: Readable,
  displayName: string,
  finished: Promise<void>,
  cancel: () => void,
): Promise<PcmStream> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let parsed = parseWavHeader(head);
  while (parsed.kind === "more") {
    const next = await iterator.next();
    if (next.done) {
      await finished; // the decoder's own error, if it failed
      throw new RedactError("E_DECODE", 1, `${displayName}: no audio could be decoded`);
    }
    head = Buffer.concat([head, next.value]);
    parsed = parseWavHeader(head);
  }
  if (parsed.kind === "bad") {
    cancel();
    throw new RedactError("E_DECODE", 1, `${displayName}: unexpected PCM stream (${parsed.reason})`);
  }
  const format = parsed.format;
  const first = head.subarray(parsed.dataOffset);
  const bpf = frameBytes(format.channels);
  let used = false;
  const claim = (): void => {
    if (used) throw new Error("a PCM stream can be read once");
    used = true;
  };

  async function* chunks(): AsyncGenerator<DecodedChunk> {
    claim();
    let offset = 0;
    let pending: Buffer[] = first.length > 0 ? [first] : [];
    let pendingBytes = first.length;
    const take = (): DecodedChunk | undefined => {
      const usable = pendingBytes - (pendingBytes % bpf);
      if (usable === 0) return undefined;
      // Buffer.concat always copies, so the chunk's bytes are its own.
      const whole = Buffer.concat(pending, pendingBytes);
      const interleaved = whole.subarray(0, usable);
      const chunk = { offset, planar: s16ToPlanar(interleaved, format.channels), interleaved };
      pending = usable < whole.length ? [Buffer.from(whole.subarray(usable))] : [];
      pendingBytes -= usable;
      offset += usable / bpf;
      return chunk;
    };
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        pending.push(next.value);
        pendingBytes += next.value.length;
        if (pendingBytes >= TARGET_CHUNK_FRAMES * bpf) {
          const c = take();
          if (c) yield c;
        }
      }
      await finished;
      const c = take();
      if (c) yield c;
    } finally {
      cancel();
    }
  }

  async function countFrames(): Promise<number> {
    claim();
    let bytes = first.length;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        bytes += next.value.length;
      }
      await finished;
    } finally {
      cancel();
    }
    return Math.floor(bytes / bpf);
  }

  return { format, chunks, countFrames, cancel };
}
