/**
 * Reading a tensor's strided view as one of the few layouts the native kernels
 * take, so that views (slices, transposes, broadcasts) go to C++ without a copy.
 */
import type { Tensor } from "../../core/tensor.js";
import type { OperandMode } from "./addon.js";

/**
 * Whether axes [from, to) of `t` are laid out row-major among themselves, i.e.
 * their strides are the contiguous strides of shape[from:to] (size-1 axes may
 * have any stride).
 */
function denseAxes(t: Tensor, from: number, to: number): boolean {
  const strides = t._buf!.strides;
  let expected = 1;
  for (let i = to - 1; i >= from; i--) {
    const d = t.shape[i]!;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Whether axes [from, to) are broadcast (stride 0) or size 1: moving along them never moves in memory. */
function broadcastAxes(t: Tensor, from: number, to: number): boolean {
  const strides = t._buf!.strides;
  for (let i = from; i < to; i++) if (t.shape[i] !== 1 && strides[i] !== 0) return false;
  return true;
}

/** Whether `t`'s elements are data[offset … offset + size) in row-major order (any offset). */
export function isDense(t: Tensor): boolean {
  return denseAxes(t, 0, t.rank);
}

/**
 * How `t` covers a result of its own shape seen as rows × cols, with rows the
 * product of the first `split` axes; undefined when it is none of the modes.
 */
function modeAt(t: Tensor, split: number): OperandMode | undefined {
  const r = t.rank;
  if (denseAxes(t, 0, r)) return "full";
  if (broadcastAxes(t, 0, r)) return "scalar";
  if (broadcastAxes(t, 0, split) && denseAxes(t, split, r)) return "row";
  if (denseAxes(t, 0, split) && broadcastAxes(t, split, r)) return "col";
  return undefined;
}

/** A binary op's operands as one rows × cols problem. */
export interface BinaryLayout {
  rows: number;
  cols: number;
  modes: [OperandMode, OperandMode];
}

/**
 * Finds a split of the (common) shape into rows × cols under which both
 * operands are full, a row, a column or a scalar, preferring the fewest rows
 * (longest contiguous runs). Undefined when there is none, e.g. a transposed
 * operand; the caller then runs the js kernel.
 */
export function binaryLayout(a: Tensor, b: Tensor): BinaryLayout | undefined {
  const shape = a.shape;
  let rows = 1;
  for (let split = 0; split <= shape.length; split++) {
    if (split > 0) rows *= shape[split - 1]!;
    const ma = modeAt(a, split);
    const mb = modeAt(b, split);
    if (ma && mb) return { rows, cols: rows === 0 ? 0 : a.size / rows, modes: [ma, mb] };
  }
  return undefined;
}

/** For `axes` (sorted) of `t`: rows × cols when they are the trailing axes of a dense tensor. */
export function trailingAxes(t: Tensor, axes: readonly number[]): { rows: number; cols: number } | undefined {
  const r = t.rank;
  if (!isDense(t) || axes.some((a, i) => a !== r - axes.length + i)) return undefined;
  let cols = 1;
  for (const a of axes) cols *= t.shape[a]!;
  let rows = 1;
  for (let i = 0; i < r - axes.length; i++) rows *= t.shape[i]!;
  return { rows, cols };
}

/**
 * The element offset of every batch entry of a tensor whose last two axes are
 * a matrix: offset + Σ index·stride over the batch axes. Broadcast batch axes
 * (stride 0) give repeated offsets, so nothing is copied.
 */
export function batchOffsets(t: Tensor): Float64Array {
  const buf = t._buf!;
  const batchRank = t.rank - 2;
  let count = 1;
  for (let i = 0; i < batchRank; i++) count *= t.shape[i]!;
  const out = new Float64Array(count);
  const index = new Array<number>(batchRank).fill(0);
  let off = buf.offset;
  for (let p = 0; p < count; p++) {
    out[p] = off;
    // Odometer step over the batch axes, last axis fastest.
    for (let d = batchRank - 1; d >= 0; d--) {
      index[d]!++;
      off += buf.strides[d]!;
      if (index[d]! < t.shape[d]!) break;
      off -= buf.strides[d]! * t.shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
