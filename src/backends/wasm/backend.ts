import type { Backend, Kernel, KernelTable } from "../../core/backend.js";
import type { DataArray } from "../../core/dtype.js";
import type { Aval, PrimName } from "../../core/primitives.js";
import { sizeOf } from "../../core/shape.js";
import type { Tensor } from "../../core/tensor.js";
import { fromData, rowMajor } from "../js/loops.js";
import { referenceKernel } from "../reference.js";
import { wasmFeatures } from "./features.js";
import {
  type BinaryOp,
  binaryOp,
  dgemmBatched,
  maxLastAxis,
  sgemmBatched,
  sumLastAxis,
  type UnaryOp,
  unaryOp,
} from "./index.js";
import { wasmThreadsNote } from "./pool.js";

/**
 * Below these sizes copying into Wasm memory costs more than the js loop saves,
 * so the reference kernel runs instead (results agree either way).
 */
const MIN_ELEMENTS = 4096;
const MIN_GEMM_FLOPS = 2 * 32 * 32 * 32;

/** The single stride that walks a tensor's batch axes as one, or undefined when they do not flatten. */
function batchStride(t: Tensor): number | undefined {
  const strides = t._buf!.strides;
  const batchAxes = t.rank - 2;
  let stride: number | undefined;
  let span = 1;
  for (let i = batchAxes - 1; i >= 0; i--) {
    const d = t.shape[i]!;
    if (d === 1) continue;
    const s = strides[i]!;
    if (stride === undefined) stride = s;
    else if (s !== stride * span) return undefined;
    span *= d;
  }
  return stride ?? 0;
}

/** A GEMM view straight onto the tensor's buffer: transposed, sliced or broadcast operands are never copied. */
function view(t: Tensor) {
  let src = t;
  let bs = batchStride(t);
  if (bs === undefined) {
    // Batch axes that do not flatten (rare: a permuted batch) are made contiguous once.
    src = fromData(t.data(), t);
    bs = batchStride(src)!;
  }
  const buf = src._buf!;
  return {
    data: buf.data,
    offset: buf.offset,
    rowStride: buf.strides[t.rank - 2]!,
    colStride: buf.strides[t.rank - 1]!,
    batchStride: bs,
  };
}

const matmul: Kernel<"matmul"> = (inputs, attrs, out) => {
  const [a, b] = inputs as [Tensor, Tensor];
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.rank - 1]!;
  const batch = sizeOf(a.shape.slice(0, -2));
  const float = out.dtype === "float32" || out.dtype === "float64";
  if (!float || m === 0 || n === 0 || k === 0 || batch === 0 || 2 * m * n * k * batch < MIN_GEMM_FLOPS) {
    return referenceKernel("matmul")(inputs, attrs, out);
  }
  const params = { batch, m, n, k, a: view(a), b: view(b) };
  const c = out.dtype === "float32" ? sgemmBatched(params as never) : dgemmBatched(params as never);
  return fromData(c as DataArray, out);
};

function unary<P extends PrimName>(prim: P, op: UnaryOp): Kernel<P> {
  return (inputs, attrs, out) => {
    const x = inputs[0]!;
    if (out.dtype !== "float32" || x.size < MIN_ELEMENTS) return referenceKernel(prim)(inputs, attrs, out);
    return fromData(unaryOp(op, rowMajor(x) as Float32Array), out);
  };
}

/** True when every element of the view is the same one (a broadcast scalar). */
function isSplat(t: Tensor): boolean {
  return t._buf!.strides.every((s, i) => s === 0 || t.shape[i] === 1);
}

function binary<P extends PrimName>(prim: P, op: BinaryOp): Kernel<P> {
  return (inputs, attrs, out) => {
    const [a, b] = inputs as [Tensor, Tensor];
    if (out.dtype !== "float32" || a.size < MIN_ELEMENTS) return referenceKernel(prim)(inputs, attrs, out);
    const side = (t: Tensor): Float32Array | number =>
      isSplat(t) ? t._buf!.data[t._buf!.offset]! : (rowMajor(t) as Float32Array);
    const x = side(a);
    const y = side(b);
    if (typeof x === "number" && typeof y === "number") return referenceKernel(prim)(inputs, attrs, out);
    return fromData(binaryOp(op, x, y), out);
  };
}

function lastAxis<P extends "sum" | "max">(prim: P, f: typeof sumLastAxis): Kernel<P> {
  return (inputs, attrs, out: Aval) => {
    const x = inputs[0]!;
    const { axes } = attrs as { axes: readonly number[] };
    const cols = x.shape[x.rank - 1]!;
    const rows = x.size / (cols || 1);
    if (x.dtype !== "float32" || axes.length !== 1 || axes[0] !== x.rank - 1 || x.size < MIN_ELEMENTS) {
      return referenceKernel(prim)(inputs, attrs, out);
    }
    return fromData(f(rowMajor(x) as Float32Array, rows, cols), out);
  };
}

const kernels: KernelTable = {
  matmul,
  exp: unary("exp", "exp"),
  log: unary("log", "log"),
  tanh: unary("tanh", "tanh"),
  sigmoid: unary("sigmoid", "sigmoid"),
  sqrt: unary("sqrt", "sqrt"),
  neg: unary("neg", "neg"),
  abs: unary("abs", "abs"),
  add: binary("add", "add"),
  sub: binary("sub", "sub"),
  mul: binary("mul", "mul"),
  div: binary("div", "div"),
  maximum: binary("maximum", "max"),
  minimum: binary("minimum", "min"),
  sum: lastAxis("sum", sumLastAxis),
  max: lastAxis("max", maxLastAxis),
};

/** The wasm backend, when this engine has Wasm SIMD. */
export function loadWasm(): { ok: true; backend: Backend } | { ok: false; reason: string } {
  if (typeof WebAssembly === "undefined")
    return { ok: false, reason: "this JavaScript engine has no WebAssembly" };
  if (!wasmFeatures().simd) return { ok: false, reason: "this engine lacks Wasm SIMD128" };
  return { ok: true, backend: { name: "wasm", kernels, describe: wasmThreadsNote } };
}
