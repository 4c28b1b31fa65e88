/**
 * Fused kernels on the native backend: the addon has one fused elementwise
 * form, out = α·f(x) + β (an affine epilogue on exp, log, tanh, sigmoid or the
 * identity), which it runs in place with AVX-512/AVX2 on all cores. A spec
 * whose expression reduces to that form over one float32 array, with constant
 * or run-time scalar α and β, runs there; everything else goes on to the next
 * kernel compiler.
 */
import { loadNativeAddon, type NativeAddon, UNARY } from "../../backends/native/addon.js";
import { jsKernelCompiler } from "./js.js";
import type { KernelCompiler, KernelExpr, LoopKernel, LoopSpec } from "./spec.js";

/** Below this many elements a call into the addon costs more than the loop (measured crossover ≈ 256). */
const MIN_ELEMENTS = 1024;

/** A number known when the kernel is compiled (a literal) or only when it runs (a scalar input). */
/** The addon's functions that are grafo primitives (its relu is not: grafo's relu is a where). */
const FUSED_FUNCTIONS: ReadonlySet<string> = new Set(["exp", "log", "tanh", "sigmoid"]);

type Coef = (args: readonly unknown[]) => number;

interface Affine {
  readonly f: keyof typeof UNARY;
  readonly input: number;
  readonly alpha: Coef;
  readonly beta: Coef;
}

const constant =
  (v: number): Coef =>
  () =>
    v;

/** The expression as α·f(x) + β, or undefined when it is not of that form. */
function affine(spec: LoopSpec): Affine | undefined {
  const coef = (x: KernelExpr): Coef | undefined => {
    if (x.kind === "const") return constant(x.value);
    if (x.kind === "input" && spec.inputs[x.index]!.access === "scalar") {
      const i = x.index;
      return (args) => (args[i] as Float32Array)[0]!;
    }
    return undefined;
  };
  const walk = (x: KernelExpr): Affine | undefined => {
    if (x.kind === "input") {
      return spec.inputs[x.index]!.access === "full"
        ? { f: "identity", input: x.index, alpha: constant(1), beta: constant(0) }
        : undefined;
    }
    if (x.kind !== "op" || x.dtype !== "float32") return undefined;
    const [a, b] = x.args;
    if (FUSED_FUNCTIONS.has(x.op) && a!.kind === "input") {
      const inner = walk(a!);
      return inner && { ...inner, f: x.op as keyof typeof UNARY };
    }
    if (x.op === "neg") {
      const e = walk(a!);
      return e && { ...e, alpha: (s) => -e.alpha(s), beta: (s) => -e.beta(s) };
    }
    if (x.op !== "add" && x.op !== "sub" && x.op !== "mul" && x.op !== "div") return undefined;
    // One side is the affine expression, the other a coefficient.
    const [e, c, coefFirst] = coef(b!)
      ? [walk(a!), coef(b!)!, false]
      : coef(a!)
        ? [walk(b!), coef(a!)!, true]
        : [undefined, undefined, false];
    if (!e || !c) return undefined;
    switch (x.op) {
      case "add":
        return { ...e, beta: (s) => e.beta(s) + c(s) };
      case "sub":
        return coefFirst
          ? { ...e, alpha: (s) => -e.alpha(s), beta: (s) => c(s) - e.beta(s) }
          : { ...e, beta: (s) => e.beta(s) - c(s) };
      case "mul":
        return { ...e, alpha: (s) => e.alpha(s) * c(s), beta: (s) => e.beta(s) * c(s) };
      case "div":
        return coefFirst
          ? undefined
          : { ...e, alpha: (s) => e.alpha(s) / c(s), beta: (s) => e.beta(s) / c(s) };
    }
  };
  if (spec.reduce || spec.dtype !== "float32" || spec.inputs.some((i) => i.dtype !== "float32"))
    return undefined;
  const form = walk(spec.expr);
  // Only one of the three ops above the identity keeps it worth a call: a bare copy is not.
  return form && form.f !== "identity" ? form : undefined;
}

let addon: NativeAddon | null | undefined;

/** A kernel compiler for the native backend (used by compiled plans while it is the active backend). */
export const nativeKernelCompiler: KernelCompiler = (spec) => {
  if (addon === undefined) {
    const r = loadNativeAddon();
    addon = r.ok ? r.addon : null;
  }
  const native = addon;
  const form = native && affine(spec);
  if (!native || !form) return undefined;
  const js = jsKernelCompiler(spec)!;
  const arity = spec.inputs.length;
  const code = UNARY[form.f];
  const fn = (...args: unknown[]): void => {
    const n = (args[arity + 1] as number) * (args[arity + 2] as number);
    if (n < MIN_ELEMENTS) {
      (js.fn as (...a: unknown[]) => void)(...args);
      return;
    }
    native.unary(
      code,
      args[form.input] as Float32Array,
      0,
      args[arity] as Float32Array,
      0,
      n,
      form.alpha(args),
      form.beta(args),
    );
  };
  const source = `// native: out = α·${form.f}(x${form.input}) + β for ${MIN_ELEMENTS}+ elements, else:\n${js.source}`;
  return { source, fn } as LoopKernel;
};
