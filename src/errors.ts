/**
 * Typed errors with stable codes. Every failure a user can cause is one of
 * these; the CLI prints `error.message` (never a stack) and exits with
 * `error.exitCode`. Only the CLI entry calls process.exit.
 */

/** 2: usage error or invalid manifest; 1: any other failure. */
export type ExitCode = 1 | 2;

export type ErrorCode =
  | "E_USAGE" // bad command line
  | "E_CALL_NAME" // call name not a plain name
  | "E_NO_MANIFEST" // redactions/<call>.yaml missing
  | "E_MANIFEST" // invalid manifest (one or more located issues)
  | "E_PLAN" // manifest valid but does not fit the recording (past the end, overlap, ...)
  | "E_RECORDING" // recording missing, ambiguous or unreadable
  | "E_DECODE" // ffmpeg could not decode the recording
  | "E_FFMPEG" // ffmpeg missing or failed
  | "E_IO" // disk error
  | "E_BUSY" // another run holds the call's lock (and this one was told not to wait)
  | "E_CHANGED" // a file changed on disk since it was read to be edited (the studio will not overwrite it)
  | "E_VERIFY" // a published file failed verification (src/verify)
  | "E_LABELS" // an Audacity label file that cannot be read (located issues)
  | "E_TRANSCRIPT" // a transcript that cannot be read or has no word timings (located issues)
  | "E_INTERRUPTED"; // SIGINT/SIGTERM

export class RedactError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RedactError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

export class UsageError extends RedactError {
  constructor(message: string, code: ErrorCode = "E_USAGE") {
    super(code, 2, message);
    this.name = "UsageError";
  }
}

/** A place in a manifest file: 1-based line and column. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export const formatPos = (p: SourcePos): string => `${p.file}:${p.line}:${p.col}`;

/** One located problem in a manifest: `file:line:col: field: what is wrong; what is right`. */
export interface ManifestIssue {
  readonly pos: SourcePos;
  /** The field at fault, as a path: `redactions[2].end`, `tone.level`, `(document)`. */
  readonly field: string;
  /** What is wrong and what would be right, in one sentence or two. */
  readonly message: string;
}

export const formatIssue = (i: ManifestIssue): string => `${formatPos(i.pos)}: ${i.field}: ${i.message}`;

/** An invalid manifest, or one that does not fit its recording. Carries every issue found. */
export class ManifestError extends RedactError {
  readonly issues: readonly ManifestIssue[];
  constructor(issues: readonly ManifestIssue[], code: ErrorCode = "E_MANIFEST") {
    super(code, 2, issues.map(formatIssue).join("\n"));
    this.name = "ManifestError";
    this.issues = issues;
  }
}

/** The ffmpeg process failed: carries the command, exit code, signal and the tail of stderr. */
export class FfmpegError extends RedactError {
  readonly command: readonly string[];
  readonly exitStatus: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  constructor(
    summary: string,
    details: {
      command: readonly string[];
      exitStatus: number | null;
      signal: NodeJS.Signals | null;
      stderrTail: string;
    },
    code: ErrorCode = "E_FFMPEG",
  ) {
    const how = details.signal ? `killed by ${details.signal}` : `exit code ${details.exitStatus}`;
    const tail = details.stderrTail.trim();
    super(code, 1, `${summary} (ffmpeg ${how})${tail ? `\nffmpeg said:\n${indent(tail)}` : ""}`);
    this.name = "FfmpegError";
    this.command = details.command;
    this.exitStatus = details.exitStatus;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
  }
}

const indent = (s: string): string =>
  s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
