/** Plain text for a terminal: words wrapped to a width, so that long lines do not wrap mid-word. */

/**
 * `first` (already on the line, `used` columns wide) followed by `text`, wrapped at `width` columns;
 * continuation lines start with `indent`. A word longer than a line is left whole on a line of its own.
 */
export function wrapWords(text: string, width: number, used = 0, indent = "      "): string {
  const words = text.split(/ +/).filter((w) => w !== "");
  const lines: string[] = [];
  let line = "";
  let room = width - used;
  for (const word of words) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
      room = width - indent.length;
    }
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`)).join("\n");
}
