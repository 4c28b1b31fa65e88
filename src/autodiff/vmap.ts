import { ArgumentError, GrafoError, ShapeError } from "../core/errors.js";
import type { PrimAttrs, PrimName } from "../core/primitives.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { Trace, Tracer, withTrace } from "../core/trace.js";
import { moveAxis } from "../ops/batching.js";
import { abstractEval } from "../ops/dispatch.js";
import { broadcastTo } from "../ops/shape.js";
import { primitiveTable } from "../ops/table.js";
import { flatten } from "./tree.js";

/**
 * Where the mapped axis of a value is: an axis (negative counts from the end),
 * `null` for a value every example shares, or a tree of those mirroring the
 * value's structure. A number or null stands for every tensor below it.
 */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

/** One example of the batch: its tensor has the example's shape, `batch` the whole batch (batch axis 0). */
class BatchTracer extends Tracer {
  constructor(
    readonly trace: BatchTrace,
    readonly batch: Tensor,
  ) {
    super();
  }
  // An example has no values of its own: the batch holds them all.
  concrete(): Tensor | undefined {
    return undefined;
  }
}

/** Vectorising: every op on examples becomes one op on the batch, by its primitive's batching rule. */
class BatchTrace extends Trace {
  process<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
    // The per-example shape rule validates the op as the user wrote it, on one example's shapes.
    const aval = abstractEval(prim, inputs, attrs);
    const batched = inputs.map((t) => this.own(t) !== undefined);
    const values = inputs.map((t) => this.own(t)?.batch ?? t);
    const out = primitiveTable()[prim].vmap(values, batched, attrs);
    const size = values[batched.indexOf(true)]!.shape[0]!;
    if (!shapesEqual(out.shape, [size, ...aval.shape]) || out.dtype !== aval.dtype) {
      throw new GrafoError(
        `vmap: the batching rule of ${prim} gave ${out.dtype} ${fmtShape(out.shape)} for a batch of ${size} examples of ${aval.dtype} ${fmtShape(aval.shape)}`,
      );
    }
    return this.example(out);
  }

  own(t: Tensor): BatchTracer | undefined {
    const tr = t._tracer;
    return tr instanceof BatchTracer && tr.trace === this ? tr : undefined;
  }

  /** The tensor `f` sees for a batch (batch axis 0): one example's shape. */
  example(batch: Tensor): Tensor {
    return Tensor._traced({ shape: batch.shape.slice(1), dtype: batch.dtype }, new BatchTracer(this, batch));
  }
}

/**
 * Pairs each tensor of `value` with its axis from `spec` (a prefix of value's
 * tree), in the order `flatten` lists the tensors.
 */
function axesOf(spec: AxisSpec | undefined, value: unknown, path: string, what: string): (number | null)[] {
  if (spec === null || typeof spec === "number") return flatten(value).leaves.map(() => spec);
  if (value instanceof Tensor || spec === undefined) {
    throw new ArgumentError(
      `vmap: ${what} for ${path} must be a number or null (it is a ${value instanceof Tensor ? "tensor" : "missing entry"}), got ${JSON.stringify(spec)}`,
    );
  }
  if (Array.isArray(spec)) {
    if (!Array.isArray(value) || value.length !== spec.length)
      throw new ArgumentError(
        `vmap: ${what} for ${path} is a list of ${spec.length}, but the value there is ${Array.isArray(value) ? `a list of ${value.length}` : typeof value}`,
      );
    return spec.flatMap((s, i) => axesOf(s, value[i], `${path}[${i}]`, what));
  }
  const keys = Object.keys(spec).sort();
  const valueKeys = value !== null && typeof value === "object" ? Object.keys(value).sort() : [];
  if (keys.join() !== valueKeys.join())
    throw new ArgumentError(
      `vmap: ${what} for ${path} has keys {${keys}}, but the value there has {${valueKeys}}`,
    );
  const obj = value as Record<string, unknown>;
  return keys.flatMap((k) => axesOf((spec as Record<string, AxisSpec>)[k], obj[k], `${path}.${k}`, what));
}

/** The paths of a value's tensors, in `flatten` order, for error messages. */
function leafPaths(value: unknown, path: string): string[] {
  if (value instanceof Tensor) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Record<string, unknown>;
    return Object.keys(obj)
      .sort()
      .flatMap((k) => leafPaths(obj[k], `${path}.${k}`));
  }
  return [];
}

function resolveAxis(
  axis: number,
  rank: number,
  path: string,
  shape: readonly number[],
  what: string,
): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    throw new ArgumentError(
      `vmap: ${what} ${axis} for ${path} is out of range for ${rank === 0 ? "a scalar" : `shape ${fmtShape(shape)}`}${rank === 0 ? " (a scalar has no axis to map; use null)" : ""}`,
    );
  return axis < 0 ? axis + rank : axis;
}

/**
 * Vectorising map (JAX's `vmap`): `vmap(f)` applies `f`, written for one
 * example, to a whole batch at once, as one op per primitive on the batch
 * rather than a loop over examples. `inAxes` says where each argument's batch
 * axis is (default 0 for every tensor; `null` for arguments all examples
 * share; per argument a number, null or a tree mirroring it), and `outAxes`
 * where the results' batch axis goes. Composes with grad, jvp, trace, compile
 * and vmap itself: `vmap(grad(loss), [null, 0, 0])(params, xs, ys)` gives
 * per-example gradients.
 */
export function vmap<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  inAxes: number | null | readonly AxisSpec[] = 0,
  outAxes: AxisSpec = 0,
): (...args: A) => R {
  return (...args: A): R => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length)
      throw new ArgumentError(
        `vmap: inAxes has ${inAxes.length} entries but the function got ${args.length} arguments`,
      );
    // Each argument's tensors, with their mapped axis resolved (null: shared).
    const perArg = args.map((a, i) => {
      const flat = flatten(a);
      const spec = Array.isArray(inAxes) ? (inAxes as readonly AxisSpec[])[i] : (inAxes as number | null);
      const axes = axesOf(spec, a, `argument ${i}`, "inAxes");
      const paths = leafPaths(a, `argument ${i}`);
      const resolved = flat.leaves.map((t, k) => {
        const axis = axes[k] ?? null;
        return axis === null ? null : resolveAxis(axis, t.rank, paths[k]!, t.shape, "inAxes axis");
      });
      return { flat, axes: resolved, paths };
    });
    const mapped = perArg.flatMap(({ flat, axes, paths }) =>
      flat.leaves.flatMap((t, k) => {
        const axis = axes[k] ?? null;
        return axis === null ? [] : [{ path: paths[k]!, axis, size: t.shape[axis]! }];
      }),
    );
    if (mapped.length === 0)
      throw new ArgumentError(
        "vmap: no argument is mapped (inAxes is null for every tensor), so there is no batch to map over",
      );
    const size = mapped[0]!.size;
    if (mapped.some((m) => m.size !== size))
      throw new ShapeError(
        `vmap: the mapped axes have different sizes: ${mapped.map((m) => `${m.path} axis ${m.axis} has size ${m.size}`).join(", ")}`,
      );
    return withTrace(
      (level) => new BatchTrace(level),
      (trace) => {
        const inputs = perArg.map(({ flat, axes }) =>
          flat.build(
            flat.leaves.map((t, k) => {
              const axis = axes[k] ?? null;
              return axis === null ? t : trace.example(moveAxis(t, axis, 0));
            }),
          ),
        );
        const result = f(...(inputs as unknown as A));
        const out = flatten(result);
        const axes = axesOf(outAxes, result, "the output", "outAxes");
        const paths = leafPaths(result, "output");
        return out.build(
          out.leaves.map((t, k) => {
            const own = trace.own(t);
            const axis = axes[k] ?? null;
            if (axis === null) {
              if (own)
                throw new ArgumentError(
                  `vmap: outAxes is null for ${paths[k]}, but it differs between examples (it depends on a mapped argument)`,
                );
              return t;
            }
            // A result the same for every example is repeated along the batch.
            const batch = own ? own.batch : broadcastTo(t, [size, ...t.shape]);
            return moveAxis(batch, 0, resolveAxis(axis, batch.rank, paths[k]!, batch.shape, "outAxes axis"));
          }),
        ) as R;
      },
    );
  };
}
