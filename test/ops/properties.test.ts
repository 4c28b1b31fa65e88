/**
 * Property tests (fast-check) of broadcasting, data movement and matmul on
 * random shapes. Values are small integers, so every comparison is exact in
 * float32; the expected values come from the plain-JS reference in
 * test/support/reference.ts or from an identity (a round trip).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  arange,
  broadcastTo,
  concat,
  expandDims,
  flip,
  gather,
  index,
  matmul,
  mul,
  pad,
  reshape,
  ShapeError,
  slice,
  split,
  stack,
  sum,
  type Tensor,
  tensor,
  tile,
  transpose,
} from "../../src/index.js";
import * as R from "../support/reference.js";
import { fromTensor, sizeOf } from "../support/reference.js";

const RUNS = { numRuns: 60, seed: 20240917 };

/** A shape of rank 0..maxRank with sizes minDim..maxDim. */
const shapeArb = (maxRank = 4, minDim = 1, maxDim = 3) =>
  fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: 0, maxLength: maxRank });

/** A float32 tensor of `shape` holding small integers (exact under every op here). */
const valuesArb = (shape: readonly number[]) =>
  fc
    .array(fc.integer({ min: -9, max: 9 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((v) => tensor(v, shape));

const tensorArb = (maxRank = 4, minDim = 1, maxDim = 3) =>
  shapeArb(maxRank, minDim, maxDim).chain((s) => valuesArb(s));

/** A permutation of 0..n−1. */
const permArb = (n: number) =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );

const values = (t: Tensor): number[] => Array.from(t.data());
const same = (a: Tensor, b: Tensor): void => {
  expect(a.shape).toEqual(b.shape);
  expect(values(a)).toEqual(values(b));
};
const matches = (t: Tensor, ref: R.Nd): void => {
  expect(t.shape).toEqual(ref.shape);
  expect(values(t)).toEqual([...ref.data]);
};

/**
 * Two shapes that broadcast: cut from one output shape, each dropping some
 * leading axes and setting some sizes to 1.
 */
const broadcastPairArb = shapeArb(4, 1, 3).chain((out) =>
  fc.tuple(
    ...[0, 1].map(() =>
      fc
        .tuple(
          fc.integer({ min: 0, max: out.length }),
          fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        )
        .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))),
    ),
  ),
);

describe("broadcasting", () => {
  it("gives numpy's result shape and the values of the explicitly tiled operands", () => {
    fc.assert(
      fc.property(
        broadcastPairArb.chain(([sa, sb]) => fc.tuple(valuesArb(sa!), valuesArb(sb!))),
        ([a, b]) => {
          const expected = R.broadcastShape(a.shape, b.shape);
          const out = add(a, b);
          expect(out.shape).toEqual(expected);
          // explicit tiling: pad each operand's shape with leading 1s, then tile up to the result
          const tiled = (t: Tensor) => {
            const padded = [...new Array<number>(expected.length - t.rank).fill(1), ...t.shape];
            return tile(
              reshape(t, padded),
              expected.map((d, i) => d / padded[i]!),
            );
          };
          same(out, add(tiled(a), tiled(b)));
          matches(
            out,
            R.map((x, y) => x + y, fromTensor(a), fromTensor(b)),
          );
          matches(
            mul(a, b),
            R.map((x, y) => x * y, fromTensor(a), fromTensor(b)),
          );
        },
      ),
      RUNS,
    );
  });

  it("broadcastTo is a view equal to the reference broadcast, and its gradient sums back", () => {
    fc.assert(
      fc.property(
        broadcastPairArb.chain(([sa, sb]) =>
          fc.tuple(valuesArb(sa!), fc.constant(R.broadcastShape(sa!, sb!))),
        ),
        ([a, shape]) => {
          const b = broadcastTo(a, shape);
          matches(b, R.broadcastTo(fromTensor(a), shape));
          // each element of a is repeated size(b)/size(a) times: the sum scales by that
          expect(sum(b).item()).toBe(sum(a).item() * (sizeOf(shape) / Math.max(1, a.size)));
        },
      ),
      RUNS,
    );
  });

  it("rejects incompatible shapes with a ShapeError naming the op and both shapes", () => {
    fc.assert(
      fc.property(shapeArb(3, 2, 4), fc.integer({ min: 0, max: 2 }), (s, at) => {
        if (s.length === 0) return;
        const i = at % s.length;
        const other = s.map((d, k) => (k === i ? d + 1 : d));
        expect(() =>
          add(tensor(new Float32Array(sizeOf(s)), s), tensor(new Float32Array(sizeOf(other)), other)),
        ).toThrow(ShapeError);
        expect(() =>
          add(tensor(new Float32Array(sizeOf(s)), s), tensor(new Float32Array(sizeOf(other)), other)),
        ).toThrow(`add: shapes [${s}] and [${other}] cannot be broadcast together`);
      }),
      RUNS,
    );
  });
});

describe("reshape and transpose", () => {
  it("reshape round-trips and keeps row-major order, through any factorisation", () => {
    fc.assert(
      fc.property(tensorArb(4, 0, 3), fc.integer({ min: 0, max: 1000 }), (x, seed) => {
        // a random split of the size into factors
        const n = x.size;
        const target: number[] = [];
        let rest = n;
        let s = seed;
        while (rest > 1) {
          const divisors = Array.from({ length: rest }, (_, k) => k + 1).filter(
            (d) => rest % d === 0 && d > 1,
          );
          const d = divisors[s % divisors.length]!;
          target.push(d);
          rest /= d;
          s = Math.floor(s / 3) + 7;
        }
        if (n === 0) target.push(0, 2);
        const y = reshape(x, target);
        expect(values(y)).toEqual(values(x));
        same(reshape(y, x.shape), x);
        expect(reshape(x, [-1]).shape).toEqual([n]);
      }),
      RUNS,
    );
  });

  it("transpose moves element idx to perm(idx), and the inverse permutation undoes it", () => {
    fc.assert(
      fc.property(
        tensorArb(4, 1, 3).chain((x) => fc.tuple(fc.constant(x), permArb(x.rank))),
        ([x, perm]) => {
          const y = transpose(x, perm);
          expect(y.shape).toEqual(perm.map((p) => x.shape[p]));
          matches(y, R.transpose(fromTensor(x), perm));
          const inverse = perm.map((_, i) => perm.indexOf(i));
          same(transpose(y, inverse), x);
          // a reshape of a transposed view copies in the new row-major order
          expect(values(reshape(y, [-1]))).toEqual([...R.transpose(fromTensor(x), perm).data]);
        },
      ),
      RUNS,
    );
  });
});

/** A tensor of rank ≥ 1 and one of its axes. */
const withAxisArb = tensorArb(4, 1, 4)
  .filter((x) => x.rank > 0)
  .chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.rank - 1 })));

describe("slicing, joining and splitting", () => {
  it("slice equals the reference window", () => {
    fc.assert(
      fc.property(
        tensorArb(4, 1, 4)
          .filter((x) => x.rank > 0)
          .chain((x) =>
            fc.tuple(
              fc.constant(x),
              fc.tuple(
                ...x.shape.map((d) =>
                  fc
                    .integer({ min: 0, max: d })
                    .chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))),
                ),
              ),
            ),
          ),
        ([x, windows]) => {
          const begin = windows.map(([b]) => b);
          const size = windows.map(([, s]) => s);
          matches(slice(x, begin, size), R.sliceNd(fromTensor(x), begin, size));
        },
      ),
      RUNS,
    );
  });

  it("concat of a split along any axis gives the tensor back", () => {
    fc.assert(
      fc.property(
        withAxisArb.chain(([x, axis]) =>
          fc.tuple(
            fc.constant(x),
            fc.constant(axis),
            fc.array(fc.integer({ min: 0, max: x.shape[axis]! }), { maxLength: 3 }),
          ),
        ),
        ([x, axis, cuts]) => {
          const points = [0, ...[...cuts].sort((a, b) => a - b), x.shape[axis]!];
          const sizes = points.slice(1).map((p, i) => p - points[i]!);
          const parts = split(x, sizes, axis);
          expect(parts.map((p) => p.shape[axis])).toEqual(sizes);
          same(concat(parts, axis), x);
        },
      ),
      RUNS,
    );
  });

  it("stack equals concat of expandDims, and index along the new axis takes each tensor back", () => {
    fc.assert(
      fc.property(
        shapeArb(3, 1, 3).chain((s) =>
          fc.tuple(
            fc.array(valuesArb(s), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: 0, max: s.length }),
          ),
        ),
        ([xs, axis]) => {
          const st = stack(xs, axis);
          same(
            st,
            concat(
              xs.map((x) => expandDims(x, axis)),
              axis,
            ),
          );
          xs.forEach((x, i) => {
            same(index(st, ...new Array<string>(axis).fill(":"), i), x);
          });
        },
      ),
      RUNS,
    );
  });

  it("flip twice is the identity, and flip is index with step −1", () => {
    fc.assert(
      fc.property(withAxisArb, ([x, axis]) => {
        same(flip(flip(x, axis), axis), x);
        same(flip(x, axis), index(x, ...new Array<string>(axis).fill(":"), "::-1"));
        same(flip(flip(x)), x);
      }),
      RUNS,
    );
  });

  it("slicing the padding off gives the tensor back; the padding holds the fill value", () => {
    fc.assert(
      fc.property(
        tensorArb(3, 1, 3).chain((x) =>
          fc.tuple(
            fc.constant(x),
            fc.tuple(
              ...x.shape.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))),
            ),
            fc.integer({ min: -3, max: 3 }),
          ),
        ),
        ([x, paddings, value]) => {
          const p = pad(x, paddings, value);
          expect(p.shape).toEqual(x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]));
          same(
            slice(
              p,
              paddings.map(([lo]) => lo),
              x.shape,
            ),
            x,
          );
          expect(sum(p).item()).toBe(sum(x).item() + value * (p.size - x.size));
        },
      ),
      RUNS,
    );
  });

  it("tile equals the reference, and reps of 1 change nothing", () => {
    fc.assert(
      fc.property(
        tensorArb(3, 1, 3).chain((x) =>
          fc.tuple(fc.constant(x), fc.tuple(...x.shape.map(() => fc.integer({ min: 1, max: 3 })))),
        ),
        ([x, reps]) => {
          const ref = R.build(
            x.shape.map((d, i) => d * reps[i]!),
            (idx) =>
              R.at(
                fromTensor(x),
                idx.map((v, i) => v % x.shape[i]!),
              ),
          );
          matches(tile(x, reps), ref);
          same(
            tile(
              x,
              x.shape.map(() => 1),
            ),
            x,
          );
        },
      ),
      RUNS,
    );
  });

  it("gather by a permutation and then by its inverse gives the tensor back", () => {
    fc.assert(
      fc.property(
        withAxisArb.chain(([x, axis]) =>
          fc.tuple(fc.constant(x), fc.constant(axis), permArb(x.shape[axis]!)),
        ),
        ([x, axis, perm]) => {
          const inverse = perm.map((_, i) => perm.indexOf(i));
          const idx = tensor(perm, [perm.length], { dtype: "int32" });
          const g = gather(x, idx, axis);
          matches(g, R.gatherNd(fromTensor(x), fromTensor(idx), axis));
          same(gather(g, tensor(inverse, [inverse.length], { dtype: "int32" }), axis), x);
          same(gather(x, arange(0, x.shape[axis]!, 1, "int32"), axis), x);
        },
      ),
      RUNS,
    );
  });
});

describe("matmul", () => {
  /** Operand shapes [batchA..., m, k] @ [batchB..., k, n] with broadcastable batches, or 1-D on either side. */
  const matmulShapesArb = fc
    .tuple(
      broadcastPairArb.map(([a, b]) => [a!.slice(-2), b!.slice(-2)]),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom("matrix", "vector-left", "vector-right", "vectors"),
    )
    .map(([[ba, bb], m, k, n, kind]) => {
      const left = kind === "vector-left" || kind === "vectors" ? [k] : [...ba!, m, k];
      const right = kind === "vector-right" || kind === "vectors" ? [k] : [...bb!, k, n];
      return [left, right] as const;
    });

  it("equals the naive triple loop on random shapes, batch broadcasting and 1-D operands", () => {
    fc.assert(
      fc.property(
        matmulShapesArb.chain(([sa, sb]) => fc.tuple(valuesArb(sa), valuesArb(sb))),
        ([a, b]) => {
          matches(matmul(a, b), R.matmulNd(fromTensor(a), fromTensor(b)));
        },
      ),
      RUNS,
    );
  });

  it("(AB)ᵀ = BᵀAᵀ and A(B + C) = AB + AC", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 1, max: 4 }),
          )
          .chain(([m, k, n]) => fc.tuple(valuesArb([m, k]), valuesArb([k, n]), valuesArb([k, n]))),
        ([A, B, C]) => {
          same(matmul(A, B).T, matmul(B.T, A.T));
          same(matmul(A, add(B, C)), add(matmul(A, B), matmul(A, C)));
        },
      ),
      RUNS,
    );
  });
});
