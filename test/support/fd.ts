/**
 * Central finite differences in float64: the independent check of every
 * derivative rule. f(x+εv) − f(x−εv) over 2ε has error O(ε²) from the
 * function and O(1e-16/ε) from rounding, so ε ≈ 1e-6 gives ~1e-10 on smooth
 * functions of moderate size.
 */
import { type Tensor, tensor } from "../../src/index.js";

/** Float64 copies of `xs` moved by `t·vs` (elementwise). */
export function moved(xs: readonly Tensor[], vs: readonly Tensor[], t: number): Tensor[] {
  return xs.map((x, i) => {
    const a = x.data();
    const v = vs[i]!.data();
    const out = new Float64Array(a.length);
    for (let k = 0; k < a.length; k++) out[k] = a[k]! + t * v[k]!;
    return tensor(out, x.shape);
  });
}

function values(ts: readonly Tensor[]): Float64Array {
  const parts = ts.map((t) => Float64Array.from(t.data()));
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The derivative of `f` at `xs` along the directions `vs`, by central
 * differences: (f(x+εv) − f(x−εv)) / 2ε, flattened over all of f's outputs.
 */
export function directional(
  f: (xs: Tensor[]) => readonly Tensor[],
  xs: readonly Tensor[],
  vs: readonly Tensor[],
  eps = 1e-6,
): Float64Array {
  const plus = values(f(moved(xs, vs, eps)));
  const minus = values(f(moved(xs, vs, -eps)));
  return plus.map((p, k) => (p - minus[k]!) / (2 * eps));
}

/**
 * The Jacobian of `f` with respect to all of `xs`, by central differences:
 * one column per input element (the inputs flattened one after another),
 * each column the flattened output derivative.
 */
export function numericJacobian(
  f: (xs: Tensor[]) => Tensor,
  xs: readonly Tensor[],
  eps = 1e-6,
): Float64Array[] {
  const columns: Float64Array[] = [];
  xs.forEach((x, i) => {
    for (let k = 0; k < x.size; k++) {
      const e = new Float64Array(x.size);
      e[k] = 1;
      const vs = xs.map((y, j) => (j === i ? tensor(e, y.shape) : tensor(new Float64Array(y.size), y.shape)));
      columns.push(directional((ys) => [f(ys)], xs, vs, eps));
    }
  });
  return columns;
}

/** J·v for the flattened direction v (all inputs concatenated). */
export function jacobianTimes(
  columns: readonly Float64Array[],
  v: ArrayLike<number>,
  outSize: number,
): Float64Array {
  const out = new Float64Array(outSize);
  columns.forEach((c, k) => {
    for (let j = 0; j < outSize; j++) out[j]! += c[j]! * v[k]!;
  });
  return out;
}

/** Jᵀ·u: one entry per input element. */
export function jacobianTransposeTimes(columns: readonly Float64Array[], u: ArrayLike<number>): Float64Array {
  return Float64Array.from(columns, (c) => {
    let s = 0;
    for (let j = 0; j < c.length; j++) s += c[j]! * u[j]!;
    return s;
  });
}

/** ⟨a, b⟩ over flattened values. */
export function inner(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** All the values of a list of tensors, one after another, as float64. */
export function concatValues(ts: readonly Tensor[]): Float64Array {
  return values(ts);
}
