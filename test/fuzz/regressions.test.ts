/**
 * Bugs the fuzz tests found, each pinned by the smallest case that showed it.
 */
import { describe, expect, it } from "vitest";
import type { Tensor } from "../../src/index.js";
import * as g from "../../src/index.js";
import { assertClose } from "../support/allclose.js";
import { BACKENDS, evaluate, MODES } from "./support.js";

describe("fusion: a producer read only through a broadcast that stays outside the kernel", () => {
  // int32 div casts both sides to float32; the broadcast [1,1] → [1,1,1,1] does not fit the
  // loop's index split, so it stays an ordinary node, and the cast under it must stay too.
  // Fusion absorbed the cast anyway: compiling failed with "graph: no value %3".
  const f = (a: Tensor, b: Tensor) => g.div(a, b);
  const a = g.tensor([7], [1, 1, 1, 1], { dtype: "int32" });
  const b = g.tensor([2], [1, 1], { dtype: "int32" });

  it("compiles and gives 3.5 on every backend, with and without passes", () => {
    for (const backend of BACKENDS)
      for (const mode of MODES) {
        const out = evaluate(f, [a, b], backend, mode);
        expect(out.shape, `${backend} ${mode}`).toEqual([1, 1, 1, 1]);
        expect(Array.from(out.data()), `${backend} ${mode}`).toEqual([3.5]);
      }
  });

  it("keeps the cast the outside broadcast reads as a node of the optimized graph", () => {
    const graph = g.trace(f, a, b).optimize();
    const broadcast = graph.nodes.find((n) => n.op === "broadcastTo")!;
    const ids = new Set([...graph.inputs.map((v) => v.id), ...graph.nodes.map((n) => n.id)]);
    expect(broadcast.inputs.every((i) => ids.has(i))).toBe(true);
  });
});

describe("int32 sums and products wrap around exactly (numpy), not after rounding to float64", () => {
  const big = g.tensor([2147483647, -2147483648, 65536, 46341], [4], { dtype: "int32" });
  // Math.imul is the exact product mod 2^32; (2^31 − 1)^2 rounded to float64 first wrapped to 0
  const expected = [1, 0, 0, -2147479015];

  it("mul and square, eager and compiled, on every backend", () => {
    for (const backend of BACKENDS)
      for (const mode of MODES) {
        expect(Array.from(evaluate((x) => g.mul(x, x), [big], backend, mode).data())).toEqual(expected);
        expect(Array.from(evaluate((x) => g.square(x), [big], backend, mode).data())).toEqual(expected);
        expect(Array.from(evaluate((x) => g.add(x, x), [big], backend, mode).data())).toEqual([
          -2, 0, 131072, 92682,
        ]);
      }
  });
});

describe("native plans: softmax whose last loop also reduces", () => {
  // softmax(x) then sum over axis 0 fuse into one loop that writes the [1, N] sums; the
  // native plan took that loop for the softmax's own and wrote [B, N] values into it
  // ("RangeError: softmax: range reaches outside its array").
  const f = (x: Tensor) => g.sum(g.softmax(x, -1), 0, true);
  const x = g.tensor([0.1, -0.5, 1.2, 0.3], [2, 2]);
  const e = [Math.exp(0.1), Math.exp(-0.5), Math.exp(1.2), Math.exp(0.3)];
  const expected = [
    e[0]! / (e[0]! + e[1]!) + e[2]! / (e[2]! + e[3]!),
    e[1]! / (e[0]! + e[1]!) + e[3]! / (e[2]! + e[3]!),
  ];

  it("gives the column sums of the softmax on every backend and plan", () => {
    for (const backend of BACKENDS)
      for (const mode of MODES) {
        const out = evaluate(f, [x], backend, mode);
        expect(out.shape).toEqual([1, 2]);
        assertClose(out, expected, { rtol: 1e-6, atol: 1e-6 }, `${backend} ${mode}`);
      }
  });
});

describe("matmul: a zero times an infinite or NaN entry is NaN, as in numpy", () => {
  // The js kernels skipped zeros of A (ReLU activations are half zeros) even where the row of
  // B they meet holds ±Inf or NaN, so [0, 1]·[Inf, 1]ᵀ gave 1, where numpy and the native
  // GEMM give NaN. The skip now needs a finite row.
  it("[0, 1]·[Inf, 1]ᵀ is NaN on every backend, eager and compiled; a finite row still gives 1", () => {
    const a = g.tensor([[0, 1]]);
    for (const backend of BACKENDS)
      for (const mode of MODES) {
        const nan = evaluate((x, y) => g.matmul(x, y), [a, g.tensor([[Infinity], [1]])], backend, mode);
        expect(Number.isNaN(nan.data()[0]), `${backend} ${mode}`).toBe(true);
        const finite = evaluate((x, y) => g.matmul(x, y), [a, g.tensor([[5], [1]])], backend, mode);
        expect(finite.data()[0], `${backend} ${mode}`).toBe(1);
      }
  });
});
