/**
 * Progress on an interactive terminal; silence in pipes and CI (no carriage
 * returns, no escape codes there).
 */
import type { ProgressEvent } from "../publish/progress.ts";

export interface StatusLine {
  update(e: ProgressEvent): void;
  clear(): void;
}

export function isInteractive(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !env.CI && env.TERM !== "dumb";
}

export function statusLine(stream: NodeJS.WriteStream, interactive: boolean): StatusLine {
  let shown = false;
  let last = 0;
  const clear = (): void => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  return {
    update(e) {
      if (!interactive) return;
      const now = Date.now();
      if (now - last < 100 && e.stage !== "done") return;
      last = now;
      const pct = e.fraction === undefined ? "" : ` ${Math.floor(e.fraction * 100)}%`;
      const width = 24;
      const bar = e.fraction === undefined ? "" : ` [${"#".repeat(Math.round(e.fraction * width)).padEnd(width, ".")}]`;
      stream.write(`\r\x1b[2K${e.call}: ${e.stage}${bar}${pct}`);
      shown = true;
    },
    clear,
  };
}
