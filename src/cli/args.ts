/** Command-line parsing for `npm run redact`: pure, no I/O. */
import { UsageError } from "../errors.ts";
import { parseFormatsText, type WebFormat } from "../manifest/formats.ts";
import { parseShard, type Shard } from "../publish/shard.ts";

export interface CliOptions {
  readonly calls: readonly string[];
  /** `--preview call4 3`: render merged range 3 with context to out/preview/call4-3.wav. */
  readonly preview?: { readonly call: string; readonly range: number };
  readonly all: boolean;
  readonly check: boolean;
  readonly json: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly quiet: boolean;
  /** Verify the outputs before publishing them (default); `--no-verify` turns it off. */
  readonly verify: boolean;
  /** Rebuild calls even when nothing changed since their last report. */
  readonly force: boolean;
  /** Calls in flight at once (--jobs); undefined: one per core. */
  readonly jobs?: number;
  /** Only this share of the calls (--shard i/n). */
  readonly shard?: Shard;
  /** --formats mp3,opus: the web formats, over the manifests' and the site's; undefined: not given. */
  readonly formats?: readonly WebFormat[];
  /** Publish a recording whose decode printed errors or disagrees with its container's length. */
  readonly acceptDecodeErrors: boolean;
  /** A word redacted once but said again elsewhere in the call's transcript is an error (exit 2), not a warning. */
  readonly strict: boolean;
}

/** Every option: its spellings, and whether it takes a value (`--name value` or `--name=value`). */
const FLAGS: Record<string, { readonly key: string; readonly value?: true }> = {
  "--all": { key: "all" },
  "--check": { key: "check" },
  "--preview": { key: "preview" },
  "--json": { key: "json" },
  "--quiet": { key: "quiet" },
  "--no-verify": { key: "noVerify" },
  "-q": { key: "quiet" },
  "--help": { key: "help" },
  "-h": { key: "help" },
  "--version": { key: "version" },
  "--force": { key: "force" },
  "--jobs": { key: "jobs", value: true },
  "-j": { key: "jobs", value: true },
  "--shard": { key: "shard", value: true },
  "--formats": { key: "formats", value: true },
  "--accept-decode-errors": { key: "acceptDecodeErrors" },
  "--strict": { key: "strict" },
};

export const HELP = `Redact call recordings for publishing.

Usage:
  npm run redact <call> [<call> ...]      redact redactions/<call>.yaml against its recording
  npm run redact -- --all                 redact every call that has a manifest in redactions/
  npm run redact -- --check <call> ...    validate the manifest(s) and print the plan; write nothing
  npm run redact -- --preview <call> <n>  render merged range n with 2 s either side to out/preview/

Options:
  --all        every redactions/*.yaml (or .yml)
  --check      decode the recording, check every range against it, print each merged
               range in time and in samples; writes nothing
  --json       with --check: print the plan as JSON
  --preview    <call> <n>: write out/preview/<call>-<n>.wav, merged range n (numbered as --check
               shows them) with 2 s of the recording either side, redacted as the master will be
  --jobs N     redact N calls at a time (default: one per core); -j N
  --force      rebuild every call; without it, a call whose recording, manifest, settings and
               tool are unchanged since its last report, with its outputs intact, is skipped
  --shard i/n  take only the i-th of n deterministic shares of the calls (1 <= i <= n), to
               spread an archive over n machines; a call's share depends on its name only
  --formats mp3,opus
               the web formats to publish (mp3, opus or both), over the manifests' formats:
               and the site's (redactions/site.yaml); default: mp3
  --no-verify  skip the verification that runs before anything is published (decode every new
               file on its own and check it; see npm run verify -- --help)
  --accept-decode-errors
               use a recording whose decode cannot be trusted: ffmpeg printed decoder errors,
               or the decoded length disagrees with what the file's header states by more
               than a codec frame. Without it such a recording is refused (exit 1)
  --strict     a word the manifest redacts that the call's transcript says again outside every
               range is an error (exit 2, nothing published) instead of a warning; with --check too
  --quiet      print only errors
  --version    print the tool's version
  -h, --help   this text

For each call it writes, all together or not at all:
  out/<call>.wav    redacted master: 16-bit PCM, the recording's own rate, channels and length
  out/<call>.mp3    for the web: loudness-normalised (-16 LUFS stereo, -19 LUFS mono), true peak <= -1 dBTP
  out/<call>.opus   the same in Ogg Opus (smaller); which of the two are written: --formats
  out/<call>.html   the call's page: player, waveform with the redactions shaded, transcript, list of redactions
  out/<call>.vtt    the redacted transcript (WebVTT captions), when the call has one: transcripts/<call>.*
                    or transcript: in the manifest; every word that overlaps a range is replaced by
                    its category ([sensitive]), and words redacted once but said again elsewhere are
                    warned about (--strict: refused)
  out/<call>.json   report: ranges in samples and seconds, loudness, SHA-256 of every file
and after every run out/index.html, the list of all published calls, and out/feed.xml, their RSS
feed with the transcripts (when redactions/site.yaml gives the site's address, url:).

Exit status: 0 success; 2 usage error or invalid manifest (including a range past the end
of the recording); 1 any other failure (missing or undecodable recording, ffmpeg, disk).

Environment:
  FFMPEG_PATH  use this ffmpeg binary instead of the one installed by npm (WMA needs
               ffmpeg 5 or later, e.g. Debian's: apt-get install ffmpeg; FFMPEG_PATH=/usr/bin/ffmpeg)
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

/** `--preview <call> <range>`: exactly one call and one range number, nothing else to do. */
function previewTarget(positional: readonly string[], opts: CliOptions): { call: string; range: number } {
  const [call, range, ...rest] = positional;
  if (opts.all || opts.check || opts.json)
    throw new UsageError("--preview renders one range of one call; leave out --all, --check and --json");
  if (call === undefined || range === undefined || rest.length > 0) {
    throw new UsageError("--preview needs a call and a range number, e.g. `npm run redact -- --preview call4 3`");
  }
  if (!/^[1-9][0-9]{0,8}$/.test(range)) {
    throw new UsageError(`--preview ${call} ${range}: the range is a number from 1, as --check numbers them`);
  }
  return { call, range: Number(range) };
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
    verify: !on("noVerify"),
    // `npm run redact --force` (without `--`) reaches us as npm_config_force, like --all.
    force: on("force") || env.npm_config_force === "true",
    acceptDecodeErrors: on("acceptDecodeErrors") || env.npm_config_accept_decode_errors === "true",
    strict: on("strict") || env.npm_config_strict === "true",
    ...jobsAndShard(flags),
    ...formatsOption(flags.get("formats") ?? env.npm_config_formats),
  };
  if (opts.help || opts.version) return opts;
  if (on("preview")) return { ...opts, preview: previewTarget(positional, opts) };
  if (all && positional.length > 0) throw new UsageError("give call names or --all, not both");
  if (!all && positional.length === 0) {
    throw new UsageError(
      "name a call to redact, e.g. `npm run redact call4`, or use `npm run redact -- --all`; see --help",
    );
  }
  if (opts.json && !check) throw new UsageError("--json goes with --check");
  if (opts.force && check) throw new UsageError("--check writes nothing, so there is nothing for --force to rebuild");
  return opts;
}

function jobsAndShard(flags: ReadonlyMap<string, string | true>): { jobs?: number; shard?: Shard } {
  const out: { jobs?: number; shard?: Shard } = {};
  const jobs = flags.get("jobs");
  if (typeof jobs === "string") {
    if (!/^\d{1,4}$/.test(jobs) || Number(jobs) < 1) {
      throw new UsageError(`--jobs ${jobs}: expected a whole number of calls at a time, 1 or more (e.g. --jobs 2)`);
    }
    out.jobs = Number(jobs);
  }
  const shard = flags.get("shard");
  if (typeof shard === "string") out.shard = parseShard(shard);
  return out;
}

/** `--formats mp3,opus` (or npm_config_formats, when npm kept `--formats=...` for itself). */
function formatsOption(value: string | true | undefined): { formats?: readonly WebFormat[] } {
  if (typeof value !== "string") return {};
  const parsed = parseFormatsText(value);
  if ("error" in parsed) throw new UsageError(`--formats ${value}: ${parsed.error}`);
  return { formats: parsed.formats };
}
