/**
 * The audio of a call's files, checked from the files alone: the source, the master and every lossy file
 * are each decoded by their own ffmpeg process (decode-float.ts) and walked block by block side by side,
 * so memory stays flat however long the recording is.
 *
 * - The source is decoded as the pipeline reads it (16-bit) and read to its very end: its length is
 *   measured here, not taken from anyone.
 * - The master (16-bit PCM by its own header) is compared with the source sample by sample
 *   (master-check.ts).
 * - Each lossy file is read twice over from one decoder: as it is (its length and loudness) and at the
 *   source's rate and the web channel count (its ranges, lossy-check.ts). When the file already has that
 *   rate and channel count, the two are one stream.
 *
 * What is measured comes back as outcomes; the rows of the table are made from them (rows.ts).
 */
import { LoudnessMeter } from "../dsp/loudness.ts";
import { RedactError } from "../errors.ts";
import { readFileHead, readWavHeader } from "../media/wav.ts";
import {
  type DecodeInput,
  decodeFloat,
  decodeFloatTwice,
  type FloatFormat,
  type FloatStream,
  PlanarScratch,
  planar,
  type RawBlock,
} from "./decode-float.ts";
import { LossyRangeAnalyzer, type LossyRangeResult } from "./lossy-check.ts";
import { MasterCheck, type MasterResult } from "./master-check.ts";
import { type ExpectedRange, expectedToneAt, fadeLength } from "./reference-tone.ts";

/** A lossy codec as verification knows it. */
export interface LossyCodec {
  /** Samples per codec frame, at the file's own rate. */
  readonly frame: number;
  /** Rates the file may have (empty: any). */
  readonly rates: readonly number[];
}

/** The lossy files a call may publish, by extension. */
export const LOSSY_CODECS: Readonly<Record<string, LossyCodec>> = {
  mp3: { frame: 1152, rates: [32000, 44100, 48000] },
  opus: { frame: 960, rates: [48000] },
};

export interface SourceToCheck {
  readonly path: string;
  readonly display: string;
  /** How to decode it as the pipeline did: its decoder and the frames kept (media/source.ts). */
  readonly decode: DecodeInput;
  readonly sampleRate: number;
  readonly channels: number;
  /** The length the caller counted: ranges are fitted to it; the walk measures the real one. */
  readonly samples: number;
}

export interface AudioRequest {
  readonly source: SourceToCheck;
  readonly ranges: readonly ExpectedRange[];
  /** Told how far through the recording the walk is (0..1). */
  readonly progress?: (fraction: number) => void;
}

export interface FileRef {
  /** The name in out/. */
  readonly name: string;
  /** Where it is now (a temporary file while redact runs). */
  readonly path: string;
}

export type MasterOutcome =
  | { readonly problem: string }
  | { readonly problem: null; readonly result: MasterResult; readonly frames: number };

export type LossyOutcome =
  | { readonly name: string; readonly problem: string }
  | {
      readonly name: string;
      readonly problem: null;
      readonly codec: LossyCodec;
      /** One codec frame, in samples at the source's rate. */
      readonly frame: number;
      readonly format: FloatFormat;
      /** The file's length at its own rate. */
      readonly frames: number;
      /** Its loudness as decoded; null when it could not be metered (a rate the meter does not take). */
      readonly loudness: { readonly integratedLufs: number; readonly truePeakDbtp: number } | null;
      readonly ranges: readonly LossyRangeResult[];
    };

export interface AudioOutcome {
  /** The source's length as decoded here. */
  readonly sourceFrames: number;
  readonly master?: MasterOutcome;
  readonly lossy: readonly LossyOutcome[];
}

const BLOCK = 16384;

export const firstLine = (err: unknown): string =>
  ((err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "").replace(/^error: /, "");

/** Web channels: mono stays mono, stereo stays stereo, more channels are mixed to mono. */
export const webChannels = (channels: number): 1 | 2 => (channels === 2 ? 2 : 1);

/** A 16-bit PCM WAV? Read from the file's own header (ffmpeg would convert any depth silently). */
function wavHeaderProblem(path: string): string | null {
  let head: Buffer;
  try {
    head = readFileHead(path);
  } catch (err) {
    return firstLine(err);
  }
  const parsed = readWavHeader(head);
  if (parsed.kind === "bad") return parsed.reason;
  if (parsed.kind === "more") return "no data chunk in the first 4 KiB";
  return parsed.format.bits === 16 && !parsed.format.float
    ? null
    : `not 16-bit PCM (${parsed.format.float ? "float" : "integer"}, ${parsed.format.bits} bits)`;
}

/** Gives the event loop a turn (its I/O phase), whatever promises are ready. */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Read a whole stream to its end, passing each block on; a failure ends it and is returned. */
async function drain(stream: FloatStream, each: (block: RawBlock) => void): Promise<unknown> {
  try {
    for (;;) {
      const b = await stream.read(BLOCK);
      if (b.frames === 0) return undefined;
      each(b);
      await yieldToIo();
    }
  } catch (err) {
    return err;
  }
}

/** The master beside the source: every sample compared. */
class MasterTrack {
  private readonly check: MasterCheck;
  private frames = 0;
  private problem: string | null = null;
  private stream: FloatStream | undefined;

  private constructor(req: AudioRequest) {
    this.check = new MasterCheck(req.ranges, req.source.sampleRate);
  }

  static async open(req: AudioRequest, file: FileRef): Promise<MasterTrack> {
    const t = new MasterTrack(req);
    t.problem = wavHeaderProblem(file.path);
    if (t.problem !== null) return t;
    try {
      const stream = await decodeFloat(file.path, `out/${file.name}`, { pcm16: true });
      const f = stream.format;
      if (f.sampleRate !== req.source.sampleRate || f.channels !== req.source.channels) {
        stream.cancel();
        t.problem = `${f.sampleRate} Hz, ${f.channels} channel(s); the source has ${req.source.sampleRate} Hz, ${req.source.channels}`;
      } else t.stream = stream;
    } catch (err) {
      t.problem = firstLine(err);
    }
    return t;
  }

  /** The master's next block beside the source's. */
  async step(source: RawBlock, channels: number): Promise<void> {
    if (!this.stream) return;
    try {
      const m = await this.stream.read(source.frames);
      this.frames += m.frames;
      if (m.frames > 0) this.check.push(source.bytes, m.bytes, Math.min(m.frames, source.frames), channels);
      if (m.frames < source.frames) this.stop();
    } catch (err) {
      this.problem = firstLine(err);
      this.stop();
    }
  }

  /** After the source's end: count what the master has beyond it. */
  async finish(): Promise<MasterOutcome> {
    if (this.stream) {
      const err = await drain(this.stream, (b) => {
        this.frames += b.frames;
      });
      if (err) this.problem = firstLine(err);
      this.stream = undefined;
    }
    return this.problem !== null
      ? { problem: this.problem }
      : { problem: null, result: this.check.result(), frames: this.frames };
  }

  stop(): void {
    this.stream?.cancel();
    this.stream = undefined;
  }
}

/**
 * The file as it is, for its length and loudness: either the very stream the walk reads at the source's
 * rate (when the file has that rate and channel count already), counted and metered as the walk reads it,
 * or a stream of its own from the same decoder, read beside the walk.
 */
type NativeSide =
  | { readonly kind: "shared" }
  | { readonly kind: "separate"; readonly stream: FloatStream; readonly done: Promise<unknown> };

/** One lossy file beside the source and the expected master. */
class LossyTrack {
  private frames = 0;
  private problem: string | null = null;
  private readonly atSourceScratch = new PlanarScratch();
  private readonly nativeScratch = new PlanarScratch();
  private meter: LoudnessMeter | undefined;

  private constructor(
    private readonly file: FileRef,
    readonly codec: LossyCodec,
    private readonly atSource: FloatStream,
    private native: NativeSide,
    private readonly format: FloatFormat,
    readonly frame: number,
    readonly analyzer: LossyRangeAnalyzer,
  ) {}

  static async open(req: AudioRequest, file: FileRef): Promise<LossyTrack | LossyOutcome> {
    const { source, ranges } = req;
    const rate = source.sampleRate;
    const webCh = webChannels(source.channels);
    const codec = LOSSY_CODECS[extensionOf(file.name)];
    if (!codec) return { name: file.name, problem: "not a format this tool publishes" };
    const display = `out/${file.name}`;
    let atSource: FloatStream;
    let native: NativeSide;
    try {
      const plain = await decodeFloat(file.path, display);
      if (plain.format.sampleRate === rate && plain.format.channels === webCh) {
        atSource = plain;
        native = { kind: "shared" };
      } else {
        plain.cancel();
        const twice = await decodeFloatTwice(file.path, display, { sampleRate: rate, channels: webCh });
        atSource = twice.converted;
        native = { kind: "separate", stream: twice.native, done: Promise.resolve() };
      }
    } catch (err) {
      return { name: file.name, problem: firstLine(err) };
    }
    const format = native.kind === "shared" ? atSource.format : native.stream.format;
    const frame = Math.ceil((codec.frame * rate) / format.sampleRate);
    const analyzer = new LossyRangeAnalyzer(ranges, {
      sampleRate: rate,
      channels: webCh,
      frame,
      totalSamples: source.samples,
    });
    const t = new LossyTrack(file, codec, atSource, native, format, frame, analyzer);
    try {
      t.meter = new LoudnessMeter(format.sampleRate, format.channels);
    } catch {
      t.meter = undefined; // a rate the meter does not take: no loudness row figures
    }
    if (native.kind === "separate") {
      const stream = native.stream;
      t.native = {
        kind: "separate",
        stream,
        done: drain(stream, (b) => {
          t.frames += b.frames;
          t.meter?.push(planar(format, b, 0, b.frames, t.nativeScratch));
        }),
      };
    }
    return t;
  }

  /**
   * The file's next block at the source's rate, beside the source's web mix at `pos` (made on demand: only
   * where a range needs it).
   */
  async step(pos: number, n: number, sourceWeb: () => { source: readonly Float32Array[]; expected: Float32Array[] }) {
    if (this.problem !== null) return;
    let y: RawBlock;
    try {
      y = await this.atSource.read(n);
    } catch (err) {
      this.problem = firstLine(err);
      return;
    }
    const needed = this.analyzer.needs(pos, pos + n);
    const shared = this.native.kind === "shared";
    const yPlanar = needed || shared ? planar(this.atSource.format, y, 0, y.frames, this.atSourceScratch) : undefined;
    if (shared && yPlanar) {
      this.frames += y.frames;
      this.meter?.push(yPlanar);
    }
    if (!needed || !yPlanar) {
      this.analyzer.skip(n);
      return;
    }
    const web = sourceWeb();
    this.analyzer.push(web.expected, padTo(yPlanar, n), web.source);
  }

  /** After the source's end: the rest of the file, and both of the decoder's outputs to their ends. */
  async finish(): Promise<LossyOutcome> {
    if (this.problem === null) {
      if (this.native.kind === "shared") {
        const err = await drain(this.atSource, (b) => {
          this.frames += b.frames;
          this.meter?.push(planar(this.format, b, 0, b.frames, this.nativeScratch));
        });
        if (err) this.problem = firstLine(err);
      } else {
        // ffmpeg writes both outputs side by side: both are read to their ends.
        const [a, b] = await Promise.all([drain(this.atSource, () => {}), this.native.done]);
        const err = b ?? a;
        if (err) this.problem = firstLine(err);
      }
    }
    if (this.problem !== null) return { name: this.file.name, problem: this.problem };
    return {
      name: this.file.name,
      problem: null,
      codec: this.codec,
      frame: this.frame,
      format: this.format,
      frames: this.frames,
      loudness: this.meter ? this.meter.result() : null,
      ranges: this.analyzer.finish(),
    };
  }

  stop(): void {
    this.atSource.cancel();
    if (this.native.kind === "separate") this.native.stream.cancel();
  }
}

const extensionOf = (file: string): string => /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase() ?? "";

/** The web mix of a block: the block itself for mono and stereo (read, not changed), else a new mono mix. */
function webMixOf(planarBlock: readonly Float32Array[]): readonly Float32Array[] {
  if (planarBlock.length <= 2) return planarBlock;
  const n = planarBlock[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of planarBlock) for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (ch[i] as number);
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) / planarBlock.length;
  return [out];
}

/** The expected master's web mix over frames [pos, pos + n): the source's, with each range's tone in. */
function expectedWeb(sourceWeb: readonly Float32Array[], pos: number, ranges: readonly ExpectedRange[], rate: number) {
  const n = sourceWeb[0]?.length ?? 0;
  const out = sourceWeb.map((c) => c.slice());
  for (const r of ranges) {
    if (r.end <= pos) continue;
    if (r.start >= pos + n) break;
    const fade = fadeLength(r);
    for (let s = Math.max(r.start, pos); s < Math.min(r.end, pos + n); s++) {
      const v = expectedToneAt(r, s, rate, fade);
      for (const ch of out) ch[s - pos] = v;
    }
  }
  return out;
}

function padTo(planarBlock: Float32Array[], n: number): Float32Array[] {
  return planarBlock.map((c) => {
    if (c.length === n) return c;
    const p = new Float32Array(n);
    p.set(c.subarray(0, n));
    return p;
  });
}

/** The master on its own beside the source, as soon as it is written (redact runs it beside the encoders). */
export async function checkMaster(req: AudioRequest, master: FileRef): Promise<MasterOutcome> {
  const outcome = await walkAudio(req, master, []);
  return outcome.master ?? { problem: "not checked" };
}

/**
 * The walk: the source beside the master (if given) and the lossy files. The source is read to its end;
 * the master and each lossy file to theirs.
 */
export async function walkAudio(
  req: AudioRequest,
  masterFile: FileRef | undefined,
  lossyFiles: readonly FileRef[],
): Promise<AudioOutcome> {
  const { source, ranges } = req;
  const rate = source.sampleRate;
  const total = source.samples;
  const sourceStream = await decodeFloat(source.path, source.display, { pcm16: true, input: source.decode });
  const sf = sourceStream.format;
  if (sf.sampleRate !== rate || sf.channels !== source.channels) {
    sourceStream.cancel();
    throw new RedactError("E_DECODE", 1, `${source.display} changed while it was being verified`);
  }
  let master: MasterTrack | undefined;
  const lossy: Array<LossyTrack | LossyOutcome> = [];
  try {
    if (masterFile) master = await MasterTrack.open(req, masterFile);
    for (const f of lossyFiles) lossy.push(await LossyTrack.open(req, f));
    const tracks = lossy.filter((t): t is LossyTrack => t instanceof LossyTrack);
    const sourceScratch = new PlanarScratch();
    let pos = 0;
    for (;;) {
      const src = await sourceStream.read(BLOCK);
      if (src.frames === 0) break;
      const n = src.frames;
      await master?.step(src, source.channels);
      // Float copies of the source only where some lossy file's ranges need them, and only once per block.
      let web: { source: readonly Float32Array[]; expected: Float32Array[] } | undefined;
      const sourceWeb = () => {
        if (!web) {
          const s = webMixOf(planar(sf, src, 0, n, sourceScratch));
          web = { source: s, expected: expectedWeb(s, pos, ranges, rate) };
        }
        return web;
      };
      // Past the length the ranges were fitted to, the lossy files are compared with nothing.
      if (pos < total) for (const t of tracks) await t.step(pos, Math.min(n, total - pos), sourceWeb);
      pos += n;
      req.progress?.(Math.min(1, pos / Math.max(1, total)));
      // Let the event loop read the decoders' pipes into their read-ahead while this walk computes:
      // otherwise, with data at hand, the walk never gives way and the decoders stall on full pipes.
      await yieldToIo();
    }
    return {
      sourceFrames: pos,
      ...(master ? { master: await master.finish() } : {}),
      lossy: await Promise.all(lossy.map((t) => (t instanceof LossyTrack ? t.finish() : t))),
    };
  } finally {
    // Whatever happens, no decoder is left running (or blocked on its pipe) afterwards.
    sourceStream.cancel();
    master?.stop();
    for (const t of lossy) if (t instanceof LossyTrack) t.stop();
  }
}
