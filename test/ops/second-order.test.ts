/**
 * Second derivatives in closed form for the ops where libraries have got them
 * wrong (TF.js once returned a wrong grad of grad of exp). The generic suite
 * already compares every smooth op's Hessian-vector products with finite
 * differences; these pin the exact analytic values, in float64 and float32,
 * by reverse over reverse, forward over reverse and `hessian`.
 */
import { describe, expect, it } from "vitest";
import {
  exp,
  gelu,
  grad,
  hessian,
  jvp,
  log,
  logSumExp,
  sigmoid,
  softmax,
  softplus,
  type Tensor,
  tanh,
  tensor,
} from "../../src/index.js";
import { assertClose } from "../support/allclose.js";

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const pdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);

/** f and its second derivative, in closed form. */
const CASES: { name: string; f: (x: Tensor) => Tensor; d2: (x: number) => number; at: number[] }[] = [
  { name: "exp", f: exp, d2: Math.exp, at: [-2, 0, 1.5] },
  { name: "log", f: log, d2: (x) => -1 / (x * x), at: [0.5, 1, 3] },
  { name: "tanh", f: tanh, d2: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), at: [-1, 0.3, 2] },
  { name: "sigmoid", f: sigmoid, d2: (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)), at: [-1, 0.3, 2] },
  { name: "softplus", f: softplus, d2: (x) => sig(x) * (1 - sig(x)), at: [-3, 0, 2.5] },
  // d²/dx² [x·Φ(x)] = 2φ(x) − x²φ(x)
  { name: "gelu", f: (x) => gelu(x), d2: (x) => (2 - x * x) * pdf(x), at: [-1.5, 0, 0.7] },
];

describe("second derivatives of elementwise ops, in closed form", () => {
  for (const { name, f, d2, at } of CASES) {
    it(`${name}'' by grad of grad, jvp of grad and hessian (float64)`, () => {
      for (const a of at) {
        const x = tensor(a, [], { dtype: "float64" });
        const want = d2(a);
        expect(grad(grad(f))(x).item(), `${name}''(${a})`).toBeCloseTo(want, 12);
        expect(jvp(grad(f), [x], [tensor(1, [], { dtype: "float64" })])[1].item()).toBeCloseTo(want, 12);
        // and elementwise on a vector, where the Hessian of Σ f is diagonal
        const v = tensor([a, a / 2], [2], { dtype: "float64" });
        const H = hessian((t: Tensor) => f(t).sum())(v);
        assertClose(H, [d2(a), 0, 0, d2(a / 2)], { rtol: 1e-11, atol: 1e-12 }, `${name} hessian`);
      }
    });

    it(`${name}'' in float32`, () => {
      for (const a of at) {
        const got = grad(grad(f))(tensor(a)).item();
        expect(Math.abs(got - d2(a))).toBeLessThan(1e-5 * Math.max(1, Math.abs(d2(a))));
      }
    });
  }

  it("exp: every order of derivative is exp (the TF.js failure)", () => {
    const x = tensor(0.7, [], { dtype: "float64" });
    let d = (t: Tensor): Tensor => exp(t);
    for (let order = 1; order <= 4; order++) {
      d = grad(d);
      expect(d(x).item(), `order ${order}`).toBeCloseTo(Math.exp(0.7), 12);
    }
  });
});

describe("second derivatives of the softmax family, in closed form", () => {
  const xs = [0.2, -1, 0.5];
  const x = tensor(xs, [3], { dtype: "float64" });
  const z = xs.map(Math.exp).reduce((s, v) => s + v, 0);
  const p = xs.map((v) => Math.exp(v) / z);
  const delta = (i: number, j: number) => (i === j ? 1 : 0);

  it("logSumExp: Hessian = diag(p) − ppᵀ", () => {
    const H = hessian((t: Tensor) => logSumExp(t))(x);
    const want = [0, 1, 2].flatMap((j) => [0, 1, 2].map((k) => delta(j, k) * p[j]! - p[j]! * p[k]!));
    assertClose(H, want, { rtol: 1e-12, atol: 1e-14 });
  });

  it("softmax: Hessian of sᵢ is sᵢ[(δᵢⱼ − sⱼ)(δᵢₖ − sₖ) − sⱼ(δⱼₖ − sₖ)]", () => {
    for (const i of [0, 2]) {
      const H = hessian((t: Tensor) => softmax(t).index(i))(x);
      const want = [0, 1, 2].flatMap((j) =>
        [0, 1, 2].map(
          (k) => p[i]! * ((delta(i, j) - p[j]!) * (delta(i, k) - p[k]!) - p[j]! * (delta(j, k) - p[k]!)),
        ),
      );
      assertClose(H, want, { rtol: 1e-12, atol: 1e-14 }, `softmax[${i}]`);
    }
  });
});
