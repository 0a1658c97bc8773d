/**
 * "Play it with its tone": a stretch of the decoded recording around a range, redacted by the pipeline's own
 * DSP (dsp/redact.ts redactChunk) with the plan of the manifest as it would be saved, exactly as
 * `npm run redact -- --preview` renders one (publish/preview.ts): every range reaching into the stretch is
 * toned, and the samples are the master's. Read from the studio's cached decode, so nothing is decoded again.
 */
import { redactChunk } from "../dsp/redact.ts";
import { openWavFileRange } from "../media/decode.ts";
import { planarToS16 } from "../media/pcm.ts";
import { wavHeader } from "../media/wav.ts";
import type { Plan } from "../plan/plan.ts";
import { PREVIEW_CONTEXT_SECONDS } from "../publish/preview.ts";
import { sampleIndex } from "../units.ts";
import type { DecodedAudio } from "./decode-cache.ts";

/** The longest stretch rendered, in seconds (a range plus its context): a preview is for listening to one tone. */
export const MAX_PREVIEW_SECONDS = 120;

export interface TonePreview {
  /** A 16-bit WAV file, at the recording's rate and channels. */
  readonly wav: Buffer;
  /** The stretch, in samples of the recording: [start, end). */
  readonly start: number;
  readonly end: number;
}

export async function renderTonePreview(
  audio: DecodedAudio,
  plan: Plan,
  range: { readonly start: number; readonly end: number },
): Promise<TonePreview> {
  const { sampleRate: rate, channels, frames } = audio.meta;
  const context = PREVIEW_CONTEXT_SECONDS * rate;
  const start = Math.max(0, Math.min(range.start, frames) - context);
  const end = Math.min(frames, Math.min(range.end, start + MAX_PREVIEW_SECONDS * rate) + context);
  const stream = openWavFileRange(audio.wavPath, "the studio's decode", start, end);
  const parts: Buffer[] = [];
  for await (const { offset, planar } of stream.chunks()) {
    redactChunk(planar, sampleIndex(start + offset), plan.ranges, rate);
    parts.push(planarToS16(planar));
  }
  const data = Buffer.concat(parts);
  return { wav: Buffer.concat([wavHeader({ sampleRate: rate, channels }, data.length), data]), start, end };
}
