/**
 * `--preview call4 3`: one merged range with two seconds of context either side, redacted exactly
 * as the master will be, written to out/preview/call4-3.wav, so the person can listen to one tone
 * without redacting the whole call.
 *
 * The recording is decoded by the same decoder as a full run, from its start, and decoding stops
 * at the end of the window: the samples are the master's own, to the sample (ffmpeg's input
 * seeking `-ss` is not sample-exact for compressed formats such as MP3, so it is not used).
 * Decoding is the cheap step (about 4 s for an hour of MP3); only the window is redacted and
 * written. Every range that reaches into the window is redacted, so the preview sounds like the
 * published call there. Memory stays flat: one chunk at a time.
 */
import { join } from "node:path";
import { redactChunk } from "../dsp/redact.ts";
import { ManifestError, RedactError } from "../errors.ts";
import { formatTime } from "../manifest/time.ts";
import { openDecoder } from "../media/decode.ts";
import { planarToS16 } from "../media/pcm.ts";
import { WavFileWriter } from "../media/wav.ts";
import { buildPlan, fitPlan, type PlannedRange } from "../plan/plan.ts";
import { OutputSet } from "../project/atomic.ts";
import { display, type Layout } from "../project/layout.ts";
import { sampleIndex } from "../units.ts";
import type { PreparedCall } from "./redact-call.ts";

/** Seconds of the recording kept before and after the range. */
export const PREVIEW_CONTEXT_SECONDS = 2;

export interface PreviewResult {
  /** out/preview/call4-3.wav */
  readonly file: string;
  readonly range: PlannedRange;
  readonly sampleRate: number;
  /** The window written, in samples of the recording: [start, end). */
  readonly start: number;
  readonly end: number;
}

export async function renderPreview(layout: Layout, call: PreparedCall, number: number): Promise<PreviewResult> {
  const decoder = await openDecoder(call.source);
  const { format } = decoder;
  const rate = format.sampleRate;
  let plan: ReturnType<typeof buildPlan>;
  try {
    plan = buildPlan(call.manifest, rate);
  } catch (err) {
    decoder.cancel();
    throw err;
  }
  const range = plan.ranges[number - 1];
  if (!range) {
    decoder.cancel();
    const n = plan.ranges.length;
    throw new RedactError(
      "E_USAGE",
      2,
      n === 0
        ? `${call.manifest.file} has no ranges to preview`
        : `${call.call} has ${n} merged range${n === 1 ? "" : "s"}: preview one of 1 to ${n} (npm run redact -- --check ${call.call} lists them)`,
    );
  }
  const context = PREVIEW_CONTEXT_SECONDS * rate;
  const start = Math.max(0, range.start - context);
  const wantedEnd = range.end + context;

  const dir = join(layout.privateDir, "previews");
  const name = `${call.call}-${number}.wav`;
  const shown = display(layout, `${dir}/${name}`);
  const outputs = new OutputSet(dir);
  try {
    const tmp = outputs.temp(name);
    const writer = await WavFileWriter.create(tmp, format);
    let decoded = 0;
    let ended = true;
    try {
      for await (const { offset, planar } of decoder.chunks()) {
        const length = planar[0]?.length ?? 0;
        decoded = offset + length;
        if (decoded <= start) continue;
        const from = Math.max(start, offset) - offset;
        const to = Math.min(wantedEnd, decoded) - offset;
        const part = planar.map((ch) => ch.subarray(from, to));
        redactChunk(part, sampleIndex(offset + from), plan.ranges, rate);
        await writer.write(planarToS16(part));
        if (decoded >= wantedEnd) {
          ended = false;
          break; // the rest of the recording is not needed (the decoder is stopped)
        }
      }
      if (ended) {
        // The recording ended inside the window: its length is known, so every range is checked
        // against it as in a full run (a range past the end is an error, never shortened).
        fitPlan(plan, call.manifest, decoded);
      }
      await (await writer.close()).durable;
    } catch (err) {
      decoder.cancel();
      await writer.abort();
      throw err;
    }
    outputs.commit();
    return { file: shown, range, sampleRate: rate, start, end: Math.min(wantedEnd, decoded) };
  } catch (err) {
    outputs.discard();
    if (err instanceof RedactError || err instanceof ManifestError) throw err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === "string") {
      throw new RedactError("E_IO", 1, `writing ${shown}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

/** One line saying what was written. */
export function previewSummary(p: PreviewResult): string {
  const t = (n: number): string => formatTime(n / p.sampleRate);
  const r = p.range;
  const entries = r.entries.map((e) => e.number).join(", ");
  return `${p.file}: range ${r.number} (${r.category}, ${t(r.start)}-${t(r.end)}, entr${r.entries.length === 1 ? "y" : "ies"} ${entries}) with context ${t(p.start)}-${t(p.end)}, ${p.end - p.start} samples at ${p.sampleRate} Hz`;
}
