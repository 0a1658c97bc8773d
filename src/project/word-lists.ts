/**
 * The word lists of a project, redactions/lists/*.txt, read for suggestions (src/suggest/lists.ts says
 * what a list holds). Shared by `npm run suggest` and the studio.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ManifestError } from "../errors.ts";
import { type ListPattern, parseList } from "../suggest/lists.ts";
import { display, type Layout } from "./layout.ts";
import { readInputText } from "./manifest-file.ts";

/** redactions/lists/ */
export const listsDir = (layout: Layout): string => join(layout.redactionsDir, "lists");

/**
 * Every pattern of every list, the lists sorted by name; a list whose category is not one of `categories`
 * (the manifest's) is an error, located at its first line.
 */
export function readWordLists(layout: Layout, categories: ReadonlySet<string>): ListPattern[] {
  const dir = listsDir(layout);
  const shownDir = display(layout, dir);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith(".txt"))
      .sort();
  } catch {
    return [];
  }
  const out: ListPattern[] = [];
  for (const name of names) {
    const shown = `${shownDir}/${name}`;
    const patterns = parseList(readInputText(join(dir, name), shown), shown);
    const category = patterns[0]?.category;
    if (category !== undefined && !categories.has(category)) {
      throw new ManifestError([
        {
          pos: { file: shown, line: 1, col: 1 },
          field: "category",
          message: `unknown category "${category}"; use one of ${[...categories].join(", ")} (or define it under categories: in the manifest)`,
        },
      ]);
    }
    out.push(...patterns);
  }
  return out;
}
