/**
 * The verification table's rows for the audio files, made from what the walk measured (audio.ts): one row
 * per file, and one per merged range and file. Thresholds (docs/verification.md):
 * - master: outside the ranges, every sample equals the decoded source; inside, every sample is the
 *   expected tone within half a 16-bit step;
 * - lossy files: each range's edges line up with the master within one codec frame; inside (two codec
 *   frames from each edge), the tone holds at least 95 % of the energy; what remains once the tone is fitted
 *   and taken out and its band notched out correlates with the original speech by at most 0.25 (or four
 *   times chance, for short ranges), and the part of it that follows the speech is at least 50 dB below the
 *   speech unless its correlation is within three times chance; integrated loudness within 1 LU of -19 LUFS
 *   (mono) or -16 LUFS (stereo), true peak at most -1 dBTP, length within one codec frame of the master's.
 */
import { formatTime } from "../manifest/time.ts";
import type { VerificationRow } from "../project/record.ts";
import { type LossyOutcome, type MasterOutcome, type SourceToCheck, webChannels } from "./audio.ts";
import type { LossyRangeResult } from "./lossy-check.ts";
import { TONE_TOLERANCE_LSB } from "./master-check.ts";
import type { ExpectedRange } from "./reference-tone.ts";

export const TONE_SHARE_MIN = 0.95;
export const CORRELATION_MAX = 0.25;
export const RESIDUAL_MAX_DB = -50;
/** A correlation this many times its chance level is not chance (for the level rule; the other is stricter). */
export const SIGNIFICANT_SIGMAS = 3;
export const CORRELATION_SIGMAS = 4;
export const EDGE_MATCH_MIN = 0.5;
export const LOUDNESS_TOLERANCE_LU = 1;
export const TRUE_PEAK_MAX_DBTP = -1;

const dB = (x: number | null, digits = 1): string =>
  x === null ? "n/a" : x === Number.NEGATIVE_INFINITY ? "-inf" : `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** A row that passes with `passed` as its detail, or fails naming every problem. */
export const checkRow = (
  range: number | null,
  file: string,
  problems: readonly string[],
  passed: string,
): VerificationRow => ({
  range,
  file,
  status: problems.length === 0 ? "pass" : "fail",
  detail: problems.length === 0 ? passed : problems.join("; "),
});

/** A file that cannot be checked fails, and so does each of its ranges. */
function unreadable(file: string, why: string, ranges: readonly ExpectedRange[], each: string): VerificationRow[] {
  return [
    { range: null, file, status: "fail", detail: `cannot be checked: ${why}` },
    ...ranges.map((r): VerificationRow => ({ range: r.number, file, status: "fail", detail: each })),
  ];
}

export function masterRows(
  file: string,
  outcome: MasterOutcome,
  source: SourceToCheck,
  sourceFrames: number,
  ranges: readonly ExpectedRange[],
): VerificationRow[] {
  if (outcome.problem !== null) return unreadable(file, outcome.problem, ranges, "the master cannot be read");
  const { result, frames } = outcome;
  const where = (n: number): string => `sample ${n} (${formatTime(n / source.sampleRate)})`;
  const problems: string[] = [];
  if (frames !== sourceFrames) problems.push(`${frames} samples long; the source has ${sourceFrames}`);
  if (result.changedOutside > 0) {
    problems.push(
      `${plural(result.changedOutside, "sample")} outside the ranges differ from the source, the first at ${where(result.firstChangedOutside ?? 0)}`,
    );
  }
  const rows = [
    checkRow(
      null,
      file,
      problems,
      `16-bit PCM, ${source.sampleRate} Hz, ${plural(source.channels, "channel")}, ${frames} samples as the source; identical to it outside the ranges`,
    ),
  ];
  const byNumber = new Map(ranges.map((r) => [r.number, r]));
  for (const r of result.ranges) {
    const want = byNumber.get(r.number) as ExpectedRange;
    const ok = r.badSamples === 0 && result.framesCompared >= want.end;
    rows.push({
      range: r.number,
      file,
      status: ok ? "pass" : "fail",
      detail: ok
        ? `the ${want.frequency} Hz tone in every sample (largest error ${r.maxErrorLsb.toFixed(2)} of a 16-bit step)`
        : r.badSamples > 0
          ? `${plural(r.badSamples, "sample is", "samples are")} not the ${want.frequency} Hz tone (more than ${TONE_TOLERANCE_LSB} of a step off; largest ${r.maxErrorLsb.toFixed(1)}), the first at ${where(r.firstBad ?? want.start)}`
          : "the master ends before this range",
    });
  }
  return rows;
}

export function lossyRows(
  outcome: LossyOutcome,
  source: SourceToCheck,
  ranges: readonly ExpectedRange[],
  /** The recording has no loudness to measure (silence, or under 0.4 s), as the pipeline found it. */
  silentSource: boolean,
): VerificationRow[] {
  const file = outcome.name;
  if (outcome.problem !== null) return unreadable(file, outcome.problem, ranges, "the file cannot be decoded");
  const f = outcome.format;
  const webCh = webChannels(source.channels);
  const problems: string[] = [];
  const { rates } = outcome.codec;
  if (rates.length > 0 && !rates.includes(f.sampleRate)) {
    problems.push(`${f.sampleRate} Hz is not a rate every browser plays for this format (${rates.join(", ")})`);
  }
  if (f.channels !== webCh) problems.push(`${plural(f.channels, "channel")}; expected ${webCh}`);
  const expectedFrames = (source.samples * f.sampleRate) / source.sampleRate;
  if (Math.abs(outcome.frames - expectedFrames) > outcome.codec.frame) {
    problems.push(
      `${outcome.frames} samples at ${f.sampleRate} Hz; the master's length is ${Math.round(expectedFrames)} (off by more than one codec frame)`,
    );
  }
  const target = webCh === 2 ? -16 : -19;
  const m = outcome.loudness;
  let loud = "";
  if (m) {
    if (Number.isFinite(m.integratedLufs)) {
      loud = `${m.integratedLufs.toFixed(2)} LUFS (target ${target})`;
      if (Math.abs(m.integratedLufs - target) > LOUDNESS_TOLERANCE_LU) {
        problems.push(
          `loudness ${m.integratedLufs.toFixed(2)} LUFS is not within ${LOUDNESS_TOLERANCE_LU} LU of ${target}`,
        );
      }
    } else if (silentSource) {
      loud = "too quiet or too short to measure loudness, as the recording";
    } else {
      problems.push("no measurable loudness, though the recording has some");
    }
    const tp = m.truePeakDbtp;
    loud += `, true peak ${dB(Number.isFinite(tp) ? tp : Number.NEGATIVE_INFINITY, 2)} dBTP`;
    if (tp > TRUE_PEAK_MAX_DBTP) problems.push(`true peak ${tp.toFixed(2)} dBTP is over ${TRUE_PEAK_MAX_DBTP} dBTP`);
  }
  const rows = [
    checkRow(
      null,
      file,
      problems,
      `${f.sampleRate} Hz, ${f.channels === 1 ? "mono" : "stereo"}, length as the master's; ${loud}`,
    ),
  ];
  const byNumber = new Map(ranges.map((r) => [r.number, r]));
  for (const res of outcome.ranges) {
    rows.push(lossyRangeRow(file, byNumber.get(res.number) as ExpectedRange, res, outcome.frame, source.sampleRate));
  }
  return rows;
}

function lossyRangeRow(
  file: string,
  r: ExpectedRange,
  res: LossyRangeResult,
  frame: number,
  rate: number,
): VerificationRow {
  const problems: string[] = [];
  const parts: string[] = [];
  // Timing: each edge within one codec frame of the master's.
  const edges = [
    ["start", res.startLag],
    ["end", res.endLag],
  ] as const;
  const lags: string[] = [];
  for (const [name, lag] of edges) {
    if (!lag) continue;
    lags.push(`${lag.lag >= 0 ? "+" : ""}${lag.lag}`);
    if (Math.abs(lag.lag) > frame) {
      problems.push(
        `the ${name} is ${lag.lag} samples (${((lag.lag / rate) * 1000).toFixed(1)} ms) off the master's, more than one codec frame (${frame})`,
      );
    } else if (lag.correlation < EDGE_MATCH_MIN) {
      problems.push(
        `around the ${name} the file does not match the master (correlation ${lag.correlation.toFixed(2)})`,
      );
    }
  }
  parts.push(lags.length > 0 ? `edges ${lags.join("/")} samples` : "edges at the recording's ends");
  if (res.measuredSamples === 0) {
    const shortest = Math.ceil(((4 * frame) / rate) * 1000 + 20);
    parts.push(`too short to measure inside (under about ${shortest} ms): the master is checked exactly`);
  } else {
    const share = res.toneShare ?? 0;
    parts.push(`${r.frequency} Hz holds ${(share * 100).toFixed(share > 0.9999 ? 4 : 2)}%`);
    if (share < TONE_SHARE_MIN) {
      problems.push(
        `the ${r.frequency} Hz tone holds only ${(share * 100).toFixed(1)}% of the range (at least ${TONE_SHARE_MIN * 100}% expected)`,
      );
    }
    if (res.residualDb === null) {
      parts.push("the original is silent here: nothing to recover");
    } else {
      const corr = res.correlation ?? 0;
      const chance = res.chanceCorrelation ?? 1;
      const part = res.speechPartDb ?? Number.NEGATIVE_INFINITY;
      parts.push(
        `residual ${dB(res.residualDb)} dB re speech (tone notched out), correlation ${corr.toFixed(3)} (chance ${chance.toFixed(3)})`,
      );
      const limit = Math.max(CORRELATION_MAX, CORRELATION_SIGMAS * chance);
      if (Math.abs(corr) > limit) {
        problems.push(
          `what remains after taking out the tone correlates with the original speech (${corr.toFixed(2)}; at most ${limit.toFixed(2)})`,
        );
      } else if (
        res.residualDb > RESIDUAL_MAX_DB &&
        part > RESIDUAL_MAX_DB &&
        Math.abs(corr) > SIGNIFICANT_SIGMAS * chance
      ) {
        problems.push(
          `the original speech is in what remains after taking out the tone at ${dB(part)} dB (at most ${RESIDUAL_MAX_DB} dB; correlation ${corr.toFixed(3)}, over ${SIGNIFICANT_SIGMAS} x chance)`,
        );
      }
    }
  }
  return checkRow(r.number, file, problems, parts.join("; "));
}
