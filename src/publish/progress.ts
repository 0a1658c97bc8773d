/** What a running call reports; the CLI decides how (or whether) to show it. */
export type Stage = "reading" | "redacting" | "encoding" | "verifying" | "done";

export interface ProgressEvent {
  readonly call: string;
  readonly stage: Stage;
  /** 0..1 where known. */
  readonly fraction?: number;
}

export type ProgressListener = (e: ProgressEvent) => void;

export const noProgress: ProgressListener = () => {};
