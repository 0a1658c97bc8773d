/** The parts of webvtt-parser (no types of its own) that the tests use. */
declare module "webvtt-parser" {
  export interface WebVTTNode {
    readonly type: "object" | "text" | "timestamp";
    readonly name?: string;
    readonly classes?: readonly string[];
    readonly value?: string;
    readonly children?: readonly WebVTTNode[];
  }
  export interface WebVTTCue {
    readonly id: string;
    readonly startTime: number;
    readonly endTime: number;
    readonly text: string;
    readonly tree: { readonly children: readonly WebVTTNode[] };
  }
  export interface WebVTTResult {
    readonly cues: readonly WebVTTCue[];
    readonly errors: readonly { readonly message: string; readonly line: number; readonly col: number }[];
  }
  export class WebVTTParser {
    parse(input: string, mode?: "metadata" | "chapters"): WebVTTResult;
  }
}
