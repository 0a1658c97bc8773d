/**
 * The public report, out/<call>.json: what a listener or a checker needs to know about a published call,
 * and nothing derived from private inputs beyond what the manifest and the site settings publish. It names
 * the call, its title, the source's format and length, the merged ranges, the tone, the loudness, and every
 * output with its SHA-256. It does not name the recording's file or hash it, nor hash the manifest (whose
 * bytes include the private notes): that provenance is in the private record (record.ts).
 *
 * Written by the pipeline (publish/report.ts builds it) and read by the index and by verification, through
 * parseReport: one reader, which accepts exactly the fields the tool writes.
 */

export interface OutputRecord {
  readonly file: string;
  readonly sha256: string;
}

/** A web audio output: its file and hash, and how it was made. */
export interface WebOutputRecord extends OutputRecord {
  readonly sampleRate: number;
  readonly bitrateKbps: number;
  /** The one linear gain this file got, and whether a true-peak limiter was needed. */
  readonly gainDb: number;
  readonly limiter: boolean;
  /** The level change this codec makes, compensated in gainDb. */
  readonly encoderLevelDb: number;
  /** The file's loudness as the pipeline predicts it. */
  readonly expectedLufs: number | null;
}

export interface ReportRange {
  readonly startSample: number;
  readonly endSample: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly category: string;
  readonly frequency: number;
  /** Which manifest entries (1-based) this merged range covers. */
  readonly entries: readonly number[];
}

export interface Report {
  readonly call: string;
  readonly title: string;
  /** When the call was made, as the manifest's `date:` gives it (2024-03-01); absent when it gives none. */
  readonly date?: string;
  readonly source: { readonly sampleRate: number; readonly channels: number; readonly samples: number };
  readonly ranges: readonly ReportRange[];
  readonly tone: { readonly levelDb: number; readonly rampMs: number; readonly padMs: number };
  readonly loudness: {
    readonly measuredLufs: number | null;
    readonly measuredTruePeakDbtp: number | null;
    readonly targetLufs: number;
    readonly gainDb: number;
    readonly limiter: boolean;
    /** The level change the first web format's encoder makes, compensated in gainDb. */
    readonly encoderLevelDb: number;
    /** The web files' loudness as the pipeline predicts it. */
    readonly expectedLufs: number | null;
  };
  /** By kind: wav, mp3, opus, html, vtt (the redacted transcript). */
  readonly outputs: Readonly<Record<string, OutputRecord | WebOutputRecord>>;
  readonly tool: { readonly name: string; readonly version: string };
}

export const serialiseReport = (r: Report): string => `${JSON.stringify(r, null, 2)}\n`;

type Check = (v: unknown) => boolean;
const isNumber: Check = (v) => typeof v === "number" && Number.isFinite(v);
const isNumberOrNull: Check = (v) => v === null || isNumber(v);
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isString: Check = (v) => typeof v === "string";
const isBoolean: Check = (v) => typeof v === "boolean";
const isHex64: Check = (v) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);

/** An object with exactly these keys (each present, each passing its check). */
function shaped(v: unknown, fields: Readonly<Record<string, Check>>, optional: readonly string[] = []): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.some((k) => !(k in fields))) return false;
  return Object.entries(fields).every(([k, check]) =>
    k in v ? check((v as Record<string, unknown>)[k]) : optional.includes(k),
  );
}

const RANGE: Record<string, Check> = {
  startSample: isCount,
  endSample: isCount,
  startSeconds: isNumber,
  endSeconds: isNumber,
  category: isString,
  frequency: isNumber,
  entries: (v) => Array.isArray(v) && v.every(isCount),
};
const OUTPUT: Record<string, Check> = { file: isString, sha256: isHex64 };
const WEB_OUTPUT: Record<string, Check> = {
  ...OUTPUT,
  sampleRate: isCount,
  bitrateKbps: isNumber,
  gainDb: isNumber,
  limiter: isBoolean,
  encoderLevelDb: isNumber,
  expectedLufs: isNumberOrNull,
};
/** Fields a report may leave out. */
const OPTIONAL_FIELDS: readonly string[] = ["date"];
const REPORT: Record<string, Check> = {
  call: isString,
  title: isString,
  date: (v) =>
    typeof v === "string" && /^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:]+(?:Z|[+-][0-9]{2}:[0-9]{2}))?$/.test(v),
  source: (v) => shaped(v, { sampleRate: isCount, channels: isCount, samples: isCount }),
  ranges: (v) => Array.isArray(v) && v.every((r) => shaped(r, RANGE)),
  tone: (v) => shaped(v, { levelDb: isNumber, rampMs: isNumber, padMs: isNumber }),
  loudness: (v) =>
    shaped(v, {
      measuredLufs: isNumberOrNull,
      measuredTruePeakDbtp: isNumberOrNull,
      targetLufs: isNumber,
      gainDb: isNumber,
      limiter: isBoolean,
      encoderLevelDb: isNumber,
      expectedLufs: isNumberOrNull,
    }),
  outputs: (v) =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(v).every(([k, o]) => shaped(o, k === "wav" || k === "html" || k === "vtt" ? OUTPUT : WEB_OUTPUT)),
  tool: (v) => shaped(v, { name: isString, version: isString }),
};

/**
 * Read a public report: the report, or what is wrong with the text (not JSON, or not exactly the fields
 * this tool writes: a field it never writes is refused, since it could carry anything).
 */
export function parseReport(text: string): { readonly report: Report } | { readonly problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { problem: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { problem: "not a JSON object" };
  const extra = Object.keys(data).filter((k) => !(k in REPORT));
  if (extra.length > 0) return { problem: `it has fields this tool never writes (${extra.join(", ")})` };
  const bad = Object.entries(REPORT)
    .filter(
      ([k, check]) => !(OPTIONAL_FIELDS.includes(k) && !(k in data)) && !check((data as Record<string, unknown>)[k]),
    )
    .map(([k]) => k);
  if (bad.length > 0)
    return { problem: `${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} missing or not as this tool writes them` };
  return { report: data as Report };
}
