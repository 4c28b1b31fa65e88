/**
 * Fused kernels on the wasm backend's SIMD code generator: a `LoopSpec` that
 * fits its expression language (float32 throughout, inputs read whole or as
 * scalars, no reduction, the ops it has) becomes one `compileElementwise`
 * kernel. Small arrays stay on the js kernel, where copying into Wasm memory
 * would cost more than it saves.
 */

import {
  compileElementwise,
  type ElementwiseExpr,
  ew,
  kernelSource,
} from "../../backends/wasm/elementwise.js";
import type { CompareOp } from "../../core/primitives.js";
import { jsKernelCompiler } from "./js.js";
import type { Access, KernelCompiler, KernelExpr, LoopKernel, LoopSpec } from "./spec.js";

/** Below this many elements a fused loop runs in js (the wasm backend's own threshold). */
const MIN_ELEMENTS = 4096;

const UNARY = {
  neg: "neg",
  abs: "abs",
  sqrt: "sqrt",
  exp: "exp",
  log: "log",
  tanh: "tanh",
  sigmoid: "sigmoid",
} as const;
const BINARY = { add: "add", sub: "sub", mul: "mul", div: "div", maximum: "max", minimum: "min" } as const;
const COMPARE: Record<CompareOp, "lt" | "le" | "gt" | "ge" | "eq" | "ne"> = {
  less: "lt",
  lessEqual: "le",
  greater: "gt",
  greaterEqual: "ge",
  equal: "eq",
  notEqual: "ne",
};

/** The spec's expression in the wasm language, or undefined where it has no equivalent. */
function translate(spec: LoopSpec): { expr: ElementwiseExpr; full: number[]; scalars: number[] } | undefined {
  if (spec.reduce || spec.dtype !== "float32") return undefined;
  const full: number[] = [];
  const scalars: number[] = [];
  const slot = new Map<number, ElementwiseExpr>();
  for (const [i, inp] of spec.inputs.entries()) {
    if (inp.dtype !== "float32") return undefined;
    // Row and column broadcasts (a bias, a row maximum) are spread to full size before the call.
    if (inp.access === "scalar") slot.set(i, ew.scalar(scalars.push(i) - 1));
    else slot.set(i, ew.input(full.push(i) - 1));
  }
  const visit = (x: KernelExpr): ElementwiseExpr | undefined => {
    if (x.kind === "input") return slot.get(x.index);
    if (x.kind === "const") return ew.constant(x.value);
    const args = x.args.map(visit);
    if (args.some((a) => a === undefined)) return undefined;
    const [a, b, c] = args as ElementwiseExpr[];
    // Comparisons give 1 or 0 in the wasm language, which is what a bool cast to float32 holds.
    if (x.op === "compare") return ew.binary(COMPARE[(x.attrs as { op: CompareOp }).op], a!, b!);
    if (x.dtype !== "float32") return undefined;
    if (x.op === "where") return ew.where(a!, b!, c!);
    if (x.op === "stopGradient" || (x.op === "cast" && x.args[0]!.dtype === "bool")) return a;
    if (x.op in UNARY) return ew.unary(UNARY[x.op as keyof typeof UNARY], a!);
    if (x.op in BINARY) return ew.binary(BINARY[x.op as keyof typeof BINARY], a!, b!);
    return undefined;
  };
  const expr = visit(spec.expr);
  return expr && { expr, full, scalars };
}

/** A kernel compiler for the wasm backend (used by compiled plans while it is the active backend). */
export const wasmKernelCompiler: KernelCompiler = (spec) => {
  const t = translate(spec);
  if (!t) return undefined;
  const js = jsKernelCompiler(spec)!;
  const kernel = compileElementwise(t.expr);
  const { full, scalars } = t;
  const arity = spec.inputs.length;
  // One scratch array per broadcast input, reused across calls (grown when a larger shape comes).
  const scratch = new Map<number, Float32Array>();
  const spread = (x: Float32Array, access: Access, O: number, I: number, i: number): Float32Array => {
    if (access === "full") return x;
    let s = scratch.get(i);
    if (!s || s.length !== O * I) scratch.set(i, (s = new Float32Array(O * I)));
    if (access === "row") for (let o = 0; o < O; o++) s.set(x.subarray(0, I), o * I);
    else for (let o = 0; o < O; o++) s.fill(x[o]!, o * I, (o + 1) * I);
    return s;
  };
  const fn = (...args: unknown[]): void => {
    const O = args[arity + 1] as number;
    const I = args[arity + 2] as number;
    if (O * I < MIN_ELEMENTS) {
      (js.fn as (...a: unknown[]) => void)(...args);
      return;
    }
    const xs = full.map((i) => spread(args[i] as Float32Array, spec.inputs[i]!.access, O, I, i));
    const ss = scalars.map((i) => (args[i] as Float32Array)[0]!);
    kernel.run(xs, ss, args[arity] as Float32Array);
  };
  const source = `// wasm SIMD for ${MIN_ELEMENTS}+ elements, else:\n${js.source}\n${kernelSource(t.expr)}`;
  return { source, fn } as LoopKernel;
};
