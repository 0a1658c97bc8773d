/**
 * What a batch shows while it runs.
 *
 * On an interactive terminal: one line per running call with a progress bar (fed by the pipeline's
 * progress events: samples redacted, frames encoded), redrawn in place on stderr; finished calls print
 * their line above the bars, which then redraw underneath. Anywhere else (a pipe, a file, CI, TERM=dumb):
 * no bars, no carriage returns and no escape codes, only one plain line per finished call.
 */
import type { ProgressEvent } from "../publish/progress.ts";

export interface Board {
  /** A call started work. */
  start(call: string): void;
  /** Progress of a running call. */
  update(e: ProgressEvent): void;
  /** A call is finished: its bar goes; `line` (if any) is printed to stdout above the bars. */
  finish(call: string, line?: string): void;
  /** Run `print` (which writes whole lines) with the bars out of the way. */
  above(print: () => void): void;
  /** Remove the bars for good. */
  close(): void;
}

export interface BoardOptions {
  /** Where the bars go (stderr). */
  readonly err: NodeJS.WritableStream & { readonly columns?: number; readonly rows?: number };
  /** Where finished calls' lines go (stdout). */
  readonly out: NodeJS.WritableStream;
  /** Draw bars (an interactive terminal); otherwise plain lines only. */
  readonly interactive: boolean;
  /** Print no lines for finished calls (bars are still drawn when interactive). */
  readonly quiet?: boolean;
  /** Minimum time between two redraws for progress alone, ms (default 100). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

interface Row {
  stage: string;
  fraction: number | undefined;
}

const BAR_WIDTH = 24;
const ESC = "\u001b[";

/** One bar line: `call4  encoding   [##########..............]  42%`, cut to `width` characters. */
export function barLine(call: string, row: Row, nameWidth: number, width: number): string {
  const f = row.fraction === undefined ? undefined : Math.min(1, Math.max(0, row.fraction));
  const bar =
    f === undefined ? " ".repeat(BAR_WIDTH + 2) : `[${"#".repeat(Math.round(f * BAR_WIDTH)).padEnd(BAR_WIDTH, ".")}]`;
  const pct = f === undefined ? "" : `${String(Math.floor(f * 100)).padStart(3)}%`;
  const line = `${call.padEnd(nameWidth)}  ${row.stage.padEnd(9)} ${bar} ${pct}`.trimEnd();
  return line.length > width ? line.slice(0, Math.max(0, width)) : line;
}

export function progressBoard(opts: BoardOptions): Board {
  const { err, out, interactive } = opts;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 100;
  const rows = new Map<string, Row>();
  let drawn = 0; // lines of bars currently on screen; the cursor is at the end of the last one
  let lastDraw = 0;
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;

  const eraseSeq = (): string => (drawn === 0 ? "" : `\r${drawn > 1 ? `${ESC}${drawn - 1}A` : ""}${ESC}J`);

  const drawSeq = (): string => {
    // A terminal that does not say its size (0, as under `script`) gets the classic 80 x 24.
    const width = Math.max(20, (err.columns || 80) - 1);
    const maxLines = Math.max(2, (err.rows || 24) - 2);
    const names = [...rows.keys()];
    const nameWidth = Math.min(32, Math.max(0, ...names.map((n) => n.length)));
    const shown = names.length > maxLines ? names.slice(0, maxLines - 1) : names;
    const lines = shown.map((n) => barLine(n, rows.get(n) as Row, nameWidth, width));
    if (shown.length < names.length) lines.push(`... and ${names.length - shown.length} more running`);
    drawn = lines.length;
    return lines.join("\n");
  };

  const redraw = (): void => {
    if (!interactive) return;
    err.write(eraseSeq() + drawSeq());
    lastDraw = now();
    dirty = false;
  };

  const ensureTimer = (): void => {
    if (!interactive || timer) return;
    // Progress that arrives between redraws is drawn by this tick, so the bars never lag for long.
    timer = setInterval(() => {
      if (dirty) redraw();
    }, interval * 2);
    timer.unref();
  };

  return {
    start(call) {
      rows.set(call, { stage: "starting", fraction: undefined });
      ensureTimer();
      redraw();
    },
    update(e) {
      if (!interactive) return;
      const row = rows.get(e.call);
      if (!row) return; // finished already, or not part of this board
      row.stage = e.stage;
      row.fraction = e.fraction;
      if (now() - lastDraw >= interval) redraw();
      else dirty = true;
    },
    finish(call, line) {
      rows.delete(call);
      if (!interactive) {
        if (line !== undefined && !opts.quiet) out.write(`${line}\n`);
        return;
      }
      let seq = eraseSeq();
      drawn = 0;
      err.write(seq);
      if (line !== undefined && !opts.quiet) out.write(`${line}\n`);
      seq = drawSeq();
      if (seq) err.write(seq);
      lastDraw = now();
      dirty = false;
    },
    above(print) {
      if (interactive && drawn > 0) {
        err.write(eraseSeq());
        drawn = 0;
      }
      print();
      if (interactive && rows.size > 0) redraw();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (interactive && drawn > 0) err.write(eraseSeq());
      drawn = 0;
      rows.clear();
    },
  };
}
