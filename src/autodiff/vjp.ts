import { ones, zeros } from "../core/creation.js";
import { isFloat } from "../core/dtype.js";
import { ArgumentError, DTypeError, GrafoError } from "../core/errors.js";
import type { PrimAttrs, PrimName } from "../core/primitives.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { Trace, Tracer, topTrace, withTrace } from "../core/trace.js";
import { add } from "../ops/binary.js";
import { bind, noGrad, recordsHistory } from "../ops/dispatch.js";
import { primitiveTable } from "../ops/table.js";
import { type ArgTree, asDiffArg, flatten, type MapTree } from "./tree.js";

/** One recorded step of the forward pass: enough to run its vjp rule on the way back. */
interface Node {
  readonly inputs: readonly (Node | null)[];
  /** Input cotangents from this node's output cotangent. Absent for the inputs (leaves). */
  readonly vjp?: (ct: Tensor) => readonly (Tensor | null)[];
}

class VjpTracer extends Tracer {
  constructor(
    readonly trace: VjpTrace,
    readonly primal: Tensor,
    readonly node: Node,
  ) {
    super();
  }
  concrete(): Tensor | undefined {
    return this.primal._concrete();
  }
}

/** Reverse mode: records the forward pass on a tape (leaves to root), to walk back root to leaves (slide L17). */
export class VjpTrace extends Trace {
  readonly tape: Node[] = [];

  process<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
    const primals = inputs.map((t) => this.own(t)?.primal ?? t);
    const out = bind(prim, primals, attrs);
    const def = primitiveTable()[prim];
    return this.record(out, inputs, (ct) => def.vjp(ct, primals, attrs, out));
  }

  /** Wraps `out` as a tracer whose node sends cotangents to `inputs` through `vjp`. */
  record(out: Tensor, inputs: readonly Tensor[], vjp: (ct: Tensor) => readonly (Tensor | null)[]): Tensor {
    // Only float results carry gradients: ints and bools (argmax, comparisons) end the path here.
    if (!isFloat(out.dtype)) return out;
    const node: Node = { inputs: inputs.map((t) => this.own(t)?.node ?? null), vjp };
    this.tape.push(node);
    return Tensor._traced(out, new VjpTracer(this, out, node));
  }

  own(t: Tensor): VjpTracer | undefined {
    const tr = t._tracer;
    return tr instanceof VjpTracer && tr.trace === this ? tr : undefined;
  }

  leaf(t: Tensor): Tensor {
    const node: Node = { inputs: [] };
    this.tape.push(node);
    return Tensor._traced(t, new VjpTracer(this, t, node));
  }

  /** Backpropagation: cotangents flow from `seeds` back along the tape, accumulating where paths join. */
  backward(seeds: ReadonlyMap<Node, Tensor>): Map<Node, Tensor> {
    const cts = new Map(seeds);
    for (let i = this.tape.length - 1; i >= 0; i--) {
      const node = this.tape[i]!;
      const ct = cts.get(node);
      if (!ct || !node.vjp) continue;
      const inCts = node.vjp(ct);
      node.inputs.forEach((input, k) => {
        const c = inCts[k];
        if (!input || !c) return;
        const prev = cts.get(input);
        cts.set(input, prev ? add(prev, c) : c);
      });
    }
    return cts;
  }
}

/**
 * Reverse-mode derivative: evaluates `f(...primals)` and returns `[out, vjpFn]`,
 * where `vjpFn(ct)` gives the cotangent of every primal (as a list, each with its
 * primal's structure) for an output cotangent `ct` of `out`'s structure.
 */
export function vjp<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  ...primals: A
): [R, (ct: MapTree<R, Tensor>) => { -readonly [K in keyof A]: ArgTree<A[K], Tensor> }] {
  let backward: ((ct: unknown) => unknown[]) | undefined;
  const out = withTrace(
    (level) => new VjpTrace(level),
    (tr) => {
      const flats = primals.map((p, i) => flatten(asDiffArg(p, "vjp", i)));
      for (const fl of flats) {
        for (const leaf of fl.leaves) {
          if (!isFloat(leaf.dtype))
            throw new DTypeError(
              `vjp: can only differentiate with respect to float tensors, got ${leaf.dtype} ${fmtShape(leaf.shape)}`,
            );
        }
      }
      const leafTracers = flats.map((fl) => fl.leaves.map((l) => tr.leaf(l)));
      const result = f(...(flats.map((fl, i) => fl.build(leafTracers[i]!)) as unknown as A));
      const outFlat = flatten(result);
      // The backward pass records no PyTorch history either (it may run after the
      // trace has ended, at level 0): gradients come back as plain values.
      backward = (ct: unknown) =>
        noGrad(() => {
          const ctFlat = flatten(ct);
          if (ctFlat.leaves.length !== outFlat.leaves.length)
            throw new ArgumentError("vjp: cotangent structure differs from the output's");
          const seeds = new Map<Node, Tensor>();
          outFlat.leaves.forEach((o, k) => {
            const c = ctFlat.leaves[k]!;
            if (!shapesEqual(c.shape, o.shape))
              throw new ArgumentError(
                `vjp: cotangent shape ${fmtShape(c.shape)} differs from output shape ${fmtShape(o.shape)}`,
              );
            const node = tr.own(o)?.node;
            if (node) seeds.set(node, seeds.has(node) ? add(seeds.get(node)!, c) : c);
          });
          const cts = tr.backward(seeds);
          return flats.map((fl, i) =>
            fl.build(
              leafTracers[i]!.map(
                (lt, k) => cts.get(tr.own(lt)!.node) ?? zeros(fl.leaves[k]!.shape, fl.leaves[k]!.dtype),
              ),
            ),
          );
        });
      return outFlat.build(outFlat.leaves.map((t) => tr.own(t)?.primal ?? t)) as R;
    },
  );
  return [out, backward as (ct: MapTree<R, Tensor>) => { -readonly [K in keyof A]: ArgTree<A[K], Tensor> }];
}

type Args = readonly unknown[];
type Grads<A extends Args, I extends readonly number[]> = {
  -readonly [K in keyof I]: ArgTree<A[I[K] & number], Tensor>;
};

function scalarOutput(out: unknown, op: string): Tensor {
  if (!(out instanceof Tensor))
    throw new ArgumentError(`${op}: the function must return a Tensor (a scalar loss), got ${typeof out}`);
  if (out.size !== 1)
    throw new ArgumentError(
      `${op}: the function must return a scalar, got shape ${fmtShape(out.shape)}; reduce it (e.g. .sum() or .mean()) first`,
    );
  if (!isFloat(out.dtype))
    throw new DTypeError(`${op}: the function must return a float scalar, got ${out.dtype}`);
  return out;
}

/**
 * `valueAndGrad(f, argnums = 0)` returns a function giving `[f(...args), ∇f]`:
 * the gradient with respect to argument `argnums` (same structure as that
 * argument), or a tuple of gradients when `argnums` is a list.
 */
export function valueAndGrad<A extends Args>(
  f: (...args: A) => Tensor,
): (...args: A) => [Tensor, ArgTree<A[0], Tensor>];
export function valueAndGrad<A extends Args, I extends number>(
  f: (...args: A) => Tensor,
  argnums: I,
): (...args: A) => [Tensor, ArgTree<A[I], Tensor>];
export function valueAndGrad<A extends Args, const I extends readonly number[]>(
  f: (...args: A) => Tensor,
  argnums: I,
): (...args: A) => [Tensor, Grads<A, I>];
export function valueAndGrad(f: (...args: unknown[]) => Tensor, argnums: number | readonly number[] = 0) {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  return (...args: unknown[]) => {
    for (const i of list) {
      if (!Number.isInteger(i) || i < 0 || i >= args.length)
        throw new ArgumentError(`grad: argnums ${i} is out of range for ${args.length} arguments`);
    }
    const diffArgs = list.map((i) => args[i]);
    const g = (...d: unknown[]) => {
      const full = [...args];
      list.forEach((i, k) => {
        full[i] = d[k];
      });
      return scalarOutput(f(...full), "grad");
    };
    const [out, back] = vjp(g, ...diffArgs);
    const grads = back(ones(out.shape, out.dtype) as never) as unknown[];
    return [out, typeof argnums === "number" ? grads[0] : grads];
  };
}

/** The gradient of a scalar function (JAX's `grad`): argument 0 unless `argnums` says otherwise. */
export function grad<A extends Args>(f: (...args: A) => Tensor): (...args: A) => ArgTree<A[0], Tensor>;
export function grad<A extends Args, I extends number>(
  f: (...args: A) => Tensor,
  argnums: I,
): (...args: A) => ArgTree<A[I], Tensor>;
export function grad<A extends Args, const I extends readonly number[]>(
  f: (...args: A) => Tensor,
  argnums: I,
): (...args: A) => Grads<A, I>;
export function grad(
  f: (...args: unknown[]) => Tensor,
  argnums: number | readonly number[] = 0,
): (...args: unknown[]) => unknown {
  const vg = valueAndGrad(f, argnums as readonly number[]);
  return (...args: unknown[]) => vg(...args)[1];
}

/**
 * A function with a hand-written gradient (TF.js `customGrad`): `fn` returns
 * the value and a `gradFunc` from the output cotangent to one cotangent per input.
 * Reverse mode (grad, vjp, backward) uses `gradFunc`; forward mode is refused.
 */
export function customGrad(
  fn: (...inputs: Tensor[]) => { value: Tensor; gradFunc: (dy: Tensor) => readonly Tensor[] },
): (...inputs: Tensor[]) => Tensor {
  return (...inputs: Tensor[]): Tensor => {
    const top = topTrace(inputs);
    if (top instanceof VjpTrace) {
      const primals = inputs.map((t) => top.own(t)?.primal ?? t);
      const { value, gradFunc } = fn(...primals);
      return top.record(value, inputs, (ct) => checkCustom(gradFunc(ct), primals));
    }
    if (top) {
      throw new GrafoError(
        "customGrad: a function with a custom gradient supports reverse mode (grad, vjp, backward) only, not jvp or graph tracing",
      );
    }
    const { value, gradFunc } = fn(...inputs);
    if (recordsHistory(inputs)) {
      value._gradFn = { name: "customGrad", inputs, vjp: (ct) => checkCustom(gradFunc(ct), inputs) };
    }
    return value;
  };
}

function checkCustom(grads: readonly Tensor[], inputs: readonly Tensor[]): readonly Tensor[] {
  if (grads.length !== inputs.length)
    throw new ArgumentError(
      `customGrad: gradFunc returned ${grads.length} gradients for ${inputs.length} inputs`,
    );
  grads.forEach((g, i) => {
    if (!shapesEqual(g.shape, inputs[i]!.shape))
      throw new ArgumentError(
        `customGrad: gradient ${i} has shape ${fmtShape(g.shape)}, input has ${fmtShape(inputs[i]!.shape)}`,
      );
  });
  return grads;
}
