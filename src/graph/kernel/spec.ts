/**
 * The interface between graph fusion and code generation: an elementwise
 * expression tree over a few input arrays, looped over a two-level index
 * space, optionally folded by a reduction. Any backend that can turn a
 * `LoopSpec` into a function can run grafo's fused kernels: the js code
 * generator in `./js.ts` always can; a faster one (Wasm SIMD) can be
 * registered with `registerKernelCompiler` and is tried first.
 */
import type { DType } from "../../core/dtype.js";
import type { PrimAttrs, PrimName } from "../../core/primitives.js";

/**
 * How an input is indexed in the loop `for o < O, for j < I (i = o·I + j)`:
 * `full` reads x[i] (same shape as the loop), `row` x[j] (broadcast over the
 * leading axes, like a bias), `col` x[o] (broadcast over the trailing axes,
 * like a row maximum), `scalar` x[0].
 */
export type Access = "full" | "row" | "col" | "scalar";

/** An elementwise expression: leaves are inputs and literals, inner nodes elementwise primitives. */
export type KernelExpr =
  | { readonly kind: "input"; readonly index: number; readonly dtype: DType }
  | { readonly kind: "const"; readonly value: number; readonly dtype: DType }
  | {
      readonly kind: "op";
      readonly op: PrimName;
      readonly attrs: PrimAttrs[PrimName];
      readonly args: readonly KernelExpr[];
      readonly dtype: DType;
    };

/** What a fused kernel computes, independent of sizes (so one kernel serves every shape). */
export interface LoopSpec {
  readonly expr: KernelExpr;
  readonly inputs: readonly { readonly dtype: DType; readonly access: Access }[];
  /** The dtype of the output array. */
  readonly dtype: DType;
  /** Fold the values over the inner index (out[o]) or the outer one (out[j]); absent: out[i]. */
  readonly reduce?: { readonly op: "sum" | "max" | "prod"; readonly over: "inner" | "outer" };
}

/**
 * A compiled kernel: `fn(in0, …, inN, out, O, I)` on typed arrays, writing
 * every element of `out`. `source` is the generated code, for the debug view.
 */
export interface LoopKernel {
  readonly source: string;
  readonly fn: (...args: never[]) => void;
}

/** Turns a spec into a kernel, or returns undefined for specs it does not handle (then js is used). */
export type KernelCompiler = (spec: LoopSpec) => LoopKernel | undefined;

/** A short structural key: equal keys mean the same generated code. */
export function specKey(spec: LoopSpec): string {
  const e = (x: KernelExpr): string => {
    switch (x.kind) {
      case "input":
        return `x${x.index}`;
      case "const":
        return `${Object.is(x.value, -0) ? "-0" : x.value}:${x.dtype}`;
      case "op":
        return `${x.op}${Object.keys(x.attrs).length ? JSON.stringify(x.attrs) : ""}:${x.dtype}(${x.args.map(e).join(",")})`;
    }
  };
  const ins = spec.inputs.map((i) => `${i.dtype}:${i.access}`).join(",");
  const red = spec.reduce ? `${spec.reduce.op}/${spec.reduce.over}` : "";
  return `${ins}|${e(spec.expr)}|${spec.dtype}|${red}`;
}

/** The expression as readable text: `add(mul(exp(x0), 2), 1)`. */
export function formatExpr(x: KernelExpr, names: readonly string[] = []): string {
  switch (x.kind) {
    case "input":
      return names[x.index] ?? `x${x.index}`;
    case "const":
      return String(x.value);
    case "op": {
      const attrs = Object.values(x.attrs as object);
      const op = attrs.length ? `${x.op}.${attrs.join(".")}` : x.op;
      return `${op}(${x.args.map((a) => formatExpr(a, names)).join(", ")})`;
    }
  }
}
