/**
 * Derivatives exactly at kinks and ties, where no finite difference can
 * decide and a library has to pick a convention. These are grafo's (the same
 * as JAX's): the generic suite keeps its samples away from these points, so
 * they are pinned here.
 */
import { describe, expect, it } from "vitest";
import {
  abs,
  clip,
  elu,
  grad,
  jvp,
  leakyRelu,
  max,
  maximum,
  minimum,
  relu,
  softplus,
  step,
  type Tensor,
  tensor,
} from "../../src/index.js";

const f64 = (v: number[]) => tensor(v, undefined, { dtype: "float64" });
const gradAt = (f: (x: Tensor) => Tensor, v: number[]) => grad((x: Tensor) => f(x).sum())(f64(v)).toArray();

describe("derivatives at kinks", () => {
  it("relu'(0) = 0 and abs'(0) = 0 (sign(0) = 0)", () => {
    expect(gradAt(relu, [-1, 0, 1])).toEqual([0, 0, 1]);
    expect(gradAt(abs, [-1, 0, 1])).toEqual([-1, 0, 1]);
  });

  it("leakyRelu'(0) = α and elu'(0) = α: the left derivative", () => {
    expect(gradAt((x) => leakyRelu(x, 0.1), [-1, 0, 1])).toEqual([0.1, 0.1, 1]);
    expect(gradAt((x) => elu(x, 0.5), [0, 1])).toEqual([0.5, 1]);
    // with α = 1, elu is C¹ and 1 is its derivative at 0 from both sides
    expect(gradAt((x) => elu(x), [0])).toEqual([1]);
  });

  it("step has derivative 0 everywhere, at its jump too", () => {
    expect(gradAt(step, [-1, 0, 1])).toEqual([0, 0, 0]);
  });

  it("softplus is smooth at 0: first derivative ½, second ¼", () => {
    expect(gradAt(softplus, [0])).toEqual([0.5]);
    expect(grad(grad((x: Tensor) => softplus(x).sum()))(f64([0])).toArray()).toEqual([0.25]);
  });
});

describe("derivatives at special points", () => {
  it("pow: d/dx x⁰ = 0 at 0, and every derivative of x² and x³ at 0 is finite", () => {
    const d = (f: (x: Tensor) => Tensor) => (x: Tensor) => grad((y: Tensor) => f(y).sum())(x);
    const sq = (x: Tensor) => x.pow(2);
    const cube = (x: Tensor) => x.pow(3);
    const zero = f64([0]);
    expect(d((x) => x.pow(0))(zero).toArray()).toEqual([0]);
    expect([d(sq), d(d(sq)), d(d(d(sq)))].map((f) => f(zero).item())).toEqual([0, 2, 0]);
    expect([d(d(d(cube))), d(d(d(d(cube))))].map((f) => f(zero).item())).toEqual([6, 0]);
    expect(jvp((x: Tensor) => x.pow(0), [zero], [f64([1])])[1].toArray()).toEqual([0]);
  });
});

describe("derivatives at ties", () => {
  it("maximum and minimum split the gradient evenly between equal inputs", () => {
    const [ga, gb] = grad((a: Tensor, b: Tensor) => maximum(a, b).sum(), [0, 1])(
      f64([1, 2, 3]),
      f64([1, 5, 0]),
    );
    expect(ga.toArray()).toEqual([0.5, 0, 1]);
    expect(gb.toArray()).toEqual([0.5, 1, 0]);
    const [ha, hb] = grad((a: Tensor, b: Tensor) => minimum(a, b).sum(), [0, 1])(f64([1]), f64([1]));
    expect([ha.item(), hb.item()]).toEqual([0.5, 0.5]);
    // forward mode agrees with reverse mode
    expect(jvp((a: Tensor) => maximum(a, f64([1])), [f64([1])], [f64([1])])[1].toArray()).toEqual([0.5]);
  });

  it("max shares the gradient among all maximal elements", () => {
    expect(gradAt((x) => max(x), [1, 3, 3])).toEqual([0, 0.5, 0.5]);
    expect(gradAt((x) => max(x), [3, 3, 3, 3])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("clip at a bound is a tie of maximum/minimum: ½", () => {
    expect(gradAt((x) => clip(x, 0, 1), [-1, 0, 0.5, 1, 2])).toEqual([0, 0.5, 1, 0.5, 0]);
  });
});
