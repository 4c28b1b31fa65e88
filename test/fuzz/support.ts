/**
 * What the fuzz tests share: how many runs (a fixed seed and a short run by
 * default, `GRAFO_FUZZ_RUNS` for a long one), the edge values, inputs laid out
 * as non-contiguous views, and the ways one function is evaluated (each
 * backend that loads, eager and compiled with every pass on or all off).
 */
import type fc from "fast-check";
import * as g from "../../src/index.js";
import { compile, type DType, type OptimizeOptions, type Tensor } from "../../src/index.js";
import { assertClose, flat, type Tolerance } from "../support/allclose.js";
import { availableBackends, withBackend } from "../support/backends.js";
import { ravel, unravel } from "../support/reference.js";
import type { Rng } from "../support/rng.js";

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

const requested = Number(env.GRAFO_FUZZ_RUNS ?? 1);
/** How many times the default number of cases each property runs (`GRAFO_FUZZ_RUNS`, default 1). */
const FACTOR = Number.isFinite(requested) && requested > 0 ? requested : 1;

/** Runs per property: `base` by default (so CI is short), `GRAFO_FUZZ_RUNS` times more when that is set. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * FACTOR));
}

/** A test's time limit, grown with `GRAFO_FUZZ_RUNS` (the default run stays within vitest's 60 s). */
export const FUZZ_TIMEOUT = 60_000 * Math.max(1, FACTOR);

/** fast-check parameters: the fixed seed unless `GRAFO_FUZZ_SEED` names another (a failure prints its seed and path). */
export function fuzzParams(base: number): fc.Parameters<unknown> {
  const seed = env.GRAFO_FUZZ_SEED !== undefined ? Number(env.GRAFO_FUZZ_SEED) : 20261202;
  return { seed, numRuns: runs(base), endOnFailure: false };
}

/** The backends every fuzz property evaluates on, js (the reference kernels) first. */
export const BACKENDS = ["js", ...availableBackends().filter((b) => b !== "js")];

/** Eager ops, or a compiled plan with every pass on (fusion included) or all off. */
export type Mode = "eager" | "compiled" | "compiled, no passes";
export const MODES: readonly Mode[] = ["eager", "compiled", "compiled, no passes"];

export const ALL_PASSES_OFF: OptimizeOptions = {
  dce: false,
  simplify: false,
  fold: false,
  cse: false,
  fuse: false,
};

/**
 * `fn(...args)` on `backend` in `mode`. A compiled function is built afresh
 * each time: its kernels are chosen for the backend active when it is planned.
 */
export function evaluate(
  fn: (...xs: Tensor[]) => Tensor,
  args: readonly Tensor[],
  backend: string,
  mode: Mode,
): Tensor {
  return withBackend(backend, () => {
    if (mode === "eager") return fn(...args);
    const optimize = mode === "compiled" ? {} : ALL_PASSES_OFF;
    return compile((...xs: Tensor[]) => fn(...xs), { optimize })(...args);
  });
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** Signed zeros, infinities, NaN, float32 and float64 subnormals, and magnitudes near overflow. */
export const EDGE_VALUES: readonly number[] = [
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  1e-40,
  -1e-45,
  2 ** -1074,
  -1e-310,
  1e30,
  -1e30,
  FLOAT32_MAX,
  -FLOAT32_MAX,
  1e300,
  -1e300,
];

/** Int32 edges: overflow wraps (numpy-like), so these are compared between backends, not with float64. */
export const INT_EDGES: readonly number[] = [0, -1, 1, 2147483647, -2147483648, 65536, -65536];

/** `values` with about `rate` of them replaced by edge values chosen by `r`. */
export function sprinkle(
  values: readonly number[],
  rate: number,
  r: Rng,
  edges: readonly number[],
): number[] {
  return values.map((v) => (r() < rate ? edges[Math.floor(r() * edges.length)]! : v));
}

/** How a generated input is laid out in memory; the logical shape and values are the same. */
export type Layout = "contiguous" | "transposed" | "sliced" | "strided" | "expanded";
export const LAYOUTS: readonly Layout[] = ["contiguous", "transposed", "sliced", "strided", "expanded"];

/**
 * A tensor of `shape` and `dtype` holding `values` (row-major) as a view of
 * another tensor: a transpose of its transposed copy, a window of a larger
 * tensor, the right half of a tensor twice as wide, or a broadcast of a tensor
 * with fewer elements (then `values` is first made constant along the
 * broadcast axes, and the returned values say what it holds).
 */
export function laidOut(
  values: readonly number[],
  shape: readonly number[],
  dtype: DType,
  layout: Layout,
  r: Rng,
): { tensor: Tensor; values: number[] } {
  const rank = shape.length;
  const plain = () => ({ tensor: g.tensor([...values], [...shape], { dtype }), values: [...values] });
  if (rank === 0 || layout === "contiguous" || values.length === 0) return plain();
  switch (layout) {
    case "transposed": {
      // the reversed-axes copy, transposed back: strides run the other way
      const reversed = [...shape].reverse();
      const base = values.map((_, i) => values[ravel(unravel(i, reversed).reverse(), shape)]!);
      return { tensor: g.transpose(g.tensor(base, reversed, { dtype })), values: [...values] };
    }
    case "sliced": {
      const before = shape.map(() => Math.floor(r() * 2));
      const bigShape = shape.map((d, i) => d + before[i]! + Math.floor(r() * 2));
      const big = fillAround(values, shape, bigShape, before, dtype, r);
      return { tensor: g.slice(big, before, [...shape]), values: [...values] };
    }
    case "strided": {
      // the second half of each row of a tensor twice as wide: rows lie 2·width apart
      const last = shape[rank - 1]!;
      const before = shape.map((_, i) => (i === rank - 1 ? last : 0));
      const bigShape = shape.map((d, i) => (i === rank - 1 ? 2 * d : d));
      const big = fillAround(values, shape, bigShape, before, dtype, r);
      return { tensor: g.slice(big, before, [...shape]), values: [...values] };
    }
    case "expanded": {
      const axis = Math.floor(r() * rank);
      const small = shape.map((d, i) => (i === axis ? 1 : d));
      const smallValues = takeAlong(values, shape, axis);
      const t = g.broadcastTo(g.tensor(smallValues, small, { dtype }), [...shape]);
      return { tensor: t, values: Array.from(t.data(), Number) };
    }
  }
  return plain();
}

/** `values` (of `shape`) placed at `before` inside a tensor of `bigShape` whose other elements are junk. */
function fillAround(
  values: readonly number[],
  shape: readonly number[],
  bigShape: readonly number[],
  before: readonly number[],
  dtype: DType,
  r: Rng,
): Tensor {
  const size = bigShape.reduce((n, d) => n * d, 1);
  const out = Array.from({ length: size }, () => Math.floor(r() * 100) - 50);
  const n = values.length;
  for (let i = 0; i < n; i++) {
    let rest = i;
    let pos = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const k = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
      pos += (k + before[d]!) * stride;
      stride *= bigShape[d]!;
    }
    out[pos] = values[i]!;
  }
  return g.tensor(out, [...bigShape], { dtype });
}

/** The values at index 0 of `axis` (the rest dropped): what broadcasting that slice back gives. */
function takeAlong(values: readonly number[], shape: readonly number[], axis: number): number[] {
  const inner = shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const outer = shape.slice(0, axis).reduce((n, d) => n * d, 1);
  const len = shape[axis]!;
  const out: number[] = [];
  for (let o = 0; o < outer; o++) out.push(...values.slice(o * len * inner, o * len * inner + inner));
  return out;
}

/**
 * Throws unless `got` has NaN exactly where `want` does and each infinity with
 * its sign where `want` has it; finite values agree within `tol`.
 */
export function assertSameValues(
  got: Tensor,
  want: Tensor | ArrayLike<number>,
  tol: Tolerance,
  what: string,
): void {
  const a = flat(got);
  const b = flat(want);
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} values, expected ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const special = (v: number) =>
      Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : "";
    if (special(x) !== special(y))
      throw new Error(`${what}: at flat index ${i} got ${x}, expected ${y} (NaN/Inf placement differs)`);
  }
  assertClose(a, b, tol, what);
}
