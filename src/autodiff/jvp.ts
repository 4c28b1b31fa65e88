import { zeros } from "../core/creation.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import type { PrimAttrs, PrimName } from "../core/primitives.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { Trace, Tracer, withTrace } from "../core/trace.js";
import { bind } from "../ops/dispatch.js";
import { primitiveTable } from "../ops/table.js";
import { type ArgTree, asDiffArg, flatten, type MapTree } from "./tree.js";

/** A dual number a + bε per element: `primal` a, `tangent` b (null = 0). */
class JvpTracer extends Tracer {
  constructor(
    readonly trace: JvpTrace,
    readonly primal: Tensor,
    readonly tangent: Tensor | null,
  ) {
    super();
  }
  concrete(): Tensor | undefined {
    return this.primal._concrete();
  }
}

/** Forward mode: every op maps duals to duals by its jvp rule ((a+ε)·b = c + bε, slide L13). */
class JvpTrace extends Trace {
  process<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
    const primals = inputs.map((t) => this.own(t)?.primal ?? t);
    const tangents = inputs.map((t) => this.own(t)?.tangent ?? null);
    const out = bind(prim, primals, attrs);
    if (tangents.every((t) => t === null)) return out;
    const tangent = primitiveTable()[prim].jvp(primals, tangents, attrs, out);
    return tangent ? this.dual(out, tangent) : out;
  }

  own(t: Tensor): JvpTracer | undefined {
    const tr = t._tracer;
    return tr instanceof JvpTracer && tr.trace === this ? tr : undefined;
  }

  dual(primal: Tensor, tangent: Tensor | null): Tensor {
    return Tensor._traced(primal, new JvpTracer(this, primal, tangent));
  }
}

/**
 * Forward-mode derivative: evaluates `f` at `primals` and its directional
 * derivative along `tangents`, together, by dual numbers. Returns
 * `[out, tangentOut]`; both have the structure of `f`'s result.
 */
export function jvp<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  primals: A,
  tangents: { readonly [K in keyof A]: ArgTree<A[K], Tensor> },
): [R, MapTree<R, Tensor>] {
  if (primals.length !== tangents.length) {
    throw new ArgumentError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  }
  return withTrace(
    (level) => new JvpTrace(level),
    (trace) => {
      const args = primals.map((p, i) => {
        const pf = flatten(asDiffArg(p, "jvp", i));
        const tf = flatten(asDiffArg(tangents[i], "jvp", i));
        if (pf.leaves.length !== tf.leaves.length)
          throw new ArgumentError(`jvp: primal ${i} and its tangent have different structures`);
        return pf.build(
          pf.leaves.map((leaf, k) => {
            const t = tf.leaves[k]!;
            if (!shapesEqual(leaf.shape, t.shape))
              throw new ShapeError(
                `jvp: tangent shape ${fmtShape(t.shape)} differs from primal shape ${fmtShape(leaf.shape)}`,
              );
            return trace.dual(leaf, t.dtype === leaf.dtype ? t : t.cast(leaf.dtype));
          }),
        );
      });
      const result = f(...(args as unknown as A));
      const { leaves, build } = flatten(result);
      const outs = leaves.map((t) => trace.own(t)?.primal ?? t);
      const touts = leaves.map((t) => trace.own(t)?.tangent ?? zeros(t.shape, t.dtype));
      return [build(outs) as R, build(touts) as MapTree<R, Tensor>];
    },
  );
}
