/**
 * Decoding for verification: every published file and the source are decoded
 * by their own ffmpeg process to 32-bit float PCM (no clipping, no
 * quantisation), read chunk by chunk, and re-cut into blocks of an exact
 * length so that several streams can be walked side by side. Memory stays
 * flat: one block per stream, plus the pipe buffers.
 */
import type { Readable } from "node:stream";
import { RedactError } from "../errors.ts";
import { startFfmpeg } from "../media/ffmpeg.ts";
import { readWavHeader } from "../media/wav.ts";

export interface FloatFormat {
  readonly sampleRate: number;
  readonly channels: number;
  /** 32 (float) or 16 (integer PCM, read as x / 32768 exactly). */
  readonly bits: 16 | 32;
}

/** Interleaved samples as decoded: `frames` frames of `format.channels` channels, 16- or 32-bit. */
export interface RawBlock {
  readonly frames: number;
  /** Exactly frames x channels x bits / 8 bytes, aligned for a typed-array view. */
  readonly bytes: Uint8Array;
}

export interface FloatStream {
  readonly format: FloatFormat;
  /**
   * The next `frames` frames (fewer only at the end, none after it). The block's bytes are the stream's
   * own buffer, reused: valid until the next read.
   */
  read(frames: number): Promise<RawBlock>;
  cancel(): void;
}

/**
 * Channels to convert blocks into, reused from block to block (a stream of an hour is some ten thousand
 * blocks): what `planar` returns with it is valid until its next use.
 */
export class PlanarScratch {
  private arrays: Float32Array[] = [];

  take(channels: number, n: number): Float32Array[] {
    if (this.arrays.length !== channels || (this.arrays[0]?.length ?? 0) < n) {
      this.arrays = Array.from({ length: channels }, () => new Float32Array(n));
    }
    return this.arrays.map((a) => a.subarray(0, n));
  }
}

/**
 * Planar float channels of frames [from, to) of a block (16-bit samples become x / 32768, exactly): new
 * arrays, or `scratch`'s.
 */
export function planar(
  format: FloatFormat,
  block: RawBlock,
  from = 0,
  to = block.frames,
  scratch?: PlanarScratch,
): Float32Array[] {
  const channels = format.channels;
  const n = Math.max(0, to - from);
  const { bytes } = block;
  const src =
    format.bits === 32
      ? new Float32Array(bytes.buffer, bytes.byteOffset + from * channels * 4, n * channels)
      : new Int16Array(bytes.buffer, bytes.byteOffset + from * channels * 2, n * channels);
  const out = scratch ? scratch.take(channels, n) : Array.from({ length: channels }, () => new Float32Array(n));
  if (channels === 1 && format.bits === 32) {
    (out[0] as Float32Array).set(src);
    return out;
  }
  const scale = format.bits === 32 ? 1 : 1 / 32768;
  for (let c = 0; c < channels; c++) {
    const ch = out[c] as Float32Array;
    for (let i = 0, o = c; i < n; i++, o += channels) ch[i] = (src[o] as number) * scale;
  }
  return out;
}

/** How a recording is decoded (a SourcePlan has these): its ffmpeg input arguments, and a cut. */
export interface DecodeInput {
  /** Everything up to and including `-i path`, in place of `-i path`. */
  readonly inputArgs: readonly string[];
  /** Give only this many frames (the rest is padding current ffmpeg trims). */
  readonly keepFrames?: number;
}

export interface DecodeOptions {
  /** Decode as the pipeline decodes the recording; default: `-i path`, uncut. */
  readonly input?: DecodeInput;
  /** Resample to this rate (ffmpeg's resampler); default: the file's own. */
  readonly sampleRate?: number;
  /** Mix to this many channels (1 or 2 only); default: the file's own. */
  readonly channels?: number;
  /**
   * Decode to 16-bit PCM, as the pipeline decodes a recording (the master holds
   * those samples exactly), instead of to float.
   */
  readonly pcm16?: boolean;
}

type Header =
  | { readonly kind: "more" }
  | { readonly kind: "ok"; readonly format: FloatFormat; readonly dataOffset: number }
  | { readonly kind: "bad"; readonly reason: string };

/** The header of the 32-bit float or 16-bit PCM WAV ffmpeg writes on a pipe (media/wav.ts reads it). */
export function parseFloatWavHeader(b: Buffer): Header {
  const h = readWavHeader(b);
  if (h.kind !== "ok") return h;
  const { sampleRate, channels, bits, float } = h.format;
  if (!(float && bits === 32) && !(!float && bits === 16)) {
    return {
      kind: "bad",
      reason: `expected 32-bit float or 16-bit PCM, got ${float ? "float" : "integer"} samples of ${bits} bits`,
    };
  }
  return { kind: "ok", format: { sampleRate, channels, bits: float ? 32 : 16 }, dataOffset: h.dataOffset };
}

/** Decode the first audio stream of `path` to float PCM. Fails with E_DECODE and ffmpeg's words. */
export async function decodeFloat(path: string, display: string, opts: DecodeOptions = {}): Promise<FloatStream> {
  const job = startFfmpeg({
    summary: `decoding ${display} to verify it`,
    errorCode: "E_DECODE",
    stdout: "pipe",
    args: [
      ...(opts.input?.inputArgs ?? ["-i", path]),
      ...["-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1"],
      ...(opts.sampleRate ? ["-ar", String(opts.sampleRate)] : []),
      ...(opts.channels ? ["-ac", String(opts.channels)] : []),
      ...["-fflags", "+bitexact", "-flags:a", "+bitexact", "-c:a", opts.pcm16 ? "pcm_s16le" : "pcm_f32le"],
      ...["-f", "wav", "pipe:1"],
    ],
  });
  if (!job.stdout) throw new Error("decoder has no stdout");
  return readFloatWav(job.stdout, display, job.done, () => job.kill(), opts.input?.keepFrames);
}

/**
 * Decode the first audio stream of `path` once, into two streams: as it is, and
 * resampled to `sampleRate` and mixed to `channels` (one ffmpeg process, two
 * pipes). Both must be read to their ends (or cancelled together): ffmpeg
 * writes them side by side.
 */
export async function decodeFloatTwice(
  path: string,
  display: string,
  opts: { readonly sampleRate: number; readonly channels: 1 | 2 },
): Promise<{ native: FloatStream; converted: FloatStream }> {
  const layout = opts.channels === 1 ? "mono" : "stereo";
  const out = [
    "-c:a",
    "pcm_f32le",
    "-fflags",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-map_metadata",
    "-1",
    "-f",
    "wav",
  ];
  const job = startFfmpeg({
    summary: `decoding ${display} to verify it`,
    errorCode: "E_DECODE",
    stdout: "pipe",
    extraOutput: true,
    args: [
      ...["-i", path, "-filter_complex"],
      `[0:a:0]asplit=2[native][in];[in]aresample=${opts.sampleRate},aformat=channel_layouts=${layout}[converted]`,
      ...["-map", "[native]", ...out, "pipe:1", "-map", "[converted]", ...out, "pipe:4"],
    ],
  });
  if (!job.stdout || !job.extra) throw new Error("decoder has no output pipes");
  const kill = (): void => job.kill();
  // Opened one after the other: ffmpeg writes both headers before any samples.
  const [native, converted] = await Promise.all([
    readFloatWav(job.stdout, display, job.done, kill),
    readFloatWav(job.extra, display, job.done, kill),
  ]);
  return { native, converted };
}

/** How far each stream reads ahead of its reader: about 6 s of 44.1 kHz stereo float, whatever the length. */
const READ_AHEAD_BYTES = 2 << 20;

async function readFloatWav(
  source: Readable,
  display: string,
  finished: Promise<void>,
  cancel: () => void,
  keepFrames?: number,
): Promise<FloatStream> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let parsed = parseFloatWavHeader(head);
  while (parsed.kind === "more") {
    const next = await iterator.next();
    if (next.done) {
      await finished;
      throw new RedactError("E_DECODE", 1, `${display}: no audio could be decoded`);
    }
    head = Buffer.concat([head, next.value]);
    parsed = parseFloatWavHeader(head);
  }
  if (parsed.kind === "bad") {
    cancel();
    throw new RedactError("E_DECODE", 1, `${display}: unexpected PCM stream (${parsed.reason})`);
  }
  const { format } = parsed;
  const bps = format.bits / 8;
  const bpf = bps * format.channels;
  const pending: Buffer[] = [head.subarray(parsed.dataOffset)];
  let pendingBytes = pending[0]?.length ?? 0;
  let eof = false;
  let failure: unknown;
  // Read ahead of the reader, up to READ_AHEAD_BYTES (or the block asked for, if larger), so that the
  // decoder keeps working while the walk is busy with the other streams: side by side, the decoders then
  // run in parallel instead of taking turns through their pipes' few kilobytes.
  let want = READ_AHEAD_BYTES;
  let pumping = false;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const pump = (): void => {
    if (pumping || eof) return;
    pumping = true;
    void (async () => {
      try {
        while (!eof && pendingBytes < want) {
          const next = await iterator.next();
          if (next.done) {
            eof = true;
            await finished; // ffmpeg's own error, if it failed
            break;
          }
          pending.push(next.value);
          pendingBytes += next.value.length;
          wake();
        }
      } catch (err) {
        failure = err;
        eof = true;
      } finally {
        pumping = false;
        wake();
      }
    })();
  };

  async function fill(bytes: number): Promise<void> {
    want = Math.max(READ_AHEAD_BYTES, bytes);
    while (pendingBytes < bytes && !eof) {
      const woken = new Promise<void>((resolve) => waiters.push(resolve));
      pump();
      await woken;
    }
    if (pendingBytes < bytes && failure !== undefined) throw failure;
  }

  // The blocks' memory, aligned for typed-array views and reused (each block is valid until the next read).
  let block = new Uint8Array(0);
  let left = keepFrames ?? Number.POSITIVE_INFINITY;
  return {
    format,
    async read(asked) {
      const frames = Math.min(asked, left);
      if (frames <= 0) return { frames: 0, bytes: block.subarray(0, 0) };
      await fill(frames * bpf);
      const usable = Math.min(frames * bpf, pendingBytes - (pendingBytes % bpf));
      left -= usable / bpf;
      if (block.length < usable) block = new Uint8Array(usable);
      // One copy, piece by piece.
      const bytes = block.subarray(0, usable);
      let at = 0;
      while (at < usable) {
        const piece = pending[0] as Buffer;
        const take = Math.min(piece.length, usable - at);
        bytes.set(take === piece.length ? piece : piece.subarray(0, take), at);
        at += take;
        if (take === piece.length) pending.shift();
        else pending[0] = piece.subarray(take);
      }
      pendingBytes -= usable;
      pump();
      return { frames: usable / bpf, bytes };
    },
    cancel,
  };
}
