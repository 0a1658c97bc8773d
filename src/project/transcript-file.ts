/**
 * A call's transcript, found and read the one way the pipeline, verification, `--check` and `suggest` all
 * use: `transcript:` in the manifest or the one transcripts/<call>.<ext> file (layout.ts findTranscript),
 * read as a regular file and parsed by src/suggest/transcript.ts. A transcript that cannot be read as one
 * is a located error (exit 2), found before anything is decoded, like a manifest's.
 */
import { createHash } from "node:crypto";
import { RedactError } from "../errors.ts";
import type { Manifest } from "../manifest/types.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { parseTranscript, type Transcript } from "../suggest/transcript.ts";
import { findTranscript, type Layout } from "./layout.ts";
import { whyUnreadable } from "./manifest-file.ts";

/** Larger than any transcript of a call (WhisperX's JSON of two hours is about 5 MB). */
export const MAX_TRANSCRIPT_BYTES = 64 << 20;

export interface LoadedTranscript {
  /** `transcripts/call4.srt`, as users see it. */
  readonly display: string;
  readonly path: string;
  /** The SHA-256 of its bytes (kept in the private record: a changed transcript republishes the call). */
  readonly sha256: string;
  readonly transcript: Transcript;
}

/** The call's transcript, read and parsed; undefined when the call has none. */
export function loadTranscript(
  layout: Layout,
  manifest: Pick<Manifest, "call" | "file" | "transcript">,
): LoadedTranscript | undefined {
  const found = findTranscript(layout, manifest);
  if (!found) return undefined;
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(found.path, MAX_TRANSCRIPT_BYTES + 1);
  } catch (err) {
    throw new RedactError("E_IO", 1, `${found.display}: cannot read the transcript: ${whyUnreadable(err)}`, {
      cause: err,
    });
  }
  if (bytes.length > MAX_TRANSCRIPT_BYTES) {
    throw new RedactError(
      "E_TRANSCRIPT",
      2,
      `${found.display}: the transcript is larger than ${MAX_TRANSCRIPT_BYTES >> 20} MiB; is it a transcript?`,
    );
  }
  return {
    display: found.display,
    path: found.path,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    transcript: parseTranscript(bytes.toString("utf8"), found.display),
  };
}
