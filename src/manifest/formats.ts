/**
 * Which web formats to publish: the names a user can ask for (in a manifest's `formats:`, in the
 * site settings, or with `--formats`), and how a list of them is read. Pure: no I/O.
 *
 * The order a user writes does not matter: a format list is a set, kept in canonical order.
 */
import { isAlias, isMap, isScalar, isSeq } from "yaml";

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

/** Records one located problem: the offset in the YAML text, the field path, what is wrong and what is right. */
export type AddIssue = (offset: number, field: string, message: string) => void;

const offsetOf = (node: unknown, fallback: number): number =>
  (node as { range?: readonly number[] | null } | null | undefined)?.range?.[0] ?? fallback;

const describeNode = (node: unknown): string => {
  if (node == null || (isScalar(node) && node.value === null)) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) return JSON.stringify(String(node.source ?? node.value));
  return "something else";
};

/**
 * A `formats:` value from a YAML document (a manifest or the site settings): a list of format
 * names, e.g. `[mp3, opus]`. Reports every problem through `add`; returns undefined if there was any.
 * `keyOffset` is where the key is, for an empty value.
 */
export function readFormatsNode(
  node: unknown,
  field: string,
  keyOffset: number,
  add: AddIssue,
): WebFormat[] | undefined {
  if (isAlias(node)) return undefined; // reported with every alias by the caller
  if (!isSeq(node)) {
    const hint = isScalar(node) && typeof node.value === "string" ? " (a list: put the names in [ ])" : "";
    add(offsetOf(node, keyOffset), field, `expected ${FORMATS_EXPECTED}, found ${describeNode(node)}${hint}`);
    return undefined;
  }
  if (node.items.length === 0) {
    add(offsetOf(node, keyOffset), field, `is empty; expected ${FORMATS_EXPECTED}`);
    return undefined;
  }
  let ok = true;
  const seen = new Map<WebFormat, number>();
  node.items.forEach((item, i) => {
    const itemField = `${field}[${i + 1}]`;
    const at = offsetOf(item, offsetOf(node, keyOffset));
    if (isAlias(item)) {
      ok = false;
      return;
    }
    if (!isScalar(item) || typeof item.value !== "string") {
      add(at, itemField, `expected a format name (${WEB_FORMATS.join(" or ")}), found ${describeNode(item)}`);
      ok = false;
      return;
    }
    const name = item.value;
    if (!isWebFormat(name)) {
      const lower = name.trim().toLowerCase();
      const hint = isWebFormat(lower) ? ` (write it "${lower}")` : "";
      add(at, itemField, `unknown format ${JSON.stringify(name)}${hint}; expected one of ${WEB_FORMATS.join(", ")}`);
      ok = false;
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      add(at, itemField, `"${name}" is already item ${first}; list each format once`);
      ok = false;
      return;
    }
    seen.set(name, i + 1);
  });
  return ok ? canonicalFormats(seen.keys()) : undefined;
}
