/** Plain-text tables for the benchmark's summary. */

/** Columns padded to their widest cell; numbers (and headers over them) right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+[a-z%x]*$/i.test(r[c] ?? "")),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Samples per second in millions, one decimal: 12345678 -> "12.3". */
export const millions = (perSecond: number): string => (perSecond / 1e6).toFixed(1);

/** A cell for Markdown: pipes escaped, line breaks flattened. */
const mdCell = (s: string): string => s.replaceAll("|", "\\|").replace(/\s*\n\s*/g, " ");

/**
 * A GitHub-flavoured Markdown table, columns padded so that it also reads as plain text; a column whose
 * every cell is a number (units and an optional note in parentheses allowed) is right-aligned.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map(mdCell);
  const body = rows.map((r) => header.map((_, c) => mdCell(r[c] ?? "")));
  const numeric = header.map(
    (_, c) =>
      body.length > 0 && body.every((r) => /^(?:(?:Σ )?[-+]?[\d.,]+[a-z%x]*(?: \(.*\))?|—|-)$/i.test(r[c] ?? "")),
  );
  const widths = head.map((h, c) => Math.max(3, h.length, ...body.map((r) => (r[c] as string).length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${"-".repeat(w + 1)}:` : `${"-".repeat(w + 2)}`)).join("|")}|`;
  return [line(head), rule, ...body.map(line)].join("\n");
}
