import { Tensor } from "../../src/index.js";

/** Tolerances as numpy's `allclose`: |a − e| ≤ atol + rtol·|e|. */
export interface Tolerance {
  rtol?: number;
  atol?: number;
}

type Numbers = ArrayLike<number> | Tensor | number;

/** Flat float64 values of a tensor, a typed array, a number array or a number (bools as 0/1). */
export function flat(x: Numbers): Float64Array {
  if (x instanceof Tensor) return Float64Array.from(x.data());
  if (typeof x === "number") return Float64Array.of(x);
  return Float64Array.from(x);
}

/** Where the first element outside tolerance is, and the largest error, or undefined when all are close. */
export function firstMismatch(
  actual: Numbers,
  expected: Numbers,
  { rtol = 1e-5, atol = 1e-8 }: Tolerance = {},
): string | undefined {
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length) return `lengths differ: ${a.length} vs ${e.length} expected`;
  let worst = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    // NaN matches NaN and infinities match themselves, as numpy's allclose(equal_nan=True).
    if (Object.is(x, y) || x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const err = Math.abs(x - y);
    const ok = err <= atol + rtol * Math.abs(y);
    if (!ok || Number.isNaN(err)) {
      if (first < 0) first = i;
      worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
    }
  }
  if (first < 0) return undefined;
  return `first mismatch at flat index ${first}: got ${a[first]}, expected ${e[first]} (largest error ${worst}, rtol ${rtol}, atol ${atol})`;
}

/** numpy's `allclose` (NaNs equal each other). */
export function allClose(actual: Numbers, expected: Numbers, tol: Tolerance = {}): boolean {
  return firstMismatch(actual, expected, tol) === undefined;
}

/** Throws a message naming `what` and the first mismatch when the values are not close. */
export function assertClose(actual: Numbers, expected: Numbers, tol: Tolerance = {}, what = "values"): void {
  const mismatch = firstMismatch(actual, expected, tol);
  if (mismatch !== undefined) throw new Error(`${what}: ${mismatch}`);
}

/** Throws unless the two shapes are equal. */
export function assertShape(actual: readonly number[], expected: readonly number[], what = "shape"): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i]))
    throw new Error(`${what}: got [${actual}], expected [${expected}]`);
}
