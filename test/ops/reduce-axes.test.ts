/**
 * Reductions over every axis but a middle block (a conv bias's gradient, NCHW
 * summed over N, H and W) are read in place, not transposed first: the same
 * bits as the reduction of the transposed copy, in float64 accumulation order.
 */
import { describe, expect, it } from "vitest";
import {
  backends,
  max,
  prod,
  random,
  sum,
  type Tensor,
  tensor,
  transpose,
  withBackend,
} from "../../src/index.js";

const available = backends()
  .filter((b) => b.available)
  .map((b) => b.name);

/** `f` over `axes` of x, computed on the contiguous copy with the kept axes first. */
function viaTranspose(f: typeof sum, x: Tensor, axes: readonly number[]): number[] {
  const kept = [...x.shape.keys()].filter((i) => !axes.includes(i));
  const moved = transpose(x, [...kept, ...axes]).add(0);
  return Array.from(
    f(
      moved,
      axes.map((_, i) => kept.length + i),
    ).data(),
  );
}

describe.each(available)("reductions around a middle block of axes on the %s backend", (backend) => {
  const cases: [number[], number[]][] = [
    [
      [64, 16, 26, 26],
      [0, 2, 3],
    ], // a conv bias's gradient
    [
      [3, 5, 7],
      [0, 2],
    ],
    [
      [2, 3, 4, 5, 6],
      [0, 1, 4],
    ],
    [
      [2, 3, 4, 5, 6],
      [0, 3, 4],
    ],
  ];
  for (const [shape, axes] of cases)
    it(`${shape} over ${axes}: sum, max and prod equal the transposed reduction to the bit`, () => {
      withBackend(backend, () => {
        const normal = random.normal(random.key(shape.length), shape).data();
        normal[7] = Number.NaN; // max keeps NaN, sum carries it
        normal[11] = -0;
        const near1 = random.uniform(random.key(2), shape, { minval: 0.9, maxval: 1.1 }).data();
        for (const [f, values] of [
          [sum, normal],
          [max, normal],
          [prod, near1],
        ] as const) {
          const x = tensor(values, shape);
          const got = Array.from(f(x, axes).data());
          expect(got.length).toBe(shape.filter((_, i) => !axes.includes(i)).reduce((a, b) => a * b, 1));
          expect(got, f.name).toEqual(viaTranspose(f, x, axes));
        }
      });
    });
});
