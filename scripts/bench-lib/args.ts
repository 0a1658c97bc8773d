/** Command-line options of `npm run bench` (the matrix). */
import { BATCH_ROW, isFormatId, ROW_IDS, type RowId } from "./rows.ts";

export interface BenchOptions {
  /** The rows: input formats, and "batch" for `--all` over many one-minute calls. */
  readonly rows: readonly RowId[];
  /** Lengths of the format rows, in minutes. */
  readonly minutes: readonly number[];
  /** Timed runs of each command per row, alternating. */
  readonly runs: number;
  /** One-minute calls in the batch row. */
  readonly batchCalls: number;
  /** Where the Markdown table is written (besides stdout). */
  readonly out: string;
  /** Process-tree sampling interval, ms. */
  readonly sampleMs: number;
  /** Extra arguments for every `npm run redact` (after the call name); the targets assume none. */
  readonly redactArgs: readonly string[];
  /** Before each timed run, wait up to this many seconds for the CPU to be quiet (0: never wait). */
  readonly maxWaitS: number;
  /** Seconds of audio for the in-process DSP throughput figures (0, the default, skips them). */
  readonly dspSeconds: number;
  readonly quick: boolean;
  readonly help: boolean;
}

export const DEFAULT_OUT = ".bench/matrix.md";
export const QUICK = { rows: ["wav8k", "mp3-44k", BATCH_ROW] as RowId[], minutes: [1, 10], runs: 2 };

export const BENCH_HELP = `npm run bench -- [options]

The bench matrix: \`npm run redact\` (default settings: MP3 only, verification on) against a bare ffmpeg
transcode of the same recording to the same web MP3 (same binary, same rate, bitrate and channels),
alternating, medians, on synthetic speech in the formats people bring, with a realistic manifest; and
\`npm run redact -- --all\` over many one-minute calls against the same bare transcodes two at a time.
Inputs are made once and cached in .bench/ (keyed by their parameters). Prints a Markdown table (the
machine, ffmpeg, per row: times, ratio, peak memory, targets pass/miss, where the time goes) and writes
it to --out; every run's details go to .bench/results.json. Progress goes to stderr.

Rows: wav8k (8 kHz mono WAV, a phone), wav16k (16 kHz mono WAV), mp3-44k (44.1 kHz stereo MP3),
m4a-48k (48 kHz mono AAC in M4A), batch (--batch-calls one-minute calls, the four formats in turn).

  --rows a,b,...       rows to run (default all: ${ROW_IDS.join(",")})
  --minutes 1,10,60    lengths of the format rows in minutes (default 1,10,60)
  --runs 3             timed runs of each command per row, alternating (default 3)
  --quick              everyday subset: --rows ${QUICK.rows.join(",")} --minutes ${QUICK.minutes.join(",")} --runs ${QUICK.runs}
                       (any of those given explicitly wins)
  --batch-calls 50     one-minute calls in the batch row (default 50)
  --out FILE           where the Markdown table goes besides stdout (default ${DEFAULT_OUT})
  --sample-ms 50       process-tree sampling interval in ms (default 50): the stages' resolution
  --redact-args "..."  extra arguments for every npm run redact, e.g. "--no-verify" (default none;
                       the targets are for the default settings, and the table says when these differ)
  --max-wait 60        before each timed run, wait up to this many seconds for the CPU to be quiet
                       (under 25% "some" pressure over 10 s, from /proc/pressure/cpu); 0 never waits
  --dsp-seconds 0      also time the DSP core in-process on this many seconds of audio (default 0: no)
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

const whole = (flag: string, text: string | undefined): number => {
  const n = positive(flag, text);
  if (!Number.isInteger(n)) throw new BenchUsageError(`${flag} needs a whole number, got ${text}`);
  return n;
};

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let rows: RowId[] = [...ROW_IDS];
  let minutes: number[] = [1, 10, 60];
  let runs = 3;
  let batchCalls = 50;
  let out = DEFAULT_OUT;
  let sampleMs = 50;
  let redactArgs: string[] = [];
  let maxWaitS = 60;
  let dspSeconds = 0;
  let help = false;
  let quick = false;
  const explicit = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case "--rows": {
        const text = value();
        if (text === undefined || text.trim() === "") {
          throw new BenchUsageError(`--rows needs a list like wav8k,batch (rows: ${ROW_IDS.join(", ")})`);
        }
        rows = unique(
          text.split(",").map((t): RowId => {
            const id = t.trim();
            if (id === BATCH_ROW || isFormatId(id)) return id;
            throw new BenchUsageError(`--rows: no row "${id}" (rows: ${ROW_IDS.join(", ")})`);
          }),
        );
        explicit.add("rows");
        break;
      }
      case "--minutes": {
        const text = value();
        if (text === undefined || text.trim() === "") throw new BenchUsageError("--minutes needs a list like 1,10,60");
        minutes = unique(text.split(",").map((t) => positive("--minutes", t)));
        explicit.add("minutes");
        break;
      }
      case "--runs":
        runs = whole("--runs", value());
        explicit.add("runs");
        break;
      case "--batch-calls":
        batchCalls = whole("--batch-calls", value());
        break;
      case "--out": {
        const text = value();
        if (text === undefined || text === "") throw new BenchUsageError("--out needs a file name");
        out = text;
        break;
      }
      case "--sample-ms":
        sampleMs = positive("--sample-ms", value());
        break;
      case "--redact-args": {
        const text = value();
        if (text === undefined) throw new BenchUsageError('--redact-args needs the arguments, e.g. "--no-verify"');
        redactArgs = text.split(/\s+/).filter((a) => a !== "");
        break;
      }
      case "--max-wait":
        maxWaitS = positive("--max-wait", value(), true);
        break;
      case "--dsp-seconds":
        dspSeconds = positive("--dsp-seconds", value(), true);
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
    if (!explicit.has("rows")) rows = [...QUICK.rows];
    if (!explicit.has("minutes")) minutes = [...QUICK.minutes];
    if (!explicit.has("runs")) runs = QUICK.runs;
  }
  return { rows, minutes, runs, batchCalls, out, sampleMs, redactArgs, maxWaitS, dspSeconds, quick, help };
}
