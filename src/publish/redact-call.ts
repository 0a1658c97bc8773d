/**
 * One call, end to end:
 *   prepare  read and validate the manifest, find the recording (nothing decoded yet)
 *   redact   decode once: redact, write the master and measure loudness in that pass, fitting the
 *            plan to the length at its end (makeMaster); then encode the web formats from the master
 *            (web-publish.ts: one pass, the encoders in parallel, one gain each, the waveform's peaks
 *            taken on the way) while the master is checked against the source; write the call's page
 *            and the report; verify; move all outputs into place together.
 *   inspect  (--check and `npm run verify`) decode only to learn the format and the exact length,
 *            and fit the plan to it.
 */
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { LoudnessMeter } from "../dsp/loudness.ts";
import { redactChunk } from "../dsp/redact.ts";
import { webChannelCount, webMix } from "../dsp/webmix.ts";
import { RedactError } from "../errors.ts";
import type { WebFormat } from "../manifest/formats.ts";
import { parseManifest } from "../manifest/parse.ts";
import { DEFAULT_SITE, type SiteSettings } from "../manifest/site.ts";
import type { Manifest } from "../manifest/types.ts";
import { countRecording, type DecodedChunk, openDecoder, type PcmStream } from "../media/decode.ts";
import { sha256File } from "../media/hash.ts";
import { patchRanges } from "../media/pcm.ts";
import { planSource, type SourceOptions, type SourcePlan } from "../media/source.ts";
import { type PcmFormat, WavFileWriter } from "../media/wav.ts";
import { buildPlan, fitPlan, type Plan } from "../plan/plan.ts";
import { OutputSet } from "../project/atomic.ts";
import { display, findManifest, findRecording, type Layout } from "../project/layout.ts";
import { readSettingsBytes, settingsText } from "../project/manifest-file.ts";
import { sampleIndex } from "../units.ts";
import { pathIn, verifyBeforePublishing } from "../verify/before-publish.ts";
import { verifyCallMaster } from "../verify/call.ts";
import type { MasterVerification } from "../verify/verify-call.ts";
import { TOOL } from "../version.ts";
import { settingsDigest, sha256Hex, toolId } from "./fingerprint.ts";
import { noProgress, type ProgressListener } from "./progress.ts";
import { buildReport, type Report, serialiseReport } from "./report.ts";
import type { WebSignal } from "./web-audio.ts";
import { codecLevels } from "./web-encode.ts";
import { chooseFormats, publishWeb } from "./web-publish.ts";

export interface PreparedCall {
  readonly call: string;
  readonly manifest: Manifest;
  readonly recordingPath: string;
  /** recordings/<file> as users see it. */
  readonly recordingDisplay: string;
  /** How the recording is decoded and checked (media/source.ts). */
  readonly source: SourcePlan;
  /** SHA-256 of the manifest's bytes, as read and parsed (recorded in the report's `inputs`). */
  readonly manifestSha256: string;
}

export interface InspectedCall extends PreparedCall {
  readonly format: PcmFormat;
  readonly samples: number;
  readonly sourceSha256: string;
  /** Fitted to the recording: every range inside it, padding clipped. */
  readonly plan: Plan;
}

export function prepareCall(
  layout: Layout,
  call: string,
  options: SourceOptions = { acceptDecodeErrors: false },
): PreparedCall {
  const manifestPath = findManifest(layout, call);
  const file = display(layout, manifestPath);
  const bytes = readSettingsBytes(manifestPath, file, "the manifest");
  const manifestSha256 = sha256Hex(bytes);
  const text = settingsText(bytes);
  const manifest = parseManifest(text, { file, call });
  const recordingPath = findRecording(layout, manifest);
  const recordingDisplay = display(layout, recordingPath);
  const source = planSource(recordingPath, recordingDisplay, options);
  return { call, manifest, recordingPath, recordingDisplay, source, manifestSha256 };
}

export async function inspectCall(
  prepared: PreparedCall,
  progress: ProgressListener = noProgress,
): Promise<InspectedCall> {
  progress({ call: prepared.call, stage: "reading" });
  const hashing = sha256File(prepared.recordingPath, prepared.recordingDisplay);
  hashing.catch(() => {});
  const counting = await countRecording(prepared.source);
  let plan: Plan;
  try {
    plan = buildPlan(prepared.manifest, counting.format.sampleRate);
  } catch (err) {
    counting.cancel();
    throw err;
  }
  const samples = await counting.frames;
  if (samples === 0) {
    throw new RedactError("E_DECODE", 1, `${prepared.recordingDisplay}: the recording has no audio samples`);
  }
  const fitted = fitPlan(plan, prepared.manifest, samples);
  return { ...prepared, format: counting.format, samples, sourceSha256: await hashing, plan: fitted };
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

export interface PublishOptions {
  /** Fingerprint of the run's output settings for the report's `inputs` (fingerprint.ts); default: no options. */
  readonly settingsSha256?: string;
  /** The site settings (redactions/site.yaml): tags, default formats, the pages' site title. Default: none. */
  readonly site?: SiteSettings;
  /** `--formats`: overrides the manifest's and the site's formats. */
  readonly formats?: readonly WebFormat[];
  /** Verify the outputs before they are published (src/verify); default true, `--no-verify` turns it off. */
  readonly verify?: boolean;
}

/**
 * Pass 1, the one decode: redact, write the master, measure the web mix. The recording's exact length is
 * only known at its end, and the plan is fitted to it there (a range padded past the end is clipped,
 * which moves its last fade, or for a range shorter than two fades changes all of it). So the last
 * frames, two fades of the longest range, wait until the end is known and are redacted with the fitted
 * plan; every frame before them is the same under either plan and is redacted as it comes. A range past
 * the end fails here (exit 2), before anything is published.
 */
async function makeMaster(
  call: PreparedCall,
  decoder: PcmStream,
  plan: Plan,
  writer: WavFileWriter,
  meter: LoudnessMeter,
  progress: ProgressListener,
): Promise<{ samples: number; plan: Plan }> {
  const rate = decoder.format.sampleRate;
  const hold = Math.max(0, ...plan.ranges.map((r) => 2 * Math.ceil(r.rampSamples) + 1));
  const process = async (chunk: DecodedChunk, ranges: Plan["ranges"]): Promise<void> => {
    const { offset, planar, interleaved } = chunk;
    redactChunk(planar, sampleIndex(offset), ranges, rate);
    // The decoded bytes with only the redacted samples converted: the same bytes as planarToS16(planar).
    await writer.write(patchRanges(interleaved, planar, offset, ranges));
    meter.push(webMix(planar));
  };
  const held: DecodedChunk[] = [];
  let decoded = 0;
  for await (const chunk of decoder.chunks()) {
    held.push(chunk);
    decoded = chunk.offset + (chunk.planar[0]?.length ?? 0);
    for (
      let first = held[0];
      first && decoded - (first.offset + (first.planar[0]?.length ?? 0)) >= hold;
      first = held[0]
    ) {
      held.shift();
      await process(first, plan.ranges);
    }
    progress({ call: call.call, stage: "redacting" });
  }
  if (decoded === 0) {
    throw new RedactError("E_DECODE", 1, `${call.recordingDisplay}: the recording has no audio samples`);
  }
  const fitted = fitPlan(plan, call.manifest, decoded);
  for (const chunk of held) await process(chunk, fitted.ranges);
  return { samples: decoded, plan: fitted };
}

/** Redact one call and publish it: pass 1 (makeMaster), the web files and page, verification, renames. */
export async function redactCall(
  layout: Layout,
  prepared: PreparedCall,
  progress: ProgressListener = noProgress,
  options: PublishOptions = {},
): Promise<Report> {
  const { manifest } = prepared;
  const outputs = new OutputSet(layout.outDir);
  const outName = (ext: string): string => `${prepared.call}.${ext}`;
  let masterVerified: Promise<MasterVerification> | undefined;
  try {
    progress({ call: prepared.call, stage: "reading" });
    const hashing = sha256File(prepared.recordingPath, prepared.recordingDisplay);
    hashing.catch(() => {}); // awaited below
    const decoder = await openDecoder(prepared.source);
    const format = decoder.format;
    const rate = format.sampleRate;
    const webChannels = webChannelCount(format.channels);
    const meter = new LoudnessMeter(rate, webChannels);
    const site = options.site ?? DEFAULT_SITE;
    const formats = chooseFormats(options.formats, manifest, site);
    const wavTmp = outputs.temp(outName("wav"));
    let levels: Promise<number[]>;
    let passOne: { samples: number; plan: Plan };
    try {
      const unfitted = buildPlan(manifest, rate);
      // The codecs' level changes need no audio of this call: measured while the master is made.
      levels = codecLevels(formats, { sampleRate: rate, channels: webChannels });
      const writer = await WavFileWriter.create(wavTmp, format);
      try {
        passOne = await makeMaster(prepared, decoder, unfitted, writer, meter, progress);
        await writer.close();
      } catch (err) {
        await writer.abort();
        throw err;
      }
    } catch (err) {
      decoder.cancel();
      throw err;
    }
    const { samples, plan } = passOne;
    const call: InspectedCall = { ...prepared, format, samples, sourceSha256: await hashing, plan };

    // Pass 2: the web formats from the master, each with one linear gain (and a limiter only if
    // needed), encoded in parallel; then the call's page.
    const measured = meter.result();
    const web: WebSignal = {
      masterPath: wavTmp,
      masterDisplay: `out/${outName("wav")}`,
      sampleRate: rate,
      webChannels,
      frames: samples,
    };
    // The master is complete: once the encoders run (and not before: the gain estimate needs the
    // CPU), hash it and check it against the source beside them. Both are awaited below.
    let wavHash: Promise<string> | undefined;
    const besideEncoding = (): void => {
      wavHash = sha256File(wavTmp, `out/${outName("wav")}`);
      wavHash.catch(() => {});
      if (options.verify !== false) {
        masterVerified = verifyCallMaster(call, outName("wav"), pathIn(outputs, layout.outDir));
        masterVerified.catch(() => {});
      }
    };
    const published = await publishWeb({
      call: call.call,
      manifest,
      plan,
      samples,
      web,
      measured,
      formats,
      codecLevels: levels,
      site,
      outputs,
      onFrames: (done) => progress({ call: call.call, stage: "encoding", fraction: done / samples }),
      onEncoding: besideEncoding,
    });
    const wavSha = await (wavHash ?? sha256File(wavTmp, `out/${outName("wav")}`));
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
      normalisation: published.primary.norm,
      encoderLevelDb: published.primary.codecDb,
      outputs: {
        wav: { file: outName("wav"), sha256: wavSha },
        ...published.outputs,
      },
      tool: TOOL,
      inputs: {
        recordingSha256: call.sourceSha256,
        manifestSha256: call.manifestSha256,
        settingsSha256: options.settingsSha256 ?? (await settingsDigest({})),
        tool: toolId(),
      },
    });
    // Verify the temporary files before anything is renamed into place: a failure publishes nothing.
    const final =
      options.verify === false
        ? report
        : await verifyBeforePublishing(call, report, outputs, layout.outDir, progress, {
            ...(masterVerified ? { master: masterVerified } : {}),
          });
    writeFileSync(outputs.temp(outName("json")), serialiseReport(final));
    outputs.commit();
    progress({ call: call.call, stage: "done", fraction: 1 });
    return final;
  } catch (err) {
    // No decoder of the master's check is left running (or reading files about to go).
    await masterVerified?.catch(() => {});
    outputs.discard();
    throw asIoError(err, `writing out/${prepared.call}.*`);
  }
}
