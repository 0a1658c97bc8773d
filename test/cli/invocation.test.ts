import { describe, expect, it } from "vitest";
import { asTyped, startedFromBin } from "../../src/cli/invocation.ts";

const USAGE = `Usage:
  npm run redact <call> [<call> ...]      redact one
  npm run redact -- --all                 every call
  npm run redact -- --preview <call> <n>  one range

Options:
  --check      writes nothing; see npm run verify -- --help
`;

// The order matters: the state is the process's (bin.ts sets it once, before loading a command).
describe("asTyped", () => {
  it("leaves every text as it is when the commands run through npm run", () => {
    expect(asTyped(USAGE)).toBe(USAGE);
  });

  it("from the bin: `npm run <command> [--]` becomes `call-redactor <command>`, columns kept aligned", () => {
    startedFromBin();
    expect(asTyped(USAGE)).toBe(`Usage:
  call-redactor redact <call> [<call> ...]   redact one
  call-redactor redact --all                 every call
  call-redactor redact --preview <call> <n>  one range

Options:
  --check      writes nothing; see call-redactor verify --help
`);
    expect(asTyped("name a call, e.g. `npm run verify call4`, or `npm run verify -- --all`")).toBe(
      "name a call, e.g. `call-redactor verify call4`, or `call-redactor verify --all`",
    );
    expect(asTyped("npm run labels -- import call4 l.txt; npm run suggest -- call4")).toBe(
      "call-redactor labels import call4 l.txt; call-redactor suggest call4",
    );
  });

  it("from the bin: a line that names no command is unchanged, spaces and all", () => {
    const line = 'redactions/x.yaml:7:12: redactions[2].start: "1:75"  is not a time;   npm test, npm run schema';
    expect(asTyped(line)).toBe(line);
  });
});
