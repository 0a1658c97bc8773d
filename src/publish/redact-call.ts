/**
 * One call, end to end:
 *   prepare  read and validate the manifest, find the recording (nothing decoded yet)
 *   inspect  decode once to learn the format and the exact length; plan and check every range
 *   publish  decode again, redact, write the master and measure loudness in the same pass;
 *            then encode the web MP3 from the master with one gain; write the report;
 *            move all outputs into place together.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { LoudnessMeter } from "../dsp/loudness.ts";
import { redactChunk } from "../dsp/redact.ts";
import { webChannelCount, webMix } from "../dsp/webmix.ts";
import { RedactError } from "../errors.ts";
import { MAX_MANIFEST_BYTES, parseManifest } from "../manifest/parse.ts";
import type { Manifest } from "../manifest/types.ts";
import { openDecoder } from "../media/decode.ts";
import { sha256File } from "../media/hash.ts";
import { mp3LevelChangeDb, startMp3Encoder } from "../media/mp3.ts";
import { planarToS16 } from "../media/pcm.ts";
import { type PcmFormat, WavFileWriter } from "../media/wav.ts";
import { buildPlan, fitPlan, type Plan } from "../plan/plan.ts";
import { sampleIndex } from "../units.ts";
import { TOOL } from "../version.ts";
import { OutputSet } from "./atomic.ts";
import { display, findManifest, findRecording, type Layout } from "./layout.ts";
import { noProgress, type ProgressListener } from "./progress.ts";
import { buildReport, type Report, serialiseReport } from "./report.ts";
import { settleGain, type WebSignal, webChunks } from "./web-audio.ts";

export interface PreparedCall {
  readonly call: string;
  readonly manifest: Manifest;
  readonly recordingPath: string;
  /** recordings/<file> as users see it. */
  readonly recordingDisplay: string;
}

export interface InspectedCall extends PreparedCall {
  readonly format: PcmFormat;
  readonly samples: number;
  readonly sourceSha256: string;
  /** Fitted to the recording: every range inside it, padding clipped. */
  readonly plan: Plan;
}

export function prepareCall(layout: Layout, call: string): PreparedCall {
  const manifestPath = findManifest(layout, call);
  const file = display(layout, manifestPath);
  let text: string;
  try {
    const buf = readFileSync(manifestPath);
    text = buf.subarray(0, MAX_MANIFEST_BYTES + 1).toString("utf8");
  } catch (err) {
    throw new RedactError("E_IO", 1, `${file}: cannot read the manifest: ${(err as Error).message}`, { cause: err });
  }
  const manifest = parseManifest(text, { file, call });
  const recordingPath = findRecording(layout, manifest);
  return { call, manifest, recordingPath, recordingDisplay: display(layout, recordingPath) };
}

export async function inspectCall(
  prepared: PreparedCall,
  progress: ProgressListener = noProgress,
): Promise<InspectedCall> {
  progress({ call: prepared.call, stage: "reading" });
  const hashing = sha256File(prepared.recordingPath, prepared.recordingDisplay);
  hashing.catch(() => {});
  const decoder = await openDecoder(prepared.recordingPath, prepared.recordingDisplay);
  let plan: Plan;
  try {
    plan = buildPlan(prepared.manifest, decoder.format.sampleRate);
  } catch (err) {
    decoder.cancel();
    throw err;
  }
  const samples = await decoder.countFrames();
  if (samples === 0) {
    throw new RedactError("E_DECODE", 1, `${prepared.recordingDisplay}: the recording has no audio samples`);
  }
  const fitted = fitPlan(plan, prepared.manifest, samples);
  return { ...prepared, format: decoder.format, samples, sourceSha256: await hashing, plan: fitted };
}

/** Turn an unexpected error from the file system into a typed one. */
function asIoError(err: unknown, what: string): unknown {
  if (err instanceof RedactError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string") {
    return new RedactError("E_IO", 1, `${what}: ${(err as Error).message}`, { cause: err });
  }
  return err;
}

export async function publishCall(
  layout: Layout,
  call: InspectedCall,
  progress: ProgressListener = noProgress,
): Promise<Report> {
  const { format, samples, plan, manifest } = call;
  const rate = format.sampleRate;
  const outputs = new OutputSet(layout.outDir);
  const outName = (ext: string): string => `${call.call}.${ext}`;
  try {
    // Pass 1: decode, redact, write the master, measure the web mix.
    const wavTmp = outputs.temp(outName("wav"));
    const writer = await WavFileWriter.create(wavTmp, format);
    const webChannels = webChannelCount(format.channels);
    const meter = new LoudnessMeter(rate, webChannels);
    const decoder = await openDecoder(call.recordingPath, call.recordingDisplay);
    let decoded = 0;
    try {
      if (decoder.format.sampleRate !== rate || decoder.format.channels !== format.channels) {
        throw new RedactError("E_DECODE", 1, `${call.recordingDisplay} changed while it was being read`);
      }
      for await (const { offset, planar } of decoder.chunks()) {
        redactChunk(planar, sampleIndex(offset), plan.ranges, rate);
        await writer.write(planarToS16(planar));
        meter.push(webMix(planar));
        decoded = offset + (planar[0]?.length ?? 0);
        progress({ call: call.call, stage: "redacting", fraction: decoded / samples });
      }
      if (decoded !== samples) {
        throw new RedactError(
          "E_DECODE",
          1,
          `${call.recordingDisplay} changed while it was being read (length differs)`,
        );
      }
      await writer.close();
    } catch (err) {
      decoder.cancel();
      await writer.abort();
      throw err;
    }

    // Pass 2: the web MP3 from the master, with one linear gain (and a limiter only if needed).
    const measured = meter.result();
    const web: WebSignal = {
      masterPath: wavTmp,
      masterDisplay: `out/${outName("wav")}`,
      sampleRate: rate,
      webChannels,
    };
    const codecDb = await mp3LevelChangeDb({ sampleRate: rate, channels: webChannels });
    const norm = await settleGain(web, measured, codecDb);
    const mp3Tmp = outputs.temp(outName("mp3"));
    const encoder = startMp3Encoder({
      input: { sampleRate: rate, channels: webChannels },
      path: mp3Tmp,
      title: manifest.title ?? call.call,
      summary: `encoding out/${outName("mp3")}`,
    });
    try {
      const onFrames = (done: number): void =>
        progress({ call: call.call, stage: "encoding", fraction: done / samples });
      for await (const chunk of webChunks(
        web,
        norm.gain,
        norm.limiter ? norm.limiterCeilingDbtp : undefined,
        onFrames,
      )) {
        await encoder.write(chunk);
      }
      await encoder.finish();
    } catch (err) {
      encoder.abort();
      throw err;
    }

    const [wavSha, mp3Sha] = await Promise.all([
      sha256File(wavTmp, `out/${outName("wav")}`),
      sha256File(mp3Tmp, `out/${outName("mp3")}`),
    ]);
    const report = buildReport({
      sourceFile: relative(layout.recordingsDir, call.recordingPath).split("\\").join("/"),
      sourceSha256: call.sourceSha256,
      format,
      samples,
      title: manifest.title ?? call.call,
      plan,
      tone: {
        levelDb: manifest.tone.levelDb,
        rampMs: manifest.tone.rampMs,
        padMs: (Number(manifest.pad.num) / Number(manifest.pad.den)) * 1000,
      },
      measured,
      normalisation: norm,
      encoderLevelDb: codecDb,
      outputs: {
        wav: { file: outName("wav"), sha256: wavSha },
        mp3: { file: outName("mp3"), sha256: mp3Sha },
      },
      tool: TOOL,
    });
    writeFileSync(outputs.temp(outName("json")), serialiseReport(report));
    outputs.commit();
    progress({ call: call.call, stage: "done", fraction: 1 });
    return report;
  } catch (err) {
    outputs.discard();
    throw asIoError(err, `writing out/${call.call}.*`);
  }
}
