/**
 * Which web formats to publish: the names a user can ask for (in a manifest's `formats:`, in the
 * site settings, or with `--formats`), and how a list of them is read. Pure: no I/O.
 *
 * The order a user writes does not matter: a format list is a set, kept in canonical order.
 */
import { isAlias, isScalar } from "yaml";
import { describe, type Field, readList, type YamlContext } from "./yaml-fields.ts";

export const WEB_FORMATS = ["mp3", "opus"] as const;
export type WebFormat = (typeof WEB_FORMATS)[number];

/**
 * Published unless a setting says otherwise: MP3, which every browser plays. Opus is smaller at
 * the same quality but costs more than twice the encoding time; the site settings or a manifest
 * turn it on (the demo's redactions/site.yaml does).
 */
export const DEFAULT_WEB_FORMATS: readonly WebFormat[] = ["mp3"];

export const isWebFormat = (s: string): s is WebFormat => (WEB_FORMATS as readonly string[]).includes(s);

export const FORMATS_EXPECTED = `a list of web formats, e.g. [mp3, opus]: ${WEB_FORMATS.join(", ")} or both`;

/** The formats a call publishes: the command line's, else the manifest's, else the site's, else the default. */
export const chooseFormats = (
  cli: readonly WebFormat[] | undefined,
  manifest: readonly WebFormat[] | undefined,
  site: readonly WebFormat[] | undefined,
): readonly WebFormat[] => cli ?? manifest ?? site ?? DEFAULT_WEB_FORMATS;

/** Canonical order, no duplicates. */
export const canonicalFormats = (formats: Iterable<WebFormat>): WebFormat[] => {
  const set = new Set(formats);
  return WEB_FORMATS.filter((f) => set.has(f));
};

/**
 * `--formats mp3,opus`: comma-separated names. Returns the formats, or what is wrong (one
 * sentence saying what would be right).
 */
export function parseFormatsText(text: string): { formats: WebFormat[] } | { error: string } {
  const names = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (names.length === 0) return { error: `no format given; expected ${WEB_FORMATS.join(",")} or one of them` };
  const seen = new Set<WebFormat>();
  for (const name of names) {
    if (!isWebFormat(name)) {
      return { error: `unknown format "${name}"; expected ${WEB_FORMATS.join(", ")} or both, e.g. mp3,opus` };
    }
    if (seen.has(name)) return { error: `"${name}" is given twice; name each format once` };
    seen.add(name);
  }
  return { formats: canonicalFormats(seen) };
}

/**
 * A `formats:` value from a YAML file (a manifest or the site settings): a list of format names,
 * e.g. `[mp3, opus]`. Reports every problem in `ctx`; returns undefined if there was any.
 */
export function readFormats(ctx: YamlContext, f: Field): WebFormat[] | undefined {
  const items = readList(ctx, f, FORMATS_EXPECTED, " (a list: put the names in [ ])");
  if (!items) return undefined;
  let ok = true;
  const seen = new Map<WebFormat, number>();
  for (const [i, item] of items.entries()) {
    const n = item.node;
    if (isAlias(n)) {
      ok = false; // reported with every alias
      continue;
    }
    let problem: string | undefined;
    if (!isScalar(n) || typeof n.value !== "string") {
      problem = `expected a format name (${WEB_FORMATS.join(" or ")}), found ${describe(n)}`;
    } else if (!isWebFormat(n.value)) {
      const lower = n.value.trim().toLowerCase();
      const hint = isWebFormat(lower) ? ` (write it "${lower}")` : "";
      problem = `unknown format ${JSON.stringify(n.value)}${hint}; expected one of ${WEB_FORMATS.join(", ")}`;
    } else if (seen.has(n.value)) {
      problem = `"${n.value}" is already item ${seen.get(n.value)}; list each format once`;
    } else seen.set(n.value, i + 1);
    if (problem !== undefined) {
      ctx.add(ctx.at(item), item.path, problem);
      ok = false;
    }
  }
  return ok ? canonicalFormats(seen.keys()) : undefined;
}
