/**
 * What a call's outputs were made from, and whether that has changed since.
 *
 * The report records its inputs: the SHA-256 of the recording's bytes and of the manifest's bytes, the
 * tool's name and version, and the SHA-256 of the settings that shape the outputs (the tool's version, the
 * ffmpeg build as `ffmpeg -version` describes it, and any option of the run that changes what is written).
 * A later run that finds the same inputs, and every output still on disk with the hash the report gives
 * it, has nothing to do for that call: it is skipped without decoding anything. Hashing a recording costs
 * a fraction of a second; decoding and encoding it, minutes.
 *
 * The tool's own code is identified by its version number: a release that changes the outputs has a new
 * one. Someone changing the code in between rebuilds with `--force`.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { startFfmpeg } from "../media/ffmpeg.ts";
import { sha256File } from "../media/hash.ts";
import type { Layout } from "../project/layout.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { TOOL } from "../version.ts";
import type { PreparedCall } from "./redact-call.ts";
import type { Report } from "./report.ts";

/** Stored in the report as `inputs`. */
export interface ReportInputs {
  readonly recordingSha256: string;
  readonly manifestSha256: string;
  readonly settingsSha256: string;
  /** `name version` of the tool that wrote the report. */
  readonly tool: string;
}

/** Options of a run that change what is written, by name (the tool version and ffmpeg are added). */
export type OutputSettings = Readonly<Record<string, string | number | boolean>>;

export const toolId = (): string => `${TOOL.name} ${TOOL.version}`;

export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** JSON with sorted keys, so that the same settings always hash the same. */
function canonicalJson(settings: OutputSettings): string {
  return JSON.stringify(Object.fromEntries(Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : 1))));
}

let ffmpegIdentity: Promise<string> | undefined;

/** SHA-256 of `ffmpeg -version` (version, build options, library versions) of the binary in use. */
export function ffmpegDigest(): Promise<string> {
  ffmpegIdentity ??= (async () => {
    const job = startFfmpeg({ summary: "asking ffmpeg for its version", stdout: "pipe", args: ["-version"] });
    const hash = createHash("sha256");
    if (job.stdout) for await (const b of job.stdout) hash.update(b as Buffer);
    await job.done;
    return hash.digest("hex");
  })();
  return ffmpegIdentity;
}

/** The settings hash a run writes into its reports and compares with theirs. */
export async function settingsDigest(settings: OutputSettings): Promise<string> {
  return sha256Hex(canonicalJson({ ...settings, tool: toolId(), ffmpeg: await ffmpegDigest() }));
}

export type Freshness =
  | { readonly fresh: true; readonly report: Report }
  | { readonly fresh: false; readonly why: string };

const isHex64 = (x: unknown): x is string => typeof x === "string" && /^[0-9a-f]{64}$/.test(x);

/** An output name as a report may give it: a plain file name in out/ that belongs to the call. */
const ownOutputName = (call: string, file: unknown): file is string =>
  typeof file === "string" && file.startsWith(`${call}.`) && !/[/\\]/.test(file) && !file.includes("..");

/**
 * Is out/<call>.json a report of exactly these inputs, with every output it lists still on disk and
 * unchanged? Reads and hashes; decodes nothing. Anything unreadable or unexpected means "not fresh".
 */
export async function checkFreshness(
  layout: Layout,
  call: PreparedCall & { readonly manifestSha256: string },
  settingsSha256: string,
): Promise<Freshness> {
  let report: Report;
  try {
    report = JSON.parse(readRegularFileSync(join(layout.outDir, `${call.call}.json`)).toString("utf8")) as Report;
  } catch {
    return { fresh: false, why: "no earlier report" };
  }
  const inputs = (report as { inputs?: Partial<ReportInputs> }).inputs;
  if (typeof inputs !== "object" || inputs === null || !isHex64(inputs.recordingSha256)) {
    return { fresh: false, why: "the earlier report does not record its inputs" };
  }
  if (inputs.tool !== toolId() || inputs.settingsSha256 !== settingsSha256) {
    return { fresh: false, why: "the tool, ffmpeg or settings changed" };
  }
  if (inputs.manifestSha256 !== call.manifestSha256) return { fresh: false, why: "the manifest changed" };
  const outputs = Object.values(report.outputs ?? {});
  if (outputs.length === 0 || !outputs.every((o) => ownOutputName(call.call, o?.file) && isHex64(o.sha256))) {
    return { fresh: false, why: "the earlier report lists no usable outputs" };
  }
  try {
    const [recording, ...published] = await Promise.all([
      sha256File(call.recordingPath, call.recordingDisplay),
      ...outputs.map((o) => sha256File(join(layout.outDir, o.file), `out/${o.file}`)),
    ]);
    if (recording !== inputs.recordingSha256) return { fresh: false, why: "the recording changed" };
    if (published.some((h, i) => h !== outputs[i]?.sha256)) {
      return { fresh: false, why: "an output is missing or was changed" };
    }
  } catch {
    return { fresh: false, why: "an output is missing or unreadable" };
  }
  return { fresh: true, report };
}
