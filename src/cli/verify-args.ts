/** Command-line parsing for `npm run verify`: pure, no I/O. */
import { UsageError } from "../errors.ts";

export const VERIFY_HELP = `Verify published calls: decode every file in out/ on its own and check it.

Usage:
  npm run verify <call> [<call> ...]    verify out/<call>.* against recordings/ and redactions/<call>.yaml
  npm run verify -- --all               every call that has a manifest in redactions/

Options:
  --all        every redactions/*.yaml (or .yml)
  --failures   print only the rows that fail
  --quiet      print only errors and failing rows
  --accept-decode-errors
               decode a recording whose decode cannot be trusted (decoder errors, or a length
               that disagrees with its header), as redact did with the same option
  -h, --help   this text

Checks, for every merged range and file: the master holds exactly the tone inside the range and the
decoded source outside; in each lossy file the tone dominates the range, the edges line up with the
master within one codec frame, and what remains once the tone is taken out (and notched out) does
not follow the original speech (no correlation beyond chance or 0.25, nothing of it over -50 dB);
loudness and true peak on target;
no metadata of the source and no private note in any output; hashes as the report gives them.
The result is written into out/<call>.json as "verification".

Exit status: 0 every check passes; 1 a check fails (or a file cannot be read); 2 usage error or an
invalid manifest.
`;

export interface VerifyOptions {
  readonly calls: readonly string[];
  readonly all: boolean;
  readonly failures: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly acceptDecodeErrors: boolean;
}

export function parseVerifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): VerifyOptions {
  const calls: string[] = [];
  const flags = new Set<string>();
  let onlyPositional = false;
  for (const arg of argv) {
    if (onlyPositional || !arg.startsWith("-") || arg === "-") calls.push(arg);
    else if (arg === "--") onlyPositional = true;
    else if (["--all", "--failures", "--quiet", "-q", "--help", "-h", "--accept-decode-errors"].includes(arg))
      flags.add(arg);
    else throw new UsageError(`unknown option ${arg.split("=")[0]}; see --help`);
  }
  const opts: VerifyOptions = {
    calls,
    // `npm run verify --all` (without `--`) hands --all to npm, which passes it on as npm_config_all.
    all: flags.has("--all") || env.npm_config_all === "true",
    failures: flags.has("--failures"),
    quiet: flags.has("--quiet") || flags.has("-q"),
    help: flags.has("--help") || flags.has("-h"),
    acceptDecodeErrors: flags.has("--accept-decode-errors") || env.npm_config_accept_decode_errors === "true",
  };
  if (opts.help) return opts;
  if (opts.all && calls.length > 0) throw new UsageError("give call names or --all, not both");
  if (!opts.all && calls.length === 0) {
    throw new UsageError("name a call to verify, e.g. `npm run verify call4`, or use `npm run verify -- --all`");
  }
  return opts;
}
