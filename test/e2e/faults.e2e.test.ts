/**
 * Faults, injected into real runs of the CLI on a longer recording: Ctrl-C
 * (SIGINT) and SIGKILL at several points, an ffmpeg that fails or crashes
 * midway (FFMPEG_PATH pointing at a wrapper around the real one), and a full
 * disk. After each: the outputs published earlier are byte-identical, nothing
 * half-written sits at a published path, and after SIGINT (or any failure the
 * tool sees) no temporary file remains. A final clean run gives byte for byte
 * what the first one gave.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { REPO, type TempProject, tempProject } from "../helpers/project.ts";
import { finished, MAIN, RUN, STACK, snapshot, startRedact, tempFiles } from "../helpers/verify-cli.ts";

const RATE = 44100;
const SECONDS = 12;
const MANIFEST =
  "redactions:\n  - { start: 2, end: 4, category: sensitive }\n  - { start: 8, end: 9, category: obscenity }\n";
// Each interrupted or failing run asks for something else, so that published outputs would differ.
const CHANGED = "redactions:\n  - { start: 5, end: 9, category: sensitive }\n";

let p: TempProject;
let out: string;
let first: Map<string, string>;

const published = (): Map<string, string> => {
  const all = snapshot(out);
  for (const k of [...all.keys()]) if (k.endsWith(".tmp")) all.delete(k);
  return all;
};

beforeAll(() => {
  p = tempProject();
  out = join(p.root, "out");
  p.write("recordings/long.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * SECONDS, 77)));
  p.write("redactions/long.yaml", MANIFEST);
  const r = p.redact(["long"]);
  if (r.status !== 0) throw new Error(r.stderr);
  first = published();
  p.write("redactions/long.yaml", CHANGED);
}, 120_000);
afterAll(() => p.cleanup());

/** A wrapper for the real ffmpeg: `body` is shell code run before it (with $REAL, $MARK, $COUNT set). */
function wrapper(name: string, body: string): string {
  const path = join(p.root, `${name}.sh`);
  writeFileSync(
    path,
    `#!/bin/sh
REAL='${resolveFfmpeg().path}'
MARK='${join(p.root, `${name}.mark`)}'
COUNT='${join(p.root, `${name}.count`)}'
ARGS="$*"
${body}
exec "$REAL" "$@"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** Wait (polling) until `ready()` or the child exits; true if ready came first. */
async function waitUntil(ready: () => boolean, exited: () => boolean, ms = 60_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ready()) return true;
    if (exited()) return false;
    await new Promise((r) => setTimeout(r, 3));
  }
  return false;
}

const tmpOf = (ext: string): string | undefined =>
  readdirSync(out).find((n) => n.startsWith(`.long.${ext}.`) && n.endsWith(".tmp"));

interface Point {
  readonly name: string;
  /** A wrapper that holds ffmpeg at this point (writes $MARK and waits), or none for a point reached naturally. */
  readonly hold?: string;
  readonly reached: () => boolean;
}

// Holding ffmpeg at a point: mark it, then wait long enough for the test to act (the run is killed meanwhile).
const hold = (pattern: string): string => `case "$ARGS" in ${pattern}) touch "$MARK"; sleep 20;; esac`;

const POINTS: Record<string, Point> = {
  reading: { name: "reading the recording", hold: hold("*recordings/long.wav*"), reached: () => false },
  master: {
    name: "writing the master",
    reached: () => {
      const t = tmpOf("wav");
      return t !== undefined && statSync(join(out, t)).size > 300_000;
    },
  },
  encoding: { name: "encoding the MP3", hold: hold("*libmp3lame*.tmp*"), reached: () => false },
  verifying: { name: "verifying the new files", hold: hold("*.tmp*pcm_f32le*"), reached: () => false },
};

async function interrupt(point: Point, signal: NodeJS.Signals) {
  const mark = join(p.root, `hold-${signal}.mark`);
  const env: NodeJS.ProcessEnv = {};
  if (point.hold) {
    env.FFMPEG_PATH = wrapper(`hold-${signal}`, point.hold);
    rmSync(mark, { force: true });
  }
  const child = startRedact(p.root, ["long"], env);
  const done = finished(child);
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  const reached = await waitUntil(point.hold ? () => existsSync(mark) : point.reached, () => exited);
  expect(reached, `the run never reached "${point.name}"`).toBe(true);
  child.kill(signal);
  return done;
}

/** The exit status after each signal the tool cleans up on (128 + the signal's number); none for SIGKILL. */
const CLEAN_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 };

describe.each([
  ["SIGINT", ["reading", "master", "encoding", "verifying"]],
  ["SIGHUP", ["master", "encoding"]],
  ["SIGQUIT", ["master", "verifying"]],
  ["SIGTERM", ["encoding"]],
  ["SIGKILL", ["master", "verifying"]],
] as const)("%s", (signal, points) => {
  const clean = CLEAN_EXIT[signal];
  it.each(points)(
    `at %s: earlier outputs intact${clean ? ", no temporary file left" : ""}`,
    {
      timeout: 60_000,
    },
    async (at) => {
      const r = await interrupt(POINTS[at] as Point, signal);
      if (clean) {
        expect(r.code, r.stderr).toBe(clean);
        expect(r.stderr).toContain(`interrupted (${signal}): no outputs were changed`);
        expect(r.stderr).not.toMatch(STACK);
        expect(tempFiles(out)).toEqual([]);
      } else {
        expect(r.signal).toBe("SIGKILL");
      }
      expect(published()).toEqual(first);
    },
  );
});

describe("ffmpeg failing", () => {
  const run = (body: string) => {
    const env = { FFMPEG_PATH: wrapper("fault", body) };
    rmSync(join(p.root, "fault.count"), { force: true });
    const r = spawnSync(process.execPath, [RUN, MAIN, "long"], {
      cwd: p.root,
      encoding: "utf8",
      env: { ...process.env, CI: "true", ...env },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: /m);
    expect(r.stderr).not.toMatch(STACK);
    expect(published()).toEqual(first);
    expect(tempFiles(out)).toEqual([]);
    return r.stderr;
  };

  it("crashing midway through decoding the recording (the pass that makes the master): exit 1, ffmpeg's signal named", {
    timeout: 60_000,
  }, () => {
    const stderr = run(`case "$ARGS" in *recordings/long.wav*)
  n=$(($(cat "$COUNT" 2>/dev/null || echo 0) + 1)); echo $n > "$COUNT"
  if [ $n -eq 1 ]; then "$REAL" "$@" | head -c 400000; kill -SEGV $$; fi;;
esac`);
    expect(stderr).toMatch(/decoding recordings\/long\.wav failed \(ffmpeg killed by SIGSEGV\)/);
  });

  it("an MP3 encoder that cuts its file short but says it succeeded: caught by verification, nothing published", {
    timeout: 60_000,
  }, () => {
    const stderr = run(`case "$ARGS" in *libmp3lame*.tmp*)
  for last in "$@"; do :; done
  "$REAL" "$@"; rc=$?
  size=$(wc -c < "$last"); head -c $((size / 2)) "$last" > "$last.cut"; mv "$last.cut" "$last"
  exit $rc;;
esac`);
    expect(stderr).toMatch(/long: the new outputs failed verification, so nothing was published/);
    expect(stderr).toMatch(
      new RegExp(`long\\.mp3\\s+FAIL\\s+.*samples at 44100 Hz; the master's length is ${RATE * SECONDS}`),
    );
  });

  it("the verification's own decoding killed midway: nothing published", { timeout: 60_000 }, () => {
    const stderr = run(`case "$ARGS" in *.mp3.*tmp*pcm_f32le*) "$REAL" "$@" | head -c 100000; kill -KILL $$;; esac`);
    expect(stderr).toMatch(/failed verification/);
    expect(stderr).toMatch(/long\.mp3\s+FAIL\s+cannot be checked: .*killed by SIGKILL/);
  });
});

describe("a full disk", () => {
  it("a write error (file size limit reached): exit 1 naming the error, nothing changed", { timeout: 60_000 }, () => {
    // RLIMIT_FSIZE with SIGXFSZ ignored: writes past 512 kB fail with EFBIG, in the tool and in its ffmpeg.
    // (Run through tsx, whose cache files are small, not the launcher, which may rebuild a larger bundle.)
    const r = spawnSync(
      "sh",
      [
        "-c",
        `trap '' XFSZ; ulimit -f 1024; exec "$0" "$@"`,
        process.execPath,
        join(REPO, "node_modules/tsx/dist/cli.mjs"),
        MAIN,
        "long",
      ],
      { cwd: p.root, encoding: "utf8", env: { ...process.env, CI: "true" }, timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: .*(EFBIG|file too large)/im);
    expect(r.stderr).not.toMatch(STACK);
    expect(published()).toEqual(first);
    expect(tempFiles(out)).toEqual([]);
  });

  it("no space left on a small tmpfs: exit 1, earlier outputs intact, no temporary file", {
    timeout: 60_000,
  }, (ctx) => {
    const q = tempProject();
    try {
      mkdirSync(join(q.root, "out"), { recursive: true });
      const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", join(q.root, "out")]);
      if (mount.status !== 0) {
        ctx.skip(); // not allowed to mount here (not root, or in a container without the right): the test above covers it
        return;
      }
      try {
        q.write("recordings/long.wav", readFileSync(join(p.root, "recordings/long.wav")));
        q.write("redactions/long.yaml", MANIFEST);
        // The first run fits (1.1 MB of master and a few hundred kB more); a second needs room for both.
        const ok = q.redact(["long"]);
        expect(ok.status, ok.stderr).toBe(0);
        const before = snapshot(join(q.root, "out"));
        q.write("redactions/long.yaml", CHANGED);
        const r = q.redact(["long", "--force"]);
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/^error: .*(ENOSPC|no space left)/im);
        expect(r.stderr).not.toMatch(STACK);
        expect(snapshot(join(q.root, "out"))).toEqual(before);
        expect(tempFiles(join(q.root, "out"))).toEqual([]);
      } finally {
        spawnSync("umount", [join(q.root, "out")]);
      }
    } finally {
      q.cleanup();
    }
  });
});

describe("afterwards", () => {
  it("a clean run removes what killed runs left and gives byte for byte the first run's files", {
    timeout: 60_000,
  }, () => {
    p.write("redactions/long.yaml", MANIFEST);
    const r = p.redact(["long", "--force"]);
    expect(r.status, r.stderr).toBe(0);
    expect(tempFiles(out)).toEqual([]);
    expect(published()).toEqual(first);
  });
});
