/**
 * The functional transformations: grad, valueAndGrad, vjp, jvp, jacfwd,
 * jacrev, hessian, and how they nest and meet JS control flow. Analytic
 * values where they are known; float64 finite differences elsewhere.
 */
import { describe, expect, it } from "vitest";
import {
  customGrad,
  exp,
  GrafoError,
  grad,
  hessian,
  jacfwd,
  jacobian,
  jacrev,
  jvp,
  matmul,
  random,
  sin,
  stopGradient,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
  vjp,
} from "../../src/index.js";
import { assertClose } from "../support/allclose.js";
import { numericJacobian } from "../support/fd.js";

const f64 = (v: number | number[] | number[][]) => tensor(v, undefined, { dtype: "float64" });
const close = (a: Tensor | ArrayLike<number> | number, b: Tensor | ArrayLike<number> | number, tol = 1e-9) =>
  assertClose(a, b, { rtol: tol, atol: tol });

describe("grad and valueAndGrad", () => {
  // f(x, y) = Σ x·y², so ∂f/∂x = y² and ∂f/∂y = 2xy
  const f = (x: Tensor, y: Tensor) => x.mul(y.square()).sum();
  const x = f64([1, 2, 3]);
  const y = f64([0.5, -1, 2]);

  it("differentiates argument 0 by default", () => {
    close(grad(f)(x, y), [0.25, 1, 4]);
  });

  it("takes argnums as a number", () => {
    close(grad(f, 1)(x, y), [1, -4, 12]);
  });

  it("takes argnums as a list, returning one gradient per listed argument", () => {
    const [gx, gy] = grad(f, [0, 1])(x, y);
    close(gx, [0.25, 1, 4]);
    close(gy, [1, -4, 12]);
    const [onlyY] = grad(f, [1])(x, y);
    close(onlyY, [1, -4, 12]);
  });

  it("valueAndGrad gives f(x) beside the gradient", () => {
    const [value, g] = valueAndGrad(f)(x, y);
    expect(value.item()).toBeCloseTo(0.25 + 2 + 12, 12);
    close(g, [0.25, 1, 4]);
    const [v2, [gx, gy]] = valueAndGrad(f, [0, 1])(x, y);
    expect(v2.item()).toBeCloseTo(14.25, 12);
    close(gx, [0.25, 1, 4]);
    close(gy, [1, -4, 12]);
  });

  it("keeps the input's dtype and accepts JS numbers as scalars", () => {
    expect(grad((t: Tensor) => t.exp().sum())(tensor([1, 2])).dtype).toBe("float32");
    expect(grad((t: Tensor) => t.exp().sum())(f64([1, 2])).dtype).toBe("float64");
    expect(grad((t: Tensor) => t.mul(t).mul(t))(2 as unknown as Tensor).item()).toBe(12);
  });

  it("differentiates the ops themselves: grad(tanh), jvp(exp), vjp(sin) type as tensors", () => {
    // the ops take TensorLike; these calls once failed to type-check ("instantiation excessively deep")
    const d: Tensor = grad(tanh)(f64(0.5));
    expect(d.item()).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 14);
    const [e, de]: [Tensor, Tensor] = jvp(exp, [f64(1)], [f64(2)]);
    expect([e.item(), de.item()]).toEqual([Math.E, 2 * Math.E]);
    const [, back] = vjp(sin, f64(0));
    const [ct]: Tensor[] = back(f64(3));
    expect(ct!.item()).toBe(3);
  });

  it("gives zero for inputs the output does not depend on", () => {
    const [, gz] = grad((a: Tensor, _b: Tensor) => a.sum(), [0, 1])(f64([1]), f64([2, 3]));
    close(gz, [0, 0]);
  });
});

describe("pytrees", () => {
  it("grad(loss)({V, w}) returns {V, w}", () => {
    const params = {
      V: f64([
        [1, 2],
        [3, 4],
      ]),
      w: f64([0.5, -0.5]),
    };
    const phi = f64([1, -1]);
    // loss = Σ w ⊙ (V φ): ∂/∂w = Vφ, ∂/∂V = w φᵀ
    const loss = (p: { V: Tensor; w: Tensor }) => p.w.mul(matmul(p.V, phi)).sum();
    const g = grad(loss)(params);
    expect(Object.keys(g).sort()).toEqual(["V", "w"]);
    close(g.w, [-1, -1]);
    close(g.V, [0.5, -0.5, -0.5, 0.5]);
  });

  it("nests arrays and objects, and carries non-tensor leaves along", () => {
    const tree = { layers: [{ W: f64([2]) }, { W: f64([3]) }], scale: 10 };
    const loss = (p: typeof tree) =>
      p.layers
        .map((l) => l.W.square())
        .reduce((a, b) => a.add(b))
        .mul(p.scale)
        .sum();
    const g = grad(loss)(tree);
    close(g.layers[0]!.W, [40]);
    close(g.layers[1]!.W, [60]);
    expect(g.scale).toBe(10);
  });

  it("jvp and vjp take and give trees too", () => {
    const f = (p: { a: Tensor; b: Tensor }) => ({ sum: p.a.add(p.b), prod: p.a.mul(p.b) });
    const primal = { a: f64([2]), b: f64([3]) };
    const [out, t] = jvp(f, [primal], [{ a: f64([1]), b: f64([0]) }]);
    close(out.prod, [6]);
    close(t.sum, [1]);
    close(t.prod, [3]);
    const [, back] = vjp(f, primal);
    const [ct] = back({ sum: f64([1]), prod: f64([1]) });
    close(ct.a, [4]);
    close(ct.b, [3]);
  });
});

describe("vjp and jvp", () => {
  const f = (x: Tensor, y: Tensor) => x.sin().mul(y);
  const x = f64([0.1, 0.7]);
  const y = f64([2, -1]);

  it("vjp returns the value and one cotangent per primal", () => {
    const [out, back] = vjp(f, x, y);
    close(out, [2 * Math.sin(0.1), -Math.sin(0.7)]);
    const [cx, cy] = back(f64([1, 10]));
    close(cx, [2 * Math.cos(0.1), -10 * Math.cos(0.7)]);
    close(cy, [Math.sin(0.1), 10 * Math.sin(0.7)]);
  });

  it("jvp pushes tangents of all arguments forward together", () => {
    const [out, t] = jvp(f, [x, y], [f64([1, 0]), f64([0, 1])]);
    close(out, [2 * Math.sin(0.1), -Math.sin(0.7)]);
    close(t, [2 * Math.cos(0.1), Math.sin(0.7)]);
  });
});

describe("Jacobians and Hessians", () => {
  // f: R³ → R², nonlinear in every input
  const f = (x: Tensor) => {
    const s = x.sum();
    return x.index("0:2").mul(x.index("1:3").exp()).add(s.square());
  };
  const x = f64([0.3, -0.2, 0.5]);

  it("jacfwd and jacrev agree with each other and with finite differences", () => {
    const jf = jacfwd(f)(x);
    const jr = jacrev(f)(x);
    expect(jf.shape).toEqual([2, 3]);
    expect(jr.shape).toEqual([2, 3]);
    close(jf, jr, 1e-12);
    // finite-difference columns are ∂f/∂x_k; the Jacobian's rows are outputs
    const columns = numericJacobian(([t]) => f(t!), [x]);
    const fd = [0, 1].flatMap((i) => columns.map((c) => c[i]!));
    close(jr, fd, 1e-7);
    close(jacobian(f)(x), jr, 0);
  });

  it("take argnum, and keep input and output shapes", () => {
    const g = (a: Tensor, b: Tensor) => matmul(a, b);
    const a = f64([[1, 2]]);
    const b = f64([[3], [4]]);
    expect(jacrev(g, 1)(a, b).shape).toEqual([1, 1, 2, 1]);
    close(jacrev(g, 1)(a, b), [1, 2]);
    close(jacfwd(g, 1)(a, b), [1, 2]);
  });

  it("the Hessian of the quadratic form xᵀAx is A + Aᵀ", () => {
    const [k1, k2] = random.split(random.key(11));
    const A = random.normal(k1!, [4, 4], { dtype: "float64" });
    const x0 = random.normal(k2!, [4], { dtype: "float64" });
    const H = hessian((v: Tensor) => matmul(v, matmul(A, v)))(x0);
    expect(H.shape).toEqual([4, 4]);
    close(H, A.add(A.T), 1e-12);
  });

  it("the Hessian of Σ log(1 + xᵢ²) is diagonal with 2(1 − x²)/(1 + x²)²", () => {
    const v = f64([0.5, -2, 0.1]);
    const H = hessian((t: Tensor) => t.square().add(1).log().sum())(v);
    const d = [0.5, -2, 0.1].map((a) => (2 * (1 - a * a)) / (1 + a * a) ** 2);
    close(H, [d[0]!, 0, 0, 0, d[1]!, 0, 0, 0, d[2]!], 1e-12);
  });
});

describe("higher order", () => {
  const cube = (x: Tensor) => x.mul(x).mul(x);

  it("grad of grad of x³ is 6x, and one more is 6", () => {
    for (const a of [-1.5, 0, 2]) {
      const x = f64(a);
      expect(grad(cube)(x).item()).toBeCloseTo(3 * a * a, 12);
      expect(grad(grad(cube))(x).item()).toBeCloseTo(6 * a, 12);
      expect(grad(grad(grad(cube)))(x).item()).toBeCloseTo(6, 12);
      expect(grad(grad(grad(grad(cube))))(x).item()).toBe(0);
    }
  });

  it("jvp of grad is the Hessian-vector product (forward over reverse)", () => {
    const f = (x: Tensor) => cube(x).sum();
    const x = f64([1, -2, 3]);
    const v = f64([1, 0.5, -1]);
    const [g, hv] = jvp(grad(f), [x], [v]);
    close(g, [3, 12, 27]);
    close(hv, [6 * 1 * 1, 6 * -2 * 0.5, 6 * 3 * -1]);
  });

  it("grad of jvp is the same product (reverse over forward)", () => {
    const f = (x: Tensor) => cube(x).sum();
    const v = f64([1, 0.5, -1]);
    close(grad((x: Tensor) => jvp(f, [x], [v])[1])(f64([1, -2, 3])), [6, -6, -18]);
  });

  it("keeps nested derivatives apart (no perturbation confusion)", () => {
    // d/dx [x · d/dy (x·y)] = d/dx [x · x] = 2x; a confused implementation gives x or 3x
    const inner = (x: Tensor) => grad((y: Tensor) => x.mul(y))(f64(3));
    expect(grad((x: Tensor) => x.mul(inner(x)))(f64(2)).item()).toBe(4);
    const innerFwd = (x: Tensor) => jvp((y: Tensor) => x.mul(y), [f64(3)], [f64(1)])[1];
    expect(jvp((x: Tensor) => x.mul(innerFwd(x)), [f64(2)], [f64(1)])[1].item()).toBe(4);
  });
});

describe("define-by-run control flow", () => {
  it("an if on a value inside grad takes the branch of that value", () => {
    const f = (x: Tensor) => (x.item() > 0 ? x.mul(x) : x.neg());
    expect(grad(f)(f64(3)).item()).toBe(6);
    expect(grad(f)(f64(-3)).item()).toBe(-1);
  });

  it("a data-dependent loop is differentiated along the path it took", () => {
    // multiply by x until the value exceeds 10: x = 2 runs 4 times, so f = x⁴ and f' = 4x³
    const f = (x: Tensor) => {
      let y = x;
      while (y.item() <= 10) y = y.mul(x);
      return y;
    };
    expect(f(f64(2)).item()).toBe(16);
    expect(grad(f)(f64(2)).item()).toBe(32);
    expect(grad(f)(f64(4)).item()).toBe(8);
  });

  it("values can be read inside jvp and nested grad too", () => {
    const relu = (x: Tensor) => (x.item() > 0 ? x : x.mul(0));
    expect(jvp(relu, [f64(2)], [f64(1)])[1].item()).toBe(1);
    expect(grad(grad((x: Tensor) => relu(x).square()))(f64(2)).item()).toBe(2);
  });
});

describe("customGrad", () => {
  // x² whose gradient is replaced by 100·dy (e.g. a straight-through or clipping trick)
  const odd = customGrad((x: Tensor) => ({ value: x.square(), gradFunc: (dy: Tensor) => [dy.mul(100)] }));

  it("computes the value normally and uses gradFunc in reverse mode", () => {
    close(odd(f64([3])), [9]);
    close(grad((x: Tensor) => odd(x).sum())(f64([1, 2])), [100, 100]);
    // composed with ordinary ops: the chain rule runs through gradFunc
    close(grad((x: Tensor) => odd(x.mul(2)).sum())(f64([1])), [200]);
  });

  it("takes several inputs", () => {
    const f = customGrad((a: Tensor, b: Tensor) => ({
      value: a.mul(b),
      gradFunc: (dy: Tensor) => [dy.mul(b), dy.mul(a).mul(0)],
    }));
    const [ga, gb] = grad((a: Tensor, b: Tensor) => f(a, b).sum(), [0, 1])(f64([2]), f64([5]));
    close(ga, [5]);
    close(gb, [0]);
  });

  it("refuses forward mode and checks gradFunc's output", () => {
    expect(() => jvp(odd, [f64([1])], [f64([1])])).toThrow(GrafoError);
    expect(() => jvp(odd, [f64([1])], [f64([1])])).toThrow(/reverse mode .* only/);
    const bad = customGrad((x: Tensor) => ({ value: x, gradFunc: (dy: Tensor) => [dy, dy] }));
    expect(() => grad((x: Tensor) => bad(x).sum())(f64([1]))).toThrow(
      "customGrad: gradFunc returned 2 gradients for 1 inputs",
    );
  });
});

describe("stopGradient", () => {
  it("passes values and blocks derivatives, in every mode", () => {
    // f(x) = x · stop(x): the value is x², the derivative treats the second x as a constant
    const f = (x: Tensor) => x.mul(stopGradient(x)).sum();
    close(f(f64([3])), [9]);
    close(grad(f)(f64([3])), [3]);
    expect(jvp(f, [f64([3])], [f64([1])])[1].item()).toBe(3);
    expect(grad(grad(f))(f64([3])).item()).toBe(0);
    close(grad((x: Tensor) => stopGradient(x.exp()).sum())(f64([1, 2])), [0, 0]);
  });
});
