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

/** Every option: its spellings, and whether it takes a value (`--name value` or `--name=value`). */
const FLAGS: Record<string, { readonly key: string; readonly value?: true }> = {
  "--all": { key: "all" },
  "--check": { key: "check" },
  "--json": { key: "json" },
  "--quiet": { key: "quiet" },
  "-q": { key: "quiet" },
  "--help": { key: "help" },
  "-h": { key: "help" },
  "--version": { key: "version" },
};

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

export interface RawArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/** Split argv into positional arguments and known flags; unknown flags are usage errors. */
export function splitArgs(argv: readonly string[]): RawArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (onlyPositional || !arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositional = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = FLAGS[name];
    if (!flag) throw new UsageError(`unknown option ${name}; see --help`);
    if (flag.value) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value; see --help`);
      flags.set(flag.key, value);
    } else {
      if (eq > 0) throw new UsageError(`${name} takes no value; see --help`);
      flags.set(flag.key, true);
    }
  }
  return { positional, flags };
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliOptions {
  const { positional, flags } = splitArgs(argv);
  const on = (key: string): boolean => flags.get(key) === true;
  // `npm run redact --all` (without `--`) hands --all to npm, which passes it on as npm_config_all.
  const all = on("all") || env.npm_config_all === "true";
  const check = on("check") || env.npm_config_check === "true";
  const opts: CliOptions = {
    calls: positional,
    all,
    check,
    json: on("json"),
    help: on("help"),
    version: on("version"),
    quiet: on("quiet"),
  };
  if (opts.help || opts.version) return opts;
  if (all && positional.length > 0) throw new UsageError("give call names or --all, not both");
  if (!all && positional.length === 0) {
    throw new UsageError(
      "name a call to redact, e.g. `npm run redact call4`, or use `npm run redact -- --all`; see --help",
    );
  }
  if (opts.json && !check) throw new UsageError("--json goes with --check");
  return opts;
}
