/** What a running call reports; the CLI decides how (or whether) to show it. */
/** `waiting`: another run (on this machine or another sharing the project) is publishing the call. */
export type Stage = "waiting" | "reading" | "redacting" | "encoding" | "verifying" | "done";

export interface ProgressEvent {
  readonly call: string;
  readonly stage: Stage;
  /** 0..1 where known. */
  readonly fraction?: number;
}

export type ProgressListener = (e: ProgressEvent) => void;

export const noProgress: ProgressListener = () => {};
