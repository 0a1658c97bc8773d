/**
 * Issue 16, end to end: a call with a word-timed transcript is published with out/<call>.vtt (every word
 * that overlaps a range by even one sample gone, a placeholder on each range), the transcript on its page,
 * the VTT in the report with its SHA-256, and the site's feed; a name redacted once but said again is a
 * warning (in --check, suggest and redact) and an error under --strict; verification catches a redacted
 * word put back in any published file.
 *
 * The words' times are decimals finer than a millisecond, chosen to sit one sample either side of the
 * ranges' edges at 44.1 kHz; which words are inside is worked out here from the decimal texts
 * (refSampleIndex), not by the code under test.
 */
import { createHash } from "node:crypto";
import { readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebVTTParser } from "webvtt-parser";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, type TempProject, tempProject } from "../helpers/project.ts";
import { refSampleIndex } from "../helpers/signal.ts";
import { type Row, snapshot, verificationOf, verifyCli } from "../helpers/verify-cli.ts";

const RATE = 44100;
const SECONDS = 6;
const RANGES = [
  { start: "1.005", end: "2.0025", category: "sensitive" },
  { start: "3", end: "4", category: "obscenity" },
];
const MANIFEST = `title: Transcript test
date: 2024-03-01
redactions:
  - { start: "${RANGES[0]?.start}", end: "${RANGES[0]?.end}", category: sensitive, note: "the name" }
  - { start: ${RANGES[1]?.start}, end: ${RANGES[1]?.end}, category: obscenity }
`;
/** [word, start, end] as the recogniser wrote them (WhisperX: seconds, any decimals). */
const WORDS: readonly (readonly [string, string, string])[] = [
  ["Hello,", "0.2", "0.5"],
  ["Touching", "0.5", "1.005"], // ends on the range's first sample: [.., 44321) does not reach it
  ["Rosalind", "1.005", "1.5"],
  ["Featherstone?", "1.5", "2.0025"],
  ["Yes.", "2.05", "2.4"],
  ["Straddling", "2.5", "3.00002"], // 132300.88 -> ends at sample 132301: one sample into range 2
  ["bloody", "3.00002", "3.99998"],
  ["Leaving", "3.99998", "4.4"], // 176399.12 -> starts at 176399: range 2's last sample
  ["After", "4.4", "5"],
  ["rosalind", "5.2", "5.6"], // the name, said again outside every range
];
const whisperx = (words: readonly (readonly [string, string, string])[]): string =>
  `{"language": "en", "segments": [{"start": 0.2, "end": 5.6, "speaker": "SPEAKER_00", "words": [${words
    .map(([w, s, e]) => `{"word": ${JSON.stringify(w)}, "start": ${s}, "end": ${e}}`)
    .join(", ")}]}]}\n`;

/** Inside a range by even one sample, from the decimal texts alone. */
const insideRange = ([, s, e]: readonly [string, string, string]): boolean =>
  RANGES.some((r) => {
    const [ws, we, rs, re] = [s, e, r.start, r.end].map((x) => refSampleIndex(x, RATE)) as [
      number,
      number,
      number,
      number,
    ];
    return ws < re && rs < we;
  });

/** What the feed's items carry beyond RSS 2.0's own fields, as rss-parser gives them. */
interface FeedItem {
  readonly transcripts: { readonly $: Record<string, string> }[];
}

let project: TempProject;
let run: CliResult;
const read = (rel: string): string => project.read(rel).toString("utf8");
const sha = (rel: string): string => createHash("sha256").update(project.read(rel)).digest("hex");

beforeAll(() => {
  project = tempProject();
  project.write("recordings/talk.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * SECONDS, 5)));
  project.write("redactions/talk.yaml", MANIFEST);
  project.write("transcripts/talk.json", whisperx(WORDS));
  project.write(
    "redactions/site.yaml",
    "title: Test site\ndescription: Calls & more\nurl: https://example.org/calls\n",
  );
  run = project.redact(["talk"]);
}, 120_000);
afterAll(() => project?.cleanup());

describe("a call with a transcript", () => {
  it("publishes out/talk.vtt, listed in the report with its SHA-256, and warns of the name said again", () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("out/talk.vtt");
    const report = JSON.parse(read("out/talk.json"));
    expect(report.outputs.vtt).toEqual({ file: "talk.vtt", sha256: sha("out/talk.vtt") });
    expect(report.date).toBe("2024-03-01");
    // Located at the entry, with the time it is said again; once.
    expect(run.stderr.match(/warning: /g)).toHaveLength(1);
    expect(run.stderr).toContain(
      'warning: redactions/talk.yaml:4:5: redactions[1]: it redacts "Rosalind Featherstone?" (sensitive, 0:01.005-0:02.003), but "Rosalind" is said again at 0:05.200 (transcripts/talk.json: segments[0].words[9])',
    );
  });

  it("leaves out every word that overlaps a range by one sample, and keeps every other", () => {
    // The boundaries, on their own: the touching words stay, the straddling ones go.
    expect(WORDS.filter((w) => !insideRange(w)).map((w) => w[0])).toEqual([
      "Hello,",
      "Touching",
      "Yes.",
      "After",
      "rosalind",
    ]);
    const parsed = new WebVTTParser().parse(read("out/talk.vtt"));
    expect(parsed.errors).toEqual([]);
    const text = parsed.cues.map((c) => c.text).join(" | ");
    expect(text).toBe(
      "<v SPEAKER_00>Hello, Touching</v> | <c.redacted.sensitive>[sensitive]</c> | <v SPEAKER_00>Yes.</v> | " +
        "<c.redacted.obscenity>[obscenity]</c> | <v SPEAKER_00>After rosalind</v>",
    );
    // The placeholders on the ranges' own times (whole milliseconds around them).
    expect(parsed.cues.filter((c) => c.text.startsWith("<c.")).map((c) => [c.startTime, c.endTime])).toEqual([
      [1.005, 2.003],
      [3, 4],
    ]);
  });

  it("has nothing of a word said only inside a range in any published file", () => {
    for (const name of readdirSync(join(project.root, "out"))) {
      const bytes = project.read(`out/${name}`);
      for (const word of ["Featherstone", "Straddling", "bloody", "Leaving", "SECRET"]) {
        expect(bytes.includes(word), `${word} in ${name}`).toBe(false);
      }
    }
  });

  it("shows the transcript on the page, beside the player, with the VTT as its captions track", () => {
    const html = read("out/talk.html");
    expect(html).toContain('<track kind="captions" src="talk.vtt" label="Transcript (redacted)" srclang="en">');
    expect(html).toMatch(/<ol id="transcript" class="cues"/);
    expect(html).toContain(
      '<span class="redacted ph-0" title="sensitive information (440 Hz tone)">[sensitive]</span>',
    );
    // Readable without the script: each line's time opens the audio there.
    expect(html).toContain('<a class="at" href="talk.mp3#t=0.200">0:00</a>');
    expect(html).toContain('<b class="who">SPEAKER_00:</b>');
  });

  it("publishes the feed: RSS 2.0 a real parser reads, with the enclosure, the page and the transcript", async () => {
    expect(run.stdout).toContain("out/feed.xml: 1 call in the feed");
    const xml = read("out/feed.xml");
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = await new Parser<object, FeedItem>({
      customFields: { item: [["podcast:transcript", "transcripts", { keepArray: true }]] },
    }).parseString(xml);
    expect(feed.title).toBe("Test site");
    expect(feed.description).toBe("Calls & more");
    expect(feed.link).toBe("https://example.org/calls/");
    expect(feed.feedUrl).toBe("https://example.org/calls/feed.xml");
    expect(feed.items).toHaveLength(1);
    const item = feed.items[0] as (typeof feed.items)[number] & { itunes?: { duration?: string } };
    expect(item.title).toBe("Transcript test");
    expect(item.link).toBe("https://example.org/calls/talk.html");
    expect(item.isoDate).toBe("2024-03-01T12:00:00.000Z");
    expect(item.enclosure).toEqual({
      url: "https://example.org/calls/talk.mp3",
      length: String(project.read("out/talk.mp3").length),
      type: "audio/mpeg",
    });
    expect(item.itunes?.duration).toBe("0:06");
    expect(item.transcripts.map((t) => t.$)).toEqual([
      { url: "https://example.org/calls/talk.vtt", type: "text/vtt", rel: "captions" },
    ]);
  });

  it("passes verification, with a row for the transcript", () => {
    const v = verificationOf(project.root, "talk");
    expect(v.passed, JSON.stringify(v.rows.filter((r) => r.status === "fail"))).toBe(true);
    const row = v.rows.find((r) => r.file === "talk.vtt") as Row;
    expect(row.detail).toBe(
      "5 cues in order inside the recording; 2 placeholders, one on each range; every other word said there, outside the ranges, in transcripts/talk.json",
    );
    const leaks = v.rows.find((r) => r.file === "*") as Row;
    expect(leaks.detail).toContain("4 redacted words");
    const again = verifyCli(project.root, ["talk"]);
    expect(again.status, again.stdout).toBe(0);
    // npm run verify also checks the call's item in the feed (redact's own check sees last run's feed).
    const feed = verificationOf(project.root, "talk").rows.find((r) => r.file === "feed.xml") as Row;
    expect(feed).toMatchObject({ status: "pass" });
    expect(feed.detail).toBe(
      "6 addresses, all under https://example.org/calls/; the item for talk links to its own files, its audio's length as published",
    );
  });

  it("fails verification of a feed that sends readers elsewhere, or gives the audio another length", () => {
    const xml = read("out/feed.xml");
    const length = project.read("out/talk.mp3").length;
    writeFileSync(
      join(project.root, "out/feed.xml"),
      xml
        .replace("https://example.org/calls/talk.vtt", "https://evil.example/t.vtt")
        .replace(`length="${length}"`, 'length="1"'),
    );
    const r = verifyCli(project.root, ["talk", "--failures"]);
    expect(r.status).toBe(1);
    const row = verificationOf(project.root, "talk").rows.find((x) => x.file === "feed.xml") as Row;
    expect(row.detail).toBe(
      `it refers to "https://evil.example/t.vtt", outside https://example.org/calls/; its item for talk gives talk.mp3 1 bytes; the file has ${length}`,
    );
    writeFileSync(join(project.root, "out/feed.xml"), xml);
  });
});

describe("repeats in --check, suggest and --strict", () => {
  it("--check lists them; with --strict it is exit 2", () => {
    const check = project.redact(["--check", "talk"]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain(
      "transcript transcripts/talk.json: 10 words (whisperx), published redacted as out/talk.vtt",
    );
    expect(check.stdout).toContain(
      'warning: redactions/talk.yaml:4:5: redactions[1]: it redacts "Rosalind Featherstone?"',
    );
    const strict = project.redact(["--check", "--strict", "talk"]);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain("error: redactions/talk.yaml:4:5: redactions[1]: it redacts");
    expect(strict.stderr).toContain("(an error under --strict)");
  });

  it("suggest says them too, from the call's own transcript", () => {
    const r = project.cli("suggest", ["talk"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("transcripts/talk.json: 10 words (whisperx)");
    expect(r.stdout).toContain('warning: redactions/talk.yaml:4:5: redactions[1]: it redacts "Rosalind Featherstone?"');
  });

  it("redact --strict publishes nothing, whether the call is unchanged or not", () => {
    const before = snapshot(join(project.root, "out"));
    const skipped = project.redact(["--strict", "talk"]);
    expect(skipped.status).toBe(2);
    expect(skipped.stderr).toContain("(an error under --strict)");
    const forced = project.redact(["--strict", "--force", "talk"]);
    expect(forced.status).toBe(2);
    expect(snapshot(join(project.root, "out"))).toEqual(before);
  });

  it("a transcript edited republishes the call; without the repeat, --strict passes", () => {
    project.write("transcripts/talk.json", whisperx(WORDS.slice(0, -1)));
    const r = project.redact(["--strict", "talk"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("talk: 2 ranges redacted");
    expect(r.stderr).not.toContain("warning");
    expect(read("out/talk.vtt")).not.toContain("rosalind");
    const again = project.redact(["--strict", "talk"]);
    expect(again.stdout).toContain("talk: unchanged since its last run, skipped");
  });
});

describe("verification finds a redacted word put back", () => {
  it("in the VTT (and in the page), saying which range's word it is", () => {
    const vtt = read("out/talk.vtt").replace("After", "After Straddling");
    writeFileSync(join(project.root, "out/talk.vtt"), vtt);
    const page = read("out/talk.html").replace("<h1>", "<h1>Featherstone ");
    writeFileSync(join(project.root, "out/talk.html"), page);
    const r = verifyCli(project.root, ["talk", "--failures"]);
    expect(r.status).toBe(1);
    const rows = verificationOf(project.root, "talk").rows.filter((x) => x.status === "fail");
    const vttRow = rows.find((x) => x.file === "talk.vtt") as Row;
    expect(vttRow.detail).toContain("cue 5 (0:04.400) holds a word said only inside range 2");
    const leak = rows.find((x) => x.file === "*") as Row;
    expect(leak.detail).toContain("a word of the transcript redacted in range 1 is in out/talk.html");
    expect(leak.detail).toContain("a word of the transcript redacted in range 2 is in out/talk.vtt");
    // The words themselves are in no message: the record is private, but a terminal may be shared.
    expect(JSON.stringify(rows)).not.toMatch(/Featherstone|Straddling/);
    const fixed = project.redact(["--force", "talk"]);
    expect(fixed.status, fixed.stderr).toBe(0);
  });
});

describe("where a transcript is found, and the feed's settings", () => {
  it("refuses a transcript: path or link that leaves transcripts/, and two files that could be the call's", () => {
    project.write("redactions/other.yaml", "transcript: ../recordings/talk.wav\nredactions: []\n");
    const out = project.redact(["--check", "other"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain(
      'error: redactions/other.yaml:1:13: transcript: "../recordings/talk.wav" leaves the transcripts/ folder (a .. segment); expected a file under transcripts/, e.g. other.srt',
    );
    project.write("elsewhere.srt", "1\n00:00:00,000 --> 00:00:01,000\nHi\n");
    symlinkSync(join(project.root, "elsewhere.srt"), join(project.root, "transcripts/linked.srt"));
    project.write("redactions/other.yaml", "transcript: linked.srt\nrecording: talk.wav\nredactions: []\n");
    const link = project.redact(["--check", "other"]);
    expect(link.status).toBe(2);
    expect(link.stderr).toContain("transcripts/linked.srt is a link to a file outside transcripts/");
    project.write("redactions/other.yaml", "recording: talk.wav\nredactions: []\n");
    project.write("transcripts/other.srt", "1\n00:00:00,000 --> 00:00:01,000\nHi\n");
    project.write("transcripts/other.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi\n");
    const two = project.redact(["--check", "other"]);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain(
      "several transcripts match other: transcripts/other.srt, transcripts/other.vtt; say which with transcript: in the manifest",
    );
    project.write("redactions/other.yaml", "recording: talk.wav\ndate: 2024-02-30\nredactions: []\n");
    const date = project.redact(["--check", "other"]);
    expect(date.status).toBe(2);
    expect(date.stderr).toContain('redactions/other.yaml:2:7: date: "2024-02-30" is not a day of the calendar');
  });

  it("without the site's url:, writes no feed, removes an old one and says why once", () => {
    project.write("redactions/other.yaml", "recording: talk.wav\ntranscript: other.vtt\nredactions: []\n");
    project.write("redactions/site.yaml", "title: Test site\n");
    const r = project.redact(["--all"]);
    expect(r.status, r.stderr).toBe(0);
    // Once for the run, not once per call.
    expect(r.stdout.split("\n").filter((line) => line.includes("feed"))).toHaveLength(1);
    expect(r.stdout).toContain(
      "no out/feed.xml: a feed's links must be absolute, and redactions/site.yaml gives no url: (the address the site is published at, e.g. url: https://example.org/calls/); the earlier out/feed.xml was removed",
    );
    expect(readdirSync(join(project.root, "out"))).not.toContain("feed.xml");
    project.write("redactions/site.yaml", "title: Test site\nurl: ftp://example.org/\n");
    const bad = project.redact(["--all"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      'redactions/site.yaml:2:6: url: "ftp://example.org/" is a ftp: address; the site\'s address starts with https:// (or http://)',
    );
  });
});
