/**
 * The colour of each category on the page: the shaded ranges of the waveform,
 * the legend's swatches and the list's markers all use it. Colours from the
 * Okabe-Ito palette, which stays distinguishable with the common kinds of
 * colour blindness: sensitive information blue, obscenities vermillion, and
 * categories a manifest defines take the rest in the order they are defined.
 */
export const SENSITIVE_COLOUR = "#0072b2";
export const OBSCENITY_COLOUR = "#d55e00";
const CUSTOM_COLOURS = ["#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442"] as const;

/** Colour per category name; `names` in the manifest's order (built-ins first), each once. */
export function categoryColours(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  let next = 0;
  for (const name of names) {
    if (out.has(name)) continue;
    if (name === "sensitive") out.set(name, SENSITIVE_COLOUR);
    else if (name === "obscenity") out.set(name, OBSCENITY_COLOUR);
    else out.set(name, CUSTOM_COLOURS[next++ % CUSTOM_COLOURS.length] as string);
  }
  return out;
}
