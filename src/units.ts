/**
 * Units carried in types. A time in seconds and an index into a stream of
 * samples are different things; the brands keep one from being passed where
 * the other is expected.
 */
export type Seconds = number & { readonly __unit: "seconds" };
export type SampleIndex = number & { readonly __unit: "samples" };
export type Hertz = number & { readonly __unit: "hertz" };

export const seconds = (n: number): Seconds => n as Seconds;
export const sampleIndex = (n: number): SampleIndex => n as SampleIndex;
export const hertz = (n: number): Hertz => n as Hertz;

/**
 * An exact non-negative time in seconds: num / den, from the decimal text the
 * user wrote. Binary floating point cannot hold 1.005 exactly; this can.
 */
export interface ExactSeconds {
  readonly num: bigint;
  readonly den: bigint;
}
