/**
 * The transcript's part of publishing a call: the repeated-word check (an error under `--strict`), and
 * out/<call>.vtt with the page's transcript panel. Called by redact-call.ts; writes only the call's
 * temporary VTT file (renamed into place with the call's other outputs).
 */
import { writeFileSync } from "node:fs";
import { formatIssue, ManifestError, RedactError } from "../../errors.ts";
import { exactToNumber, formatTime } from "../../manifest/time.ts";
import type { Manifest } from "../../manifest/types.ts";
import { sha256File } from "../../media/hash.ts";
import type { Plan } from "../../plan/plan.ts";
import type { OutputSet } from "../../project/atomic.ts";
import type { OutputRecord } from "../../project/report.ts";
import type { LoadedTranscript } from "../../project/transcript-file.ts";
import { entrySpans, markWords } from "../../transcript/marks.ts";
import { callRepeats, type RepeatWarning } from "../../transcript/repeats.ts";
import type { PageTranscript } from "../page/transcript-panel.ts";
import { buildCaptions, WordPastEnd } from "./captions.ts";
import { renderVtt } from "./vtt.ts";

/** The repeats as the run prints them: `warning: redactions/call4.yaml:9:5: redactions[1]: ...`. */
export const formatRepeat = (w: RepeatWarning): string => `warning: ${formatIssue(w)}`;

/**
 * The words a call redacts that its transcript says again elsewhere, at the recording's rate. With
 * `strict` (`redact --strict`) any of them is an error (exit 2), thrown before the audio is redacted.
 */
export function checkRepeats(
  call: { readonly manifest: Manifest; readonly transcript?: LoadedTranscript },
  sampleRate: number,
  strict: boolean,
): RepeatWarning[] {
  if (!call.transcript) return [];
  const warnings = callRepeats(call.manifest, call.transcript, sampleRate);
  if (strict && warnings.length > 0) {
    throw new ManifestError(
      warnings.map((w) => ({ ...w, message: `${w.message} (an error under --strict)` })),
      "E_TRANSCRIPT",
    );
  }
  return warnings;
}

export interface CaptionsArgs {
  readonly call: string;
  readonly manifest: Manifest;
  readonly transcript?: LoadedTranscript;
  /** Fitted to the recording. */
  readonly plan: Plan;
  readonly samples: number;
  readonly outputs: OutputSet;
}

export interface CaptionsWritten {
  /** For the report's outputs (`vtt`); none when the call has no transcript. */
  readonly record?: OutputRecord;
  /** For the call's page. */
  readonly page?: PageTranscript;
}

/**
 * Write out/<call>.vtt (to a temporary file of `outputs`) from the transcript and the fitted plan; without a
 * transcript, a VTT left by an earlier run is retired. A word past the recording's end is an error (exit 2):
 * the transcript is not this recording's.
 */
export async function writeCaptions(a: CaptionsArgs): Promise<CaptionsWritten> {
  const file = `${a.call}.vtt`;
  if (!a.transcript) {
    a.outputs.retire(file);
    return {};
  }
  const rate = a.plan.sampleRate;
  const words = a.transcript.transcript.words;
  let cues: ReturnType<typeof buildCaptions>;
  try {
    cues = buildCaptions({
      marked: markWords(words, entrySpans(a.manifest, rate), rate),
      ranges: a.plan.ranges,
      categories: a.manifest.categories,
      sampleRate: rate,
      samples: a.samples,
    });
  } catch (err) {
    if (!(err instanceof WordPastEnd)) throw err;
    const w = err.word.word;
    throw new RedactError(
      "E_TRANSCRIPT",
      2,
      `${a.transcript.display}: the word at ${w.where} starts at ${formatTime(exactToNumber(w.start))}, past the end of the recording (${formatTime(a.samples / rate)}); is this the call's transcript? (name another with transcript: in ${a.manifest.file})`,
    );
  }
  const path = a.outputs.temp(file);
  writeFileSync(path, renderVtt(cues));
  const language = a.transcript.transcript.language;
  return {
    record: { file, sha256: await sha256File(path, `out/${file}`) },
    page: { file, cues, ...(language === undefined ? {} : { language }) },
  };
}
