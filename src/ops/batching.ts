import { arange } from "../core/creation.js";
import type { PrimAttrs, PrimName } from "../core/primitives.js";
import type { Tensor } from "../core/tensor.js";
import { add, less, mul, where } from "./binary.js";
import { bind } from "./dispatch.js";
import { broadcastTo, reshape, transpose } from "./shape.js";

/**
 * Helpers for the batching rules (`vmap` in each PrimitiveDef). A rule sees
 * its inputs with the batch as axis 0 where `batched[i]` is set, and unbatched
 * (shared by every example) elsewhere; it returns its result with the batch as
 * axis 0. Rules are written with grafo's ops, so they compose with the other
 * transformations and with vmap itself.
 */

/** The batch size: axis 0 of any batched input (the batch trace only calls a rule when there is one). */
export function batchSize(inputs: readonly Tensor[], batched: readonly boolean[]): number {
  return inputs[batched.indexOf(true)]!.shape[0]!;
}

/** Gives every unbatched input the batch axis too, by broadcasting (a view, no copy). */
export function allBatched(inputs: readonly Tensor[], batched: readonly boolean[]): Tensor[] {
  const size = batchSize(inputs, batched);
  return inputs.map((t, i) => (batched[i] ? t : broadcastTo(t, [size, ...t.shape])));
}

/** The rule of an elementwise primitive: the same primitive on batch-sized inputs. */
export function elementwiseRule<P extends PrimName>(prim: P) {
  return (inputs: readonly Tensor[], batched: readonly boolean[], attrs: PrimAttrs[P]): Tensor =>
    bind(prim, allBatched(inputs, batched), attrs);
}

/** Axis attributes of the per-example primitive, as axes of the batched tensor. */
export const shifted = (axes: readonly number[]): number[] => axes.map((a) => a + 1);

/** Moves axis `from` to position `to`, keeping the others in order. */
export function moveAxis(t: Tensor, from: number, to: number): Tensor {
  const perm = [...t.shape.keys()].filter((a) => a !== from);
  perm.splice(to, 0, from);
  return transpose(t, perm);
}

/** Moves the `count` axes starting at `from` so that they start at `to` (counted without them). */
export function moveBlock(t: Tensor, from: number, count: number, to: number): Tensor {
  const block = Array.from({ length: count }, (_, i) => from + i);
  const others = [...t.shape.keys()].filter((a) => a < from || a >= from + count);
  others.splice(to, 0, ...block);
  return transpose(t, others);
}

/** Merges the batch axis (0) into the next one: [B, n, …] → [B·n, …]. */
export function foldBatch(t: Tensor): Tensor {
  return reshape(t, [t.shape[0]! * t.shape[1]!, ...t.shape.slice(2)]);
}

/** Splits axis 0 back into the batch and the axis it was folded into. */
export function unfoldBatch(t: Tensor, size: number): Tensor {
  return reshape(t, [size, t.shape[0]! / size, ...t.shape.slice(1)]);
}

/**
 * Indices into an axis of `n` per example, [B, …], as indices into that axis
 * with the batch folded in (B·n): example b's index i becomes b·n + i. An
 * index outside [−n, n) is moved outside [−B·n, B·n) rather than into a
 * neighbour's rows, so the kernel still reports it.
 */
export function foldedIndices(idx: Tensor, n: number): Tensor {
  const size = idx.shape[0]!;
  const start = reshape(mul(arange(0, size, 1, "int32"), n), [size, ...idx.shape.slice(1).map(() => 1)]);
  const negative = less(idx, 0);
  const inRange = where(negative, less(-n - 1, idx), less(idx, n));
  const folded = add(where(negative, add(idx, n), idx), start);
  const outside = where(negative, add(idx, -(size - 1) * n), add(idx, (size - 1) * n));
  return where(inRange, folded, outside);
}
