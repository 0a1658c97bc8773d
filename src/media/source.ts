/**
 * How a recording is decoded, and whether its decode can be trusted.
 *
 * Authors take their times from players built on current ffmpeg (5.0 or later), so the decoded
 * source must start at the same sample and have the same length as current ffmpeg's decode
 * (docs/decoding.md). planSource reads what the container states (src/media/container) and picks
 * the decoder: AMR through libopencore where the ffmpeg in use has it (ffmpeg's own AMR decoders
 * drop DTX frames, losing seconds); WMA v1/v2 refused with an ffmpeg older than 5.0, which decodes
 * it 4,096 samples late; Ogg Vorbis cut to its final granule, which ffmpeg 4.x does not do.
 * checkDecode then refuses a decode that printed errors or whose length disagrees with the
 * container's figure by more than a codec frame, unless the user accepts it (--accept-decode-errors).
 */
import { closeSync, fstatSync, readSync } from "node:fs";
import { RedactError } from "../errors.ts";
import { openRegularSync } from "../regular-file.ts";
import { type ByteSource, type ContainerInfo, probeContainer } from "./container/index.ts";
import { ffmpegCapabilities, resolveFfmpeg, type StderrSummary } from "./ffmpeg.ts";

export interface SourcePlan {
  readonly path: string;
  /** recordings/<file> as users see it. */
  readonly display: string;
  /** ffmpeg's arguments up to and including `-i path`: `["-c:a", "libopencore_amrnb", "-i", path]`. */
  readonly inputArgs: readonly string[];
  /** Keep only this many frames of the decode: what follows is padding current ffmpeg trims. */
  readonly keepFrames?: number;
  /** The length the container states (at `sampleRate`), to check the decode against. */
  readonly stated?: { readonly frames: number; readonly what: string; readonly sampleRate?: number };
  /** How far the decode may be from `stated`, in samples: one codec frame (1 for PCM). */
  readonly codecFrame: number;
  /** Decode errors and length disagreements are let through (`--accept-decode-errors`). */
  readonly acceptDecodeErrors: boolean;
  /** What the container is and says. */
  readonly container: ContainerInfo;
  /** Added to a refusal when the ffmpeg in use is the likely cause, saying what to do. */
  readonly hint?: string;
}

export interface SourceOptions {
  readonly acceptDecodeErrors: boolean;
}

/** Reads of a regular file at offsets: only what the parser asks for. */
function withFile<T>(path: string, use: (src: ByteSource) => T): T {
  const fd = openRegularSync(path);
  try {
    const size = fstatSync(fd).size;
    return use({
      size,
      readAt(offset, length) {
        const n = Math.max(0, Math.min(length, size - offset));
        const b = Buffer.allocUnsafe(n);
        let got = 0;
        while (got < n) {
          const r = readSync(fd, b, got, n - got, offset + got);
          if (r === 0) break;
          got += r;
        }
        return b.subarray(0, got);
      },
    });
  } finally {
    closeSync(fd);
  }
}

/** What the container says; a file the parsers cannot make sense of is "unknown", never a crash. */
export function readContainer(path: string, display: string): ContainerInfo {
  try {
    return withFile(path, probeContainer);
  } catch (err) {
    if (err instanceof RangeError) return { container: "unknown" };
    throw new RedactError("E_RECORDING", 1, `${display} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** The first libavcodec whose WMA v1/v2 decoder agrees with current players (ffmpeg 5.0). */
const WMA_FIXED_IN = 59;

export function planSource(path: string, display: string, opts: SourceOptions): SourcePlan {
  const container = readContainer(path, display);
  const plain = ["-i", path];
  const base = { path, display, acceptDecodeErrors: opts.acceptDecodeErrors, container };
  if (container.container === "unknown") return { ...base, inputArgs: plain, codecFrame: 1 };
  const stated =
    container.statedFrames === undefined
      ? {}
      : {
          stated: {
            frames: container.statedFrames,
            what: container.statedWhat,
            ...(container.sampleRate ? { sampleRate: container.sampleRate } : {}),
          },
        };
  const plan = { ...base, ...stated, inputArgs: plain, codecFrame: container.codecFrame };
  const { codec } = container;
  if (codec === "amr_nb" || codec === "amr_wb") {
    const decoder = codec === "amr_nb" ? "libopencore_amrnb" : "libopencore_amrwb";
    if (ffmpegCapabilities().decoders.has(decoder)) return { ...plan, inputArgs: ["-c:a", decoder, "-i", path] };
    return {
      ...plan,
      hint: `This ffmpeg has no ${decoder} decoder, and its own AMR decoder drops the DTX (comfort noise) frames phone recorders write: unset FFMPEG_PATH to use the ffmpeg installed by npm, which has it.`,
    };
  }
  if (codec === "wmav1" || codec === "wmav2") {
    const major = ffmpegCapabilities().libavcodecMajor;
    if (major !== undefined && major < WMA_FIXED_IN) {
      throw new RedactError(
        "E_DECODE",
        1,
        `${display}: this ffmpeg (${resolveFfmpeg().path}, libavcodec ${major}, i.e. ffmpeg 4.x or older) decodes WMA (${codec}) 4,096 samples later than ffmpeg 5.0 and later, which Audacity, VLC and browsers use, and drops its last 2,048 samples: every range would be off by 93 ms at 44.1 kHz. ` +
          "Point FFMPEG_PATH at ffmpeg 5 or later: on Debian or Ubuntu `sudo apt-get install ffmpeg`, then run with FFMPEG_PATH=/usr/bin/ffmpeg (or convert the recording to FLAC with that ffmpeg).",
      );
    }
  }
  // Current ffmpeg trims a Vorbis stream's end padding to the last page's granule; 4.x keeps it.
  if (codec === "vorbis" && container.ogg?.endOfStream && container.statedFrames !== undefined) {
    return { ...plan, keepFrames: container.statedFrames };
  }
  return plan;
}

/** The length of a decode, before any keepFrames cut, at the rate it came out. */
export interface DecodedLength {
  readonly frames: number;
  readonly sampleRate: number;
}

const count = (n: number, what: string): string => `${n.toLocaleString("en-GB")} ${what}${n === 1 ? "" : "s"}`;

/**
 * After a decode that exited 0 (or was stopped early: `decoded` undefined, no length check): any
 * stderr output at `-loglevel error` is a decoder error, and a length more than one codec frame from
 * what the container states is a disagreement. Either throws E_DECODE, unless the plan accepts them.
 */
export function checkDecode(plan: SourcePlan, decoded: DecodedLength | undefined, stderr: StderrSummary): void {
  if (plan.acceptDecodeErrors) return;
  const problems: string[] = [];
  if (stderr.lines > 0) {
    problems.push(
      `the decoder reported ${count(stderr.lines, "error line")}${stderr.first ? ` (the first: "${stderr.first}")` : ""}`,
    );
  }
  const stated = plan.stated;
  if (decoded && stated) {
    // A container that counts at another rate than the decoder gives (HE-AAC's core rate) is compared in time.
    const scale =
      stated.sampleRate && stated.sampleRate !== decoded.sampleRate ? decoded.sampleRate / stated.sampleRate : 1;
    const expected = Math.round(stated.frames * scale);
    const tolerance = Math.ceil(plan.codecFrame * scale) + (scale === 1 ? 0 : 1);
    if (Math.abs(decoded.frames - expected) > tolerance) {
      problems.push(
        `the decoder gave ${decoded.frames} samples; ${stated.what} states ${expected} (more than one codec frame apart)`,
      );
    }
  }
  if (problems.length === 0) return;
  throw new RedactError(
    "E_DECODE",
    1,
    `${plan.display}: ${problems.join(", and ")}, so the decoded audio cannot be trusted to be what players play and nothing was written. ` +
      `${plan.hint ? `${plan.hint} ` : ""}If you have listened to it and want it as it decodes, run again with --accept-decode-errors.`,
  );
}
