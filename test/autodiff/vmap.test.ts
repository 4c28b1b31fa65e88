/**
 * vmap: pytrees and axes, its errors, and how it composes with grad, jvp,
 * hessian, trace, compile and itself. Every result is compared with the loop
 * over examples it replaces (each op's batching rule is checked on its own in
 * the op table, test/ops/generic.test.ts).
 */
import { describe, expect, it } from "vitest";
import { flatten } from "../../src/autodiff/tree.js";
import {
  ArgumentError,
  compile,
  gather,
  grad,
  hessian,
  jvp,
  mapTree,
  matmul,
  nn,
  random,
  ShapeError,
  stack,
  type Tensor,
  tensor,
  trace,
  vmap,
} from "../../src/index.js";
import { assertClose } from "../support/allclose.js";

const f64 = (v: number[] | number[][] | number[][][]) => tensor(v, undefined, { dtype: "float64" });
const close = (a: Tensor, b: Tensor, tol = 1e-12) => {
  expect(a.shape).toEqual(b.shape);
  assertClose(a, b, { rtol: tol, atol: tol });
};
const normal = (seed: number, shape: number[]) =>
  random.normal(random.key(seed), shape, { dtype: "float64" });
/** The examples of `x` along `axis`, as a list. */
const examples = (x: Tensor, axis = 0) =>
  Array.from({ length: x.shape[axis]! }, (_, i) => x.index(...new Array(axis).fill(":"), i));

describe("vmap: axes and pytrees", () => {
  const f = (v: Tensor) => v.sin().mul(v.sum());
  const x = normal(1, [4, 3]);

  it("maps axis 0 by default, as a loop over examples stacked", () => {
    close(vmap(f)(x), stack(examples(x).map((v) => f(v))));
  });

  it("maps any input axis (negative counts from the end) to any output axis", () => {
    const loop = stack(examples(x).map((v) => f(v)));
    close(vmap(f, 1)(x.T), loop);
    close(vmap(f, -1)(x.T), loop);
    close(vmap(f, 0, 1)(x), loop.T);
    close(vmap(f, 0, -1)(x), loop.T);
  });

  it("shares arguments whose inAxes is null between all examples", () => {
    const w = normal(2, [3]);
    const g = (v: Tensor, u: Tensor) => v.mul(u).sum().tanh();
    close(vmap(g, [0, null])(x, w), stack(examples(x).map((v) => g(v, w))));
  });

  it("takes and returns pytrees, with axes given per leaf or per subtree", () => {
    const params = { w: normal(3, [3, 2]), b: normal(4, [5, 2]) };
    const xs = normal(5, [3, 5]);
    const g = (p: { w: Tensor; b: Tensor }, v: Tensor) => {
      const y = matmul(v, p.w).add(p.b);
      return { y, norms: [y.square().sum()] };
    };
    const out = vmap(g, [{ w: null, b: 0 }, 1], { y: 0, norms: [-1] })(params, xs);
    const loop = examples(xs, 1).map((v, i) => g({ w: params.w, b: params.b.index(i) }, v));
    close(out.y, stack(loop.map((o) => o.y)));
    close(out.norms[0]!, stack(loop.map((o) => o.norms[0]!)));
  });

  it("repeats a result that is the same for every example along the batch, or returns it as is for outAxes null", () => {
    const c = f64([1, 2]);
    const [same, shared] = vmap((_v: Tensor) => [c, c], 0, [1, null])(x);
    close(
      same,
      f64([
        [1, 1, 1, 1],
        [2, 2, 2, 2],
      ]),
    );
    expect(shared).toBe(c);
  });

  it("passes values other than tensors through to every example", () => {
    const scaled = vmap((v: Tensor, k: number) => v.mul(k), [0, null])(x, 3);
    close(scaled, x.mul(3));
  });
});

describe("vmap: errors name the arguments and sizes", () => {
  const g = (a: Tensor, b: Tensor) => a.add(b);

  it("mapped axes of different sizes", () => {
    expect(() =>
      vmap(g)(
        f64([1, 2, 3]),
        f64([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(ShapeError);
    expect(() =>
      vmap(g, [0, 1])(
        f64([1, 2, 3]),
        f64([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(/argument 0 axis 0 has size 3, argument 1 axis 1 has size 2/);
    expect(() => vmap((p: { u: Tensor }) => p.u)({ u: f64([1, 2]) })).not.toThrow();
    expect(() =>
      vmap((p: { u: Tensor; v: Tensor }) => p.u.add(p.v))({ u: f64([1, 2]), v: f64([1, 2, 3]) }),
    ).toThrow(/argument 0\.u axis 0 has size 2, argument 0\.v axis 0 has size 3/);
  });

  it("an axis out of range, or a scalar mapped", () => {
    expect(() => vmap(g, [2, 0])(f64([[1, 2]]), f64([1]))).toThrow(
      /inAxes axis 2 for argument 0 is out of range for shape \[1,2\]/,
    );
    expect(() => vmap(g)(tensor(1), f64([1]))).toThrow(/a scalar has no axis to map; use null/);
    expect(() => vmap((a: Tensor) => a, 0, 2)(f64([1, 2]))).toThrow(ArgumentError);
  });

  it("inAxes of the wrong length or structure, or nothing mapped", () => {
    expect(() => vmap(g, [0])(f64([1]), f64([1]))).toThrow(
      /inAxes has 1 entries but the function got 2 arguments/,
    );
    expect(() => vmap((p: { u: Tensor }) => p.u, [{ v: 0 }])({ u: f64([1]) })).toThrow(
      /has keys \{v\}, but the value there has \{u\}/,
    );
    expect(() => vmap(g, null)(f64([1]), f64([1]))).toThrow(/no argument is mapped/);
  });

  it("outAxes null for a result that differs between examples", () => {
    expect(() => vmap((a: Tensor) => a.exp(), 0, null)(f64([1, 2]))).toThrow(/outAxes is null for output/);
  });

  it("per-example shape errors report the example's shapes", () => {
    expect(() =>
      vmap((a: Tensor, b: Tensor) => matmul(a, b))(normal(1, [4, 2, 3]), normal(2, [4, 2, 3])),
    ).toThrow(/matmul: inner dimensions differ: \[2,3\] @ \[2,3\]/);
  });

  it("an index out of range in one example is still reported when indices are batched", () => {
    const x = normal(1, [2, 3]);
    const idx = tensor(
      [
        [0, 2],
        [1, 3],
      ],
      undefined,
      { dtype: "int32" },
    );
    expect(() => vmap((v: Tensor, i: Tensor) => gather(v, i))(x, idx)).toThrow(/out of range/);
    const ok = tensor(
      [
        [0, 2],
        [1, -1],
      ],
      undefined,
      { dtype: "int32" },
    );
    close(
      vmap((v: Tensor, i: Tensor) => gather(v, i))(x, ok),
      stack([gather(x.index(0), ok.index(0)), gather(x.index(1), ok.index(1))]),
    );
  });
});

describe("vmap composes", () => {
  const loss = (w: Tensor, v: Tensor) => v.mul(w).sum().sin().add(w.square().sum());
  const w = normal(7, [3]);
  const xs = normal(8, [5, 3]);

  it("vmap of grad: per-example gradients", () => {
    close(vmap(grad(loss), [null, 0])(w, xs), stack(examples(xs).map((v) => grad(loss)(w, v))));
  });

  it("grad of vmap: the gradient of the batch's total is the sum of the per-example gradients", () => {
    const total = (u: Tensor) => vmap(loss, [null, 0])(u, xs).sum();
    close(grad(total)(w), stack(examples(xs).map((v) => grad(loss)(w, v))).sum(0));
  });

  it("vmap of jvp and jvp of vmap: directional derivatives per example", () => {
    const dir = normal(9, [3]);
    const perExample = stack(examples(xs).map((v) => jvp((u: Tensor) => loss(u, v), [w], [dir])[1]));
    close(vmap((v: Tensor) => jvp((u: Tensor) => loss(u, v), [w], [dir])[1])(xs), perExample);
    close(jvp((u: Tensor) => vmap(loss, [null, 0])(u, xs), [w], [dir])[1], perExample);
  });

  it("vmap of hessian: a Hessian per example", () => {
    const h = (v: Tensor) => hessian((u: Tensor) => loss(u, v))(w);
    close(vmap(h)(xs), stack(examples(xs).map(h)), 1e-10);
  });

  it("vmap of vmap: all pairwise distances", () => {
    const a = normal(10, [4, 2]);
    const b = normal(11, [3, 2]);
    const dist = (u: Tensor, v: Tensor) => u.sub(v).square().sum().sqrt();
    const table = vmap(vmap(dist, [null, 0]), [0, null])(a, b);
    const loop = stack(examples(a).map((u) => stack(examples(b).map((v) => dist(u, v)))));
    close(table, loop);
  });

  it("trace and compile of vmap, and vmap of compile", () => {
    const batched = vmap(loss, [null, 0]);
    const expected = batched(w, xs);
    close(trace(batched, w, xs).run(w, xs), expected);
    close(compile(batched)(w, xs), expected);
    close(vmap(compile(loss), [null, 0])(w, xs), expected);
    close(compile(vmap(grad(loss), [null, 0]))(w, xs), vmap(grad(loss), [null, 0])(w, xs));
  });
});

/** vmap(grad(loss), [null, 0, 0]) against grad(loss) on one example at a time. */
function checkPerExample<P>(loss: (p: P, x: Tensor, y: Tensor) => Tensor, params: P, xs: Tensor, ys: Tensor) {
  const perExample = vmap(grad(loss), [null, 0, 0])(params, xs, ys);
  examples(xs).forEach((x, i) => {
    const one = grad(loss)(params, x, ys.index(i));
    const got = flatten(mapTree(perExample, (t) => t.index(i))).leaves;
    const want = flatten(one).leaves;
    expect(got.length).toBe(want.length);
    expect(got.length).toBeGreaterThan(0);
    got.forEach((t, k) => {
      assertClose(t, want[k]!, { rtol: 1e-5, atol: 1e-6 }, `example ${i}, parameter ${k}`);
    });
  });
}

describe("per-example gradients: vmap(grad(loss), [null, 0, 0])", () => {
  it("of an MLP equal the gradients taken one example at a time", () => {
    const model = nn.mlp([4, 8, 8, 3], { activation: "tanh", key: random.key(3) });
    const params = model.parameters();
    const xs = random.normal(random.key(4), [6, 4]);
    const ys = tensor([0, 2, 1, 1, 0, 2], undefined, { dtype: "int32" });
    const loss = (p: typeof params, x: Tensor, y: Tensor) => nn.crossEntropy(model.apply(p, x), y);
    checkPerExample(loss, params, xs, ys);
  });

  it("of a CNN (conv, pooling, dense) equal the gradients taken one example at a time", () => {
    const model = nn.sequential(
      nn.conv2d(2, 3, 3, { padding: "same" }),
      nn.relu(),
      nn.maxPool2d(2),
      nn.flatten(),
      nn.linear(18, 4),
    );
    model.init(random.key(5));
    const params = model.parameters();
    const xs = random.normal(random.key(6), [4, 2, 4, 6]);
    const ys = tensor([3, 0, 1, 2], undefined, { dtype: "int32" });
    // one example is a batch of one image, as the layers expect
    const loss = (p: typeof params, x: Tensor, y: Tensor) =>
      nn.crossEntropy(model.apply(p, x.expandDims(0)), y.reshape([1]));
    checkPerExample(loss, params, xs, ys);
  });
});
