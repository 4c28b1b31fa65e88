/**
 * Fused kernels on the native backend, in two forms the addon runs with
 * AVX-512/AVX2 on all cores:
 * - one pass, out = α·f(x) + β (an affine epilogue on exp, log, tanh or
 *   sigmoid), for expressions that reduce to it with constant or run-time
 *   scalar α and β;
 * - a chain: an expression in which every operation has at most one operand
 *   that is itself an operation (bias add then ReLU, scale then shift, …) runs
 *   as a sequence of native calls, each in place on the output buffer; operands
 *   broadcast along rows, columns or as scalars as the spec says.
 * Everything else goes on to the next kernel compiler.
 */
import {
  BINARY,
  COMPARE,
  loadNativeAddon,
  MODE,
  type NativeAddon,
  UNARY,
} from "../../backends/native/addon.js";
import type { CompareOp } from "../../core/primitives.js";
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

/** One native call of a chain; `out` is the kernel's output buffer, O×I. */
type Step = (native: NativeAddon, args: readonly unknown[], out: Float32Array, O: number, I: number) => void;

/** A chain's leaf: one of the kernel's inputs, or a literal held in a one-element array. */
type Leaf = { readonly array: (args: readonly unknown[]) => Float32Array; readonly mode: number };

const CHAIN_BINARY: Partial<Record<string, number>> = {
  add: BINARY.add,
  sub: BINARY.sub,
  mul: BINARY.mul,
  div: BINARY.div,
  maximum: BINARY.max,
  minimum: BINARY.min,
};

function sameExpr(a: KernelExpr, b: KernelExpr): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "input") return a.index === (b as typeof a).index;
  if (a.kind === "const") return a.value === (b as typeof a).value;
  const o = b as typeof a;
  return (
    a.op === o.op &&
    JSON.stringify(a.attrs) === JSON.stringify(o.attrs) &&
    a.args.every((x, i) => sameExpr(x, o.args[i]!))
  );
}

/** grafo's relu, where(e > 0, e, 0), as the e it applies to. */
export function reluOperand(x: KernelExpr): KernelExpr | undefined {
  if (x.kind !== "op" || x.op !== "where") return undefined;
  const [c, a, b] = x.args as [KernelExpr, KernelExpr, KernelExpr];
  const zero = (e: KernelExpr) => e.kind === "const" && e.value === 0;
  if (c.kind !== "op" || c.op !== "compare" || (c.attrs as { op: CompareOp }).op !== "greater")
    return undefined;
  return zero(b) && zero(c.args[1]!) && sameExpr(c.args[0]!, a) ? a : undefined;
}

/** A float32 input or literal as an operand of a native call, laid out as the spec reads it. */
function leafOf(spec: LoopSpec, x: KernelExpr): Leaf | undefined {
  if (x.kind === "const") {
    const held = Float32Array.of(x.value);
    return { array: () => held, mode: MODE.scalar };
  }
  if (x.kind === "input" && spec.inputs[x.index]!.dtype === "float32") {
    const i = x.index;
    return { array: (args) => args[i] as Float32Array, mode: MODE[spec.inputs[i]!.access] };
  }
  return undefined;
}

/**
 * A mask or a selection as one native call: compare(a, b) of float32 operands
 * into a bool mask, where(c, a, b) on a full mask, and a mask cast to float32
 * (where(c, 1, 0)): the masks a backward pass through ReLU and max-pooling keeps.
 */
function select(spec: LoopSpec): Step | undefined {
  const x = spec.expr;
  if (spec.reduce || x.kind !== "op") return undefined;
  const mask = (e: KernelExpr | undefined): number | undefined =>
    e?.kind === "input" && spec.inputs[e.index]!.dtype === "bool" && spec.inputs[e.index]!.access === "full"
      ? e.index
      : undefined;
  if (x.op === "compare" && spec.dtype === "bool") {
    const [a, b] = [leafOf(spec, x.args[0]!), leafOf(spec, x.args[1]!)];
    if (!a || !b || x.args.some((e) => e.dtype !== "float32")) return undefined;
    const op = COMPARE[(x.attrs as { op: CompareOp }).op];
    return (n, args, out, O, I) =>
      n.compare(
        op,
        out as unknown as Uint8Array,
        0,
        O,
        I,
        a.array(args),
        0,
        a.mode,
        b.array(args),
        0,
        b.mode,
      );
  }
  const [c, a, b] =
    x.op === "where" && spec.dtype === "float32"
      ? [mask(x.args[0]), leafOf(spec, x.args[1]!), leafOf(spec, x.args[2]!)]
      : x.op === "cast" && spec.dtype === "float32"
        ? [
            mask(x.args[0]),
            leafOf(spec, { kind: "const", value: 1, dtype: "float32" }),
            leafOf(spec, { kind: "const", value: 0, dtype: "float32" }),
          ]
        : [undefined, undefined, undefined];
  if (c === undefined || !a || !b) return undefined;
  return (n, args, out, O, I) =>
    n.where(out, 0, O, I, args[c] as Uint8Array, 0, a.array(args), 0, a.mode, b.array(args), 0, b.mode);
}

/** The expression as a chain of in-place native steps, or undefined when it is not a chain. */
function chain(spec: LoopSpec): Step[] | undefined {
  const leaf = (x: KernelExpr): Leaf | undefined => leafOf(spec, x);
  const steps: Step[] = [];
  const walk = (x: KernelExpr): boolean => {
    if (x.kind !== "op") {
      // The start of the chain: copy the leaf into the output (x·1).
      const l = leaf(x)!;
      const one = Float32Array.of(1);
      steps.push((n, args, out, O, I) =>
        n.binary(BINARY.mul, out, 0, O, I, l.array(args), 0, l.mode, one, 0, MODE.scalar),
      );
      return true;
    }
    if (x.dtype !== "float32") return false;
    const relu = reluOperand(x);
    if (relu || FUSED_FUNCTIONS.has(x.op)) {
      if (!walk(relu ?? x.args[0]!)) return false;
      const code = UNARY[(relu ? "relu" : x.op) as keyof typeof UNARY];
      steps.push((n, _args, out, O, I) => n.unary(code, out, 0, out, 0, O * I, 1, 0));
      return true;
    }
    if (x.op === "neg") {
      if (!walk(x.args[0]!)) return false;
      steps.push((n, _args, out, O, I) => n.unary(UNARY.identity, out, 0, out, 0, O * I, -1, 0));
      return true;
    }
    const op = CHAIN_BINARY[x.op];
    if (op === undefined) return false;
    const [a, b] = x.args as [KernelExpr, KernelExpr];
    const la = leaf(a);
    const lb = leaf(b);
    if (la && lb) {
      steps.push((n, args, out, O, I) =>
        n.binary(op, out, 0, O, I, la.array(args), 0, la.mode, lb.array(args), 0, lb.mode),
      );
      return true;
    }
    if (!la && !lb) return false;
    const other = (la ?? lb)!;
    if (!walk(la ? b : a)) return false;
    steps.push(
      la
        ? (n, args, out, O, I) =>
            n.binary(op, out, 0, O, I, other.array(args), 0, other.mode, out, 0, MODE.full)
        : (n, args, out, O, I) =>
            n.binary(op, out, 0, O, I, out, 0, MODE.full, other.array(args), 0, other.mode),
    );
    return true;
  };
  if (spec.reduce || spec.dtype !== "float32" || spec.inputs.some((i) => i.dtype !== "float32"))
    return undefined;
  // A bare input is a copy, not worth a call; one operation on two inputs is.
  return spec.expr.kind === "op" && walk(spec.expr) ? steps : undefined;
}

const maybe = (step: Step | undefined): Step[] | undefined => (step ? [step] : undefined);

let addon: NativeAddon | null | undefined;

/** A kernel compiler for the native backend (used by compiled plans while it is the active backend). */
export const nativeKernelCompiler: KernelCompiler = (spec) => {
  if (addon === undefined) {
    const r = loadNativeAddon();
    addon = r.ok ? r.addon : null;
  }
  const native = addon;
  if (!native) return undefined;
  const form = affine(spec);
  const steps = form ? undefined : (chain(spec) ?? maybe(select(spec)));
  if (!form && !steps) return undefined;
  const js = jsKernelCompiler(spec)!;
  const arity = spec.inputs.length;
  const run: Step = form
    ? (n, args, out, O, I) =>
        n.unary(
          UNARY[form.f],
          args[form.input] as Float32Array,
          0,
          out,
          0,
          O * I,
          form.alpha(args),
          form.beta(args),
        )
    : (n, args, out, O, I) => {
        for (const step of steps!) step(n, args, out, O, I);
      };
  const fn = (...args: unknown[]): void => {
    const O = args[arity + 1] as number;
    const I = args[arity + 2] as number;
    if (O * I < MIN_ELEMENTS) (js.fn as (...a: unknown[]) => void)(...args);
    else run(native, args, args[arity] as Float32Array, O, I);
  };
  const what = form
    ? `out = α·${form.f}(x${form.input}) + β`
    : steps!.length === 1
      ? "one call"
      : `a chain of ${steps!.length} in-place calls`;
  const source = `// native: ${what} for ${MIN_ELEMENTS}+ elements, else:\n${js.source}`;
  return { source, fn } as LoopKernel;
};
