/**
 * Measurements that verification makes on decoded audio: fitting a sine of a
 * known frequency (least squares, amplitude and phase free) to a block and
 * taking it out, and finding the lag at which two signals line up. Pure maths
 * on plain arrays, no I/O.
 */

/** Phase of a sine of `frequency` Hz at offset k samples, reduced exactly before the multiplication by 2 pi. */
export const phaseAt = (k: number, frequency: number, sampleRate: number): number =>
  (2 * Math.PI * ((frequency * k) % sampleRate)) / sampleRate;

let scratchSin = new Float64Array(0);
let scratchCos = new Float64Array(0);

export interface ToneFit {
  /** y ~ sinCoef sin(phase) + cosCoef cos(phase). */
  readonly sinCoef: number;
  readonly cosCoef: number;
  /** Sum of squares of the fitted tone over the block. */
  readonly toneEnergy: number;
  /** Sum of squares of y over the block. */
  readonly totalEnergy: number;
}

/**
 * Least-squares fit of a sine at `frequency` to y[from..to), whose first sample
 * is offset `k0` from where the tone's phase is zero. Writes y minus the fitted
 * tone into `residual[0..to-from)` when given.
 */
export function fitTone(
  y: ArrayLike<number>,
  from: number,
  to: number,
  k0: number,
  frequency: number,
  sampleRate: number,
  residual?: Float64Array,
): ToneFit {
  const len = Math.max(0, to - from);
  if (scratchSin.length < len) {
    scratchSin = new Float64Array(len);
    scratchCos = new Float64Array(len);
  }
  const sn = scratchSin;
  const cs = scratchCos;
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let ys = 0;
  let yc = 0;
  let yy = 0;
  for (let i = from; i < to; i++) {
    const p = phaseAt(k0 + i - from, frequency, sampleRate);
    const s = Math.sin(p);
    const c = Math.cos(p);
    sn[i - from] = s;
    cs[i - from] = c;
    const v = y[i] as number;
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += v * s;
    yc += v * c;
    yy += v * v;
  }
  const det = ss * cc - sc * sc;
  // A block too short to tell sine from cosine apart (under a fraction of a period): fit nothing.
  const solvable = det > 1e-9 * Math.max(1, ss * cc);
  const a = solvable ? (ys * cc - yc * sc) / det : 0;
  const b = solvable ? (yc * ss - ys * sc) / det : 0;
  let tone = 0;
  for (let i = from; i < to; i++) {
    const t = a * (sn[i - from] as number) + b * (cs[i - from] as number);
    tone += t * t;
    if (residual) residual[i - from] = (y[i] as number) - t;
  }
  return { sinCoef: a, cosCoef: b, toneEnergy: tone, totalEnergy: yy };
}

export interface LagMatch {
  /** sig[n + lag] lines up with ref[n]. */
  readonly lag: number;
  /** Normalised correlation at that lag, in [-1, 1]; 0 when either side is silent. */
  readonly correlation: number;
}

interface FftTables {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  /** Index pairs (i, j), i < j, that the bit-reversal permutation swaps. */
  readonly swaps: Uint32Array;
}

const twiddleCache = new Map<number, FftTables>();

/** cos and sin of 2 pi j / n for j < n / 2, computed once per size. */
function twiddles(n: number): FftTables {
  let t = twiddleCache.get(n);
  if (!t) {
    const half = Math.max(1, n >> 1);
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let j = 0; j < half; j++) {
      cos[j] = Math.cos((2 * Math.PI * j) / n);
      sin[j] = Math.sin((2 * Math.PI * j) / n);
    }
    // The bit-reversal permutation as the pairs it swaps.
    const pairs: number[] = [];
    for (let i = 1, j = 0; i < n; i++) {
      let bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (i < j) pairs.push(i, j);
    }
    t = { cos, sin, swaps: Uint32Array.from(pairs) };
    twiddleCache.set(n, t);
  }
  return t;
}

/**
 * In-place iterative radix-2 FFT of (re, im), length a power of two;
 * `inverse` computes the unscaled inverse transform.
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new RangeError("fft length must be a power of two");
  const { cos, sin, swaps } = twiddles(n);
  for (let s = 0; s < swaps.length; s += 2) {
    const i = swaps[s] as number;
    const j = swaps[s + 1] as number;
    const tr = re[i] as number;
    re[i] = re[j] as number;
    re[j] = tr;
    const ti = im[i] as number;
    im[i] = im[j] as number;
    im[j] = ti;
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = n / len;
    // Each twiddle factor once per stage, applied to every block: the same butterflies in another order.
    for (let k = 0; k < half; k++) {
      // exp(-+2 pi i k / len) = exp(-+2 pi i (k stride) / n)
      const wr = cos[k * stride] as number;
      const wi = sign * (sin[k * stride] as number);
      for (let a = k; a < n; a += len) {
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

/**
 * The lag in [-maxLag, maxLag] at which `sig` best matches `ref` (largest
 * normalised correlation), every lag tried (by FFT). `ref` has n samples; `sig`
 * has n + 2 maxLag: sig[j] is the sample at ref index j - maxLag. Ties go to
 * the lag nearest zero, then the negative one.
 */
export function bestLag(ref: Float64Array, sig: Float64Array, maxLag: number): LagMatch {
  const n = ref.length;
  const m = sig.length;
  if (m !== n + 2 * maxLag) throw new RangeError("sig must be ref.length + 2 maxLag long");
  // The correlations wanted are sum_i ref[i] sig[k + i] for k in [0, 2 maxLag]: with both zero-padded to a
  // length of at least m, a circular correlation gives them without wrapping round (k + i < m).
  let size = 1;
  while (size < m) size <<= 1;
  const { re, im, prefix } = lagScratch(size);
  // Both real signals in one complex transform, x = ref + i sig, separated by symmetry afterwards.
  re.set(ref);
  re.fill(0, n);
  im.set(sig);
  im.fill(0, m);
  fft(re, im);
  // A[k] = (X[k] + conj X[-k]) / 2, B[k] = (X[k] - conj X[-k]) / 2i; the cross spectrum conj(A) B, whose
  // inverse transform is the correlation. Pairs (k, -k) are done together: each needs the other's input.
  for (let k = 0; k <= size >> 1; k++) {
    const j = (size - k) & (size - 1);
    const xr = re[k] as number;
    const xi = im[k] as number;
    const yr = re[j] as number;
    const yi = im[j] as number;
    const ar = (xr + yr) / 2;
    const ai = (xi - yi) / 2;
    const br = (xi + yi) / 2;
    const bi = (yr - xr) / 2;
    // conj(A) B at k, and at -k (A and B are Hermitian: their values at -k are the conjugates).
    const cr = ar * br + ai * bi;
    const ci = ar * bi - ai * br;
    re[k] = cr;
    im[k] = ci;
    re[j] = cr;
    im[j] = -ci;
  }
  fft(re, im, true);
  let refEnergy = 0;
  for (let i = 0; i < n; i++) refEnergy += (ref[i] as number) ** 2;
  prefix[0] = 0;
  for (let j = 0; j < m; j++) prefix[j + 1] = (prefix[j] as number) + (sig[j] as number) ** 2;
  let best: LagMatch = { lag: 0, correlation: Number.NEGATIVE_INFINITY };
  // 0, -1, 1, -2, 2, ...: so that the first of equal values found is the lag nearest zero.
  for (let step = 0; step <= 2 * maxLag; step++) {
    const lag = step === 0 ? 0 : step % 2 === 1 ? -((step + 1) >> 1) : step >> 1;
    const o = maxLag + lag;
    const e = (prefix[o + n] as number) - (prefix[o] as number);
    const dot = (re[o] as number) / size;
    const c = refEnergy > 0 && e > refEnergy * 1e-18 ? Math.max(-1, Math.min(1, dot / Math.sqrt(refEnergy * e))) : 0;
    if (c > best.correlation) best = { lag, correlation: c };
  }
  return best;
}

interface LagScratch {
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Running sums of sig's squares: sig's energy under each lag in two reads. */
  readonly prefix: Float64Array;
}

const lagScratches = new Map<number, LagScratch>();

/** The transform's buffers for one size, reused from call to call (verification makes one per range edge). */
function lagScratch(size: number): LagScratch {
  let s = lagScratches.get(size);
  if (!s) {
    s = { re: new Float64Array(size), im: new Float64Array(size), prefix: new Float64Array(size + 1) };
    lagScratches.set(size, s);
  }
  return s;
}

/** Biquad coefficients, a0 normalised to 1: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/**
 * A band-stop filter centred on `frequency` (RBJ cookbook notch), `octaves`
 * wide between its -3 dB points: what an attacker would use to take a tone
 * out, and what takes out the noise a codec leaves around a tone.
 */
export function notchCoefficients(frequency: number, sampleRate: number, octaves: number): BiquadCoefficients {
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  const sin = Math.sin(w0);
  const alpha = sin * Math.sinh(((Math.LN2 / 2) * octaves * w0) / sin);
  const a0 = 1 + alpha;
  return { b0: 1 / a0, b1: (-2 * Math.cos(w0)) / a0, b2: 1 / a0, a1: (-2 * Math.cos(w0)) / a0, a2: (1 - alpha) / a0 };
}

/** A cascade of identical biquads, filtering a stream in place block by block (state kept between blocks). */
export class BiquadCascade {
  private readonly state: Float64Array;
  constructor(
    private readonly c: BiquadCoefficients,
    private readonly stages: number,
  ) {
    this.state = new Float64Array(4 * stages);
  }

  process(x: Float64Array): void {
    const { b0, b1, b2, a1, a2 } = this.c;
    const st = this.state;
    for (let s = 0; s < this.stages; s++) {
      let x1 = st[4 * s] as number;
      let x2 = st[4 * s + 1] as number;
      let y1 = st[4 * s + 2] as number;
      let y2 = st[4 * s + 3] as number;
      for (let i = 0; i < x.length; i++) {
        const v = x[i] as number;
        const y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1;
        x1 = v;
        y2 = y1;
        y1 = y;
        x[i] = y;
      }
      st[4 * s] = x1;
      st[4 * s + 1] = x2;
      st[4 * s + 2] = y1;
      st[4 * s + 3] = y2;
    }
  }
}
