/**
 * Read 16-bit PCM WAV streams chunk by chunk: from ffmpeg decoding any
 * recording (at the recording's own sample rate and channel count, first audio
 * stream only, no metadata), or from a WAV file on disk. Memory stays flat:
 * one chunk at a time.
 *
 * A recording is decoded as its SourcePlan says (src/media/source.ts): with its
 * input arguments, cut to keepFrames, and checked at the end by checkDecode (decoder
 * errors, the length against the container's): a decode that fails the check
 * throws E_DECODE where it ends, after its last chunk but before that chunk is given.
 */
import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { RedactError } from "../errors.ts";
import { type FfmpegJob, startFfmpeg } from "./ffmpeg.ts";
import { frameBytes, s16ToPlanar } from "./pcm.ts";
import { checkDecode, type SourcePlan } from "./source.ts";
import { type PcmFormat, parseWavHeader, readFileHead } from "./wav.ts";

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
  /**
   * Planar chunks in order; iterate once. Rejects with the source's error (E_DECODE for ffmpeg). A
   * recording's decode stopped early (`break`) is checked for the decoder errors printed so far.
   */
  chunks(): AsyncGenerator<DecodedChunk>;
  /** Count the sample frames without converting them (iterate instead of chunks()). */
  countFrames(): Promise<number>;
  /** Stop reading early. */
  cancel(): void;
}

/** Aim for chunks of about this many frames: big enough to amortise, small enough to keep memory flat. */
const TARGET_CHUNK_FRAMES = 16384;

/** The first audio stream of the input, decoded to 16-bit PCM, nothing else (the arguments after `-i file`). */
const PCM_OUTPUT = [
  ...["-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1"],
  ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-c:a", "pcm_s16le"],
];

/** How a decode of a recording is cut and checked, from its plan and its ffmpeg job. */
interface DecodeCheck {
  readonly keepFrames?: number;
  /** Called with the full decode's length (before the cut) once ffmpeg has exited 0. */
  readonly atEnd: (frames: number, sampleRate: number) => void;
  /** Called when the reader stopped early: the decoder errors printed until then still count. */
  readonly atStop: () => Promise<void>;
}

function decodeCheck(plan: SourcePlan, job: FfmpegJob): DecodeCheck {
  return {
    ...(plan.keepFrames === undefined ? {} : { keepFrames: plan.keepFrames }),
    atEnd: (frames, sampleRate) => checkDecode(plan, { frames, sampleRate }, job.stderr()),
    atStop: async () => {
      // Whatever ffmpeg said before it was stopped is in its stderr pipe: read it to the end first.
      await job.stop();
      checkDecode(plan, undefined, job.stderr());
    },
  };
}

/** Decode a recording with ffmpeg, as its plan says. */
export function openDecoder(plan: SourcePlan): Promise<PcmStream> {
  const job = startFfmpeg({
    summary: `decoding ${plan.display}`,
    errorCode: "E_DECODE",
    stdout: "pipe",
    args: [...plan.inputArgs, ...PCM_OUTPUT, "-f", "wav", "pipe:1"],
  });
  if (!job.stdout) throw new Error("decoder has no stdout");
  return openWavStream(job.stdout, plan.display, job.done, () => job.kill(), decodeCheck(plan, job));
}

export interface RecordingCount {
  /** Known as soon as the decoder starts. */
  readonly format: PcmFormat;
  /** The exact number of sample frames the decoder gives (cut to keepFrames), once it has decoded everything. */
  readonly frames: Promise<number>;
  cancel(): void;
}

const NULL_DEVICE = process.platform === "win32" ? "NUL" : "/dev/null";

/**
 * Decode a recording only to learn its format and exact length, without
 * carrying the PCM through a pipe: ffmpeg decodes exactly as openDecoder does
 * but writes raw PCM to the null device and reports how many bytes that was
 * (`total_size` in its -progress output); a second output, cut after one
 * frame, is a WAV header that gives the format. The count is the same
 * decode's, so a later openDecoder yields exactly that many frames (the
 * pipeline checks). The decode is checked as openDecoder's is.
 */
export async function countRecording(plan: SourcePlan): Promise<RecordingCount> {
  const displayName = plan.display;
  let totalBytes: number | undefined;
  const job = startFfmpeg({
    summary: `decoding ${displayName}`,
    errorCode: "E_DECODE",
    stdout: "pipe",
    onProgress: (p) => {
      if (p.done) totalBytes = p.totalSizeBytes;
    },
    args: [
      ...[...plan.inputArgs, ...PCM_OUTPUT, "-f", "s16le", "-y", NULL_DEVICE],
      ...[...PCM_OUTPUT, "-frames:a", "1", "-f", "wav", "pipe:1"],
    ],
  });
  if (!job.stdout) throw new Error("decoder has no stdout");
  const head = await openWavStream(job.stdout, displayName, job.done, () => job.kill());
  const bpf = frameBytes(head.format.channels);
  const frames = (async (): Promise<number> => {
    await head.countFrames(); // the one-frame output to its end; then ffmpeg's exit status
    if (totalBytes === undefined || totalBytes % bpf !== 0) {
      throw new RedactError(
        "E_DECODE",
        1,
        `${displayName}: ffmpeg did not report a whole number of decoded frames (${totalBytes ?? "nothing"} bytes)`,
      );
    }
    const decoded = totalBytes / bpf;
    checkDecode(plan, { frames: decoded, sampleRate: head.format.sampleRate }, job.stderr());
    return plan.keepFrames === undefined ? decoded : Math.min(decoded, plan.keepFrames);
  })();
  frames.catch(() => {}); // awaited by the caller; an early failure elsewhere must not leave it unhandled
  return { format: head.format, frames, cancel: () => head.cancel() };
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

/**
 * Frames [from, to) of a 16-bit PCM WAV file on disk (a stretch of the master), read directly at their
 * offset; chunk offsets count from `from`. The range is clipped to the file's data.
 */
export function openWavFileRange(path: string, displayName: string, from: number, to: number): PcmStream {
  const failed = (why: string, cause?: unknown): RedactError =>
    new RedactError("E_IO", 1, `reading ${displayName} failed: ${why}`, cause === undefined ? undefined : { cause });
  let head: Buffer;
  let size: number;
  try {
    head = readFileHead(path);
    size = statSync(path).size;
  } catch (err) {
    throw failed((err as Error).message, err);
  }
  const parsed = parseWavHeader(head);
  if (parsed.kind !== "ok") throw failed(parsed.kind === "bad" ? parsed.reason : "header too long");
  const bpf = frameBytes(parsed.format.channels);
  const frames = Math.floor((size - parsed.dataOffset) / bpf);
  const first = Math.max(0, Math.min(from, frames));
  const last = Math.max(first, Math.min(to, frames));
  // (`end` is inclusive; an empty range reads from an empty stream.)
  const stream =
    last > first
      ? createReadStream(path, {
          start: parsed.dataOffset + first * bpf,
          end: parsed.dataOffset + last * bpf - 1,
          highWaterMark: 1 << 18,
        })
      : Readable.from([]);
  const done = new Promise<void>((resolve, reject) => {
    stream.once("close", resolve);
    stream.once("error", (err: Error) => reject(failed(err.message, err)));
  });
  done.catch(() => {});
  return pcmStream(stream, parsed.format, Buffer.alloc(0), done, () => stream.destroy());
}

async function openWavStream(
  source: Readable,
  displayName: string,
  finished: Promise<void>,
  cancel: () => void,
  check?: DecodeCheck,
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
  return pcmStream(iterator, parsed.format, head.subarray(parsed.dataOffset), finished, cancel, check);
}

/** Interleaved 16-bit PCM of `format` from `source` (its first bytes already read into `first`), in chunks. */
function pcmStream(
  source: Readable | AsyncIterator<Buffer>,
  format: PcmFormat,
  first: Buffer,
  finished: Promise<void>,
  cancel: () => void,
  check?: DecodeCheck,
): PcmStream {
  const iterator = Symbol.asyncIterator in source ? (source[Symbol.asyncIterator]() as AsyncIterator<Buffer>) : source;
  const bpf = frameBytes(format.channels);
  let used = false;
  const claim = (): void => {
    if (used) throw new Error("a PCM stream can be read once");
    used = true;
  };

  // Bytes past keepFrames are counted (the check needs the full length) but never given.
  const keepBytes = check?.keepFrames === undefined ? Number.POSITIVE_INFINITY : check.keepFrames * bpf;
  let received = 0;
  const keep = (b: Buffer): Buffer | undefined => {
    const room = keepBytes - received;
    received += b.length;
    if (room <= 0) return undefined;
    return room < b.length ? b.subarray(0, room) : b;
  };
  const atEnd = (): void => check?.atEnd(Math.floor(received / bpf), format.sampleRate);

  async function* chunks(): AsyncGenerator<DecodedChunk> {
    claim();
    let offset = 0;
    const firstKept = keep(first);
    let pending: Buffer[] = firstKept && firstKept.length > 0 ? [firstKept] : [];
    let pendingBytes = firstKept?.length ?? 0;
    let state: "reading" | "ended" | "failed" = "reading";
    const take = (): DecodedChunk | undefined => {
      const usable = pendingBytes - (pendingBytes % bpf);
      if (usable === 0) return undefined;
      // The chunk's bytes are its own: one piece that owns its memory (a pipe's or a file stream's read)
      // is taken as it is; several are joined into a new buffer (Buffer.concat always copies).
      const only = pending.length === 1 ? pending[0] : undefined;
      const whole =
        only && only.byteOffset === 0 && only.buffer.byteLength === only.length
          ? only
          : Buffer.concat(pending, pendingBytes);
      const interleaved = whole.subarray(0, usable);
      const chunk = { offset, planar: s16ToPlanar(interleaved, format.channels), interleaved };
      pending = usable < whole.length ? [Buffer.from(whole.subarray(usable))] : [];
      pendingBytes -= usable;
      offset += usable / bpf;
      return chunk;
    };
    try {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          const kept = keep(next.value);
          if (!kept) continue;
          pending.push(kept);
          pendingBytes += kept.length;
          if (pendingBytes >= TARGET_CHUNK_FRAMES * bpf) {
            const c = take();
            if (c) yield c;
          }
        }
        await finished;
        atEnd();
      } catch (err) {
        state = "failed";
        throw err;
      }
      state = "ended";
      const c = take();
      if (c) yield c;
    } finally {
      cancel();
      // Stopped by the reader (a `break`, or its own error): a throw here reaches the reader's loop.
      if (state === "reading") await check?.atStop();
    }
  }

  async function countFrames(): Promise<number> {
    claim();
    let kept = keep(first)?.length ?? 0;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        kept += keep(next.value)?.length ?? 0;
      }
      await finished;
      atEnd();
    } finally {
      cancel();
    }
    return Math.floor(kept / bpf);
  }

  return { format, chunks, countFrames, cancel };
}
