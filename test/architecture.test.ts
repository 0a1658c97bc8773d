/**
 * Imports flow one way: the folders under src/ read as the pipeline, cli on top, the pure layers at the
 * bottom, and verification independent of the pipeline it checks (nothing in src/verify imports from
 * src/publish). No file imports itself back through others.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/project.ts";

const SRC = join(REPO, "src");

/** What each folder may import from (besides itself and the files at src/'s top: errors, units, ...). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  cli: [
    "studio",
    "publish",
    "verify",
    "project",
    "media",
    "plan",
    "transcript",
    "manifest",
    "dsp",
    "labels",
    "suggest",
  ],
  studio: ["publish", "verify", "project", "media", "plan", "transcript", "manifest", "dsp", "labels", "suggest"],
  publish: ["verify", "project", "media", "plan", "transcript", "manifest", "dsp", "suggest"],
  verify: ["project", "media", "plan", "transcript", "manifest", "dsp", "suggest"],
  project: ["manifest", "media", "suggest"],
  transcript: ["plan", "manifest", "suggest", "dsp"],
  media: ["dsp"],
  plan: ["manifest", "dsp"],
  labels: ["manifest"],
  suggest: ["manifest"],
  manifest: [],
  dsp: [],
  "(top)": [],
};

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

const folderOf = (file: string): string => {
  const parts = relative(SRC, file).split("/");
  return parts.length === 1 ? "(top)" : (parts[0] as string);
};

/** Every relative import of every source file (type-only imports too: they tie the layers as much). */
function imports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)]
      .map((m) => resolve(dirname(file), m[1] as string))
      .filter((t) => t.startsWith(SRC));
    graph.set(file, targets);
  }
  return graph;
}

describe("the module graph", () => {
  it("has folders that import only the folders below them", () => {
    const wrong: string[] = [];
    for (const [file, targets] of imports()) {
      const from = folderOf(file);
      const allowed = MAY_IMPORT[from];
      for (const target of targets) {
        const to = folderOf(target);
        if (to === from || to === "(top)") continue;
        if (!allowed?.includes(to)) wrong.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("has no cycle between files", () => {
    const graph = imports();
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const t of graph.get(file) ?? []) visit(t, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
