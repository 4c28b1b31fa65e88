import type { Aval, PrimAttrs, PrimName } from "../core/primitives.js";
import type { Tensor } from "../core/tensor.js";

/**
 * Everything grafo knows of one primitive, in one place (DESIGN principle 1):
 * its shape/dtype rule, its reference kernel, its derivative rules and its
 * batching rule. The rules are written with grafo's own ops, so they are
 * differentiable (and batchable) again.
 */
export interface PrimitiveDef<P extends PrimName> {
  /** Output shape and dtype from the inputs'; throws a ShapeError/DTypeError naming the op. */
  abstract(inputs: readonly Aval[], attrs: PrimAttrs[P]): Aval;
  /** Reference kernel on the js backend: the oracle every other backend is checked against. */
  js(inputs: readonly Tensor[], attrs: PrimAttrs[P], out: Aval): Tensor;
  /**
   * Forward mode: the output tangent from input tangents (null = zero tangent).
   * Returns null when the output's tangent is zero (e.g. comparisons).
   */
  jvp(
    primals: readonly Tensor[],
    tangents: readonly (Tensor | null)[],
    attrs: PrimAttrs[P],
    out: Tensor,
  ): Tensor | null;
  /** Reverse mode: input cotangents from the output cotangent (null = zero). */
  vjp(ct: Tensor, primals: readonly Tensor[], attrs: PrimAttrs[P], out: Tensor): readonly (Tensor | null)[];
  /**
   * Batching (vmap): the primitive on every example of a batch at once. Inputs
   * with `batched[i]` carry the batch as axis 0 (at least one does), the others
   * are shared by every example; the result carries the batch as axis 0.
   */
  vmap(inputs: readonly Tensor[], batched: readonly boolean[], attrs: PrimAttrs[P]): Tensor;
}

export type PrimitiveTable = { readonly [P in PrimName]: PrimitiveDef<P> };
export type PartialPrimitiveTable = { readonly [P in PrimName]?: PrimitiveDef<P> };
