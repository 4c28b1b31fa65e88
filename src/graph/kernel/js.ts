/**
 * JavaScript code generation for fused kernels: a `LoopSpec` becomes the
 * source of one function with one loop, compiled with `new Function`.
 *
 * The generated code reproduces the js reference kernels exactly: each
 * intermediate is rounded to its dtype as if it had been stored in a typed
 * array (Math.fround for float32, |0 for int32), so fused results equal eager
 * results bit for bit, without the intermediate arrays.
 */
import type { DType } from "../../core/dtype.js";
import { LruCache } from "../../core/lru.js";
import { registerMemoryReporter } from "../../core/memory.js";
import type { CompareOp, PrimAttrs } from "../../core/primitives.js";
import { erfScalar } from "../../ops/special.js";
import type { KernelCompiler, KernelExpr, LoopKernel, LoopSpec } from "./spec.js";
import { specKey } from "./spec.js";

/** Scratch for branchless float32 selects: F holds the two candidates and the result, B their bits. */
const scratch = new Float32Array(3);

/** Scalar helpers the generated code calls, matching the reference kernels in src/ops. */
const helpers = {
  sigmoid(v: number): number {
    if (v >= 0) return 1 / (1 + Math.exp(-v));
    const e = Math.exp(v);
    return e / (1 + e);
  },
  /** Round half to even, as numpy and the round primitive do. */
  round(v: number): number {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  erf: erfScalar,
  F: scratch,
  B: new Int32Array(scratch.buffer),
};

/** The value a typed array of `dtype` would hold after storing `e`. */
function store(dtype: DType, e: string): string {
  switch (dtype) {
    case "float32":
      return `Math.fround(${e})`;
    case "float64":
      return e;
    case "int32":
      return `((${e}) | 0)`;
    case "bool":
      return `((${e}) & 255)`;
  }
}

const COMPARE: Record<CompareOp, string> = {
  equal: "===",
  notEqual: "!==",
  less: "<",
  lessEqual: "<=",
  greater: ">",
  greaterEqual: ">=",
};

const MATH: Partial<Record<string, string>> = {
  exp: "Math.exp",
  log: "Math.log",
  log1p: "Math.log1p",
  expm1: "Math.expm1",
  sin: "Math.sin",
  cos: "Math.cos",
  tanh: "Math.tanh",
  sqrt: "Math.sqrt",
  abs: "Math.abs",
  floor: "Math.floor",
  ceil: "Math.ceil",
  sigmoid: "H.sigmoid",
  erf: "H.erf",
  round: "H.round",
};

/**
 * The JS expression of one elementwise primitive on argument expressions `a`,
 * before storage rounding; `exact` says the result is already a valid value
 * of the dtype (0/1 for predicates), so no rounding is needed.
 */
function opCode(
  x: Extract<KernelExpr, { kind: "op" }>,
  a: readonly string[],
): { code: string; exact: boolean } {
  const [p, q, r] = a;
  // Predicates are written +(a < b), not (a < b ? 1 : 0): engines compile the
  // former without a branch, which on unpredictable data (a ReLU mask) is 3–4× faster.
  const arith = (e: string) => ({
    code: x.dtype === "bool" ? `+(${e} !== 0)` : e,
    exact: x.dtype === "bool",
  });
  const fn = MATH[x.op];
  if (fn) return { code: `${fn}(${p})`, exact: false };
  switch (x.op) {
    case "neg":
      return { code: `-(${p})`, exact: false };
    case "sign":
      return { code: `(${p} > 0 ? 1 : ${p} < 0 ? -1 : ${p})`, exact: false };
    case "isNaN":
      return { code: `+(${p} !== ${p})`, exact: true };
    case "isFinite":
      return { code: `(Number.isFinite(${p}) ? 1 : 0)`, exact: true };
    case "logicalNot":
      return { code: `+(${p} === 0)`, exact: true };
    case "stopGradient":
      return { code: p!, exact: true };
    case "cast": {
      const to = (x.attrs as PrimAttrs["cast"]).dtype;
      if (to === "bool") return { code: `+(${p} !== 0)`, exact: true };
      if (to === "int32") return { code: `Math.trunc(${p})`, exact: false };
      return { code: p!, exact: false };
    }
    case "add":
      return arith(`(${p} + ${q})`);
    case "sub":
      return arith(`(${p} - ${q})`);
    case "mul":
      return x.dtype === "int32" ? { code: `Math.imul(${p}, ${q})`, exact: true } : arith(`(${p} * ${q})`);
    case "pow":
      return arith(`Math.pow(${p}, ${q})`);
    case "maximum":
      return arith(`Math.max(${p}, ${q})`);
    case "minimum":
      return arith(`Math.min(${p}, ${q})`);
    case "div":
      return x.dtype === "int32"
        ? { code: `(${q} === 0 ? 0 : Math.trunc(${p} / ${q}))`, exact: false }
        : { code: `(${p} / ${q})`, exact: false };
    case "compare":
      return { code: `+(${p} ${COMPARE[(x.attrs as PrimAttrs["compare"]).op]} ${q})`, exact: true };
    case "where":
      // float32: pick the bits with a mask instead of branching (exact, and 2–4× faster on masks).
      if (x.dtype === "float32") {
        return {
          code: `(F[0] = ${q}, F[1] = ${r}, M = -(${p} !== 0), B[2] = (B[0] & M) | (B[1] & ~M), F[2])`,
          exact: true,
        };
      }
      return { code: `(${p} !== 0 ? ${q} : ${r})`, exact: true };
    default:
      throw new Error(`kernel codegen: ${x.op} is not an elementwise primitive`);
  }
}

/** Lines computing `expr` into temporaries; returns the name holding the result. */
function emitExpr(expr: KernelExpr, lines: string[], read: (index: number) => string): string {
  let next = 0;
  const memo = new Map<KernelExpr, string>();
  const visit = (x: KernelExpr): string => {
    const known = memo.get(x);
    if (known) return known;
    let name: string;
    if (x.kind === "input") name = read(x.index);
    else if (x.kind === "const") name = `(${Object.is(x.value, -0) ? "-0" : String(x.value)})`;
    else {
      const args = x.args.map(visit);
      const { code, exact } = opCode(x, args);
      name = `t${next++}`;
      lines.push(`const ${name} = ${exact ? code : store(x.dtype, code)};`);
    }
    memo.set(x, name);
    return name;
  };
  return visit(expr);
}

const FOLD = {
  sum: { init: "0", step: (acc: string, v: string) => `${acc} + ${v}` },
  prod: { init: "1", step: (acc: string, v: string) => `${acc} * ${v}` },
  max: {
    init: "-Infinity",
    step: (acc: string, v: string) => `(${v} > ${acc} || ${v} !== ${v} ? ${v} : ${acc})`,
  },
} as const;

function usesFloatWhere(x: KernelExpr): boolean {
  return x.kind === "op" && ((x.op === "where" && x.dtype === "float32") || x.args.some(usesFloatWhere));
}

/** The source of `function kernel(x0, …, out, O, I)` for a spec. */
export function jsKernelSource(spec: LoopSpec): string {
  const params = spec.inputs.map((_, i) => `x${i}`);
  const head: string[] = [];
  if (usesFloatWhere(spec.expr)) head.push("const F = H.F, B = H.B;", "let M = 0;");
  spec.inputs.forEach((inp, i) => {
    if (inp.access === "scalar") head.push(`const s${i} = x${i}[0];`);
  });
  const index = { full: "i", row: "j", col: "o", scalar: "" } as const;
  const body: string[] = [];
  const read = (i: number) => {
    const access = spec.inputs[i]!.access;
    return access === "scalar" ? `s${i}` : `x${i}[${index[access]}]`;
  };
  const value = emitExpr(spec.expr, body, read);
  const ind = (n: number, lines: readonly string[]) => lines.map((l) => `${"  ".repeat(n)}${l}`);
  const usesSplit = spec.inputs.some((x) => x.access === "row" || x.access === "col");
  const lines: string[] = [...head];
  if (!spec.reduce) {
    if (usesSplit) {
      lines.push("for (let o = 0, i = 0; o < O; o++) {", "  for (let j = 0; j < I; j++, i++) {");
      lines.push(...ind(2, body), `    out[i] = ${value};`, "  }", "}");
    } else {
      lines.push("for (let i = 0, n = O * I; i < n; i++) {", ...ind(1, body), `  out[i] = ${value};`, "}");
    }
  } else if (spec.reduce.over === "inner") {
    const f = FOLD[spec.reduce.op];
    lines.push(
      "for (let o = 0, i = 0; o < O; o++) {",
      `  let acc = ${f.init};`,
      "  for (let j = 0; j < I; j++, i++) {",
    );
    lines.push(...ind(2, body), `    acc = ${f.step("acc", value)};`, "  }", "  out[o] = acc;", "}");
  } else {
    // Each output keeps a float64 accumulator, as the reference reduction does.
    const f = FOLD[spec.reduce.op];
    lines.push(`const acc = new Float64Array(I).fill(${f.init});`);
    lines.push("for (let o = 0, i = 0; o < O; o++) {", "  for (let j = 0; j < I; j++, i++) {");
    lines.push(...ind(2, body), `    acc[j] = ${f.step("acc[j]", value)};`, "  }", "}");
    lines.push("for (let j = 0; j < I; j++) out[j] = acc[j];");
  }
  return [`function kernel(${[...params, "out", "O", "I"].join(", ")}) {`, ...ind(1, lines), "}"].join("\n");
}

/** Generated loops by structure; bounded, so new expressions without end do not grow it without end. */
const cache = new LruCache<string, LoopKernel>(512);
registerMemoryReporter("js-kernels", () => ({ kernels: cache.size }));

/** Compiles a spec to a JS function (cached by structure). Always succeeds. */
export const jsKernelCompiler: KernelCompiler = (spec) => {
  const key = specKey(spec);
  let k = cache.get(key);
  if (!k) {
    const source = jsKernelSource(spec);
    const fn = new Function("H", `"use strict";\nreturn ${source};`)(helpers) as LoopKernel["fn"];
    k = { source, fn };
    cache.set(key, k);
  }
  return k;
};
