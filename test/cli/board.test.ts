import { describe, expect, it } from "vitest";
import { barLine, progressBoard } from "../../src/cli/board.ts";

interface Sink {
  readonly text: () => string;
  readonly stream: NodeJS.WritableStream & { columns?: number; rows?: number };
}

function sink(columns = 80, rows = 24): Sink {
  let text = "";
  const stream = {
    columns,
    rows,
    write(s: string) {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream & { columns?: number; rows?: number };
  return { text: () => text, stream };
}

describe("progress board in a pipe or CI", () => {
  it("prints one plain line per finished call: no bars, no carriage returns, no escape codes", () => {
    const err = sink();
    const out = sink();
    const board = progressBoard({ err: err.stream, out: out.stream, interactive: false });
    board.start("call1");
    board.start("call2");
    board.update({ call: "call1", stage: "redacting", fraction: 0.5 });
    board.finish("call2", "call2: done");
    board.update({ call: "call1", stage: "encoding", fraction: 0.9 });
    board.finish("call1", "call1: done");
    board.close();
    expect(out.text()).toBe("call2: done\ncall1: done\n");
    expect(err.text()).toBe("");
  });

  it("prints nothing with --quiet", () => {
    const out = sink();
    const board = progressBoard({ err: sink().stream, out: out.stream, interactive: false, quiet: true });
    board.start("a");
    board.finish("a", "a: done");
    expect(out.text()).toBe("");
  });
});

describe("progress board on a terminal", () => {
  it("draws one bar per running call on stderr and redraws it in place", () => {
    const err = sink();
    const out = sink();
    let t = 0;
    const board = progressBoard({ err: err.stream, out: out.stream, interactive: true, now: () => t });
    board.start("call1");
    board.start("call22");
    t = 1000;
    board.update({ call: "call1", stage: "redacting", fraction: 0.5 });
    const drawn = err.text();
    // The last redraw: back to the first bar line (one line up), erase below, then both bars.
    const last = drawn.slice(drawn.lastIndexOf("\r"));
    expect(last).toBe(
      `\r\u001b[1A\u001b[J${barLine("call1", { stage: "redacting", fraction: 0.5 }, 6, 79)}\n${barLine("call22", { stage: "starting", fraction: undefined }, 6, 79)}`,
    );
    expect(last).toContain("call1   redacting [############............]  50%");
    expect(out.text()).toBe("");
    board.close();
  });

  it("throttles redraws for progress alone", () => {
    const err = sink();
    let t = 0;
    const board = progressBoard({ err: err.stream, out: sink().stream, interactive: true, now: () => t });
    board.start("a");
    const before = err.text().length;
    t = 10;
    board.update({ call: "a", stage: "encoding", fraction: 0.1 });
    expect(err.text().length).toBe(before);
    t = 200;
    board.update({ call: "a", stage: "encoding", fraction: 0.2 });
    expect(err.text().length).toBeGreaterThan(before);
    board.close();
  });

  it("prints a finished call's line above the remaining bars, and erases the bars at the end", () => {
    const err = sink();
    const out = sink();
    const board = progressBoard({ err: err.stream, out: out.stream, interactive: true, now: () => 0 });
    board.start("a");
    board.start("b");
    const mark = err.text().length;
    board.finish("a", "a: done");
    expect(out.text()).toBe("a: done\n");
    // Erased the two bars, then drew the one that is left.
    expect(err.text().slice(mark)).toBe(
      `\r\u001b[1A\u001b[J${barLine("b", { stage: "starting", fraction: undefined }, 1, 79)}`,
    );
    const end = err.text().length;
    board.close();
    expect(err.text().slice(end)).toBe("\r\u001b[J");
  });

  it("keeps every bar line shorter than the terminal is wide", () => {
    const line = barLine("a-very-long-call-name-indeed", { stage: "encoding", fraction: 1 }, 28, 30);
    expect(line.length).toBe(30);
    expect(barLine("c", { stage: "encoding", fraction: 1 }, 1, 79)).toBe(`c  encoding  [${"#".repeat(24)}] 100%`);
  });
});
