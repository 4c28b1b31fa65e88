/** PyTorch-style reverse mode: requiresGrad, param, backward, .grad, zeroGrad, noGrad. */
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  GrafoError,
  grad,
  matmul,
  noGrad,
  param,
  random,
  type Tensor,
  tensor,
  zeroGrad,
} from "../../src/index.js";
import { assertClose } from "../support/allclose.js";

const f64 = (v: number[] | number[][]) => tensor(v, undefined, { dtype: "float64" });

describe("backward()", () => {
  const phi = f64([1, 2]);
  const lossOf = (w: Tensor) => w.dot(phi).sub(2).square();

  it("fills .grad of the parameters (slide L17: [6, 12])", () => {
    const w = param(f64([3, 1]));
    expect(w.requiresGrad).toBe(true);
    lossOf(w).backward();
    expect(w.grad!.toArray()).toEqual([6, 12]);
  });

  it("accumulates over two backward calls, and zeroGrad clears", () => {
    const w = param(f64([3, 1]));
    lossOf(w).backward();
    lossOf(w).backward();
    expect(w.grad!.toArray()).toEqual([12, 24]);
    zeroGrad([w]);
    expect(w.grad).toBeUndefined();
    lossOf(w).backward();
    expect(w.grad!.toArray()).toEqual([6, 12]);
    zeroGrad({ w });
    expect(w.grad).toBeUndefined();
  });

  it("works with tensor(…, { requiresGrad: true }) and leaves other tensors alone", () => {
    const w = tensor([3, 1], undefined, { dtype: "float64", requiresGrad: true });
    const c = f64([1, 2]);
    w.mul(c).sum().backward();
    expect(w.grad!.toArray()).toEqual([1, 2]);
    expect(c.grad).toBeUndefined();
  });

  it("adds up the paths of a tensor used twice, and sums broadcast gradients to the parameter's shape", () => {
    const x = param(f64([2]));
    // y = x·x + x: dy/dx = 2x + 1 = 5
    x.mul(x).add(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([5]);
    const b = param(f64([1, 1, 1]));
    f64([
      [1, 2, 3],
      [4, 5, 6],
    ])
      .add(b)
      .sum()
      .backward();
    expect(b.grad!.toArray()).toEqual([2, 2, 2]);
  });

  it("takes an explicit output gradient for non-scalar outputs", () => {
    const x = param(f64([1, 2]));
    x.square().backward(f64([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 40]);
  });

  it("agrees with the functional grad on a small network", () => {
    const [k1, k2, k3] = random.split(random.key(5), 3);
    const V = random.normal(k1!, [4, 3], { dtype: "float64" });
    const w = random.normal(k2!, [4], { dtype: "float64" });
    const x = random.normal(k3!, [3], { dtype: "float64" });
    const loss = (V: Tensor, w: Tensor) => w.dot(matmul(V, x).tanh()).sub(1).square();
    const [gV, gw] = grad(loss, [0, 1])(V, w);
    const pV = param(V);
    const pw = param(w);
    loss(pV, pw).backward();
    assertClose(pV.grad!, gV, { rtol: 1e-12, atol: 1e-12 });
    assertClose(pw.grad!, gw, { rtol: 1e-12, atol: 1e-12 });
  });

  it("records nothing under noGrad", () => {
    const w = param(f64([1]));
    const y = noGrad(() => w.mul(2));
    expect(() => y.backward()).toThrow(GrafoError);
    expect(() => y.backward()).toThrow(
      "backward: this tensor does not depend on any tensor with requiresGrad: true",
    );
  });

  it("refuses a non-scalar output without a gradient, and a gradient of the wrong shape", () => {
    const w = param(f64([1, 2]));
    expect(() => w.mul(2).backward()).toThrow(ArgumentError);
    expect(() => w.mul(2).backward()).toThrow(/output has shape \[2\]; pass a gradient of that shape/);
    expect(() => w.mul(2).backward(f64([1]))).toThrow(
      /gradient shape \[1\] does not match output shape \[2\]/,
    );
  });
});
