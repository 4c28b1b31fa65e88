import { fromData, mapUnary, rowMajor } from "../backends/js/loops.js";
import { allocate, checkDType, type DType, isFloat } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import type { Aval, PrimName } from "../core/primitives.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { elementwiseRule } from "./batching.js";
import { add, div, mul, sub } from "./binary.js";
import { asTensor, castTo } from "./convert.js";
import { bind } from "./dispatch.js";
import type { PartialPrimitiveTable, PrimitiveDef } from "./primitive.js";
import { erfScalar } from "./special.js";

type FloatUnary = "exp" | "log" | "log1p" | "expm1" | "sin" | "cos" | "tanh" | "sigmoid" | "sqrt" | "erf";

function sameAval(op: string, floatOnly: boolean) {
  return ([x]: readonly Aval[]): Aval => {
    if (floatOnly && !isFloat(x!.dtype)) throw new DTypeError(`${op}: needs a float tensor, got ${x!.dtype}`);
    return { shape: x!.shape, dtype: x!.dtype };
  };
}

function boolAval([x]: readonly Aval[]): Aval {
  return { shape: x!.shape, dtype: "bool" };
}

/**
 * An elementwise primitive with derivative f'(x): forward and reverse mode
 * both follow from it (jvp = dx·f'(x), vjp = ct·f'(x)). `deriv` may use the
 * output, which saves recomputing exp, tanh, sigmoid.
 */
function smooth<P extends PrimName>(
  op: P,
  f: (v: number) => number,
  deriv: (x: Tensor, out: Tensor) => Tensor,
): PrimitiveDef<P> {
  return {
    abstract: sameAval(op, true),
    js: ([x], _, out) => mapUnary(x!, out, f),
    jvp: ([x], [dx], _, out) => (dx ? mul(dx, deriv(x!, out)) : null),
    vjp: (ct, [x], _, out) => [mul(ct, deriv(x!, out))],
    vmap: elementwiseRule(op),
  };
}

/** Piecewise-constant ops (sign, floor, …): derivative zero almost everywhere, so zero by rule. */
function flat<P extends PrimName>(op: P, f: (v: number) => number): PrimitiveDef<P> {
  return {
    abstract: sameAval(op, false),
    js: ([x], _, out) => mapUnary(x!, out, f),
    jvp: () => null,
    vjp: () => [null],
    vmap: elementwiseRule(op),
  };
}

/** Predicates with a bool result: no derivative. */
function predicate<P extends PrimName>(op: P, test: (v: number) => boolean): PrimitiveDef<P> {
  const f = (v: number) => (test(v) ? 1 : 0);
  return {
    abstract: boolAval,
    js: ([x], _, out) => mapUnary(x!, out, f),
    jvp: () => null,
    vjp: () => [null],
    vmap: elementwiseRule(op),
  };
}

const unaryKinds = {
  neg: {
    abstract: sameAval("neg", false),
    js: ([x], _, out) => mapUnary(x!, out, negate),
    jvp: (_, [dx]) => (dx ? neg(dx) : null),
    vjp: (ct) => [neg(ct)],
    vmap: elementwiseRule("neg"),
  } satisfies PrimitiveDef<"neg">,
  exp: smooth<"exp">("exp", Math.exp, (_, out) => out),
  log: smooth<"log">("log", Math.log, (x) => reciprocal(x)),
  log1p: smooth<"log1p">("log1p", Math.log1p, (x) => reciprocal(add(x, 1))),
  expm1: smooth<"expm1">("expm1", Math.expm1, (_, out) => add(out, 1)),
  sin: smooth<"sin">("sin", Math.sin, (x) => cos(x)),
  cos: smooth<"cos">("cos", Math.cos, (x) => neg(sin(x))),
  tanh: smooth<"tanh">("tanh", Math.tanh, (_, out) => sub(1, mul(out, out))),
  sigmoid: smooth<"sigmoid">("sigmoid", sigmoidScalar, (_, out) => mul(out, sub(1, out))),
  sqrt: smooth<"sqrt">("sqrt", Math.sqrt, (_, out) => div(0.5, out)),
  abs: {
    abstract: sameAval("abs", false),
    js: ([x], _, out) => mapUnary(x!, out, Math.abs),
    jvp: ([x], [dx]) => (dx ? mul(dx, sign(x!)) : null),
    vjp: (ct, [x]) => [mul(ct, sign(x!))],
    vmap: elementwiseRule("abs"),
  } satisfies PrimitiveDef<"abs">,
  erf: smooth<"erf">("erf", erfScalar, (x) => mul(2 / Math.sqrt(Math.PI), exp(neg(mul(x, x))))),
  sign: flat<"sign">("sign", (v) => (v > 0 ? 1 : v < 0 ? -1 : v)),
  floor: flat<"floor">("floor", Math.floor),
  ceil: flat<"ceil">("ceil", Math.ceil),
  // round half to even, as numpy and TensorFlow do
  round: flat<"round">("round", (v) => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }),
  isNaN: predicate("isNaN", Number.isNaN),
  isFinite: predicate("isFinite", Number.isFinite),
  logicalNot: predicate("logicalNot", (v) => v === 0),
  stopGradient: {
    abstract: sameAval("stopGradient", false),
    js: ([x]) => x!,
    jvp: () => null,
    vjp: () => [null],
    vmap: elementwiseRule("stopGradient"),
  } satisfies PrimitiveDef<"stopGradient">,
} satisfies PartialPrimitiveTable;

const castDef: PrimitiveDef<"cast"> = {
  abstract: ([x], { dtype }) => ({ shape: x!.shape, dtype }),
  js: ([x], { dtype }, out) => {
    const src = rowMajor(x!);
    const o = allocate(dtype, x!.size);
    if (dtype === "bool") for (let i = 0; i < o.length; i++) o[i] = src[i] !== 0 ? 1 : 0;
    else if (dtype === "int32") for (let i = 0; i < o.length; i++) o[i] = Math.trunc(src[i]!);
    else o.set(src);
    return fromData(o, out);
  },
  // Only float-to-float casts carry a derivative; the others are piecewise constant.
  jvp: ([x], [dx], { dtype }) => (dx && isFloat(dtype) && isFloat(x!.dtype) ? cast(dx, dtype) : null),
  vjp: (ct, [x], { dtype }) => [isFloat(dtype) && isFloat(x!.dtype) ? cast(ct, x!.dtype) : null],
  vmap: elementwiseRule("cast"),
};

export const unaryPrimitives = { ...unaryKinds, cast: castDef } satisfies PartialPrimitiveTable;

const negate = (v: number) => -v;

function sigmoidScalar(v: number): number {
  // Split by sign so exp never overflows.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Ints and bools become float32 before float-only math, as numpy and TF.js do. */
function floatInput(x: TensorLike, op: string): Tensor {
  const t = asTensor(x, undefined, op);
  return isFloat(t.dtype) ? t : castTo(t, "float32");
}

function unaryFloat(prim: FloatUnary, x: TensorLike): Tensor {
  return bind(prim, [floatInput(x, prim)], {});
}

export const neg = (x: TensorLike): Tensor => bind("neg", [asTensor(x, undefined, "neg")], {});
export const exp = (x: TensorLike): Tensor => unaryFloat("exp", x);
export const log = (x: TensorLike): Tensor => unaryFloat("log", x);
export const log1p = (x: TensorLike): Tensor => unaryFloat("log1p", x);
export const expm1 = (x: TensorLike): Tensor => unaryFloat("expm1", x);
export const sin = (x: TensorLike): Tensor => unaryFloat("sin", x);
export const cos = (x: TensorLike): Tensor => unaryFloat("cos", x);
export const tanh = (x: TensorLike): Tensor => unaryFloat("tanh", x);
/** The logistic function 1/(1+e^(−z)) (slide L5). */
export const sigmoid = (x: TensorLike): Tensor => unaryFloat("sigmoid", x);
export const sqrt = (x: TensorLike): Tensor => unaryFloat("sqrt", x);
export const erf = (x: TensorLike): Tensor => unaryFloat("erf", x);
export const abs = (x: TensorLike): Tensor => bind("abs", [asTensor(x, undefined, "abs")], {});
export const sign = (x: TensorLike): Tensor => bind("sign", [asTensor(x, undefined, "sign")], {});
export const floor = (x: TensorLike): Tensor => bind("floor", [asTensor(x, undefined, "floor")], {});
export const ceil = (x: TensorLike): Tensor => bind("ceil", [asTensor(x, undefined, "ceil")], {});
export const round = (x: TensorLike): Tensor => bind("round", [asTensor(x, undefined, "round")], {});
export const isNaN = (x: TensorLike): Tensor => bind("isNaN", [asTensor(x, undefined, "isNaN")], {});
export const isFinite = (x: TensorLike): Tensor => bind("isFinite", [asTensor(x, undefined, "isFinite")], {});
export const logicalNot = (x: TensorLike): Tensor =>
  bind("logicalNot", [asTensor(x, undefined, "logicalNot")], {});

/** Converts to another dtype; to bool is `x != 0`, to int32 truncates toward zero. */
export function cast(x: TensorLike, dtype: DType): Tensor {
  return castTo(asTensor(x, undefined, "cast"), checkDType(dtype, "cast"));
}

/** The identity whose derivative is zero: values flow, gradients don't. */
export const stopGradient = (x: TensorLike): Tensor =>
  bind("stopGradient", [asTensor(x, undefined, "stopGradient")], {});

export const reciprocal = (x: TensorLike): Tensor => div(1, floatInput(x, "reciprocal"));
export const rsqrt = (x: TensorLike): Tensor => reciprocal(sqrt(x));
export const square = (x: TensorLike): Tensor => {
  const t = asTensor(x, undefined, "square");
  return mul(t, t);
};
export const tan = (x: TensorLike): Tensor => div(sin(x), cos(x));
