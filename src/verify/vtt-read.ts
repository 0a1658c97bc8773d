/**
 * Reading a published WebVTT file as verification reads it: strictly, and only what this tool writes. The
 * header line, then blocks separated by blank lines, each an optional identifier, a timing line
 * (`00:00:01.500 --> 00:00:02.000`, hours optional) and its text; in the text, the escapes `&amp;`, `&lt;`,
 * `&gt;`, voice spans (`<v Name>`) and class spans (`<c.redacted.sensitive>`). Anything else (NOTE, STYLE
 * and REGION blocks, other tags and escapes, cue settings) is legal WebVTT that this tool never writes, so
 * it is refused: it could carry text past the checks. Pure: text in, cues or the first problem out.
 */

export interface VttCue {
  /** The cue's number in the file, from 1. */
  readonly number: number;
  readonly startMs: number;
  readonly endMs: number;
  /** The voice span's name, when the cue has one. */
  readonly speaker?: string;
  /** The classes of the cue's class span (`redacted`, `sensitive`), when it has one. */
  readonly classes?: readonly string[];
  /** The text a reader sees: tags removed, escapes decoded. */
  readonly text: string;
  /** The line of its timing line. */
  readonly line: number;
}

const TIME = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;

const ms = (text: string): number | undefined => {
  const m = TIME.exec(text);
  if (!m) return undefined;
  return ((Number(m[1] ?? "0") * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
};

const ESCAPES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

/** A cue's text: its spans and what a reader sees, or what is wrong with it. */
function cueText(raw: string): { speaker?: string; classes?: string[]; text: string } | { problem: string } {
  let speaker: string | undefined;
  let classes: string[] | undefined;
  let open: "v" | "c" | undefined;
  let text = "";
  const tokens = raw.split(/(<[^>]*>|&[^;\s<>]*;?)/);
  for (const t of tokens) {
    if (t === "") continue;
    if (t.startsWith("<")) {
      const v = /^<v ([^<>&]*)>$/.exec(t);
      const c = /^<c((?:\.[a-z0-9_-]+)+)>$/.exec(t);
      if (v && open === undefined && speaker === undefined && text === "") {
        speaker = v[1]?.trim() ?? "";
        open = "v";
      } else if (c && open === undefined && classes === undefined && text === "") {
        classes = (c[1] ?? "").slice(1).split(".");
        open = "c";
      } else if ((t === "</v>" && open === "v") || (t === "</c>" && open === "c")) open = undefined;
      else return { problem: `the tag ${JSON.stringify(t)}, which this tool never writes there` };
      continue;
    }
    if (t.startsWith("&")) {
      const d = ESCAPES[t];
      if (d === undefined) return { problem: `the escape ${JSON.stringify(t)}, which this tool never writes` };
      text += d;
      continue;
    }
    if (t.includes("<") || t.includes(">")) return { problem: 'a "<" or ">" that is not escaped' };
    if (open === undefined && (speaker !== undefined || classes !== undefined) && t.trim() !== "") {
      return { problem: "text after its closing tag" };
    }
    text += t;
  }
  if (open === "c") return { problem: "a class span that is not closed" };
  return {
    ...(speaker === undefined ? {} : { speaker }),
    ...(classes === undefined ? {} : { classes }),
    text,
  };
}

export function readVtt(source: string): { readonly cues: VttCue[] } | { readonly problem: string } {
  const lines = source.replace(/^\uFEFF/, "").split("\n");
  if (lines.some((l) => l.includes("\r")))
    return { problem: "line 1: it has carriage returns; this tool writes \\n only" };
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? "")) return { problem: 'line 1: it does not start with "WEBVTT"' };
  if ((lines[1] ?? "") !== "") return { problem: "line 2: the header is not followed by a blank line" };
  const cues: VttCue[] = [];
  let i = 2;
  while (i < lines.length) {
    if ((lines[i] ?? "") === "") {
      i++;
      continue;
    }
    const blockLine = i + 1;
    const block: string[] = [];
    while (i < lines.length && (lines[i] ?? "") !== "") block.push(lines[i++] as string);
    const at = (block[0] ?? "").includes("-->") ? 0 : 1;
    if (at === 1 && /^(NOTE|STYLE|REGION)(\s|$)/.test(block[0] ?? "")) {
      return { problem: `line ${blockLine}: a ${block[0]?.split(/\s/)[0]} block, which this tool never writes` };
    }
    const timing = /^(\S+) --> (\S+)$/.exec(block[at] ?? "");
    const start = timing ? ms(timing[1] ?? "") : undefined;
    const end = timing ? ms(timing[2] ?? "") : undefined;
    if (start === undefined || end === undefined) {
      return { problem: `line ${blockLine + at}: not a cue's timing line ("00:00:01.500 --> 00:00:02.000")` };
    }
    const body = block.slice(at + 1);
    if (body.some((l) => l.includes("-->"))) return { problem: `line ${blockLine}: "-->" inside a cue's text` };
    const parsed = cueText(body.join("\n"));
    if ("problem" in parsed) return { problem: `line ${blockLine + at + 1}: ${parsed.problem}` };
    cues.push({ number: cues.length + 1, startMs: start, endMs: end, ...parsed, line: blockLine + at });
  }
  return { cues };
}
