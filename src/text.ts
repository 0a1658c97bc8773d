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

/**
 * Text from a file someone else wrote (a transcript's words and speakers) as published: one line, each
 * control or direction character (which would turn the text around it on a page) replaced by U+FFFD,
 * whitespace collapsed.
 */
export function publishedLine(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x09 || c === 0x0a || c === 0x0d) out += " ";
    else if (c < 0x20 || c === 0x7f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) out += "\ufffd";
    else out += ch;
  }
  return out.replace(/\s+/g, " ").trim();
}
