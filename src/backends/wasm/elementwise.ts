/**
 * Fused elementwise kernels: an expression tree over N contiguous float32
 * inputs compiles to ONE SIMD loop that reads each input once and writes one
 * output, so a chain like exp(x)·2+1 costs one pass over memory instead of
 * three. Compiled kernels are cached by the expression's structural key, and
 * scalars that change from call to call (a learning rate, a scale) are
 * runtime parameters so they do not multiply the cache.
 */
import { LruCache } from "../../core/lru.js";
import { registerMemoryReporter } from "../../core/memory.js";
import { getArena, Layout } from "./arena.js";
import type { FunctionBuilder, Local, PlainOp, ValType } from "./emitter.js";
import { ModuleBuilder } from "./emitter.js";
import {
  availableParts,
  instantiateKernel,
  type KernelCall,
  type KernelModule,
  releaseKernel,
  runParts,
} from "./pool.js";
import { emitExp, emitLog, emitSigmoid, emitTanh, type Group, temps } from "./vmath.js";

export type UnaryOp = "neg" | "abs" | "sqrt" | "square" | "relu" | "exp" | "log" | "tanh" | "sigmoid";

/** Arithmetic, plus comparisons that give 1 where true and 0 where false. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "max"
  | "min"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "eq"
  | "ne";

/** The expression language of `compileElementwise`. */
export type ElementwiseExpr =
  /** The i-th input array. */
  | { readonly kind: "input"; readonly index: number }
  /** The i-th runtime scalar argument (not baked into the code). */
  | { readonly kind: "scalar"; readonly index: number }
  /** A literal baked into the code. */
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly x: ElementwiseExpr }
  | {
      readonly kind: "binary";
      readonly op: BinaryOp;
      readonly a: ElementwiseExpr;
      readonly b: ElementwiseExpr;
    }
  /** cond ≠ 0 ? a : b */
  | {
      readonly kind: "where";
      readonly cond: ElementwiseExpr;
      readonly a: ElementwiseExpr;
      readonly b: ElementwiseExpr;
    };

type Operand = ElementwiseExpr | number;

const lift = (e: Operand): ElementwiseExpr => (typeof e === "number" ? { kind: "const", value: e } : e);
const un =
  (op: UnaryOp) =>
  (x: Operand): ElementwiseExpr => ({ kind: "unary", op, x: lift(x) });
const bin =
  (op: BinaryOp) =>
  (a: Operand, b: Operand): ElementwiseExpr => ({ kind: "binary", op, a: lift(a), b: lift(b) });

/** Builders for `ElementwiseExpr`; numbers are accepted wherever a constant fits. */
export const ew = {
  input: (index: number): ElementwiseExpr => ({ kind: "input", index }),
  scalar: (index: number): ElementwiseExpr => ({ kind: "scalar", index }),
  constant: (value: number): ElementwiseExpr => ({ kind: "const", value }),
  neg: un("neg"),
  abs: un("abs"),
  sqrt: un("sqrt"),
  square: un("square"),
  relu: un("relu"),
  exp: un("exp"),
  log: un("log"),
  tanh: un("tanh"),
  sigmoid: un("sigmoid"),
  add: bin("add"),
  sub: bin("sub"),
  mul: bin("mul"),
  div: bin("div"),
  max: bin("max"),
  min: bin("min"),
  lt: bin("lt"),
  le: bin("le"),
  gt: bin("gt"),
  ge: bin("ge"),
  eq: bin("eq"),
  ne: bin("ne"),
  where: (cond: Operand, a: Operand, b: Operand): ElementwiseExpr => ({
    kind: "where",
    cond: lift(cond),
    a: lift(a),
    b: lift(b),
  }),
  unary: (op: UnaryOp, x: Operand): ElementwiseExpr => un(op)(x),
  binary: (op: BinaryOp, a: Operand, b: Operand): ElementwiseExpr => bin(op)(a, b),
} as const;

/** The structural key: equal keys mean the same code. */
export function exprKey(e: ElementwiseExpr): string {
  switch (e.kind) {
    case "input":
      return `x${e.index}`;
    case "scalar":
      return `s${e.index}`;
    case "const":
      return Object.is(e.value, -0) ? "-0" : String(Math.fround(e.value));
    case "unary":
      return `${e.op}(${exprKey(e.x)})`;
    case "binary":
      return `${e.op}(${exprKey(e.a)},${exprKey(e.b)})`;
    case "where":
      return `where(${exprKey(e.cond)},${exprKey(e.a)},${exprKey(e.b)})`;
  }
}

function children(e: ElementwiseExpr): ElementwiseExpr[] {
  switch (e.kind) {
    case "unary":
      return [e.x];
    case "binary":
      return [e.a, e.b];
    case "where":
      return [e.cond, e.a, e.b];
    default:
      return [];
  }
}

/** Counts of inputs and scalars an expression reads (max index + 1), validating indices. */
function arity(e: ElementwiseExpr): { inputs: number; scalars: number } {
  let inputs = 0;
  let scalars = 0;
  const visit = (x: ElementwiseExpr) => {
    if (x.kind === "input" || x.kind === "scalar") {
      if (!Number.isInteger(x.index) || x.index < 0 || x.index > 63) {
        throw new RangeError(
          `compileElementwise: ${x.kind} index must be an integer in 0..63, got ${x.index}`,
        );
      }
      if (x.kind === "input") inputs = Math.max(inputs, x.index + 1);
      else scalars = Math.max(scalars, x.index + 1);
    }
    children(x).forEach(visit);
  };
  visit(e);
  return { inputs, scalars };
}

/** Rough cost in vector ops per element, used to decide when threads pay off. */
function cost(e: ElementwiseExpr): number {
  const own =
    e.kind !== "unary" ? 1 : e.op === "tanh" ? 60 : ["exp", "log", "sigmoid"].includes(e.op) ? 30 : 1;
  return own + children(e).reduce((s, c) => s + cost(c), 0);
}

const SIMPLE_UNARY: Partial<Record<UnaryOp, PlainOp>> = {
  neg: "f32x4.neg",
  abs: "f32x4.abs",
  sqrt: "f32x4.sqrt",
};
const SIMPLE_BINARY: Record<BinaryOp, PlainOp> = {
  add: "f32x4.add",
  sub: "f32x4.sub",
  mul: "f32x4.mul",
  div: "f32x4.div",
  // NaN-propagating like Math.max/min
  max: "f32x4.max",
  min: "f32x4.min",
  lt: "f32x4.lt",
  le: "f32x4.le",
  gt: "f32x4.gt",
  ge: "f32x4.ge",
  eq: "f32x4.eq",
  ne: "f32x4.ne",
};

/**
 * Vectors per loop iteration: independent chains the CPU can overlap (see
 * vmath.ts). 8 measured best for exp/log-sized bodies; heavier bodies (tanh)
 * spill registers at 8 and run faster at 4.
 */
function unrollFor(expr: ElementwiseExpr): number {
  return cost(expr) >= 60 ? 4 : 8;
}

/** Emits the loop body: each node's value becomes a group of this.unroll v128 locals. */
class ExprEmitter {
  private readonly memo = new Map<string, Group>();

  constructor(
    private readonly f: FunctionBuilder,
    private readonly inputs: readonly Group[],
    private readonly scalars: readonly Local[],
    private readonly unroll: number,
  ) {}

  /** Common subexpressions are computed once per iteration: the memo is keyed structurally. */
  emit(e: ElementwiseExpr): Group {
    const k = exprKey(e);
    let g = this.memo.get(k);
    if (!g) {
      g = this.emitNode(e);
      this.memo.set(k, g);
    }
    return g;
  }

  private emitNode(e: ElementwiseExpr): Group {
    const f = this.f;
    switch (e.kind) {
      case "input":
        return this.inputs[e.index] as Group;
      case "scalar":
        return Array.from({ length: this.unroll }, () => this.scalars[e.index] as Local);
      case "const": {
        const l = f.local("v128", `c${this.memo.size}`);
        f.v128f32(e.value).set(l);
        return Array.from({ length: this.unroll }, () => l);
      }
      case "unary":
        return this.emitUnary(e.op, this.emit(e.x));
      case "binary": {
        const [a, b] = [this.emit(e.a), this.emit(e.b)];
        const out = temps(f, e.op, this.unroll);
        const isCompare = !["add", "sub", "mul", "div", "max", "min"].includes(e.op);
        out.forEach((o, i) => {
          f.get(a[i] as Local)
            .get(b[i] as Local)
            .op(SIMPLE_BINARY[e.op]);
          // comparison masks (all ones) become 1.0 / 0.0
          if (isCompare) f.v128f32(1).op("v128.and");
          f.set(o);
        });
        return out;
      }
      case "where": {
        const [c, a, b] = [this.emit(e.cond), this.emit(e.a), this.emit(e.b)];
        const out = temps(f, "where", this.unroll);
        out.forEach((o, i) => {
          f.get(a[i] as Local)
            .get(b[i] as Local)
            .get(c[i] as Local)
            .v128f32(0)
            .op("f32x4.ne");
          f.op("v128.bitselect").set(o);
        });
        return out;
      }
    }
  }

  private emitUnary(op: UnaryOp, x: Group): Group {
    const f = this.f;
    const out = temps(f, op, this.unroll);
    const simple = SIMPLE_UNARY[op];
    out.forEach((o, i) => {
      const xi = x[i] as Local;
      if (simple) f.get(xi).op(simple).set(o);
      // pmax(x, 0) = x < 0 ? 0 : x, which keeps NaN (unlike pmax(0, x))
      else if (op === "relu") f.get(xi).v128f32(0).op("f32x4.pmax").set(o);
      else if (op === "square") f.get(xi).get(xi).op("f32x4.mul").set(o);
    });
    if (op === "exp") emitExp(f, x, out);
    else if (op === "log") emitLog(f, x, out);
    else if (op === "tanh") emitTanh(f, x, out);
    else if (op === "sigmoid") emitSigmoid(f, x, out);
    return out;
  }
}

/** `kernel(bytes, out, in0.., s0..)`: out = expr(in0, …) over byte offsets [0, bytes), bytes a multiple of 16·unroll. */
function buildModule(expr: ElementwiseExpr, inputs: number, scalars: number, unroll: number): ModuleBuilder {
  const m = new ModuleBuilder(getArena().importDecl);
  const params: [string, ValType][] = [
    ["bytes", "i32"],
    ["out", "i32"],
    ...Array.from({ length: inputs }, (_, i): [string, ValType] => [`in${i}`, "i32"]),
    ...Array.from({ length: scalars }, (_, i): [string, ValType] => [`s${i}`, "f32"]),
  ];
  const f = m.func("kernel", params);
  f.hoistConstants = true;
  const bytes = f.param("bytes");
  const out = f.param("out");
  const sv = Array.from({ length: scalars }, (_, i) => f.local("v128", `s${i}_splat`));
  sv.forEach((l, i) => {
    f.get(f.param(`s${i}`))
      .op("f32x4.splat")
      .set(l);
  });
  const iv = Array.from({ length: inputs }, (_, i) => temps(f, `x${i}_`, unroll));
  const off = f.local("i32", "off");
  const ptr = f.local("i32", "ptr");
  f.forRange(off, 0, bytes, 16 * unroll, () => {
    iv.forEach((group, i) => {
      f.get(f.param(`in${i}`))
        .get(off)
        .op("i32.add")
        .set(ptr);
      group.forEach((l, j) => {
        f.get(ptr)
          .load("v128.load", 16 * j)
          .set(l);
      });
    });
    const result = new ExprEmitter(f, iv, sv, unroll).emit(expr);
    f.get(out).get(off).op("i32.add").set(ptr);
    result.forEach((l, j) => {
      f.get(ptr)
        .get(l)
        .store("v128.store", 16 * j);
    });
  });
  return m;
}

/** A compiled fused kernel. */
export interface ElementwiseKernel {
  /** Structural key of the expression (the cache key). */
  readonly key: string;
  readonly inputs: number;
  readonly scalars: number;
  /**
   * out[i] = expr(inputs[0][i], …) for every i. All inputs must have the same
   * length; `scalars` supplies the expression's scalar(i) values.
   */
  run(inputs: readonly Float32Array[], scalars?: readonly number[], out?: Float32Array): Float32Array;
}

/**
 * Generated kernels by expression structure. Bounded: a program that keeps
 * building new expressions evicts the oldest, and their modules leave the
 * workers too.
 */
const cache = new LruCache<string, { kernel: ElementwiseKernel; mod: KernelModule }>(256, ({ mod }) =>
  releaseKernel(mod),
);
registerMemoryReporter("wasm-kernels", () => ({ kernels: cache.size }));

/** Below this much work (elements × ops) a kernel stays on the calling thread. */
const PARALLEL_MIN_WORK = 1 << 22;

/**
 * Compiles `expr` to one SIMD Wasm loop, or returns the cached kernel for a
 * structurally equal expression.
 */
export function compileElementwise(expr: ElementwiseExpr): ElementwiseKernel {
  const key = exprKey(expr);
  const hit = cache.get(key);
  if (hit) return hit.kernel;
  const { inputs, scalars } = arity(expr);
  const unroll = unrollFor(expr);
  const mod = instantiateKernel(buildModule(expr, inputs, scalars, unroll).toBytes());
  const weight = cost(expr);
  const kernel: ElementwiseKernel = {
    key,
    inputs,
    scalars,
    run: (xs, ss = [], out) => runElementwise(mod, key, xs, ss, out, { inputs, scalars, weight, unroll }),
  };
  cache.set(key, { kernel, mod });
  return kernel;
}

/** The generated code as WAT-like text, headed by the expression it implements. */
export function kernelSource(expr: ElementwiseExpr): string {
  const { inputs, scalars } = arity(expr);
  return `;; ${exprKey(expr)}\n${buildModule(expr, inputs, scalars, unrollFor(expr)).toText()}`;
}

function runElementwise(
  mod: KernelModule,
  key: string,
  xs: readonly Float32Array[],
  ss: readonly number[],
  out: Float32Array | undefined,
  shape: { inputs: number; scalars: number; weight: number; unroll: number },
): Float32Array {
  const { inputs, scalars, weight, unroll } = shape;
  const blockBytes = 16 * unroll;
  const name = `elementwise ${key}`;
  if (xs.length !== inputs) throw new RangeError(`${name}: expects ${inputs} input arrays, got ${xs.length}`);
  if (ss.length !== scalars) throw new RangeError(`${name}: expects ${scalars} scalars, got ${ss.length}`);
  const n = xs[0]?.length ?? out?.length ?? 0;
  xs.forEach((x, i) => {
    if (x.length !== n)
      throw new RangeError(`${name}: input ${i} has ${x.length} elements, input 0 has ${n}`);
  });
  const result = out ?? new Float32Array(n);
  if (result.length !== n)
    throw new RangeError(`${name}: output has ${result.length} elements, inputs have ${n}`);
  if (n === 0) return result;

  const padded = Math.ceil((n * 4) / blockBytes) * (blockBytes / 4);
  const layout = new Layout();
  const inPtrs = xs.map(() => layout.alloc(padded * 4));
  const outPtr = layout.alloc(padded * 4);
  const arena = getArena();
  arena.ensure(layout.size, name);
  const heap = arena.f32();
  xs.forEach((x, i) => {
    heap.set(x, (inPtrs[i] as number) / 4);
  });

  const parts = n * weight >= PARALLEL_MIN_WORK ? availableParts() : 1;
  const blocks = (padded * 4) / blockBytes;
  const calls: KernelCall[][] = [];
  for (let t = 0; t < parts; t++) {
    const lo = Math.floor((t * blocks) / parts) * blockBytes;
    const hi = Math.floor(((t + 1) * blocks) / parts) * blockBytes;
    calls.push([["kernel", [hi - lo, outPtr + lo, ...inPtrs.map((p) => p + lo), ...ss]]]);
  }
  runParts(mod, calls);
  result.set(heap.subarray(outPtr / 4, outPtr / 4 + n));
  return result;
}

/** Elementwise unary op over a contiguous array (a cached one-node fused kernel). */
export function unaryOp(op: UnaryOp, x: Float32Array, out?: Float32Array): Float32Array {
  return compileElementwise(ew.unary(op, ew.input(0))).run([x], [], out);
}

/**
 * Elementwise binary op; either side may be a number (vector-scalar form),
 * passed as a runtime scalar so every value shares one compiled kernel.
 */
export function binaryOp(
  op: BinaryOp,
  a: Float32Array | number,
  b: Float32Array | number,
  out?: Float32Array,
): Float32Array {
  if (typeof a === "number" && typeof b === "number") {
    throw new RangeError(`binaryOp(${op}): at least one operand must be a Float32Array`);
  }
  if (typeof a === "number")
    return compileElementwise(ew.binary(op, ew.scalar(0), ew.input(0))).run([b as Float32Array], [a], out);
  if (typeof b === "number")
    return compileElementwise(ew.binary(op, ew.input(0), ew.scalar(0))).run([a], [b], out);
  if (a.length !== b.length)
    throw new RangeError(`binaryOp(${op}): a has ${a.length} elements, b has ${b.length}`);
  return compileElementwise(ew.binary(op, ew.input(0), ew.input(1))).run([a, b], [], out);
}

/** out = x·scale + y, with y an array (axpy) or a number (an affine map), in one pass. */
export function scaleAdd(
  x: Float32Array,
  scale: number,
  y: Float32Array | number,
  out?: Float32Array,
): Float32Array {
  if (typeof y === "number") {
    return compileElementwise(ew.add(ew.mul(ew.input(0), ew.scalar(0)), ew.scalar(1))).run(
      [x],
      [scale, y],
      out,
    );
  }
  if (x.length !== y.length) throw new RangeError(`scaleAdd: x has ${x.length} elements, y has ${y.length}`);
  return compileElementwise(ew.add(ew.mul(ew.input(0), ew.scalar(0)), ew.input(1))).run([x, y], [scale], out);
}
