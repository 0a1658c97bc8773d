/**
 * One call, end to end:
 *   prepare  read and validate the manifest, find the recording (nothing decoded yet)
 *   redact   decode once: redact, write the master and measure loudness in that pass, fitting the
 *            plan to the length at its end (makeMaster); then encode the web formats from the master
 *            (web-publish.ts: one pass, the encoders in parallel, one gain each, the waveform's peaks
 *            taken on the way) while the master is checked against the source; write the call's page
 *            and the report; verify all of it from the files (src/verify); move all outputs into place
 *            together; write the private record (provenance and verification, outside out/).
 *   inspect  (--check and `npm run verify`) decode only to learn the format and the exact length,
 *            and fit the plan to it.
 */
import { writeFileSync } from "node:fs";
import { LoudnessMeter } from "../dsp/loudness.ts";
import { TRUE_PEAK_MAX_DBTP } from "../dsp/normalise.ts";
import { redactChunk } from "../dsp/redact.ts";
import { webChannelCount, webMix } from "../dsp/webmix.ts";
import { RedactError } from "../errors.ts";
import { chooseFormats, type WebFormat } from "../manifest/formats.ts";
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
import { display, findManifest, findRecording, type Layout, listCalls } from "../project/layout.ts";
import { readSettingsBytes, settingsText } from "../project/manifest-file.ts";
import { allCallOutputs } from "../project/outputs.ts";
import { recordError, type Verification, writeRecord } from "../project/record.ts";
import { type Report, serialiseReport } from "../project/report.ts";
import { type LoadedTranscript, loadTranscript } from "../project/transcript-file.ts";
import { sampleIndex } from "../units.ts";
import type { MasterOutcome } from "../verify/audio.ts";
import { verificationTable } from "../verify/table.ts";
import {
  type CallToVerify,
  expectedRanges,
  readSourceMetadata,
  verifyCall,
  verifyMasterEarly,
} from "../verify/verify-call.ts";
import { TOOL } from "../version.ts";
import { ffmpegIdentity, type OutputSettings, settingsDigest, sha256Hex, toolId } from "./fingerprint.ts";
import { noProgress, type ProgressListener } from "./progress.ts";
import { buildReport } from "./report.ts";
import { checkRepeats, writeCaptions } from "./transcript/publish.ts";
import { codecLevels } from "./web/codecs.ts";
import { planWeb, publishWeb, type WebSignal } from "./web/publish.ts";

export interface PreparedCall {
  readonly call: string;
  readonly manifest: Manifest;
  readonly recordingPath: string;
  /** recordings/<file> as users see it. */
  readonly recordingDisplay: string;
  /** How the recording is decoded and checked (media/source.ts). */
  readonly source: SourcePlan;
  /** SHA-256 of the manifest's bytes, as read and parsed (recorded in the private record). */
  readonly manifestSha256: string;
  /** The call's transcript (`transcript:` or transcripts/<call>.*), read and parsed; none when it has none. */
  readonly transcript?: LoadedTranscript;
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
  const transcript = loadTranscript(layout, manifest);
  return {
    call,
    manifest,
    recordingPath,
    recordingDisplay,
    source,
    manifestSha256,
    ...(transcript ? { transcript } : {}),
  };
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
  checkLength(prepared, samples, counting.format.sampleRate);
  const fitted = fitPlan(plan, prepared.manifest, samples);
  return { ...prepared, format: counting.format, samples, sourceSha256: await hashing, plan: fitted };
}

/**
 * The shortest recording published: the web encoders need a few milliseconds of audio to write a file that
 * decodes at all (measured: under 5 ms at 8 kHz, ffmpeg writes an MP3 and an Opus file that no decoder
 * reads), and nothing that short is a call.
 */
export const MIN_RECORDING_SECONDS = 0.02;

function checkLength(call: PreparedCall, samples: number, rate: number): void {
  if (samples === 0) {
    throw new RedactError("E_DECODE", 1, `${call.recordingDisplay}: the recording has no audio samples`);
  }
  if (samples < MIN_RECORDING_SECONDS * rate) {
    throw new RedactError(
      "E_RECORDING",
      1,
      `${call.recordingDisplay}: the recording is ${samples} sample${samples === 1 ? "" : "s"} long (${((samples / rate) * 1000).toFixed(1)} ms at ${rate} Hz): too short to publish; the web formats need at least ${MIN_RECORDING_SECONDS * 1000} ms`,
    );
  }
}

/** How many times the web half is made at most: once, and again after a codec overshot the true peak. */
const MAX_PUBLISH_ATTEMPTS = 3;
/**
 * When a file is made again for its true peak, its ceiling is lowered by twice the measured excess and this
 * margin: the overshoot does not fall dB for dB with the ceiling (the gain rises to keep the loudness, and
 * the codec's overshoot follows the loudness), measured: 0.41 dB lower took a stereo MP3 from -0.89 to
 * -0.95 dBTP.
 */
const PEAK_MARGIN_DB = 0.5;

/**
 * When verification failed only because web files came out over the true-peak maximum (a codec can
 * overshoot the limiter's ceiling by more than its usual headroom on some signals: 1.1 dB for stereo MP3
 * on loud synthetic speech, measured), the headroom to make them again with: each such format's ceiling
 * lowered by twice its excess and a margin. Undefined when anything else failed (making the files again would not
 * help).
 */
export function peakRetry(
  v: Verification,
  formats: readonly WebFormat[],
  call: string,
  extra: ReadonlyMap<WebFormat, number>,
): Map<WebFormat, number> | undefined {
  const over = formats.filter(
    (f) => (v.truePeakDbtp?.[`${call}.${f}`] ?? Number.NEGATIVE_INFINITY) > TRUE_PEAK_MAX_DBTP,
  );
  if (over.length === 0) return undefined;
  const files = new Set(over.map((f) => `${call}.${f}`));
  if (!v.rows.every((r) => r.status === "pass" || (r.range === null && files.has(r.file)))) return undefined;
  const next = new Map(extra);
  for (const f of over) {
    const excess = (v.truePeakDbtp?.[`${call}.${f}`] ?? 0) - TRUE_PEAK_MAX_DBTP;
    next.set(f, (next.get(f) ?? 0) + 2 * excess + PEAK_MARGIN_DB);
  }
  return next;
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
  /** Fingerprint of the run's output settings (fingerprint.ts), and the settings, for the private record. */
  readonly settingsSha256?: string;
  readonly settings?: OutputSettings;
  /** The site settings (redactions/site.yaml): tags, default formats, the pages' site title. Default: none. */
  readonly site?: SiteSettings;
  /** `--formats`: overrides the manifest's and the site's formats. */
  readonly formats?: readonly WebFormat[];
  /** Verify the outputs before they are published (src/verify); default true, `--no-verify` turns it off. */
  readonly verify?: boolean;
  /** Every call with a manifest (for which files in out/ are this call's); default: listed from redactions/. */
  readonly calls?: readonly string[];
  /** `--strict`: a word redacted once but said again elsewhere in the transcript is an error (exit 2). */
  readonly strict?: boolean;
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
  checkLength(call, decoded, rate);
  const fitted = fitPlan(plan, call.manifest, decoded);
  for (const chunk of held) await process(chunk, fitted.ranges);
  return { samples: decoded, plan: fitted };
}

/**
 * Redact one call and publish it: pass 1 (makeMaster), the web files and page, the report, verification of
 * all of it from the files alone, renames, then the private record. The caller holds the call's lock.
 */
export async function redactCall(
  layout: Layout,
  prepared: PreparedCall,
  progress: ProgressListener = noProgress,
  options: PublishOptions = {},
): Promise<Report> {
  const { manifest } = prepared;
  // The lock is held: temporary files of these outputs left by a run that was killed are this run's to remove.
  const outputs = new OutputSet(layout.outDir, { leftovers: allCallOutputs(prepared.call) });
  const outName = (ext: string): string => `${prepared.call}.${ext}`;
  let masterVerified: Promise<MasterOutcome> | undefined;
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
    const formats = chooseFormats(options.formats, manifest.formats, site.formats);
    const wavTmp = outputs.temp(outName("wav"));
    // The recording's tags, to look for in the outputs: read now, beside the decode.
    const metadata =
      options.verify === false
        ? undefined
        : readSourceMetadata({
            call: prepared.call,
            manifest,
            site,
            formats,
            recording: { path: prepared.recordingPath, display: prepared.recordingDisplay },
          });
    let levels: ReturnType<typeof codecLevels>;
    let passOne: { samples: number; plan: Plan };
    let masterOnDisk: Promise<void>;
    try {
      const unfitted = buildPlan(manifest, rate);
      checkRepeats(prepared, rate, options.strict === true);
      // The codecs' level changes need no audio of this call: measured while the master is made.
      levels = codecLevels(formats, { sampleRate: rate, channels: webChannels });
      const writer = await WavFileWriter.create(wavTmp, format);
      try {
        passOne = await makeMaster(prepared, decoder, unfitted, writer, meter, progress);
        masterOnDisk = (await writer.close()).durable;
      } catch (err) {
        await writer.abort();
        throw err;
      }
    } catch (err) {
      decoder.cancel();
      throw err;
    }
    const { samples, plan } = passOne;
    const sourceSha256 = await hashing;
    const toVerify: CallToVerify = {
      call: prepared.call,
      manifest,
      site,
      formats,
      calls: options.calls ?? listCalls(layout),
      recording: {
        path: prepared.recordingPath,
        display: prepared.recordingDisplay,
        sha256: sourceSha256,
        decode: prepared.source,
      },
      manifestSha256: prepared.manifestSha256,
      ...(prepared.transcript ? { transcript: prepared.transcript } : {}),
      source: { sampleRate: rate, channels: format.channels, samples },
      outDir: layout.outDir,
      progress: (fraction) => progress({ call: prepared.call, stage: "verifying", fraction }),
    };

    // Pass 2: the web formats from the master, each with one linear gain (and a limiter only if
    // needed), encoded in parallel; then the call's page.
    const measured = meter.result();
    const captions = await writeCaptions({ ...prepared, plan, samples, outputs });
    const signal: WebSignal = {
      masterPath: wavTmp,
      masterDisplay: `out/${outName("wav")}`,
      sampleRate: rate,
      webChannels,
      frames: samples,
    };
    const webArgs = {
      call: prepared.call,
      manifest,
      plan,
      web: signal,
      measured,
      formats,
      codecLevels: levels,
      site,
      outputs,
      ...(captions.page ? { transcript: captions.page } : {}),
      onFrames: (done: number) => progress({ call: prepared.call, stage: "encoding", fraction: done / samples }),
    };
    let wavHash: Promise<string> | undefined;
    let extraHeadroomDb = new Map<WebFormat, number>();
    let report: Report;
    let reportText: string;
    let verification: Verification | null = null;
    for (let attempt = 1; ; attempt++) {
      const web = await planWeb({ ...webArgs, extraHeadroomDb });
      // The encoders start now. Beside them (and not before: planning the gain may need the CPU), the
      // master is hashed and checked against the source; both are awaited below.
      const publishing = publishWeb(web);
      if (!wavHash) {
        wavHash = sha256File(wavTmp, `out/${outName("wav")}`);
        wavHash.catch(() => {});
        if (options.verify !== false) {
          masterVerified = verifyMasterEarly(toVerify, { name: outName("wav"), path: wavTmp });
          masterVerified.catch(() => {});
        }
      }
      const published = await publishing;
      report = buildReport({
        call: prepared.call,
        format,
        samples,
        title: manifest.title ?? prepared.call,
        plan,
        tone: {
          levelDb: manifest.tone.levelDb,
          rampMs: manifest.tone.rampMs,
          padMs: (Number(manifest.pad.num) / Number(manifest.pad.den)) * 1000,
        },
        measured,
        normalisation: published.primary.gain,
        encoderLevelDb: published.primary.codecDb,
        outputs: {
          wav: { file: outName("wav"), sha256: await wavHash },
          ...published.outputs,
          ...(captions.record ? { vtt: captions.record } : {}),
        },
        ...(manifest.date === undefined ? {} : { date: manifest.date }),
        tool: TOOL,
      });
      reportText = serialiseReport(report);
      writeFileSync(outputs.temp(outName("json")), reportText);
      if (options.verify === false) break;

      // Verify what out/ will hold, from the files, before anything is renamed into place: a failure
      // publishes nothing.
      verification = await verifyCall(
        { ...toVerify, staged: outputs.staged() },
        { ...(masterVerified ? { master: masterVerified } : {}), ...(metadata ? { metadata } : {}) },
      );
      if (verification.passed) break;
      const more = peakRetry(verification, formats, prepared.call, extraHeadroomDb);
      if (more && attempt < MAX_PUBLISH_ATTEMPTS) {
        extraHeadroomDb = more;
        continue;
      }
      const table = verificationTable(prepared.call, verification, expectedRanges(toVerify), rate, "failures");
      throw new RedactError(
        "E_VERIFY",
        1,
        `${prepared.call}: the new outputs failed verification, so nothing was published (out/ is as it was):\n${table}`,
      );
    }
    const hashes: Record<string, string> = {};
    for (const o of Object.values(report.outputs)) hashes[o.file] = o.sha256;
    hashes[outName("json")] = sha256Hex(reportText);
    await masterOnDisk;
    outputs.commit();
    const ffmpeg = await ffmpegIdentity();
    try {
      writeRecord(layout, {
        call: prepared.call,
        recording: { file: prepared.recordingDisplay, sha256: sourceSha256 },
        manifest: { file: manifest.file, sha256: prepared.manifestSha256 },
        transcript: prepared.transcript
          ? { file: prepared.transcript.display, sha256: prepared.transcript.sha256 }
          : null,
        settingsSha256: options.settingsSha256 ?? (await settingsDigest({})),
        settings: options.settings ?? {},
        tool: toolId(),
        ffmpeg: ffmpeg.version,
        publishedAt: new Date().toISOString(),
        published: Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => (a < b ? -1 : 1))),
        verification: verification && { ...verification, at: new Date().toISOString() },
      });
    } catch (err) {
      throw recordError(prepared.call, err);
    }
    progress({ call: prepared.call, stage: "done", fraction: 1 });
    return report;
  } catch (err) {
    // No decoder of the master's check is left running (or reading files about to go).
    await masterVerified?.catch(() => {});
    outputs.discard();
    throw asIoError(err, `writing out/${prepared.call}.*`);
  }
}
