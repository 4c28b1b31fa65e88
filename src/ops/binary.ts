import { fromData, mapBinary, rowMajor, splatValue } from "../backends/js/loops.js";
import { allocate, type DataArray, isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError } from "../core/errors.js";
import type { Aval, CompareOp, PrimName } from "../core/primitives.js";
import { broadcastShapes, fmtShape, shapesEqual } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { elementwiseRule } from "./batching.js";
import { asTensor, castTo, promotePair } from "./convert.js";
import { bind } from "./dispatch.js";
import type { PartialPrimitiveTable, PrimitiveDef } from "./primitive.js";
import { broadcastTo } from "./shape.js";
import { log, neg } from "./unary.js";

function sameShapes(op: string, inputs: readonly Aval[]): void {
  const [a, ...rest] = inputs;
  for (const b of rest) {
    if (!shapesEqual(a!.shape, b.shape))
      throw new ShapeError(`${op}: shapes ${fmtShape(a!.shape)} and ${fmtShape(b.shape)} differ`);
    if (a!.dtype !== b.dtype) throw new DTypeError(`${op}: dtypes ${a!.dtype} and ${b.dtype} differ`);
  }
}

function binaryAval(op: string) {
  return (inputs: readonly Aval[]): Aval => {
    sameShapes(op, inputs);
    return { shape: inputs[0]!.shape, dtype: inputs[0]!.dtype };
  };
}

/** Sum of the non-zero tangent terms; null when all are zero. */
function sumTerms(...terms: (Tensor | null | undefined)[]): Tensor | null {
  let acc: Tensor | null = null;
  for (const t of terms) if (t) acc = acc ? add(acc, t) : t;
  return acc;
}

/**
 * Elementwise arithmetic on every dtype: int32 results wrap to 32 bits and bool
 * results are `!= 0` (so bool + is logical or and bool · is logical and, as in numpy).
 * The three variants are made once, so each keeps its specialised loop.
 */
function arith(f: (a: number, b: number) => number, asInt = (x: number, y: number) => f(x, y) | 0) {
  const asBool = (x: number, y: number) => (f(x, y) !== 0 ? 1 : 0);
  return ([a, b]: readonly Tensor[], _: unknown, out: Aval): Tensor =>
    mapBinary(a!, b!, out, out.dtype === "int32" ? asInt : out.dtype === "bool" ? asBool : f);
}

// +(a < b) rather than (a < b ? 1 : 0): engines compile it without a branch,
// which on unpredictable data (a ReLU mask) is 3–4× faster.
const compareFns: Record<CompareOp, (a: number, b: number) => number> = {
  equal: (a, b) => +(a === b),
  notEqual: (a, b) => +(a !== b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
};

/**
 * where(c, a, b) on 4- and 8-byte dtypes picks bits with a mask (−1 or 0 per
 * element) instead of branching: exact, and several times faster when the
 * condition is unpredictable, as ReLU masks are. A broadcast scalar operand
 * (where(c, x, 0)) is read once, not materialised.
 */
function select(c: DataArray, a: Tensor, b: Tensor, o: DataArray): void {
  const words = o.BYTES_PER_ELEMENT / 4;
  if (words === 1) {
    // float32 and int32, the common case, in loops of one shape each (3× the general loop).
    const [av, bv] = [bitsOf(a), bitsOf(b)];
    const o32 = new Int32Array(o.buffer, o.byteOffset, o.length);
    if (typeof bv === "number")
      typeof av === "number" ? selectSplats(c, av, bv, o32) : selectArraySplat(c, av, bv, o32);
    else if (typeof av === "number") selectArraySplat(c, bv, av, o32, true);
    else selectArrays(c, av, bv, o32);
    return;
  }
  if (words < 1) {
    const [ad, bd] = [rowMajor(a), rowMajor(b)];
    for (let i = 0; i < o.length; i++) o[i] = c[i] ? ad[i]! : bd[i]!;
    return;
  }
  // Each operand as 32-bit words, and the stride between elements (0 for a scalar).
  const words32 = (t: Tensor): [Int32Array, number] => {
    const s = splatValue(t);
    const x = s === undefined ? rowMajor(t) : allocate(t.dtype, 1).fill(s);
    return [new Int32Array(x.buffer, x.byteOffset, x.length * words), s === undefined ? words : 0];
  };
  const [a32, as] = words32(a);
  const [b32, bs] = words32(b);
  const o32 = new Int32Array(o.buffer, o.byteOffset, o.length * words);
  for (let i = 0, w = 0, ai = 0, bi = 0; i < c.length; i++, ai += as, bi += bs) {
    const m = -c[i]!;
    for (let k = 0; k < words; k++, w++) o32[w] = (a32[ai + k]! & m) | (b32[bi + k]! & ~m);
  }
}

/** A 4-byte operand's bits: one word for a broadcast scalar, else its row-major values as words. */
function bitsOf(t: Tensor): Int32Array | number {
  const s = splatValue(t);
  const x = s === undefined ? rowMajor(t) : allocate(t.dtype, 1).fill(s);
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  return s === undefined ? bits : bits[0]!;
}

function selectArrays(c: DataArray, a: Int32Array, b: Int32Array, o: Int32Array): void {
  for (let i = 0; i < o.length; i++) {
    const m = -c[i]!;
    o[i] = (a[i]! & m) | (b[i]! & ~m);
  }
}

/** where(c, x, s), or where(c, s, x) when `swapped`. */
function selectArraySplat(c: DataArray, x: Int32Array, s: number, o: Int32Array, swapped = false): void {
  for (let i = 0; i < o.length; i++) {
    const m = swapped ? ~-c[i]! : -c[i]!;
    o[i] = (x[i]! & m) | (s & ~m);
  }
}

function selectSplats(c: DataArray, a: number, b: number, o: Int32Array): void {
  for (let i = 0; i < o.length; i++) o[i] = c[i] ? a : b;
}

// Integer division truncates toward zero (C and TF.js semantics), and x/0 is 0 for ints.
const intDiv = (x: number, y: number) => (y === 0 ? 0 : Math.trunc(x / y));
const floatDiv = (x: number, y: number) => x / y;

export const binaryPrimitives = {
  add: {
    abstract: binaryAval("add"),
    js: arith((x, y) => x + y),
    jvp: (_, [da, db]) => sumTerms(da, db),
    vjp: (ct) => [ct, ct],
    vmap: elementwiseRule("add"),
  },
  sub: {
    abstract: binaryAval("sub"),
    js: arith((x, y) => x - y),
    jvp: (_, [da, db]) => sumTerms(da, db && neg(db)),
    vjp: (ct) => [ct, neg(ct)],
    vmap: elementwiseRule("sub"),
  },
  mul: {
    abstract: binaryAval("mul"),
    // int32 products wrap around as in numpy: x·y in float64 would round before the wrap
    js: arith((x, y) => x * y, Math.imul),
    jvp: ([a, b], [da, db]) => sumTerms(da && mul(da, b!), db && mul(a!, db)),
    vjp: (ct, [a, b]) => [mul(ct, b!), mul(a!, ct)],
    vmap: elementwiseRule("mul"),
  },
  div: {
    abstract: binaryAval("div"),
    js: ([a, b], _, out) => {
      return mapBinary(a!, b!, out, out.dtype === "int32" ? intDiv : floatDiv);
    },
    jvp: ([, b], [da, db], _, out) => sumTerms(da && div(da, b!), db && neg(div(mul(db, out), b!))),
    vjp: (ct, [, b], _, out) => [div(ct, b!), neg(div(mul(ct, out), b!))],
    vmap: elementwiseRule("div"),
  },
  pow: {
    abstract: binaryAval("pow"),
    js: arith(Math.pow),
    jvp: ([a, b], [da, db], _, out) =>
      sumTerms(da && mul(da, powBaseDeriv(a!, b!)), db && mul(db, powExpDeriv(a!, out))),
    vjp: (ct, [a, b], _, out) => [mul(ct, powBaseDeriv(a!, b!)), mul(ct, powExpDeriv(a!, out))],
    vmap: elementwiseRule("pow"),
  },
  maximum: {
    abstract: binaryAval("maximum"),
    js: arith((x, y) => (Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y))),
    jvp: ([a, b], [da, db]) => {
      const [ga, gb] = extremumShares(a!, b!, "greater");
      return sumTerms(da && mul(da, ga), db && mul(db, gb));
    },
    vjp: (ct, [a, b]) => extremumShares(a!, b!, "greater").map((g) => mul(ct, g)),
    vmap: elementwiseRule("maximum"),
  },
  minimum: {
    abstract: binaryAval("minimum"),
    js: arith((x, y) => (Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.min(x, y))),
    jvp: ([a, b], [da, db]) => {
      const [ga, gb] = extremumShares(a!, b!, "less");
      return sumTerms(da && mul(da, ga), db && mul(db, gb));
    },
    vjp: (ct, [a, b]) => extremumShares(a!, b!, "less").map((g) => mul(ct, g)),
    vmap: elementwiseRule("minimum"),
  },
  compare: {
    abstract: (inputs, { op }) => {
      sameShapes(op, inputs);
      return { shape: inputs[0]!.shape, dtype: "bool" };
    },
    js: ([a, b], { op }, out) => {
      return mapBinary(a!, b!, out, compareFns[op]);
    },
    jvp: () => null,
    vjp: () => [null, null],
    vmap: elementwiseRule("compare"),
  },
  where: {
    abstract: ([c, a, b]) => {
      if (c!.dtype !== "bool") throw new DTypeError(`where: condition must be bool, got ${c!.dtype}`);
      sameShapes("where", [c!, { shape: a!.shape, dtype: "bool" }]);
      sameShapes("where", [a!, b!]);
      return { shape: a!.shape, dtype: a!.dtype };
    },
    js: ([c, a, b], _, out) => {
      const cd = rowMajor(c!);
      const o = allocate(out.dtype, cd.length);
      select(cd, a!, b!, o);
      return fromData(o, out);
    },
    jvp: ([c, a], [, da, db]) => (da || db ? where(c!, da ?? zerosOf(a!), db ?? zerosOf(a!)) : null),
    vjp: (ct, [c]) => {
      const z = zerosOf(ct);
      return [null, where(c!, ct, z), where(c!, z, ct)];
    },
    vmap: elementwiseRule("where"),
  },
} satisfies {
  [P in Extract<
    PrimName,
    "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "compare" | "where"
  >]: PrimitiveDef<P>;
} & PartialPrimitiveTable;

/** maximum/minimum split the derivative evenly between tied inputs, as JAX does. */
function extremumShares(a: Tensor, b: Tensor, pick: "greater" | "less"): [Tensor, Tensor] {
  const wins = castTo(compare(pick, a, b), a.dtype);
  const ties = castTo(compare("equal", a, b), a.dtype);
  const share = add(wins, mul(ties, 0.5));
  return [share, sub(1, share)];
}

function zerosOf(t: Tensor): Tensor {
  return broadcastTo(asTensor(0, t.dtype), t.shape);
}

/**
 * d(a^b)/da = b·a^(b−1), taken as 0 where b = 0 (a^0 is constant). Without that,
 * 0·0^(−1) = 0·∞ is NaN at a = 0, which also spoils the third derivative of a².
 * The exponent is made safe too, so the unused branch stays finite under grad of grad.
 */
function powBaseDeriv(a: Tensor, b: Tensor): Tensor {
  const constant = compare("equal", b, zerosOf(b));
  const safeB = where(constant, broadcastTo(asTensor(1, b.dtype), b.shape), b);
  return where(constant, zerosOf(a), mul(b, pow(a, sub(safeB, 1))));
}

/** d(a^b)/db = a^b·log a, taken as 0 where a ≤ 0 (and log kept finite there, so no NaN leaks into grad of grad). */
function powExpDeriv(a: Tensor, out: Tensor): Tensor {
  const positive = compare("greater", a, zerosOf(a));
  const safeA = where(positive, a, broadcastTo(asTensor(1, a.dtype), a.shape));
  return where(positive, mul(out, log(safeA)), zerosOf(a));
}

/** Promotes dtypes and broadcasts shapes, then applies the primitive. */
function binary(
  prim: Extract<PrimName, "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum">,
  a: TensorLike,
  b: TensorLike,
): Tensor {
  const [x, y] = broadcastPair(prim, ...promotePair(prim, a, b));
  return bind(prim, [x, y], {});
}

export function broadcastPair(op: string, x: Tensor, y: Tensor): [Tensor, Tensor] {
  if (shapesEqual(x.shape, y.shape)) return [x, y];
  const shape = broadcastShapes(op, x.shape, y.shape);
  return [broadcastTo(x, shape), broadcastTo(y, shape)];
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary("add", a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary("sub", a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary("mul", a, b);
/** True division: ints are promoted to float32 (use `floorDiv`-style casts for integer division). */
export const div = (a: TensorLike, b: TensorLike): Tensor => {
  const [x, y] = promotePair("div", a, b);
  return isFloat(x.dtype) ? binary("div", x, y) : binary("div", castTo(x, "float32"), castTo(y, "float32"));
};
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary("pow", a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary("maximum", a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary("minimum", a, b);

function compare(op: CompareOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = broadcastPair(op, ...promotePair(op, a, b));
  return bind("compare", [x, y], { op });
}

export const equal = (a: TensorLike, b: TensorLike): Tensor => compare("equal", a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => compare("notEqual", a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => compare("less", a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare("lessEqual", a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare("greater", a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare("greaterEqual", a, b);

/** Picks `a` where `cond` is true and `b` elsewhere, broadcasting all three. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = castTo(asTensor(cond, "bool", "where"), "bool");
  const [x, y] = promotePair("where", a, b);
  const shape = broadcastShapes("where", broadcastShapes("where", c.shape, x.shape), y.shape);
  const fit = (t: Tensor) => (shapesEqual(t.shape, shape) ? t : broadcastTo(t, shape));
  return bind("where", [fit(c), fit(x), fit(y)], {});
}

export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => where(cast(a), cast(b), false);
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => where(cast(a), true, cast(b));
const cast = (x: TensorLike): Tensor => castTo(asTensor(x, "bool", "logical"), "bool");
