/**
 * The native backend's kernel table: each kernel hands the tensors' typed
 * arrays (with offsets and strides) straight to the addon and wraps the fresh
 * output array in a Tensor. Whatever it does not cover (other dtypes, layouts
 * it cannot read without a copy, tiny tensors where a call into C++ costs more
 * than the js loop) goes to the primitive's js reference kernel, so results
 * agree with the js backend either way.
 */
import type { Kernel, KernelTable } from "../../core/backend.js";
import { allocate, type DataArray } from "../../core/dtype.js";
import type { PrimName } from "../../core/primitives.js";
import { sizeOf } from "../../core/shape.js";
import type { Tensor } from "../../core/tensor.js";
import { fromData } from "../js/loops.js";
import { referenceKernel } from "../reference.js";
import {
  BINARY,
  COMPARE,
  type FloatArray,
  loadNativeAddon,
  MODE,
  type NativeAddon,
  type NativeBinaryOp,
  type NativeReduceOp,
  type NativeUnaryOp,
  REDUCE,
  UNARY,
} from "./addon.js";
import { batchOffsets, binaryLayout, isDense, trailingAxes } from "./layout.js";

/**
 * For `axes` (sorted) of `t`: outer × mid × inner when they are consecutive
 * axes of a dense tensor (mid their product), so the reduction reads whole
 * rows of `inner` contiguous values.
 */
function middleAxes(
  t: Tensor,
  axes: readonly number[],
): { outer: number; mid: number; inner: number } | undefined {
  if (axes.length === 0 || !isDense(t) || axes.some((a, i) => a !== axes[0]! + i)) return undefined;
  const lo = axes[0]!;
  const hi = lo + axes.length;
  const size = (from: number, to: number) => sizeOf(t.shape.slice(from, to));
  return { outer: size(0, lo), mid: size(lo, hi), inner: size(hi, t.rank) };
}

/**
 * Below this many elements the js loop beats the fixed cost of a call into the
 * addon (about a microsecond: measured crossover 128 to 256 elements here).
 */
const MIN_ELEMENTS = 256;
/** Below this many flops the js triple loop beats packing for the blocked GEMM. */
const MIN_GEMM_FLOPS = 2 * 12 * 12 * 12;

const isFloat = (t: Tensor): boolean => t.dtype === "float32" || t.dtype === "float64";

/**
 * A strided view's layout with size-1 axes dropped and each axis merged into
 * the next when together they step through memory as one (a broadcast over
 * [1, c, 1, 1] becomes runs of h·w equal values): fewer, longer runs to copy.
 */
export function mergeAxes(
  shape: readonly number[],
  strides: readonly number[],
): { shape: number[]; strides: number[] } {
  const merged = { shape: [] as number[], strides: [] as number[] };
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = merged.shape.length - 1;
    if (last >= 0 && merged.strides[last] === strides[d]! * n) {
      merged.shape[last]! *= n;
      merged.strides[last] = strides[d]!;
    } else {
      merged.shape.push(n);
      merged.strides.push(strides[d]!);
    }
  }
  return merged;
}

/**
 * A compiled plan's copy of a strided view (shape, strides, offset) into a
 * contiguous array, on the addon: undefined when the addon lacks it, for
 * other dtypes, and for copies small enough that the js loop wins.
 */
export function nativeCopy(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  dtype: string,
): ((src: DataArray, out: DataArray) => void) | undefined {
  const r = loadNativeAddon();
  if (!r.ok || typeof r.addon.copyStrided !== "function") return undefined;
  if ((dtype !== "float32" && dtype !== "float64") || sizeOf(shape) < MIN_ELEMENTS || shape.length > 16)
    return undefined;
  const addon = r.addon;
  const sh = Float64Array.from(shape);
  const st = Float64Array.from(strides);
  return (src, out) => addon.copyStrided(src as FloatArray, offset, out as FloatArray, 0, sh, st);
}

/** Kernels over the loaded addon. */
export function nativeKernels(addon: NativeAddon): KernelTable {
  // An addon built before the layout kernels still loads; reductions over middle axes then go to js.
  const hasReduceMiddle = typeof addon.reduceMiddle === "function";
  // ...and compare/where, without which masks are made by the js kernels.
  const hasMasks = typeof addon.compare === "function" && typeof addon.where === "function";

  /** matmul on the batched strided GEMM: transposed, sliced and broadcast operands are read in place. */
  const matmul: Kernel<"matmul"> = (inputs, attrs, out) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const [m, k] = a.shape.slice(-2) as [number, number];
    const n = b.shape[b.rank - 1]!;
    const batch = out.shape.slice(0, -2).reduce((s, d) => s * d, 1);
    if (!isFloat(a) || 2 * m * n * k * batch < MIN_GEMM_FLOPS)
      return referenceKernel("matmul")(inputs, attrs, out);
    const A = a._buf!;
    const B = b._buf!;
    const c = allocate(out.dtype, batch * m * n) as FloatArray;
    const offC = new Float64Array(batch);
    for (let p = 0; p < batch; p++) offC[p] = p * m * n;
    addon.gemm(
      A.data as FloatArray,
      B.data as FloatArray,
      c,
      batchOffsets(a),
      batchOffsets(b),
      offC,
      m,
      n,
      k,
      A.strides[a.rank - 2]!,
      A.strides[a.rank - 1]!,
      B.strides[b.rank - 2]!,
      B.strides[b.rank - 1]!,
      n,
      false,
    );
    return fromData(c, out);
  };

  function unary<P extends PrimName>(prim: P, op: NativeUnaryOp): Kernel<P> {
    return (inputs, attrs, out) => {
      const x = inputs[0]!;
      if (x.dtype !== "float32" || x.size < MIN_ELEMENTS || !isDense(x))
        return referenceKernel(prim)(inputs, attrs, out);
      const o = new Float32Array(x.size);
      addon.unary(UNARY[op], x._buf!.data as Float32Array, x._buf!.offset, o, 0, x.size, 1, 0);
      return fromData(o, out);
    };
  }

  /** Elementwise binary ops, on contiguous operands or broadcast views (bias rows, per-row columns, scalars). */
  function binary<P extends PrimName>(prim: P, op: NativeBinaryOp): Kernel<P> {
    return (inputs, attrs, out) => {
      const [a, b] = inputs as [Tensor, Tensor];
      const layout = isFloat(a) && a.size >= MIN_ELEMENTS ? binaryLayout(a, b) : undefined;
      if (!layout) return referenceKernel(prim)(inputs, attrs, out);
      const o = allocate(out.dtype, a.size) as FloatArray;
      addon.binary(
        BINARY[op],
        o,
        0,
        layout.rows,
        layout.cols,
        a._buf!.data as FloatArray,
        a._buf!.offset,
        MODE[layout.modes[0]],
        b._buf!.data as FloatArray,
        b._buf!.offset,
        MODE[layout.modes[1]],
      );
      return fromData(o, out);
    };
  }

  /** Comparisons of float operands (any of the binary layouts) into a bool mask. */
  const compare: Kernel<"compare"> = (inputs, attrs, out) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const ok = hasMasks && isFloat(a) && a.dtype === b.dtype && a.size >= MIN_ELEMENTS;
    const layout = ok ? binaryLayout(a, b) : undefined;
    if (!layout) return referenceKernel("compare")(inputs, attrs, out);
    const o = new Uint8Array(a.size);
    const [ma, mb] = layout.modes;
    addon.compare(
      COMPARE[attrs.op],
      o,
      0,
      layout.rows,
      layout.cols,
      a._buf!.data as FloatArray,
      a._buf!.offset,
      MODE[ma],
      b._buf!.data as FloatArray,
      b._buf!.offset,
      MODE[mb],
    );
    return fromData(o, out);
  };

  /** where(c, a, b) for float a and b (any of the binary layouts) and a dense mask c: ReLU's second pass. */
  const where: Kernel<"where"> = (inputs, attrs, out) => {
    const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
    const ok = hasMasks && isFloat(a) && a.dtype === b.dtype && a.size >= MIN_ELEMENTS && isDense(c);
    const layout = ok ? binaryLayout(a, b) : undefined;
    if (!layout) return referenceKernel("where")(inputs, attrs, out);
    const o = allocate(out.dtype, a.size) as FloatArray;
    const [ma, mb] = layout.modes;
    addon.where(
      o,
      0,
      layout.rows,
      layout.cols,
      c._buf!.data as Uint8Array,
      c._buf!.offset,
      a._buf!.data as FloatArray,
      a._buf!.offset,
      MODE[ma],
      b._buf!.data as FloatArray,
      b._buf!.offset,
      MODE[mb],
    );
    return fromData(o, out);
  };

  /**
   * sum/max over consecutive axes of a dense float tensor: trailing ones
   * (softmax's reductions) row by row, middle ones (pooling's max over im2col's
   * window rows) on an addon that has `reduceMiddle`; other axes go to js.
   */
  function reduce<P extends "sum" | "max">(prim: P, op: NativeReduceOp): Kernel<P> {
    return (inputs, attrs, out) => {
      const x = inputs[0]!;
      const usable = isFloat(x) && x.size >= MIN_ELEMENTS;
      const shape = usable ? trailingAxes(x, attrs.axes) : undefined;
      if (shape) {
        const o = allocate(out.dtype, shape.rows) as FloatArray;
        addon.reduce(REDUCE[op], x._buf!.data as FloatArray, x._buf!.offset, o, 0, shape.rows, shape.cols);
        return fromData(o, out);
      }
      const split = usable && hasReduceMiddle ? middleAxes(x, attrs.axes) : undefined;
      if (!split) return referenceKernel(prim)(inputs, attrs, out);
      const { outer, mid, inner } = split;
      const o = allocate(out.dtype, outer * inner) as FloatArray;
      addon.reduceMiddle(REDUCE[op], x._buf!.data as FloatArray, x._buf!.offset, o, 0, outer, mid, inner);
      return fromData(o, out);
    };
  }

  /** im2col and col2im (conv and pooling windows) on dense float tensors. */
  function windows<P extends "im2col" | "col2im">(prim: P): Kernel<P> {
    return (inputs, attrs, out) => {
      const x = inputs[0]!;
      if (!isFloat(x) || x.size < MIN_ELEMENTS || !isDense(x))
        return referenceKernel(prim)(inputs, attrs, out);
      const image = prim === "im2col" ? x.shape : out.shape;
      const { kernel, stride, dilation, pad } = attrs;
      const dims = Float64Array.of(...image, ...kernel, ...stride, ...dilation, ...pad);
      const o = allocate(out.dtype, sizeOf(out.shape)) as FloatArray;
      addon.windows(x._buf!.data as FloatArray, x._buf!.offset, o, 0, dims, prim === "col2im");
      return fromData(o, out);
    };
  }

  return {
    im2col: windows("im2col"),
    col2im: windows("col2im"),
    matmul,
    exp: unary("exp", "exp"),
    log: unary("log", "log"),
    tanh: unary("tanh", "tanh"),
    sigmoid: unary("sigmoid", "sigmoid"),
    add: binary("add", "add"),
    sub: binary("sub", "sub"),
    mul: binary("mul", "mul"),
    div: binary("div", "div"),
    maximum: binary("maximum", "max"),
    minimum: binary("minimum", "min"),
    sum: reduce("sum", "sum"),
    max: reduce("max", "max"),
    compare,
    where,
  };
}
