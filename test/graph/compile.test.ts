import { describe, expect, it } from "vitest";
import {
  compile,
  concat,
  grad,
  random,
  randomUniform,
  type Tensor,
  tensor,
  trace,
  valueAndGrad,
  withBackend,
} from "../../src/index.js";
import { expectTreeClose } from "./helpers.js";

const k = random.split(random.key(7), 8);
const a = random.normal(k[0]!, [3, 4]);
const b = random.normal(k[1]!, [3, 4]);
const pos = random.uniform(k[2]!, [3, 4], { minval: 0.5, maxval: 2 });
const v4 = random.normal(k[3]!, [4]);
const m45 = random.normal(k[4]!, [4, 5]);
const img = random.normal(k[5]!, [2, 3, 5, 5]);
const kern = random.normal(k[6]!, [4, 3, 3, 3]);
const idx = tensor([2, 0, 1, 2], undefined, { dtype: "int32" });

/** Every op family, each as a small function of the shared inputs. */
const families: Record<string, () => [(...xs: Tensor[]) => unknown, Tensor[]]> = {
  unary: () => [
    (x, p) => [
      x.exp(),
      p.log(),
      x.sin(),
      x.cos(),
      x.tanh(),
      x.sigmoid(),
      p.sqrt(),
      x.abs(),
      x.sign(),
      x.neg(),
    ],
    [a, pos],
  ],
  "unary more": () => [
    (x, p) => [
      x.floor(),
      x.ceil(),
      x.mul(2.5).round(),
      x.erf(),
      x.log1p().isNaN(),
      x.expm1(),
      p.rsqrt(),
      x.tan(),
    ],
    [a, pos],
  ],
  binary: () => [
    (x, y, p) => [
      x.add(y),
      x.sub(y),
      x.mul(y),
      x.div(p),
      p.pow(y),
      x.maximum(y),
      x.minimum(y),
      x.add(3).mul(0.5),
    ],
    [a, b, pos],
  ],
  "compare and where": () => [
    (x, y) => [x.less(y), x.greaterEqual(0), x.equal(x), x.relu(), x.leakyRelu(), x.elu(), x.clip(-0.5, 0.5)],
    [a, b],
  ],
  broadcasting: () => [
    (x, r) => [x.add(r), x.mul(r.reshape([1, 4])), x.sub(x.mean(1, true)), x.div(2)],
    [a, v4],
  ],
  reductions: () => [
    (x) => [
      x.sum(),
      x.sum(0),
      x.sum(1),
      x.max(1),
      x.min(0),
      x.prod(1),
      x.mean(),
      x.logSumExp(1),
      x.variance(0),
    ],
    [a],
  ],
  "reductions over middle axes, arg and scan": () => [
    (t) => [t.sum([1, 2]), t.max(1), t.argmax(1), t.cumsum(2), t.sum(1, true)],
    [img],
  ],
  shape: () => [
    (x) => [
      x.reshape([2, 6]),
      x.T,
      x.slice([1, 1], [2, 2]),
      x.flip(1),
      x.pad([
        [1, 0],
        [0, 2],
      ]),
      x.tile([2, 1]),
    ],
    [a],
  ],
  "concat, gather, split": () => [
    (x, y, i) => [x.split(2, 1), x.gather(i, 1), concat([x, y], 0), x.index("1:", "::2")],
    [a, b, idx],
  ],
  matmul: () => [
    (x, m, r) => [x.matmul(m), x.T.matmul(x), m.T.matmul(x.T).T, x.matmul(r), r.dot(r), r.outer(r)],
    [a, m45, v4],
  ],
  "batched matmul": () => [(t) => [t.matmul(t.transpose([0, 1, 3, 2]))], [img]],
  nn: () => [
    (x, t, w) => [
      x.softmax(),
      x.logSoftmax(0),
      t.conv2d(w, { padding: "same" }),
      t.maxPool2d({ kernelSize: 2 }),
      t.avgPool2d({ kernelSize: 2 }),
    ],
    [a, img, kern],
  ],
  "int and bool": () => [
    (x) => {
      const i = x.mul(10).cast("int32");
      return [
        i.add(3),
        i.mul(i),
        i.sum(1),
        i.greater(0).logicalNot(),
        i.div(3),
        i.cast("bool").logicalAnd(x.less(1)),
      ];
    },
    [a],
  ],
  float64: () => [
    (x) => [
      x
        .cast("float64")
        .exp()
        .mul(1 / 3)
        .sum(1),
    ],
    [a],
  ],
};

describe("compile(f) equals eager f", () => {
  for (const [name, make] of Object.entries(families)) {
    it(name, () => {
      const [f, xs] = make();
      expectTreeClose(compile(f)(...xs), f(...xs), 1e-5, 1e-6);
    });
  }

  it("on the js backend, compiled results are bit-for-bit the eager ones", () => {
    withBackend("js", () => {
      for (const make of Object.values(families)) {
        const [f, xs] = make();
        expectTreeClose(compile(f)(...xs), f(...xs), 0, 0);
      }
    });
  });

  it("large float32 chains (run on the wasm SIMD code generator when wasm is the backend)", () => {
    const big = random.normal(random.key(9), [5000]);
    const f = (x: Tensor) => [x.exp().mul(2).add(1), x.relu().sub(x.sigmoid()), x.tanh().maximum(0.1)];
    for (const backend of ["js", "wasm"] as const) {
      withBackend(backend, () => {
        const c = compile(f);
        expectTreeClose(c(big), f(big), 1e-5, 1e-6);
        if (backend === "wasm") expect(c.plan(big).kernelSources.join("\n")).toContain("wasm SIMD");
      });
    }
  });

  it("large float32 chains with row and column broadcasts (bias add + ReLU, x − rowmax) on the wasm generator", () => {
    const x = random.normal(random.key(10), [80, 96]);
    const bias = random.normal(random.key(11), [96]);
    const f = (x: Tensor, b: Tensor) => [x.add(b).relu(), x.sub(x.max(1, true)).exp()];
    withBackend("wasm", () => {
      const c = compile(f);
      expectTreeClose(c(x, bias), f(x, bias), 1e-5, 1e-6);
      expect(c.plan(x, bias).kernelSources.join("\n")).toContain("wasm SIMD");
    });
  });

  it("random draws from key data are inputs, not constants: a new key gives new numbers", () => {
    const f = (k: Tensor, x: Tensor) => x.mul(randomUniform(k, [64], { stream: 2 }).less(0.5));
    const c = compile(f);
    const x = random.normal(random.key(12), [64]);
    const [k1, k2] = [random.keyData(random.key(1)), random.keyData(random.key(2))];
    expectTreeClose(c(k1, x), f(k1, x), 0, 0);
    expectTreeClose(c(k2, x), f(k2, x), 0, 0);
    expect(Array.from(c(k1, x).data())).not.toEqual(Array.from(c(k2, x).data()));
    expect(c.cacheSize).toBe(1);
  });

  it("with shared subexpressions and unused branches", () => {
    const f = (x: Tensor) => {
      const e = x.exp();
      x.log().sum(); // unused
      const s = e.sum(1, true);
      return [e.div(s), e.div(s).sum(), s];
    };
    const c = compile(f);
    expectTreeClose(c(a), f(a));
    expect(c.plan(a).graph.toString()).not.toContain("log");
  });
});

describe("compile: caching and retracing", () => {
  it("keeps one plan per input signature and retraces on new shapes, dtypes or structure", () => {
    let traces = 0;
    const c = compile((x: Tensor, opts: { scale: Tensor }) => {
      traces++;
      return x.mul(opts.scale).sum(0);
    });
    const s = { scale: tensor(2) };
    expectTreeClose(c(a, s), a.mul(2).sum(0));
    c(b, s);
    expect([traces, c.cacheSize]).toEqual([1, 1]);
    expectTreeClose(c(img.reshape([30, 5]), s), img.reshape([30, 5]).mul(2).sum(0));
    expect([traces, c.cacheSize]).toEqual([2, 2]);
    c(a.cast("float64"), s);
    expect(c.cacheSize).toBe(3);
  });

  it("returns fresh results: a later call never changes an earlier result", () => {
    const c = compile((x: Tensor) => [x.exp().mul(2), x.neg().T]);
    const first = c(a) as Tensor[];
    const copy = first.map((t) => Array.from(t.data()));
    c(b);
    expect(first.map((t) => Array.from(t.data()))).toEqual(copy);
  });

  it("takes numbers as scalar inputs (one plan for every learning rate)", () => {
    const c = compile((x: Tensor, lr: Tensor) => x.mul(lr));
    expect(Array.from((c(tensor([1, 2]), 0.5 as unknown as Tensor) as Tensor).data())).toEqual([0.5, 1]);
    expect(Array.from((c(tensor([1, 2]), 3 as unknown as Tensor) as Tensor).data())).toEqual([3, 6]);
    expect(c.cacheSize).toBe(1);
  });

  it("can be differentiated and traced: inside grad it runs the optimized graph op by op", () => {
    const f = (x: Tensor) => x.sin().mul(x).sum();
    const c = compile(f);
    expectTreeClose(grad(c)(a), grad(f)(a));
    expectTreeClose(trace(c, a).run(a), f(a));
  });

  it("debug mode prints the graph, the generated kernels and the plan", () => {
    const out: string[] = [];
    const c = compile((x: Tensor) => x.exp().mul(2).add(1), { debug: true, log: (s) => out.push(s) });
    c(a);
    c(b);
    expect(out.length).toBe(1);
    expect(out[0]).toContain("function kernel(x0, out, O, I)");
    expect(out[0]).toContain("Math.exp");
    expect(out[0]).toContain("function plan(x0)");
  });
});

describe("compile: a whole training step", () => {
  type P = { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor };
  const x = tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = tensor([[0], [1], [1], [0]]);
  const loss = (p: P, xs: Tensor, ys: Tensor) =>
    xs.matmul(p.W1).add(p.b1).sigmoid().matmul(p.W2).add(p.b2).sub(ys).square().mean();
  const step = (p: P, xs: Tensor, ys: Tensor): [Tensor, P] => {
    const [l, g] = valueAndGrad(loss)(p, xs, ys);
    const update = (name: keyof P) => p[name].sub(g[name].mul(0.5));
    return [l, { W1: update("W1"), b1: update("b1"), W2: update("W2"), b2: update("b2") }];
  };

  it("compiles valueAndGrad + SGD on XOR, and trains like eager", () => {
    const init: P = {
      W1: random.normal(random.key(3), [2, 8]),
      b1: tensor(new Float32Array(8)),
      W2: random.normal(random.key(4), [8, 1]),
      b2: tensor([0]),
    };
    const c = compile(step);
    let pe = init;
    let pc = init;
    let le: Tensor | undefined;
    let lc: Tensor | undefined;
    for (let i = 0; i < 50; i++) {
      [le, pe] = step(pe, x, y);
      [lc, pc] = c(pc, x, y);
    }
    expectTreeClose(pc, pe, 1e-4, 1e-5);
    expectTreeClose(lc, le, 1e-4, 1e-6);
    expect(lc!.item()).toBeLessThan(loss(init, x, y).item());
    expect(c.cacheSize).toBe(1);
    const stats = c.plan(init, x, y).stats;
    expect(stats.bytesAfter).toBeLessThan(stats.bytesBefore);
  });
});
