/**
 * The shell every command runs in: the only place that handles signals, prints
 * errors and calls process.exit. A user mistake prints `error: ...` and never a
 * stack; a bug prints the stack and asks to be reported.
 */
import { RedactError } from "../errors.ts";
import { killAllFfmpeg } from "../media/ffmpeg.ts";
import { discardAllOutputs } from "../project/atomic.ts";

export type ExitStatus = 0 | 1 | 2;

export function printError(err: RedactError): void {
  process.stderr.write(`error: ${err.message.split("\n").join("\nerror: ")}\n`);
}

function onSignal(signal: NodeJS.Signals): void {
  killAllFfmpeg();
  discardAllOutputs();
  process.stderr.write(`\ninterrupted (${signal}): no outputs were changed\n`);
  process.exit(signal === "SIGINT" ? 130 : 143);
}

export function runCommand(main: (argv: readonly string[]) => Promise<ExitStatus>): void {
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      killAllFfmpeg();
      discardAllOutputs();
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
