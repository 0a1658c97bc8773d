/** Command-line parsing for `npm run studio`: pure, no I/O. */
import { UsageError } from "../errors.ts";

export const STUDIO_HELP = `Mark, check and publish calls in the browser.

Usage:
  npm run studio
  npm run studio -- --port N --open --accept-decode-errors

Starts a server on 127.0.0.1 (this computer only) and prints its address with this run's
token: http://127.0.0.1:PORT/?token=... Open it in a browser. The studio reads and writes
redactions/<call>.yaml (only what you change), and publishes as npm run redact <call> does.
Ctrl-C stops it.

Options:
  --port N                  listen on port N (default: any free port)
  --open                    open the address in the default browser
  --accept-decode-errors    open and publish recordings whose decode printed errors (as redact)
  -h, --help                this text
`;

export interface StudioArgs {
  readonly port: number;
  readonly open: boolean;
  readonly acceptDecodeErrors: boolean;
}

export function parseStudioArgs(argv: readonly string[]): StudioArgs | "help" {
  let port = 0;
  let open = false;
  let acceptDecodeErrors = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (name === "--help" || name === "-h") return "help";
    if (name === "--open") open = true;
    else if (name === "--accept-decode-errors") acceptDecodeErrors = true;
    else if (name === "--port") {
      const v = inline ?? argv[++i];
      if (v === undefined || !/^[0-9]{1,5}$/.test(v) || Number(v) > 65535) {
        throw new UsageError(
          `--port takes a port number from 0 to 65535, not ${v === undefined ? "nothing" : `"${v}"`}`,
        );
      }
      port = Number(v);
    } else throw new UsageError(`unknown option or argument ${arg}; see npm run studio -- --help`);
  }
  return { port, open, acceptDecodeErrors };
}
