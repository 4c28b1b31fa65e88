/**
 * grafo's WebAssembly compute kernels, on plain typed arrays.
 *
 * Everything here is generated at run time by a small Wasm emitter (no build
 * step, nothing to download), specialised on what the engine supports
 * (relaxed SIMD FMA, shared memory for threads). Inputs are copied into one
 * reusable Wasm memory arena and results come back in ordinary typed arrays,
 * so callers never manage memory. Large jobs are split across a lazily
 * started worker pool where the host allows blocking on Atomics.
 */
import { type GemmBatchedParams, type GemmParams, gemm } from "./gemm.js";

export { type WasmFeatures, wasmFeatures } from "./features.js";
export type { BatchedMatrixView, GemmBatchedParams, GemmParams, MatrixView } from "./gemm.js";
export { gemmKernelSource } from "./gemm.js";
export { setWasmThreads, wasmThreadCount, wasmThreadsReady } from "./pool.js";

const f32 = (n: number) => new Float32Array(n);
const f64 = (n: number) => new Float64Array(n);

/**
 * Single-precision C = alpha·A·B + beta·C. Operands are strided views, so
 * transposes (and slices) are free: the packing step reads any strides at
 * the same speed. Returns C's data (a fresh m×n row-major array if no C given).
 */
export function sgemm(params: GemmParams<Float32Array>): Float32Array {
  return gemm("sgemm", "f32", { ...params, batch: 1 }, f32);
}

/** Double-precision GEMM (f64x2 SIMD); same contract as `sgemm`. */
export function dgemm(params: GemmParams<Float64Array>): Float64Array {
  return gemm("dgemm", "f64", { ...params, batch: 1 }, f64);
}

/**
 * A batch of independent GEMMs in one call (one copy-in, one thread split).
 * A batchStride of 0 broadcasts that operand, e.g. one weight matrix for every
 * batch entry. Returns C's data (a fresh batch×m×n array if no C given).
 */
export function sgemmBatched(params: GemmBatchedParams<Float32Array>): Float32Array {
  return gemm("sgemmBatched", "f32", params, f32);
}

/** Double-precision `sgemmBatched`. */
export function dgemmBatched(params: GemmBatchedParams<Float64Array>): Float64Array {
  return gemm("dgemmBatched", "f64", params, f64);
}

export {
  type BinaryOp,
  binaryOp,
  compileElementwise,
  type ElementwiseExpr,
  type ElementwiseKernel,
  ew,
  exprKey,
  kernelSource,
  scaleAdd,
  type UnaryOp,
  unaryOp,
} from "./elementwise.js";

import { reduceLastAxis } from "./reduce.js";

export type { ReduceOp } from "./reduce.js";

/** Row sums of a contiguous [rows, cols] array (SIMD, 16 partial sums per row). */
export function sumLastAxis(x: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  return reduceLastAxis("sum", x, rows, cols, out);
}

/** Row maxima of a contiguous [rows, cols] array; a row holding NaN gives NaN. */
export function maxLastAxis(x: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  return reduceLastAxis("max", x, rows, cols, out);
}
