/**
 * The batching check of the generic op suite: `vmap` of an entry's function
 * must equal a loop over the examples, stacked, for every sample and for
 * several ways of laying out the batch (axis 0, the last axis, arguments
 * shared by every example, the result's batch axis last).
 */
import { isFloat } from "../../src/core/dtype.js";
import { type AxisSpec, type DType, stack, type Tensor, tensor, vmap } from "../../src/index.js";
import { assertClose, assertShape } from "./allclose.js";
import { DEFAULT_BACKEND, withBackend } from "./backends.js";
import { FORWARD_TOL, sampleArgs } from "./checks.js";
import type { OpInfo, Sample } from "./opinfo.js";
import { rng, seedOf, shuffled } from "./rng.js";

const BATCH = 3;

/** A layout of the batch: the axis of each argument (null: shared), and of the result. */
interface Layout {
  readonly name: string;
  readonly inAxes: readonly (number | null)[];
  readonly outAxis: number;
}

function layouts(ranks: readonly number[]): Layout[] {
  const n = ranks.length;
  const out: Layout[] = [
    { name: "inAxes 0", inAxes: ranks.map(() => 0), outAxis: 0 },
    { name: "inAxes -1 (each argument's last axis), outAxes -1", inAxes: ranks.map(() => -1), outAxis: -1 },
  ];
  if (n === 1) return [...out, { name: "inAxes 0, outAxes -1", inAxes: [0], outAxis: -1 }];
  return [
    ...out,
    {
      name: "first argument shared (null), outAxes -1",
      inAxes: ranks.map((_, i) => (i === 0 ? null : 0)),
      outAxis: -1,
    },
    {
      name: "last argument shared (null), the others at axis 1 where they have one",
      inAxes: ranks.map((r, i) => (i === n - 1 ? null : Math.min(1, r))),
      outAxis: 0,
    },
  ];
}

/** Explicit non-integer values (0.5, NaN, …) are float samples: int32 and bool runs skip them. */
function fits(sample: Sample, dtype: DType): boolean {
  return (
    isFloat(dtype) ||
    sample.args.every((a) => a.dtype !== undefined || !a.values || a.values.every(Number.isInteger))
  );
}

/**
 * Example `b` of sample `i`: a fresh draw from each argument's domain; given
 * int32 values (indices, keys) are shuffled, so each example picks its own
 * while staying in range.
 */
function example(info: OpInfo, i: number, dtype: DType, b: number): Tensor[] {
  const args = sampleArgs({ ...info, name: `${info.name}~vmap${b}` }, i, dtype);
  return args.map((t, k) => {
    const spec = info.samples[i]!.args[k]!;
    if (b === 0 || !spec.values || t.dtype !== "int32") return t;
    const order = shuffled(rng(seedOf(`${info.name}#${i}:${k}:${b}`)), spec.values.length);
    return tensor(
      order.map((j) => spec.values![j]!),
      spec.shape,
      { dtype: "int32" },
    );
  });
}

const normalized = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** vmap of the entry equals the loop over examples, in every layout, on the given backend. */
export function checkVmap(info: OpInfo, backend: string = DEFAULT_BACKEND): void {
  const dtypes = info.dtypes ?? ["float32", "float64"];
  const dtype = dtypes.includes("float64") ? "float64" : dtypes[0]!;
  info.samples.forEach((sample, i) => {
    if (!fits(sample, dtype)) return;
    const examples = Array.from({ length: BATCH }, (_, b) => example(info, i, dtype, b));
    for (const layout of layouts(examples[0]!.map((t) => t.rank))) {
      const what = `${info.name} sample ${i} (${dtype}), ${layout.name}`;
      withBackend(backend, () => {
        const args = examples[0]!.map((shared, k) => {
          const axis = layout.inAxes[k]!;
          if (axis === null) return shared;
          return stack(
            examples.map((ex) => ex[k]!),
            normalized(axis, shared.rank + 1),
          );
        });
        const outs = examples.map((ex) =>
          info.fn(...ex.map((t, k) => (layout.inAxes[k] === null ? examples[0]![k]! : t))),
        );
        const expected = stack(outs, normalized(layout.outAxis, outs[0]!.rank + 1));
        const got = vmap(info.fn, layout.inAxes as AxisSpec[], layout.outAxis)(...args);
        if (got.dtype !== expected.dtype)
          throw new Error(`${what}: dtype ${got.dtype}, the loop gives ${expected.dtype}`);
        assertShape(got.shape, expected.shape, `${what}: shape`);
        const tol = info.tol?.[got.dtype as "float32" | "float64"] ?? FORWARD_TOL[got.dtype];
        assertClose(got, expected, tol, `${what}: values`);
      });
    }
  });
}
