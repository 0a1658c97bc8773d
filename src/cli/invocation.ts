/**
 * How the user started the tool, so that help and error messages show commands they can type:
 * `npm run redact -- --all` in this repository (package.json's scripts), `call-redactor redact --all`
 * from the installed package (bin.ts says so before it loads a command).
 */

let fromBin = false;

/** Called by bin.ts: the commands were started as `call-redactor <command>`. */
export function startedFromBin(): void {
  fromBin = true;
}

const rewrite = (s: string): string =>
  s.replace(/npm run (redact|verify|labels|suggest|studio)(?: --(?= ))?/g, "call-redactor $1");

/**
 * `text` with every `npm run <command> [--]` written as the installed command is typed. Lines laid out
 * in two columns (split at their first gap of two spaces or more) keep their second column aligned: a run
 * of such lines that shared a column shares one again, moved right if a rewritten first column needs it.
 */
export function asTyped(text: string): string {
  if (!fromBin) return text;
  type Line = { readonly head: string; readonly column: number; readonly tail: string } | string;
  const lines: Line[] = text.split("\n").map((line) => {
    const m = /^(\s*\S.*?)( {2,})(\S.*)$/.exec(line);
    if (!m) return rewrite(line);
    const [, head = "", gap = "", tail = ""] = m;
    return { head: rewrite(head), column: head.length + gap.length, tail: rewrite(tail) };
  });
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i] as Line;
    if (typeof first === "string") {
      out.push(first);
      i++;
      continue;
    }
    const run: Array<Exclude<Line, string>> = [];
    for (let l = lines[i]; typeof l === "object" && l.column === first.column; l = lines[++i]) run.push(l);
    const column = Math.max(first.column, ...run.map((l) => l.head.length + 2));
    for (const l of run) out.push(`${l.head.padEnd(column)}${l.tail}`);
  }
  return out.join("\n");
}
