/** Command-line parsing for `npm run redact`: pure, no I/O. */
import { UsageError } from "../errors.ts";

export interface CliOptions {
  readonly calls: readonly string[];
  readonly all: boolean;
  readonly check: boolean;
  readonly json: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly quiet: boolean;
}

export const HELP = `Redact call recordings for publishing.

Usage:
  npm run redact <call> [<call> ...]      redact redactions/<call>.yaml against its recording
  npm run redact -- --all                 redact every call that has a manifest in redactions/
  npm run redact -- --check <call> ...    validate the manifest(s) and print the plan; write nothing

Options:
  --all        every redactions/*.yaml (or .yml)
  --check      decode the recording, check every range against it, print each merged
               range in time and in samples; writes nothing
  --json       with --check: print the plan as JSON
  --quiet      print only errors
  --version    print the tool's version
  -h, --help   this text

For each call it writes, all together or not at all:
  out/<call>.wav    redacted master: 16-bit PCM, the recording's own rate, channels and length
  out/<call>.mp3    for the web: loudness-normalised (-16 LUFS stereo, -19 LUFS mono), true peak <= -1 dBTP
  out/<call>.json   report: ranges in samples and seconds, loudness, SHA-256 of every file

Exit status: 0 success; 2 usage error or invalid manifest (including a range past the end
of the recording); 1 any other failure (missing or undecodable recording, ffmpeg, disk).

Environment:
  FFMPEG_PATH  use this ffmpeg binary instead of the one installed by npm
`;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliOptions {
  const calls: string[] = [];
  let all = false;
  let check = false;
  let json = false;
  let help = false;
  let version = false;
  let quiet = false;
  let onlyNames = false;
  for (const arg of argv) {
    if (onlyNames || !arg.startsWith("-")) {
      calls.push(arg);
      continue;
    }
    switch (arg) {
      case "--":
        onlyNames = true;
        break;
      case "--all":
        all = true;
        break;
      case "--check":
        check = true;
        break;
      case "--json":
        json = true;
        break;
      case "--quiet":
      case "-q":
        quiet = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      case "--version":
        version = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}; see --help`);
    }
  }
  // `npm run redact --all` (without `--`) hands --all to npm, which passes it on as npm_config_all.
  if (env.npm_config_all === "true") all = true;
  if (env.npm_config_check === "true") check = true;
  if (help || version) return { calls, all, check, json, help, version, quiet };
  if (all && calls.length > 0) throw new UsageError("give call names or --all, not both");
  if (!all && calls.length === 0) {
    throw new UsageError(
      "name a call to redact, e.g. `npm run redact call4`, or use `npm run redact -- --all`; see --help",
    );
  }
  if (json && !check) throw new UsageError("--json goes with --check");
  return { calls, all, check, json, help, version, quiet };
}
