import { describe, expect, it } from "vitest";
import { trace } from "../../src/graph/index.js";
import { checkGrad, grad, jvp, type Tensor, tensor, valueAndGrad } from "../../src/index.js";
import { expectTreeClose } from "./helpers.js";

const f = (w: Tensor, x: Tensor) => x.matmul(w).sigmoid().sub(0.5).square().sum();
const w = tensor([
  [0.5, -1],
  [2, 0.25],
]);
const x = tensor([
  [1, 2],
  [-1, 0.5],
  [0, 3],
]);

describe("differentiating a graph (TensorFlow-1 style)", () => {
  it("graph.grad() builds a graph of [value, gradient] equal to eager valueAndGrad", () => {
    const g = trace(f, w, x).grad();
    expectTreeClose(g.run(w, x), valueAndGrad(f)(w, x));
    expect(g.toString()).toContain("sigmoid");
    // printable, optimizable, and its optimized form computes the same
    expectTreeClose(g.optimize().run(w, x), valueAndGrad(f)(w, x));
  });

  it("with respect to several arguments", () => {
    const g = trace(f, w, x).grad([0, 1]);
    expectTreeClose(g.run(w, x), valueAndGrad(f, [0, 1])(w, x));
  });

  it("grad of grad: the gradient graph differentiates again", () => {
    const cube = (a: Tensor) => a.mul(a).mul(a).sum();
    const g1 = trace(cube, tensor([2])).grad();
    const second = grad((a: Tensor) => (g1.run(a) as [Tensor, Tensor])[1].sum())(tensor([2]));
    expect(second.item()).toBe(12); // d²(a³)/da² = 6a
    // finite differences agree (checkGrad works in float64, so trace in float64)
    const g64 = trace(cube, tensor([1.5], undefined, { dtype: "float64" })).grad();
    expect(checkGrad((a: Tensor) => (g64.run(a) as [Tensor, Tensor])[1].sum(), [tensor([1.5])])).toBeLessThan(
      1e-6,
    );
  });

  it("graph.jvp() takes primals then tangents and equals eager jvp (dual numbers, L13)", () => {
    const h = (a: Tensor, b: Tensor) => a.mul(b).exp();
    const a = tensor([3]);
    const b = tensor([0.1]);
    const g = trace(h, a, b).jvp();
    expect(g.inputs.length).toBe(4);
    expectTreeClose(g.run(a, b, tensor([1]), tensor([0])), jvp(h, [a, b], [tensor([1]), tensor([0])]));
  });
});
