/**
 * The lecture's derivative slides (shared/lecture/README.md), item by item:
 * L13 dual numbers, L14 local gradients of the building blocks, L15 the chain
 * rule, L16 the one-hidden-layer gradients in closed form, L17 backprop's [6, 12].
 */
import { describe, expect, it } from "vitest";
import {
  grad,
  jvp,
  matmul,
  maximum,
  outer,
  param,
  random,
  sigmoid,
  type Tensor,
  tensor,
  valueAndGrad,
  vjp,
} from "../../src/index.js";
import { assertClose } from "../support/allclose.js";

const f64 = (v: number | number[] | number[][]) => tensor(v, undefined, { dtype: "float64" });
const num = (t: Tensor) => t.item();

describe("L13: functions as graphs, perturbed by ε (jvp)", () => {
  const a = f64(3);
  const b = f64(4);
  const one = f64(1);
  const zero = f64(0);
  const add = (x: Tensor, y: Tensor) => x.add(y);
  const mul = (x: Tensor, y: Tensor) => x.mul(y);

  it("(a+ε)+b = c + 1ε", () => {
    const [c, dc] = jvp(add, [a, b], [one, zero]);
    expect([num(c), num(dc)]).toEqual([7, 1]);
  });
  it("a+(b+ε) = c + 1ε", () => {
    const [c, dc] = jvp(add, [a, b], [zero, one]);
    expect([num(c), num(dc)]).toEqual([7, 1]);
  });
  it("(a+ε)b = c + bε", () => {
    const [c, dc] = jvp(mul, [a, b], [one, zero]);
    expect([num(c), num(dc)]).toEqual([12, 4]);
  });
  it("a(b+ε) = c + aε", () => {
    const [c, dc] = jvp(mul, [a, b], [zero, one]);
    expect([num(c), num(dc)]).toEqual([12, 3]);
  });
});

describe("L14: local gradients of the building blocks", () => {
  const both = (f: (x: Tensor, y: Tensor) => Tensor, x: number, y: number) =>
    (grad(f, [0, 1])(f64(x), f64(y)) as Tensor[]).map(num);

  it("a + b → (1, 1)", () => expect(both((x, y) => x.add(y), 3, 4)).toEqual([1, 1]));
  it("a − b → (1, −1)", () => expect(both((x, y) => x.sub(y), 3, 4)).toEqual([1, -1]));
  it("a · b → (b, a)", () => expect(both((x, y) => x.mul(y), 3, 4)).toEqual([4, 3]));
  it("max(a, b) → (1[a > b], 1[a < b])", () => {
    expect(both(maximum, 5, 2)).toEqual([1, 0]);
    expect(both(maximum, 2, 5)).toEqual([0, 1]);
  });
  it("σ(a) → σ(a)(1 − σ(a))", () => {
    for (const a of [-3, 0, 0.5, 4]) {
      const s = 1 / (1 + Math.exp(-a));
      expect(num(grad(sigmoid)(f64(a)))).toBeCloseTo(s * (1 - s), 14);
    }
  });
});

describe("L15: composition", () => {
  it("b = a², c = b²: ∂c/∂a = (2b)(2a) = 4a³", () => {
    for (const a of [-2, 0.5, 1, 3]) {
      expect(num(grad((x: Tensor) => x.square().square())(f64(a)))).toBeCloseTo(4 * a ** 3, 12);
      // the chain rule step by step: ∂c/∂b at b = a², times ∂b/∂a
      const b = a * a;
      const dcdb = num(grad((y: Tensor) => y.square())(f64(b)));
      const dbda = num(grad((x: Tensor) => x.square())(f64(a)));
      expect(dcdb * dbda).toBeCloseTo(4 * a ** 3, 12);
    }
  });
});

describe("L16: a simple net, one hidden layer", () => {
  // Loss = (w·σ(Vφ(x)) − y)², h = σ(Vφ(x)):
  //   ∇_w Loss = 2·residual·h,  ∇_V Loss = 2·residual·(w∘h∘(1−h)) φ(x)ᵀ
  const [k1, k2, k3] = random.split(random.key(16), 3);
  const V = random.normal(k1!, [3, 2], { dtype: "float64" });
  const w = random.normal(k2!, [3], { dtype: "float64" });
  const phi = random.normal(k3!, [2], { dtype: "float64" });
  const y = f64(0.7);
  const loss = (V: Tensor, w: Tensor) =>
    w
      .dot(sigmoid(matmul(V, phi)))
      .sub(y)
      .square();

  // the closed forms, in plain JS from the same numbers
  const Vv = V.toArray() as number[][];
  const wv = w.toArray() as number[];
  const pv = phi.toArray() as number[];
  const h = Vv.map((row) => 1 / (1 + Math.exp(-(row[0]! * pv[0]! + row[1]! * pv[1]!))));
  const residual = h.reduce((s, hi, i) => s + wv[i]! * hi, 0) - 0.7;
  const gradW = h.map((hi) => 2 * residual * hi);
  const gradV = h.flatMap((hi, i) => pv.map((p) => 2 * residual * wv[i]! * hi * (1 - hi) * p));

  it("autodiff equals the closed forms", () => {
    const [gV, gw] = grad(loss, [0, 1])(V, w);
    assertClose(gw, gradW, { rtol: 1e-12, atol: 1e-14 });
    assertClose(gV, gradV, { rtol: 1e-12, atol: 1e-14 });
  });

  it("and so do the pytree form, backward(), and the closed forms written with grafo ops", () => {
    const g = grad((p: { V: Tensor; w: Tensor }) => loss(p.V, p.w))({ V, w });
    assertClose(g.w, gradW, { rtol: 1e-12, atol: 1e-14 });
    assertClose(g.V, gradV, { rtol: 1e-12, atol: 1e-14 });
    const pV = param(V);
    const pw = param(w);
    loss(pV, pw).backward();
    assertClose(pV.grad!, gradV, { rtol: 1e-12, atol: 1e-14 });
    const hT = sigmoid(matmul(V, phi));
    const r = w.dot(hT).sub(y);
    assertClose(outer(r.mul(2).mul(w.mul(hT).mul(hT.neg().add(1))), phi), gradV, {
      rtol: 1e-12,
      atol: 1e-14,
    });
  });
});

describe("L17: backpropagation on the graph", () => {
  // Loss = (w·φ(x) − y)², w = [3, 1], φ(x) = [1, 2], y = 2: residual 3, ∇_w = 2·3·φ = [6, 12]
  const phi = tensor([1, 2]);
  const loss = (w: Tensor) => w.dot(phi).sub(2).square();
  const w = tensor([3, 1]);

  it("∇_w Loss = [6, 12] by grad, valueAndGrad, vjp and backward", () => {
    expect(grad(loss)(w).toArray()).toEqual([6, 12]);
    const [value, g] = valueAndGrad(loss)(w);
    expect(value.item()).toBe(9);
    expect(g.toArray()).toEqual([6, 12]);
    const [out, back] = vjp(loss, w);
    expect(out.item()).toBe(9);
    expect(back(tensor(1))[0].toArray()).toEqual([6, 12]);
    const p = param(w);
    loss(p).backward();
    expect(p.grad!.toArray()).toEqual([6, 12]);
  });

  it("forward mode gives the same numbers one direction at a time", () => {
    const e = [tensor([1, 0]), tensor([0, 1])];
    expect(e.map((d) => jvp(loss, [w], [d])[1].item())).toEqual([6, 12]);
  });
});
