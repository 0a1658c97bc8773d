import { describe, expect, it } from "vitest";
import { HELP, parseArgs } from "../../src/cli/args.ts";
import { UsageError } from "../../src/errors.ts";

describe("--formats", () => {
  it("takes a comma-separated list, in either spelling of the option", () => {
    expect(parseArgs(["call4", "--formats", "opus"]).formats).toEqual(["opus"]);
    expect(parseArgs(["--formats=opus,mp3", "call4"]).formats).toEqual(["mp3", "opus"]);
    expect(parseArgs(["call4"]).formats).toBeUndefined();
  });

  it("reads npm_config_formats when npm kept --formats=... for itself", () => {
    expect(parseArgs(["call4"], { npm_config_formats: "mp3" }).formats).toEqual(["mp3"]);
  });

  it("refuses an unknown format or a missing value as a usage error (exit 2)", () => {
    expect(() => parseArgs(["call4", "--formats", "wav"])).toThrow(UsageError);
    expect(() => parseArgs(["call4", "--formats", "wav"])).toThrow(
      '--formats wav: unknown format "wav"; expected mp3, opus or both, e.g. mp3,opus',
    );
    expect(() => parseArgs(["call4", "--formats"])).toThrow("--formats needs a value");
  });

  it("is explained by --help, with the files it writes", () => {
    expect(HELP).toContain("--formats mp3,opus");
    expect(HELP).toContain("out/<call>.opus");
    expect(HELP).toContain("out/<call>.html");
    expect(HELP).toContain("out/index.html");
  });
});
