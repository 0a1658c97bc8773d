/**
 * Word lists for suggestions, redactions/lists/*.txt: one word or phrase per line, `#` comments,
 * case and punctuation ignored. A phrase matches consecutive words. Inside a phrase:
 *
 *   word*      any word starting with "word"        (bugger*: bugger, buggered, ...)
 *   *          any one word                         (<number> * road: 42 Elm Road)
 *   <number>   a number: digits or a number word    (42, forty-two, seven)
 *
 * The file's category is obscenity for obscenities.txt and sensitive for any other list, unless
 * its first line says `# category: NAME`. Pure: text in, patterns out; bad lines are located errors.
 */
import { ManifestError, type ManifestIssue } from "../errors.ts";

export type Token =
  | { readonly kind: "word"; readonly word: string }
  | { readonly kind: "prefix"; readonly prefix: string }
  | { readonly kind: "any" }
  | { readonly kind: "number" };

export interface ListPattern {
  readonly tokens: readonly Token[];
  readonly category: string;
  /** The line as written, e.g. `<number> * road`. */
  readonly text: string;
  /** `redactions/lists/names.txt:4`. */
  readonly where: string;
}

/** Lower case, without the punctuation around a word (inner apostrophes and hyphens stay). */
export const normalise = (word: string): string =>
  word
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[’‘]/g, "'")
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");

/** The category a list file gives by default, from its name. */
export const defaultListCategory = (fileName: string): string =>
  /(^|\/)obscenit(y|ies)\.txt$/i.test(fileName) ? "obscenity" : "sensitive";

export function parseList(text: string, file: string): ListPattern[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = /^#\s*category:\s*(\S+)\s*$/.exec(lines[0] ?? "");
  const category = header?.[1] ?? defaultListCategory(file);
  const issues: ManifestIssue[] = [];
  const out: ListPattern[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const tokens: Token[] = [];
    let col = raw.indexOf(line) + 1;
    for (const part of line.split(/\s+/)) {
      const here = { file, line: index + 1, col };
      col += part.length + 1;
      if (part === "*") tokens.push({ kind: "any" });
      else if (part === "<number>") tokens.push({ kind: "number" });
      else if (part.startsWith("<") || part.endsWith(">")) {
        issues.push({
          pos: here,
          field: "pattern",
          message: `unknown placeholder ${JSON.stringify(part)}; the only one is <number>`,
        });
      } else if (part.endsWith("*") && normalise(part.slice(0, -1)) !== "") {
        tokens.push({ kind: "prefix", prefix: normalise(part.slice(0, -1)) });
      } else if (normalise(part) !== "" && !part.slice(0, -1).includes("*")) {
        tokens.push({ kind: "word", word: normalise(part) });
      } else {
        issues.push({
          pos: here,
          field: "pattern",
          message: `${JSON.stringify(part)} is not a word; write words, word* (a prefix), * (any word) or <number>`,
        });
      }
    }
    if (tokens.length > 0 && tokens.every((t) => t.kind === "any")) {
      issues.push({
        pos: { file, line: index + 1, col: 1 },
        field: "pattern",
        message: "a pattern of * only would match every word",
      });
      return;
    }
    out.push({ tokens, category, text: line, where: `${file}:${index + 1}` });
  });
  if (issues.length > 0) throw new ManifestError(issues);
  return out;
}
