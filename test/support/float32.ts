/**
 * Float32 accuracy helpers shared by the kernel tests of every backend: ulp
 * distances, the edge values where vectorised exp/log/tanh/sigmoid need
 * special handling, and sample arrays that include them.
 */

const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);

/** A float32's position on the integer line: adjacent floats differ by 1. */
export function ordinal(x: number): number {
  asFloat[0] = x;
  const i = bits[0]!;
  return i < 0 ? -2147483648 - i : i;
}

const MIN_NORMAL = 2 ** -126;

/**
 * The worst distance in ulps of `got` from the float32 rounding of `ref(x)`;
 * results in the subnormal range may be off by one subnormal step more.
 */
export function worstUlp(
  xs: Float32Array,
  got: Float32Array,
  ref: (x: number) => number,
): { ulp: number; at: number } {
  let ulp = 0;
  let at = Number.NaN;
  for (let i = 0; i < xs.length; i++) {
    const want = Math.fround(ref(xs[i]!));
    const g = got[i]!;
    if (Object.is(want, g) || (Number.isNaN(want) && Number.isNaN(g))) continue;
    if (Math.abs(want) < MIN_NORMAL && Math.abs(g - want) <= 2 ** -148) continue;
    const d = Number.isFinite(want) && Number.isFinite(g) ? Math.abs(ordinal(want) - ordinal(g)) : Infinity;
    if (d > ulp) {
      ulp = d;
      at = xs[i]!;
    }
  }
  return { ulp, at };
}

/** Values where the polynomials' special-case handling matters (zeros, infinities, NaN, subnormals, overflow edges). */
export const FLOAT32_EDGES: readonly number[] = [
  0,
  -0,
  Infinity,
  -Infinity,
  Number.NaN,
  1e-45,
  -1e-45,
  1e-40,
  -1e-40,
  MIN_NORMAL,
  1,
  -1,
  0.5,
  0.625,
  -0.625,
  3.4e38,
  -3.4e38,
  88.72,
  88.73,
  89,
  -87.3,
  -88.72,
  -103,
  -103.97,
  -104,
  -200,
  200,
  1e-30,
  -1e-30,
  9,
  -9,
  20,
];

/** `n` samples in [lo, hi) (log-uniform when `logScale`) from `uniform01`, then the edge values. */
export function edgeSamples(
  lo: number,
  hi: number,
  n: number,
  uniform01: () => number,
  logScale = false,
): Float32Array {
  const out = new Float32Array(n + FLOAT32_EDGES.length);
  for (let i = 0; i < n; i++) {
    const u = uniform01();
    out[i] = logScale ? Math.exp(lo + (hi - lo) * u) : lo + (hi - lo) * u;
  }
  out.set(FLOAT32_EDGES, n);
  return out;
}

/** The logistic function without overflow, as the reference for sigmoid kernels. */
export const sigmoidRef = (x: number): number =>
  x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
