import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.ts";
import { parseLabelsArgs } from "../../src/cli/labels-args.ts";
import { UsageError } from "../../src/errors.ts";

describe("--preview", () => {
  it("takes a call and a range number", () => {
    expect(parseArgs(["--preview", "call4", "3"]).preview).toEqual({ call: "call4", range: 3 });
    expect(parseArgs(["call4"]).preview).toBeUndefined();
  });

  it.each([
    [["--preview", "call4"], "needs a call and a range number"],
    [["--preview", "call4", "0"], "the range is a number from 1"],
    [["--preview", "call4", "2.5"], "the range is a number from 1"],
    [["--preview", "call4", "3", "call2"], "needs a call and a range number"],
    [["--preview", "--check", "call4", "3"], "leave out --all, --check and --json"],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("npm run labels arguments", () => {
  it("reads import with --map (both spellings) and --dry-run, and export with an optional file", () => {
    expect(
      parseLabelsArgs(["import", "call4", "l.txt", "--map", "Name=sensitive", "--map=swear=obscenity", "--dry-run"]),
    ).toEqual({
      action: "import",
      call: "call4",
      file: "l.txt",
      map: new Map([
        ["name", "sensitive"],
        ["swear", "obscenity"],
      ]),
      dryRun: true,
    });
    expect(parseLabelsArgs(["export", "call4"])).toEqual({ action: "export", call: "call4" });
    expect(parseLabelsArgs(["export", "call4", "-"])).toEqual({ action: "export", call: "call4", file: "-" });
  });

  it.each([
    [[], "say what to do"],
    [["import", "call4"], "import needs a call and a label file"],
    [["import", "call4", "l.txt", "--map", "name"], "--map needs TEXT=CATEGORY"],
    [["import", "call4", "l.txt", "--map", "a=x", "--map", "A=y"], "given twice"],
    [["export", "call4", "--map", "a=x"], "--map and --dry-run go with import"],
    [["move", "call4"], 'unknown action "move"'],
    [["export", "call4", "--colour"], "unknown option --colour"],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseLabelsArgs(argv)).toThrow(message);
  });
});
