import { fromData, reduceAxes, rowMajor } from "../backends/js/loops.js";
import { eye } from "../core/creation.js";
import { allocate, isFloat } from "../core/dtype.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import type { Aval } from "../core/primitives.js";
import { normalizeAxes, normalizeAxis, sizeOf } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { shifted } from "./batching.js";
import { add, div, equal, mul, sub, where } from "./binary.js";
import { asTensor, castTo } from "./convert.js";
import { bind } from "./dispatch.js";
import type { PartialPrimitiveTable } from "./primitive.js";
import { broadcastTo, expandDims, reshape, transpose } from "./shape.js";
import { abs, cast, exp, isFinite, log, logicalNot, neg, sqrt, square, stopGradient } from "./unary.js";

// Folds for the reductions, made once so each keeps its own specialised loop.
const plus = (a: number, v: number) => a + v;
const times = (a: number, v: number) => a * v;
/** NaN wins, as in numpy. */
const larger = (a: number, v: number) => (v > a || Number.isNaN(v) ? v : a);

function reducedAval([x]: readonly Aval[], { axes }: { readonly axes: readonly number[] }): Aval {
  return { shape: x!.shape.filter((_, i) => !axes.includes(i)), dtype: x!.dtype };
}

/** Puts the reduced axes back as size 1 and broadcasts: the adjoint of a sum. */
function expandReduced(t: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  return broadcastTo(
    reshape(
      t,
      shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    ),
    shape,
  );
}

/**
 * The derivative of max: where x attains the max, and how many places tie
 * (they share equally, as in JAX). Dividing on the small reduced side keeps
 * the full-size work to one compare, one count and one select.
 */
function maxHits(x: Tensor, out: Tensor, axes: readonly number[]): { hit: Tensor; count: Tensor } {
  const hit = equal(x, expandReduced(out, x.shape, axes));
  return { hit, count: bind("sum", [castTo(hit, x.dtype)], { axes }) };
}

/**
 * ∂prod/∂x_i = ∏_{j≠i} x_j, computed without dividing by x_i so zeros are
 * handled exactly: each reduced row is laid out n times with its diagonal set to 1.
 */
function prodOthers(x: Tensor, axes: readonly number[]): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const keptShape = kept.map((i) => x.shape[i]!);
  const n = sizeOf(axes.map((i) => x.shape[i]!));
  const rows = reshape(transpose(x, perm), [...keptShape, n]);
  const square = broadcastTo(expandDims(rows, -2), [...keptShape, n, n]);
  const masked = where(castTo(eye(n), "bool"), 1, square);
  const others = bind("prod", [masked], { axes: [keptShape.length + 1] });
  const back = reshape(
    others,
    perm.map((p) => x.shape[p]!),
  );
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return transpose(back, inverse);
}

export const reducePrimitives = {
  sum: {
    abstract: reducedAval,
    js: ([x], { axes }, out) => fromData(reduceAxes(x!, axes, out.dtype, 0, plus), out),
    jvp: (_, [dx], attrs) => (dx ? bind("sum", [dx], attrs) : null),
    vjp: (ct, [x], { axes }) => [expandReduced(ct, x!.shape, axes)],
    vmap: ([x], _, { axes }) => bind("sum", [x!], { axes: shifted(axes) }),
  },
  max: {
    abstract: reducedAval,
    js: ([x], { axes }, out) =>
      fromData(reduceAxes(x!, axes, out.dtype, Number.NEGATIVE_INFINITY, larger), out),
    jvp: ([x], [dx], { axes }, out) => {
      if (!dx) return null;
      const { hit, count } = maxHits(x!, out, axes);
      return div(bind("sum", [where(hit, dx, 0)], { axes }), count);
    },
    vjp: (ct, [x], { axes }, out) => {
      const { hit, count } = maxHits(x!, out, axes);
      return [where(hit, expandReduced(div(ct, count), x!.shape, axes), 0)];
    },
    vmap: ([x], _, { axes }) => bind("max", [x!], { axes: shifted(axes) }),
  },
  prod: {
    abstract: reducedAval,
    js: ([x], { axes }, out) => fromData(reduceAxes(x!, axes, out.dtype, 1, times), out),
    jvp: ([x], [dx], { axes }) => (dx ? bind("sum", [mul(dx, prodOthers(x!, axes))], { axes }) : null),
    vjp: (ct, [x], { axes }) => [mul(expandReduced(ct, x!.shape, axes), prodOthers(x!, axes))],
    vmap: ([x], _, { axes }) => bind("prod", [x!], { axes: shifted(axes) }),
  },
  argmax: {
    abstract: ([x], { axis }) => ({ shape: x!.shape.filter((_, i) => i !== axis), dtype: "int32" }),
    js: ([x], { axis, min }, out) => {
      const src = rowMajor(x!);
      const n = x!.shape[axis]!;
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const outer = sizeOf(x!.shape.slice(0, axis));
      const o = allocate("int32", outer * inner);
      const better = min ? (v: number, b: number) => v < b : (v: number, b: number) => v > b;
      for (let r = 0; r < outer; r++) {
        for (let i = 0; i < inner; i++) {
          let best = 0;
          let bestV = src[r * n * inner + i]!;
          for (let k = 1; k < n && !Number.isNaN(bestV); k++) {
            const v = src[(r * n + k) * inner + i]!;
            if (better(v, bestV) || Number.isNaN(v)) {
              best = k;
              bestV = v;
            }
          }
          o[r * inner + i] = best;
        }
      }
      return fromData(o, out);
    },
    jvp: () => null,
    vjp: () => [null],
    vmap: ([x], _, { axis, min }) => bind("argmax", [x!], { axis: axis + 1, min }),
  },
  cumsum: {
    abstract: ([x]) => x!,
    js: ([x], { axis, reverse }, out) => {
      const src = rowMajor(x!);
      const n = x!.shape[axis]!;
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const outer = sizeOf(x!.shape.slice(0, axis));
      const o = allocate(out.dtype, src.length);
      for (let r = 0; r < outer; r++) {
        for (let i = 0; i < inner; i++) {
          let acc = 0;
          for (let j = 0; j < n; j++) {
            const k = reverse ? n - 1 - j : j;
            const at = (r * n + k) * inner + i;
            acc += src[at]!;
            o[at] = acc;
          }
        }
      }
      return fromData(o, out);
    },
    jvp: (_, [dx], attrs) => (dx ? bind("cumsum", [dx], attrs) : null),
    vjp: (ct, _, { axis, reverse }) => [bind("cumsum", [ct], { axis, reverse: !reverse })],
    vmap: ([x], _, { axis, reverse }) => bind("cumsum", [x!], { axis: axis + 1, reverse }),
  },
} satisfies PartialPrimitiveTable;

type Axis = number | readonly number[] | undefined;

function keep(out: Tensor, shape: readonly number[], axes: readonly number[], keepDims: boolean): Tensor {
  return keepDims
    ? reshape(
        out,
        shape.map((d, i) => (axes.includes(i) ? 1 : d)),
      )
    : out;
}

/** bool sums count, so they become int32 first (numpy does the same). */
function summable(x: TensorLike, op: string): Tensor {
  const t = asTensor(x, undefined, op);
  return t.dtype === "bool" ? castTo(t, "int32") : t;
}

function reduce(prim: "sum" | "max" | "prod", t: Tensor, axis: Axis, keepDims: boolean): Tensor {
  const axes = normalizeAxes(prim, axis, t.rank);
  if (axes.length === 0) return t;
  return keep(bind(prim, [t], { axes }), t.shape, axes, keepDims);
}

/** Sum over `axis` (a number, a list, or all axes when omitted). */
export const sum = (x: TensorLike, axis?: Axis, keepDims = false): Tensor =>
  reduce("sum", summable(x, "sum"), axis, keepDims);
export const prod = (x: TensorLike, axis?: Axis, keepDims = false): Tensor =>
  reduce("prod", summable(x, "prod"), axis, keepDims);
export const max = (x: TensorLike, axis?: Axis, keepDims = false): Tensor =>
  reduce("max", summable(x, "max"), axis, keepDims);
export function min(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = summable(x, "min");
  return neg(max(neg(t), normalizeAxes("min", axis, t.rank), keepDims));
}

export function mean(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = summable(x, "mean");
  const f = isFloat(t.dtype) ? t : castTo(t, "float32");
  const count = sizeOf(normalizeAxes("mean", axis, t.rank).map((a) => t.shape[a]!));
  return div(sum(f, axis, keepDims), count);
}

function argReduce(x: TensorLike, axis: number | undefined, minimum: boolean, op: string): Tensor {
  let t = asTensor(x, undefined, op);
  if (axis === undefined) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  const a = normalizeAxis(op, axis, t.rank);
  if (t.shape[a] === 0) throw new ShapeError(`${op}: cannot take ${op} of an empty axis`);
  return bind("argmax", [t], { axis: a, min: minimum });
}

/** Index of the largest value along `axis` (of the flattened tensor when omitted). No gradient. */
export const argmax = (x: TensorLike, axis?: number): Tensor => argReduce(x, axis, false, "argmax");
export const argmin = (x: TensorLike, axis?: number): Tensor => argReduce(x, axis, true, "argmin");

/** log(Σ exp x), stable: the max is subtracted first (and infinite maxes are handled). */
export function logSumExp(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = asTensor(x, undefined, "logSumExp");
  const axes = normalizeAxes("logSumExp", axis, t.rank);
  const m = stopGradient(max(t, axes, true));
  const shift = where(isFinite(m), m, 0);
  const out = add(log(sum(exp(sub(t, shift)), axes, true)), shift);
  return keepDims
    ? out
    : reshape(
        out,
        t.shape.filter((_, i) => !axes.includes(i)),
      );
}

/** Population variance (divides by N), like numpy and TF.js. */
export function variance(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = asTensor(x, undefined, "variance");
  const axes = normalizeAxes("variance", axis, t.rank);
  return mean(square(sub(t, mean(t, axes, true))), axes, keepDims);
}

export function std(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = asTensor(x, undefined, "std");
  return sqrt(variance(t, normalizeAxes("std", axis, t.rank), keepDims));
}

/** Vector p-norm over `axis` (all axes by default): ord 2 (default), 1, Infinity, or any p > 0. */
export function norm(x: TensorLike, ord = 2, axis?: Axis, keepDims = false): Tensor {
  const t = asTensor(x, undefined, "norm");
  const axes = normalizeAxes("norm", axis, t.rank);
  if (ord === 2) return sqrt(sum(square(t), axes, keepDims));
  if (ord === 1) return sum(abs(t), axes, keepDims);
  if (ord === Number.POSITIVE_INFINITY) return max(abs(t), axes, keepDims);
  if (!(ord > 0)) throw new ArgumentError(`norm: ord must be positive or Infinity, got ${ord}`);
  return sum(abs(t).pow(ord), axes, keepDims).pow(1 / ord);
}

/** Whether any element (along `axis`) is true / non-zero. */
export function any(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = cast(asTensor(x, undefined, "any"), "int32");
  return cast(max(t, normalizeAxes("any", axis, t.rank), keepDims), "bool");
}

export function all(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = asTensor(x, undefined, "all");
  return logicalNot(any(logicalNot(t), normalizeAxes("all", axis, t.rank), keepDims));
}

/** Running sum along `axis`; `exclusive` starts from 0, `reverse` runs from the end. */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const t = summable(x, "cumsum");
  const a = normalizeAxis("cumsum", axis, t.rank);
  const inclusive = bind("cumsum", [t], { axis: a, reverse });
  return exclusive ? sub(inclusive, t) : inclusive;
}
