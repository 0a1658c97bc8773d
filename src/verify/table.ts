/** The verification as a table for the terminal: one row per range and file, then one per file. */
import { formatTime } from "../manifest/time.ts";
import { wrapWords } from "../text.ts";
import type { ExpectedRange } from "./reference-tone.ts";
import type { Verification, VerificationRow } from "./verify-call.ts";

const RESULT = { pass: "ok", fail: "FAIL" } as const;

export function verificationTable(
  call: string,
  v: Verification,
  ranges: readonly ExpectedRange[],
  sampleRate: number,
  only: "all" | "failures" = "all",
  /**
   * A terminal's width: the call column is left out (a table is one call's) and each row's detail goes on
   * the lines under it, wrapped to the width. None: one line per row, every column, for pipes and scripts.
   */
  width?: number,
): string {
  const byNumber = new Map(ranges.map((r) => [r.number, r]));
  const time = (row: VerificationRow): string => {
    const r = row.range === null ? undefined : byNumber.get(row.range);
    return r ? `${formatTime(r.start / sampleRate)}-${formatTime(r.end / sampleRate)}` : "-";
  };
  // Whole-file rows first, then range by range.
  const ordered = [
    ...v.rows.filter((r) => r.range === null),
    ...v.rows.filter((r) => r.range !== null).sort((a, b) => (a.range ?? 0) - (b.range ?? 0)),
  ].filter((r) => only === "all" || r.status === "fail");
  const cells = [
    ["call", "range", "time", "file", "result", "detail"],
    ...ordered.map((r) => [
      call,
      r.range === null ? "-" : String(r.range),
      time(r),
      r.file,
      RESULT[r.status],
      r.detail,
    ]),
  ].map((row) => (width === undefined ? row : row.slice(1)));
  const widths = (cells[0] ?? []).map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  return cells
    .map((row) => {
      const lead = row
        .slice(0, -1)
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ");
      const detail = row.at(-1) ?? "";
      if (width === undefined) return `${lead}  ${detail}`.trimEnd();
      return detail === "detail" ? lead.trimEnd() : `${lead.trimEnd()}\n    ${wrapWords(detail, width, 4, "    ")}`;
    })
    .join("\n");
}

export function verificationSummary(call: string, v: Verification): string {
  const failed = v.rows.filter((r) => r.status === "fail").length;
  return v.passed
    ? `${call}: verified: all ${v.rows.length} checks pass`
    : `${call}: verification FAILED: ${failed} of ${v.rows.length} checks fail`;
}
