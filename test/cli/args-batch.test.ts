import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.ts";
import { UsageError } from "../../src/errors.ts";

describe("batch options", () => {
  it("takes --jobs N (also -j N and --jobs=N), --force and --shard i/n", () => {
    expect(parseArgs(["--all", "--jobs", "3"]).jobs).toBe(3);
    expect(parseArgs(["--all", "-j", "1"]).jobs).toBe(1);
    expect(parseArgs(["--all", "--jobs=8"]).jobs).toBe(8);
    expect(parseArgs(["--all"]).jobs).toBeUndefined();
    expect(parseArgs(["call4", "--force"]).force).toBe(true);
    expect(parseArgs(["call4"]).force).toBe(false);
    expect(parseArgs(["call4"], { npm_config_force: "true" }).force).toBe(true);
    expect(parseArgs(["--all", "--shard", "2/5"]).shard).toEqual({ index: 2, count: 5 });
  });

  it("refuses a bad --jobs or --shard, and --force with --check, as usage errors", () => {
    for (const argv of [
      ["--all", "--jobs", "0"],
      ["--all", "--jobs", "two"],
      ["--all", "--jobs", "-1"],
      ["--all", "--jobs"],
      ["--all", "--shard", "3/2"],
      ["--all", "--shard", "0/2"],
      ["--all", "--shard", "1of2"],
      ["--check", "--force", "call4"],
    ]) {
      expect(() => parseArgs(argv), argv.join(" ")).toThrow(UsageError);
    }
  });
});
