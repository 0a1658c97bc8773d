/**
 * The shell every command runs in: the only place that handles signals, prints
 * errors and calls process.exit. A user mistake prints `error: ...` and never a
 * stack; a bug prints the stack and asks to be reported.
 */
import { RedactError } from "../errors.ts";
import { killAllFfmpeg } from "../media/ffmpeg.ts";
import { discardAllOutputs } from "../project/atomic.ts";
import { releaseAllLocks } from "../project/lock.ts";
import { asTyped } from "./invocation.ts";

export type ExitStatus = 0 | 1 | 2;

export function printError(err: RedactError): void {
  process.stderr.write(`error: ${asTyped(err.message).split("\n").join("\nerror: ")}\n`);
}

/** The signals that end a run cleanly, with the shell's exit status for each (128 + the signal's number). */
const STOP_SIGNALS: ReadonlyArray<readonly [NodeJS.Signals, number]> = [
  ["SIGHUP", 129], // the terminal went away
  ["SIGINT", 130], // Ctrl-C
  ["SIGQUIT", 131], // Ctrl-\
  ["SIGTERM", 143], // kill, a CI runner or Kubernetes stopping the job
];

/** How a command ends when it is stopped by a signal. */
export interface StopOptions {
  /** What it prints (default: that no outputs were changed). */
  readonly message?: (signal: NodeJS.Signals) => string;
  /** Its exit status (default: the shell's, 128 + the signal's number). */
  readonly status?: ExitStatus;
}

function onSignal(signal: NodeJS.Signals, stop: StopOptions): void {
  killAllFfmpeg();
  discardAllOutputs();
  releaseAllLocks();
  process.stderr.write(stop.message?.(signal) ?? `\ninterrupted (${signal}): no outputs were changed\n`);
  process.exit(stop.status ?? STOP_SIGNALS.find(([s]) => s === signal)?.[1] ?? 1);
}

export function runCommand(main: (argv: readonly string[]) => Promise<ExitStatus>, stop: StopOptions = {}): void {
  for (const [signal] of STOP_SIGNALS) process.once(signal, (s: NodeJS.Signals) => onSignal(s, stop));
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      killAllFfmpeg();
      discardAllOutputs();
      releaseAllLocks();
      if (err instanceof RedactError) {
        printError(err);
        process.exit(err.exitCode);
      }
      process.stderr.write(
        `internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
