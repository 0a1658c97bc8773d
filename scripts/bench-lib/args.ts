/** Command-line options of `npm run bench`. */

export interface BenchOptions {
  /** Lengths of the recordings to benchmark, in minutes. */
  readonly minutes: readonly number[];
  /** Timed runs of each command per length. */
  readonly runs: number;
  /** Seconds of audio for the in-process DSP throughput figures (0 skips them). */
  readonly dspSeconds: number;
  /** Process-tree memory sampling interval, ms. */
  readonly sampleMs: number;
  /** Extra arguments for every `npm run redact` (after the call name), e.g. ["--formats", "mp3"]. */
  readonly redactArgs: readonly string[];
  /** Before each timed run, wait up to this many seconds for the CPU to be quiet (0: never wait). */
  readonly maxWaitS: number;
  readonly help: boolean;
}

export const BENCH_HELP = `npm run bench -- [options]

Benchmarks \`npm run redact\` against a bare ffmpeg transcode of the same recording to the same MP3
settings, on deterministic speech-like recordings (cached in .bench/), and the DSP core's throughput.
Writes .bench/results.json and prints a table.

  --minutes 10,30,60   recording lengths in minutes (default 10,30,60)
  --runs 3             timed runs of each command per length, alternating (default 3)
  --quick              the same as --minutes 1 --runs 1
  --dsp-seconds 60     seconds of audio for the DSP throughput figures; 0 skips them (default 60)
  --sample-ms 50       memory sampling interval in ms (default 50)
  --redact-args "..."  extra arguments for every npm run redact, e.g. "--formats mp3" (default none)
  --max-wait 60        before each timed run, wait up to this many seconds for the CPU to be quiet
                       (under 25% "some" pressure over 10 s, from /proc/pressure/cpu); 0 never waits
  --help               this text
`;

export class BenchUsageError extends Error {}

const positive = (flag: string, text: string | undefined, allowZero = false): number => {
  const n = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new BenchUsageError(
      `${flag} needs a ${allowZero ? "non-negative" : "positive"} number, got ${text ?? "nothing"}`,
    );
  }
  return n;
};

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let minutes: number[] = [10, 30, 60];
  let runs = 3;
  let dspSeconds = 60;
  let sampleMs = 50;
  let redactArgs: string[] = [];
  let maxWaitS = 60;
  let help = false;
  let quick = false;
  let explicitMinutes = false;
  let explicitRuns = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case "--minutes": {
        const text = value();
        if (text === undefined || text.trim() === "") throw new BenchUsageError("--minutes needs a list like 10,30,60");
        minutes = text.split(",").map((t) => positive("--minutes", t));
        explicitMinutes = true;
        break;
      }
      case "--runs": {
        runs = positive("--runs", value());
        if (!Number.isInteger(runs)) throw new BenchUsageError(`--runs needs a whole number, got ${runs}`);
        explicitRuns = true;
        break;
      }
      case "--dsp-seconds":
        dspSeconds = positive("--dsp-seconds", value(), true);
        break;
      case "--sample-ms":
        sampleMs = positive("--sample-ms", value());
        break;
      case "--redact-args": {
        const text = value();
        if (text === undefined) throw new BenchUsageError('--redact-args needs the arguments, e.g. "--formats mp3"');
        redactArgs = text.split(/\s+/).filter((a) => a !== "");
        break;
      }
      case "--max-wait":
        maxWaitS = positive("--max-wait", value(), true);
        break;
      case "--quick":
        quick = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new BenchUsageError(`unknown option ${arg}; see npm run bench -- --help`);
    }
  }
  if (quick) {
    if (!explicitMinutes) minutes = [1];
    if (!explicitRuns) runs = 1;
  }
  return { minutes, runs, dspSeconds, sampleMs, redactArgs, maxWaitS, help };
}
