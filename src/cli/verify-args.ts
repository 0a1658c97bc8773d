/** Command-line parsing for `npm run verify`: pure, no I/O. */
import { UsageError } from "../errors.ts";
import { parseFormatsText, type WebFormat } from "../manifest/formats.ts";

export const VERIFY_HELP = `Verify published calls: decode every file in out/ on its own and check it.

Usage:
  npm run verify <call> [<call> ...]    verify out/<call>.* against recordings/ and redactions/<call>.yaml
  npm run verify -- --all               every call that has a manifest in redactions/

Options:
  --all        every redactions/*.yaml (or .yml), and every file of out/ that is no call's
  --formats mp3,opus
               the web formats the calls were published in, if not the manifests' or the site's
               (as given to npm run redact --formats)
  --failures   print only the rows that fail
  --json       print the results as JSON (one object per call: call, passed, rows) instead of tables
  --quiet      print only errors and failing rows
  --accept-decode-errors
               decode a recording whose decode cannot be trusted (decoder errors, or a length
               that disagrees with its header), as redact did with the same option
  -h, --help   this text

What is checked comes from the manifest, the site settings, the recording and the files in out/,
never from the report. Every file of the call (by name) is there because the settings publish it;
the report lists exactly those files with their SHA-256, this recording's format and length, and the
manifest's ranges; nothing private (notes, source metadata, the recording's name or hashes) is in any
of them; the page and the index refer to nothing elsewhere and to no other file of the call.
For every merged range and file: the master holds exactly the tone inside the range and the
decoded source outside; in each lossy file the tone dominates the range, the edges line up with the
master within one codec frame, and what remains once the tone is taken out (and notched out) does
not follow the original speech (no correlation beyond chance or 0.25, nothing of it over -50 dB);
loudness and true peak on target;
The result is written into the call's private record, private/<call>.json (out/ is not written).

Exit status: 0 every check passes; 1 a check fails (or a file cannot be read); 2 usage error or an
invalid manifest.
`;

export interface VerifyOptions {
  readonly calls: readonly string[];
  /** --formats: the web formats to expect, over the manifests' and the site's. */
  readonly formats?: readonly WebFormat[];
  readonly all: boolean;
  readonly failures: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly acceptDecodeErrors: boolean;
}

export function parseVerifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): VerifyOptions {
  const calls: string[] = [];
  const flags = new Set<string>();
  let formats: string | undefined = env.npm_config_formats;
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (onlyPositional || !arg.startsWith("-") || arg === "-") calls.push(arg);
    else if (arg === "--") onlyPositional = true;
    else if (["--all", "--failures", "--json", "--quiet", "-q", "--help", "-h", "--accept-decode-errors"].includes(arg))
      flags.add(arg);
    else if (arg === "--formats" || arg.startsWith("--formats=")) {
      formats = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (formats === undefined || formats === "") throw new UsageError("--formats needs a value; see --help");
    } else throw new UsageError(`unknown option ${arg.split("=")[0]}; see --help`);
  }
  let chosen: WebFormat[] | undefined;
  if (formats !== undefined) {
    const parsed = parseFormatsText(formats);
    if ("error" in parsed) throw new UsageError(`--formats ${formats}: ${parsed.error}`);
    chosen = parsed.formats;
  }
  const opts: VerifyOptions = {
    calls,
    ...(chosen ? { formats: chosen } : {}),
    // `npm run verify --all` (without `--`) hands --all to npm, which passes it on as npm_config_all.
    all: flags.has("--all") || env.npm_config_all === "true",
    failures: flags.has("--failures"),
    json: flags.has("--json"),
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
