/**
 * Verify one call's published files against its source and plan, from the
 * files alone: every audio file is decoded by its own ffmpeg process (as is
 * the source) and walked block by block beside the source, so memory stays
 * flat however long the recording is. Produces one row per range and file,
 * plus one per file, and one for the report and for metadata.
 *
 * Thresholds (README, "Verification"):
 * - master: outside the ranges, every sample equals the decoded source; inside, every sample is the
 *   expected tone within half a 16-bit step;
 * - lossy files: each range's edges line up with the master within one codec frame; inside (two
 *   codec frames from each edge), the tone holds at least 95 % of the energy; what remains once the
 *   tone is fitted and taken out and its band notched out correlates with the original speech by at
 *   most 0.25 (or four times chance, for short ranges), and the part of it that follows the speech is
 *   at least 50 dB below the speech unless its correlation is within three times chance (a codec's
 *   own noise around the tone does not follow the speech); integrated loudness within 1 LU of
 *   -19 LUFS (mono) or -16 LUFS (stereo), true peak at most -1 dBTP, length within one codec frame
 *   of the master's;
 * - no source tag, comment, picture or private note in any output; hashes as the report gives them.
 */
import { LoudnessMeter } from "../dsp/loudness.ts";
import { RedactError } from "../errors.ts";
import { formatTime } from "../manifest/time.ts";
import { readFileHead } from "../media/wav.ts";
import {
  type DecodeInput,
  decodeFloat,
  decodeFloatTwice,
  type FloatStream,
  PlanarScratch,
  planar,
  type RawBlock,
} from "./decode-float.ts";
import { LossyRangeAnalyzer, type LossyRangeResult } from "./lossy-check.ts";
import { MasterCheck, type MasterResult, TONE_TOLERANCE_LSB } from "./master-check.ts";
import { isDistinctive, type Needle, scanFile, scanText, sourceMetadata, textNeedles } from "./metadata.ts";
import { type ExpectedRange, expectedToneAt, fadeLength } from "./reference-tone.ts";

export const TONE_SHARE_MIN = 0.95;
export const CORRELATION_MAX = 0.25;
export const RESIDUAL_MAX_DB = -50;
/** A correlation this many times its chance level is not chance (for the level rule; the other is stricter). */
export const SIGNIFICANT_SIGMAS = 3;
export const CORRELATION_SIGMAS = 4;
export const EDGE_MATCH_MIN = 0.5;
export const LOUDNESS_TOLERANCE_LU = 1;
export const TRUE_PEAK_MAX_DBTP = -1;

/** A row that cannot be measured in full (a range too short) says so and passes or fails on what can be. */
export type RowStatus = "pass" | "fail";

export interface VerificationRow {
  /** The merged range (1-based), or null for a row about a whole file. */
  readonly range: number | null;
  /** The output file (name in out/), or "*" for all of them. */
  readonly file: string;
  readonly status: RowStatus;
  /** What was found; a failing row starts with why it fails. */
  readonly detail: string;
}

export interface Verification {
  readonly passed: boolean;
  readonly rows: readonly VerificationRow[];
}

/** The parts of a report that verification reads. */
export interface ReportView {
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly sampleRate: number;
    readonly channels: number;
    readonly samples: number;
  };
  readonly title?: string;
  readonly ranges: ReadonlyArray<{
    readonly startSample: number;
    readonly endSample: number;
    readonly category: string;
    readonly frequency: number;
  }>;
  readonly loudness?: { readonly measuredLufs?: number | null };
  readonly outputs: Readonly<Record<string, { readonly file: string; readonly sha256: string }>>;
}

export interface VerifyRequest {
  readonly call: string;
  readonly source: {
    readonly path: string;
    readonly display: string;
    /** How to decode it as the pipeline did (its input arguments and cut). */
    readonly decode: DecodeInput;
    /** SHA-256 of the recording as it is now. */
    readonly sha256: string;
    readonly sampleRate: number;
    readonly channels: number;
    readonly samples: number;
  };
  /** The merged ranges, from the manifest as it is now. */
  readonly ranges: readonly ExpectedRange[];
  readonly report: ReportView;
  /** The report's name in out/ and its text (as written, or about to be written). */
  readonly reportFile: string;
  readonly reportText: string;
  /** Where the output named `file` in the report is now (a temporary file while redact runs). */
  readonly pathOf: (file: string) => string;
  /** Private notes of the manifest's entries: they must appear in no output. */
  readonly notes: ReadonlyArray<{ readonly entry: number; readonly text: string }>;
  /** Texts the outputs carry on purpose (the title): a source tag saying the same is not a leak. */
  readonly exempt: readonly string[];
  /** Told how far through the recording the audio checks are (0..1). */
  readonly progress?: (fraction: number) => void;
}

interface LossyCodec {
  /** Samples per codec frame, at the file's own rate. */
  readonly frame: number;
  /** Rates the file may have (empty: any). */
  readonly rates: readonly number[];
}

const CODECS: Readonly<Record<string, LossyCodec>> = {
  mp3: { frame: 1152, rates: [32000, 44100, 48000] },
  opus: { frame: 960, rates: [48000] },
  ogg: { frame: 2048, rates: [] },
  m4a: { frame: 1024, rates: [] },
  aac: { frame: 1024, rates: [] },
  webm: { frame: 960, rates: [] },
};

const extension = (file: string): string => /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase() ?? "";

/** Web channels: mono stays mono, stereo stays stereo, more channels are mixed to mono (README). */
const webChannels = (channels: number): 1 | 2 => (channels === 2 ? 2 : 1);

/** The web mix of a block: the block itself for mono and stereo (read, not changed), else a new mono mix. */
function webMixOf(planar: readonly Float32Array[]): readonly Float32Array[] {
  if (planar.length <= 2) return planar;
  const n = planar[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const ch of planar) for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (ch[i] as number);
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) / planar.length;
  return [out];
}

const BLOCK = 16384;

const dB = (x: number | null, digits = 1): string =>
  x === null ? "n/a" : x === Number.NEGATIVE_INFINITY ? "-inf" : `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

const firstLine = (err: unknown): string =>
  ((err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "").replace(/^error: /, "");

/** A 16-bit PCM WAV? Read from the file's own header (ffmpeg would convert any depth silently). */
function wavHeaderProblem(path: string): string | null {
  let head: Buffer;
  try {
    head = readFileHead(path);
  } catch (err) {
    return firstLine(err);
  }
  if (head.toString("latin1", 0, 4) !== "RIFF" || head.toString("latin1", 8, 12) !== "WAVE") {
    return "not a RIFF/WAVE file";
  }
  let off = 12;
  while (off + 8 <= head.length) {
    const id = head.toString("latin1", off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === "fmt ") {
      if (off + 24 > head.length) break;
      let tag = head.readUInt16LE(off + 8);
      if (tag === 0xfffe && off + 8 + 26 <= head.length) tag = head.readUInt16LE(off + 8 + 24);
      const bits = head.readUInt16LE(off + 22);
      return tag === 1 && bits === 16 ? null : `not 16-bit PCM (format ${tag}, ${bits} bits)`;
    }
    off += 8 + size + (size % 2);
  }
  return "no fmt chunk in the first 4 KiB";
}

/** Gives the event loop a turn (its I/O phase), whatever promises are ready. */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A row that passes with `passed` as its detail, or fails naming every problem. */
const checkRow = (
  range: number | null,
  file: string,
  problems: readonly string[],
  passed: string,
): VerificationRow => ({
  range,
  file,
  status: problems.length === 0 ? "pass" : "fail",
  detail: problems.length === 0 ? passed : problems.join("; "),
});

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

interface LossyState {
  readonly file: string;
  readonly display: string;
  readonly codec: LossyCodec;
  native?: FloatStream;
  atSource?: FloatStream;
  meter?: LoudnessMeter;
  nativeFrames: number;
  error?: string;
  analyzer?: LossyRangeAnalyzer;
  frame: number; // codec frame in source samples
  nativeDone?: Promise<unknown>;
  /** The native stream is the one at the source's rate (read once, by the walk). */
  shared?: boolean;
  /** Where the native stream's and the stream at the source's rate's blocks are converted. */
  readonly nativeScratch: PlanarScratch;
  readonly atSourceScratch: PlanarScratch;
}

/** The master's audio checked against the source (its rows are made by verifyOutputs). */
export interface MasterVerification {
  readonly masterProblem: string | null;
  readonly master: MasterResult;
  readonly masterFrames: number;
}

/**
 * Check the master against the source on its own, as soon as the master is written: `redact` runs this
 * while the web files encode, and hands the result to verifyOutputs (which then walks only the lossy
 * files beside the source). The same decoders and checks as verifyOutputs' own walk.
 */
export async function verifyMaster(
  req: Pick<VerifyRequest, "source" | "ranges" | "pathOf">,
  masterFile: string,
): Promise<MasterVerification> {
  const { masterProblem, master, masterFrames } = await checkAudio(req, masterFile, []);
  return { masterProblem, master, masterFrames };
}

export interface EarlyChecks {
  /** verifyMaster of the report's master, started earlier. */
  readonly master?: Promise<MasterVerification>;
}

export async function verifyOutputs(req: VerifyRequest, early: EarlyChecks = {}): Promise<Verification> {
  const rows: VerificationRow[] = [];
  const { report } = req;

  // The report: made from this recording, with these ranges.
  rows.push(reportRow(req));

  // Which outputs are audio, and which of them lossy.
  const outputs = Object.values(report.outputs);
  const masterFile = outputs.find((o) => extension(o.file) === "wav")?.file;
  const lossyFiles = outputs.filter((o) => extension(o.file) in CODECS).map((o) => o.file);

  // Metadata and hashes (one read of each file), while the audio is decoded.
  const metadata = metadataAndHashes(req);
  metadata.catch(() => {});

  // The audio, side by side (the master only if it was not checked already).
  const audio =
    early.master && masterFile
      ? { ...(await checkAudio(req, null, lossyFiles)), ...(await early.master) }
      : await checkAudio(req, masterFile, lossyFiles);
  rows.push(await metadata);
  // Rows: the master.
  if (masterFile) {
    rows.push(...masterRows(masterFile, audio.masterProblem, audio.master, audio.masterFrames, req));
  }
  // Rows: each lossy file.
  for (const st of audio.lossy) rows.push(...lossyRows(st, req));

  return { passed: rows.every((r) => r.status !== "fail"), rows };
}

interface AudioResult {
  readonly masterProblem: string | null;
  readonly master: MasterResult;
  readonly masterFrames: number;
  readonly lossy: readonly LossyState[];
}

/** Open a lossy file: its own rate for loudness and length, the source's rate for the ranges. */
async function openLossy(req: Pick<VerifyRequest, "source" | "ranges" | "pathOf">, file: string): Promise<LossyState> {
  const { source, ranges } = req;
  const rate = source.sampleRate;
  const webCh = webChannels(source.channels);
  const codec = CODECS[extension(file)] as LossyCodec;
  const st: LossyState = {
    file,
    display: `out/${file}`,
    codec,
    nativeFrames: 0,
    frame: 0,
    nativeScratch: new PlanarScratch(),
    atSourceScratch: new PlanarScratch(),
  };
  try {
    // The file as it is (loudness, length) and at the source's rate (the ranges). When the file already has
    // the source's rate and the web channel count, that is one stream, read once by the walk; otherwise one
    // decoder gives both (the native stream is then read on its own, beside the walk).
    const plain = await decodeFloat(req.pathOf(file), st.display);
    if (plain.format.sampleRate === rate && plain.format.channels === webCh) {
      st.native = plain;
      st.atSource = plain;
      st.shared = true;
    } else {
      plain.cancel();
      const twice = await decodeFloatTwice(req.pathOf(file), st.display, { sampleRate: rate, channels: webCh });
      st.native = twice.native;
      st.atSource = twice.converted;
    }
    const f = st.native.format;
    st.frame = Math.ceil((codec.frame * rate) / f.sampleRate);
    try {
      st.meter = new LoudnessMeter(f.sampleRate, f.channels);
    } catch (err) {
      st.error = firstLine(err);
    }
    st.analyzer = new LossyRangeAnalyzer(ranges, {
      sampleRate: rate,
      channels: webCh,
      frame: st.frame,
      totalSamples: source.samples,
    });
    if (!st.shared) {
      const native = st.native;
      st.nativeDone = drain(native, (b) => {
        st.nativeFrames += b.frames;
        st.meter?.push(planar(f, b, 0, b.frames, st.nativeScratch));
      });
    }
  } catch (err) {
    st.error = firstLine(err);
    st.native?.cancel();
    st.atSource?.cancel();
  }
  return st;
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

/** The walk: the source beside the master (null: not this time) and the lossy files. */
async function checkAudio(
  req: Pick<VerifyRequest, "source" | "ranges" | "pathOf" | "progress">,
  masterFile: string | null | undefined,
  lossyFiles: readonly string[],
): Promise<AudioResult> {
  const { source, ranges } = req;
  const rate = source.sampleRate;
  const total = source.samples;
  const masterCheck = new MasterCheck(ranges, rate);
  if (masterFile === null && lossyFiles.length === 0) {
    return { masterProblem: null, master: masterCheck.result(), masterFrames: 0, lossy: [] };
  }
  // The source as the pipeline reads it (16-bit), and the master (16-bit by its own header).
  const sourceStream = await decodeFloat(source.path, source.display, { pcm16: true, input: source.decode });
  const sf = sourceStream.format;
  if (sf.sampleRate !== rate || sf.channels !== source.channels) {
    sourceStream.cancel();
    throw new RedactError("E_DECODE", 1, `${source.display} changed while it was being verified`);
  }
  let master: FloatStream | undefined;
  let masterProblem: string | null =
    masterFile === null ? null : masterFile ? wavHeaderProblem(req.pathOf(masterFile)) : "no master in the report";
  if (masterFile && masterProblem === null) {
    try {
      master = await decodeFloat(req.pathOf(masterFile), `out/${masterFile}`, { pcm16: true });
      const f = master.format;
      if (f.sampleRate !== rate || f.channels !== source.channels) {
        masterProblem = `${f.sampleRate} Hz, ${f.channels} channel(s); the source has ${rate} Hz, ${source.channels}`;
        master.cancel();
        master = undefined;
      }
    } catch (err) {
      masterProblem = firstLine(err);
    }
  }
  let masterFrames = 0;
  const lossy: LossyState[] = [];
  // Whatever happens, no decoder is left running (or blocked on its pipe) afterwards.
  const stopAll = (): void => {
    sourceStream.cancel();
    master?.cancel();
    for (const st of lossy) {
      st.native?.cancel();
      st.atSource?.cancel();
    }
  };
  try {
    for (const file of lossyFiles) lossy.push(await openLossy(req, file));
    return await walk();
  } finally {
    stopAll();
  }

  async function walk(): Promise<AudioResult> {
    const sourceScratch = new PlanarScratch();
    let pos = 0;
    while (pos < total) {
      const n = Math.min(BLOCK, total - pos);
      const src = await sourceStream.read(n);
      if (src.frames !== n) {
        throw new RedactError("E_DECODE", 1, `${source.display} changed while it was being verified (it is shorter)`);
      }
      if (master) {
        try {
          const m = await master.read(n);
          masterFrames += m.frames;
          if (m.frames > 0) masterCheck.push(src.bytes, m.bytes, m.frames, source.channels);
          if (m.frames < n) {
            master.cancel();
            master = undefined;
          }
        } catch (err) {
          masterProblem = firstLine(err);
          master = undefined;
        }
      }
      // Float copies of the source only where some lossy file's ranges need them.
      let sourceWeb: readonly Float32Array[] | undefined;
      let expected: Float32Array[] | undefined;
      for (const st of lossy) {
        if (st.error || !st.atSource || !st.analyzer) continue;
        let y: RawBlock;
        try {
          y = await st.atSource.read(n);
        } catch (err) {
          st.error = firstLine(err);
          continue;
        }
        const needed = st.analyzer.needs(pos, pos + n);
        const yPlanar =
          needed || st.shared ? planar(st.atSource.format, y, 0, y.frames, st.atSourceScratch) : undefined;
        if (st.shared && yPlanar) {
          st.nativeFrames += y.frames;
          st.meter?.push(yPlanar);
        }
        if (!needed || !yPlanar) {
          st.analyzer.skip(n);
          continue;
        }
        sourceWeb ??= webMixOf(planar(sf, src, 0, src.frames, sourceScratch));
        expected ??= expectedWeb(sourceWeb, pos, ranges, rate);
        st.analyzer.push(expected, padTo(yPlanar, n), sourceWeb);
      }
      pos += n;
      req.progress?.(pos / total);
      // Let the event loop read the decoders' pipes into their read-ahead while this walk computes:
      // otherwise, with data at hand, the walk never gives way and the decoders stall on full pipes.
      await yieldToIo();
    }
    sourceStream.cancel();
    // What comes after the source's end: the master's extra frames, and the rest of each lossy file.
    if (master) {
      const err = await drain(master, (b) => {
        masterFrames += b.frames;
      });
      if (err) masterProblem = firstLine(err);
    }
    for (const st of lossy) {
      if (!st.native || !st.atSource) continue;
      if (st.shared) {
        // The rest of the file, after the source's length.
        const f = st.native.format;
        const err = await drain(st.native, (b) => {
          st.nativeFrames += b.frames;
          st.meter?.push(planar(f, b, 0, b.frames, st.nativeScratch));
        });
        if (err && !st.error) st.error = firstLine(err);
        continue;
      }
      // Both outputs of the one decoder to their ends (ffmpeg writes them side by side).
      const [a, b] = await Promise.all([drain(st.atSource, () => {}), st.nativeDone]);
      const err = b ?? a;
      if (err && !st.error) st.error = firstLine(err);
    }
    return { masterProblem, master: masterCheck.result(), masterFrames, lossy };
  }
}

/**
 * The report, without the verification (the verifier's own words); a text that
 * is one of the report's own key names cannot have leaked into it.
 */
function scanReport(text: string, needles: readonly Needle[]): string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return scanText(text, needles);
  }
  if (typeof data === "object" && data !== null) delete (data as { verification?: unknown }).verification;
  const keysOnly = JSON.stringify(data, (_k, v: unknown) => (typeof v === "string" ? "" : v));
  const own = new Set(scanText(keysOnly, needles));
  return scanText(JSON.stringify(data, null, 2), needles).filter((label) => !own.has(label));
}

function reportRow(req: VerifyRequest): VerificationRow {
  const { report, source, ranges } = req;
  const problems: string[] = [];
  if (report.source.sha256 !== source.sha256) {
    problems.push(`the recording ${source.display} has changed since the report was written`);
  }
  const fmt = report.source;
  if (fmt.sampleRate !== source.sampleRate || fmt.channels !== source.channels || fmt.samples !== source.samples) {
    problems.push(
      `the report gives ${fmt.sampleRate} Hz, ${fmt.channels} channel(s), ${fmt.samples} samples; the recording has ${source.sampleRate} Hz, ${source.channels}, ${source.samples}`,
    );
  }
  const got = report.ranges.map((r) => `${r.startSample}-${r.endSample} ${r.category} ${r.frequency} Hz`);
  const want = ranges.map((r) => `${r.start}-${r.end} ${r.category} ${r.frequency} Hz`);
  if (got.join("|") !== want.join("|")) {
    const i = want.findIndex((w, k) => got[k] !== w);
    const at = i < 0 ? got.length : i;
    problems.push(
      `the report's ranges differ from the manifest's (range ${at + 1}: report ${got[at] ?? "none"}, manifest ${want[at] ?? "none"}); redact the call again`,
    );
  }
  return checkRow(
    null,
    req.reportFile,
    problems,
    `made from ${source.display} as it is (SHA-256), with the manifest's ${ranges.length} range${ranges.length === 1 ? "" : "s"}`,
  );
}

async function metadataAndHashes(req: VerifyRequest): Promise<VerificationRow> {
  const meta = await sourceMetadata(req.source.path, req.source.display, req.exempt);
  const needles: Needle[] = [...meta.needles];
  // Notes long enough not to turn up by chance, and not a text the outputs carry on purpose.
  const notes = req.notes.filter((n) => isDistinctive(n.text) && !req.exempt.some((e) => e.includes(n.text.trim())));
  for (const n of notes) needles.push(...textNeedles(`the private note of redactions[${n.entry}]`, n.text));
  const problems: string[] = [];
  const outputs = Object.values(req.report.outputs);
  for (const o of outputs) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(o.file) || o.file.includes("..")) {
      problems.push(`the report names an output "${o.file}" that is not a plain file name`);
      continue;
    }
    try {
      const scan = await scanFile(req.pathOf(o.file), `out/${o.file}`, needles);
      if (scan.sha256 !== o.sha256)
        problems.push(`out/${o.file} is not the file the report describes (SHA-256 differs)`);
      for (const label of scan.found) problems.push(`${label} is in out/${o.file}`);
    } catch (err) {
      problems.push(firstLine(err));
    }
  }
  for (const label of scanReport(req.reportText, needles)) problems.push(`${label} is in out/${req.reportFile}`);
  const files = outputs.length + 1;
  const what = [
    `${meta.strings} tag string${meta.strings === 1 ? "" : "s"}`,
    `${meta.pictures} picture${meta.pictures === 1 ? "" : "s"}`,
    `${notes.length} private note${notes.length === 1 ? "" : "s"}`,
  ].join(", ");
  return checkRow(
    null,
    "*",
    problems,
    `no source metadata or private note (looked for ${what}) in ${files} files; SHA-256 of ${outputs.length} as reported`,
  );
}

function masterRows(
  file: string,
  problem: string | null,
  result: MasterResult,
  frames: number,
  req: VerifyRequest,
): VerificationRow[] {
  const { source, ranges } = req;
  const rows: VerificationRow[] = [];
  const where = (n: number): string => `sample ${n} (${formatTime(n / source.sampleRate)})`;
  if (problem !== null) {
    rows.push({ range: null, file, status: "fail", detail: `cannot be checked: ${problem}` });
    for (const r of ranges) rows.push({ range: r.number, file, status: "fail", detail: "the master cannot be read" });
    return rows;
  }
  const problems: string[] = [];
  if (frames !== source.samples) problems.push(`${frames} samples long; the source has ${source.samples}`);
  if (result.changedOutside > 0) {
    problems.push(
      `${result.changedOutside} sample${result.changedOutside === 1 ? "" : "s"} outside the ranges differ from the source, the first at ${where(result.firstChangedOutside ?? 0)}`,
    );
  }
  rows.push(
    checkRow(
      null,
      file,
      problems,
      `16-bit PCM, ${source.sampleRate} Hz, ${source.channels} channel${source.channels === 1 ? "" : "s"}, ${frames} samples as the source; identical to it outside the ranges`,
    ),
  );
  for (const r of result.ranges) {
    const want = ranges.find((x) => x.number === r.number) as ExpectedRange;
    const ok = r.badSamples === 0 && result.framesCompared >= want.end;
    rows.push({
      range: r.number,
      file,
      status: ok ? "pass" : "fail",
      detail: ok
        ? `the ${want.frequency} Hz tone in every sample (largest error ${r.maxErrorLsb.toFixed(2)} of a 16-bit step)`
        : r.badSamples > 0
          ? `${r.badSamples} sample${r.badSamples === 1 ? "" : "s"} are not the ${want.frequency} Hz tone (more than ${TONE_TOLERANCE_LSB} of a step off; largest ${r.maxErrorLsb.toFixed(1)}), the first at ${where(r.firstBad ?? want.start)}`
          : "the master ends before this range",
    });
  }
  return rows;
}

function lossyRows(st: LossyState, req: VerifyRequest): VerificationRow[] {
  const { file } = st;
  const { source, ranges } = req;
  const rows: VerificationRow[] = [];
  if (st.error || !st.native || !st.analyzer) {
    rows.push({ range: null, file, status: "fail", detail: `cannot be checked: ${st.error ?? "not decoded"}` });
    for (const r of ranges) rows.push({ range: r.number, file, status: "fail", detail: "the file cannot be decoded" });
    return rows;
  }
  const f = st.native.format;
  const webCh = webChannels(source.channels);
  const problems: string[] = [];
  if (st.codec.rates.length > 0 && !st.codec.rates.includes(f.sampleRate)) {
    problems.push(
      `${f.sampleRate} Hz is not a rate every browser plays for this format (${st.codec.rates.join(", ")})`,
    );
  }
  if (f.channels !== webCh) problems.push(`${f.channels} channel(s); expected ${webCh}`);
  const expectedFrames = (source.samples * f.sampleRate) / source.sampleRate;
  const lengthOff = st.nativeFrames - expectedFrames;
  if (Math.abs(lengthOff) > st.codec.frame) {
    problems.push(
      `${st.nativeFrames} samples at ${f.sampleRate} Hz; the master's length is ${Math.round(expectedFrames)} (off by more than one codec frame)`,
    );
  }
  const target = webCh === 2 ? -16 : -19;
  const m = st.meter?.result();
  let loud = "";
  if (m) {
    // The pipeline found nothing to measure in the redacted master (silence, or under 0.4 s).
    const silentSource = req.report.loudness?.measuredLufs === null;
    if (Number.isFinite(m.integratedLufs)) {
      loud = `${m.integratedLufs.toFixed(2)} LUFS (target ${target})`;
      if (Math.abs(m.integratedLufs - target) > LOUDNESS_TOLERANCE_LU) {
        problems.push(
          `loudness ${m.integratedLufs.toFixed(2)} LUFS is not within ${LOUDNESS_TOLERANCE_LU} LU of ${target}`,
        );
      }
    } else if (silentSource) {
      loud = "too quiet or too short to measure loudness, as the recording";
    } else {
      problems.push("no measurable loudness, though the recording has some");
    }
    const tp = m.truePeakDbtp;
    loud += `, true peak ${dB(Number.isFinite(tp) ? tp : Number.NEGATIVE_INFINITY, 2)} dBTP`;
    if (tp > TRUE_PEAK_MAX_DBTP) problems.push(`true peak ${tp.toFixed(2)} dBTP is over ${TRUE_PEAK_MAX_DBTP} dBTP`);
  }
  rows.push(
    checkRow(
      null,
      file,
      problems,
      `${f.sampleRate} Hz, ${f.channels === 1 ? "mono" : "stereo"}, length as the master's; ${loud}`,
    ),
  );
  const results = st.analyzer.finish();
  for (const res of results) {
    const r = ranges.find((x) => x.number === res.number) as ExpectedRange;
    rows.push(lossyRangeRow(file, r, res, st.frame, source.sampleRate));
  }
  return rows;
}

function lossyRangeRow(
  file: string,
  r: ExpectedRange,
  res: LossyRangeResult,
  frame: number,
  rate: number,
): VerificationRow {
  const problems: string[] = [];
  const parts: string[] = [];
  // Timing: each edge within one codec frame of the master's.
  const edges = [
    ["start", res.startLag],
    ["end", res.endLag],
  ] as const;
  const lags: string[] = [];
  for (const [name, lag] of edges) {
    if (!lag) continue;
    lags.push(`${lag.lag >= 0 ? "+" : ""}${lag.lag}`);
    if (Math.abs(lag.lag) > frame) {
      problems.push(
        `the ${name} is ${lag.lag} samples (${((lag.lag / rate) * 1000).toFixed(1)} ms) off the master's, more than one codec frame (${frame})`,
      );
    } else if (lag.correlation < EDGE_MATCH_MIN) {
      problems.push(
        `around the ${name} the file does not match the master (correlation ${lag.correlation.toFixed(2)})`,
      );
    }
  }
  parts.push(lags.length > 0 ? `edges ${lags.join("/")} samples` : "edges at the recording's ends");
  if (res.measuredSamples === 0) {
    const shortest = Math.ceil(((4 * frame) / rate) * 1000 + 20);
    parts.push(`too short to measure inside (under about ${shortest} ms): the master is checked exactly`);
  } else {
    const share = res.toneShare ?? 0;
    parts.push(`${r.frequency} Hz holds ${(share * 100).toFixed(share > 0.9999 ? 4 : 2)}%`);
    if (share < TONE_SHARE_MIN) {
      problems.push(
        `the ${r.frequency} Hz tone holds only ${(share * 100).toFixed(1)}% of the range (at least ${TONE_SHARE_MIN * 100}% expected)`,
      );
    }
    if (res.residualDb === null) {
      parts.push("the original is silent here: nothing to recover");
    } else {
      const corr = res.correlation ?? 0;
      const chance = res.chanceCorrelation ?? 1;
      const part = res.speechPartDb ?? Number.NEGATIVE_INFINITY;
      parts.push(
        `residual ${dB(res.residualDb)} dB re speech (tone notched out), correlation ${corr.toFixed(3)} (chance ${chance.toFixed(3)})`,
      );
      const limit = Math.max(CORRELATION_MAX, CORRELATION_SIGMAS * chance);
      if (Math.abs(corr) > limit) {
        problems.push(
          `what remains after taking out the tone correlates with the original speech (${corr.toFixed(2)}; at most ${limit.toFixed(2)})`,
        );
      } else if (
        res.residualDb > RESIDUAL_MAX_DB &&
        part > RESIDUAL_MAX_DB &&
        Math.abs(corr) > SIGNIFICANT_SIGMAS * chance
      ) {
        problems.push(
          `the original speech is in what remains after taking out the tone at ${dB(part)} dB (at most ${RESIDUAL_MAX_DB} dB; correlation ${corr.toFixed(3)}, over ${SIGNIFICANT_SIGMAS} x chance)`,
        );
      }
    }
  }
  return checkRow(r.number, file, problems, parts.join("; "));
}
