import { describe, expect, it } from "vitest";
import {
  backends,
  compile,
  equal,
  exp,
  greater,
  log,
  logSoftmax,
  matmul,
  maximum,
  random,
  relu,
  sigmoid,
  softmax,
  sub,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
  where,
  withBackend,
} from "../../src/index.js";

const hasNative = backends().some((b) => b.name === "native" && b.available);

/** Fused α·f(x)+β on the native addon agrees with eager evaluation, whatever the arrangement of α and β. */
describe.skipIf(!hasNative)("native fused kernels in compiled plans", () => {
  const x = random.uniform(random.key(3), [64, 100], { minval: 0.2, maxval: 3 });
  const bias = random.normal(random.key(5), [100]);
  const cases: Record<string, (x: Tensor, s: Tensor) => Tensor> = {
    "exp(x)·2 + 1": (x) => exp(x).mul(2).add(1),
    "1 − tanh(x)/4": (x) => tanh(x).div(4).neg().add(1),
    "0.5 − sigmoid(x)": (x) => sigmoid(x).neg().add(0.5),
    "log(x)·s + s (run-time scalar)": (x, s) => log(x).mul(s).add(s),
    "relu(x + bias) (a chain: row broadcast, then relu)": (x) => relu(x.sub(1).add(bias)),
    "2 − tanh(x·s)/3 (a chain with the chain on the right)": (x, s) => sub(2, tanh(x.mul(s)).div(3)),
    "maximum(x, bias) · 0.5": (x) => maximum(x, bias).mul(0.5),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      withBackend("native", () => {
        const s = random.uniform(random.key(4), [], { minval: 1, maxval: 2 });
        const logged: string[] = [];
        const compiled = compile(f, { debug: true, log: (t) => logged.push(t) });
        const got = compiled(x, s).data();
        const want = f(x, s).data();
        expect(got.length).toBe(want.length);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
        // The fused loop really ran on the addon, not on the js or wasm generator.
        expect(logged.join("\n")).toMatch(
          /native: (out = α·(exp|tanh|sigmoid|log)\(x\d\) \+ β|a chain of \d+ in-place calls)/,
        );
      });
    });
  }
});

/** The masks of a backward pass through ReLU and max-pooling: one addon call each, the js kernels' bits. */
describe.skipIf(!hasNative)("native mask kernels in compiled plans", () => {
  const values = random.normal(random.key(6), [64, 50]).data();
  values[3] = Number.NaN;
  values[5] = -0;
  const xs = tensor(values, [64, 50]);
  const y = random.normal(random.key(7), [64, 50]);
  const row = random.normal(random.key(8), [50]);
  // Each mask is an output and read again, so it stays a loop of its own (compare, where, cast).
  const f = (x: Tensor, y: Tensor, row: Tensor) => {
    const m = greater(x, 0);
    const e = equal(x, row);
    return [m, e, where(m, y, 0), where(e, 1.5, y), where(m, row, x), m.cast("float32")];
  };
  it("compare, where on a mask and a mask cast run on the addon and equal the js backend's bits", () => {
    const want = withBackend("js", () => f(xs, y, row).map((t) => Array.from(t.data())));
    withBackend("native", () => {
      const logged: string[] = [];
      const got = compile(f, { debug: true, log: (t) => logged.push(t) })(xs, y, row);
      for (const [k, t] of got.entries()) expect(Array.from(t.data()), `output ${k}`).toEqual(want[k]);
      const calls = logged.join("\n").match(/native: one call/g) ?? [];
      expect(calls.length).toBeGreaterThanOrEqual(5);
    });
  });
});

/** Dense layers and softmax compiled for the native addon: GEMM epilogues and one softmax call, same numbers as eager. */
describe.skipIf(!hasNative)("native plans: fused dense layers and softmax", () => {
  const layer = (seed: number, fanIn: number, fanOut: number) => ({
    w: random.normal(random.key(seed), [fanIn, fanOut], { stddev: Math.sqrt(2 / fanIn) }),
    b: random.normal(random.key(seed + 1), [fanOut], { stddev: 0.1 }),
  });
  const sizes = [64, 48, 40, 10];
  const params = sizes.slice(1).map((n, i) => layer(10 + 2 * i, sizes[i]!, n));
  type P = typeof params;
  const logits = (p: P, x: Tensor) => {
    let h = x;
    p.forEach(({ w, b }, i) => {
      const z = matmul(h, w).add(b);
      h = i < p.length - 1 ? relu(z) : z;
    });
    return h;
  };
  const forward = (p: P, x: Tensor) => softmax(logits(p, x));

  /** The compiled function's plan source and its outputs against eager evaluation on the js backend. */
  function check<A extends unknown[]>(f: (...a: A) => Tensor | Tensor[], args: A, tol: number): string {
    const want = withBackend("js", () => [f(...args)].flat().map((t) => t.data()));
    return withBackend("native", () => {
      const compiled = compile(f);
      const got = [compiled(...args)].flat().map((t) => t.data());
      got.forEach((g, o) => {
        expect(g.length).toBe(want[o]!.length);
        for (let i = 0; i < g.length; i++)
          expect(Math.abs(g[i]! - want[o]![i]!), `output ${o} element ${i}`).toBeLessThanOrEqual(
            tol * Math.max(1, Math.abs(want[o]![i]!)),
          );
      });
      return compiled.plan(...args).source;
    });
  }

  const dense = "· %\\d+ \\+ %\\d+";
  for (const batch of [1, 5, 64, 300])
    it(`an MLP forward pass at batch ${batch}: the dense layers and the softmax in one chain call`, () => {
      const x = random.uniform(random.key(batch), [batch, sizes[0]!]);
      const source = check(forward, [params, x], 1e-5);
      if (batch > 1)
        expect(source).toMatch(
          new RegExp(`native chain of %\\d+ ${dense}, relu ${dense}, relu ${dense}, softmax `),
        );
      else {
        // At batch 1 the last product (800 flops) is too small for a call into the addon:
        // the chain ends before it, and the softmax is a call of its own.
        expect(source).toMatch(new RegExp(`native chain of %\\d+ ${dense}, relu ${dense}, relu \\(`));
        expect(source).toMatch(/native softmax/);
      }
      expect(source).not.toMatch(/native gemm/);
      // Nothing is allocated per call but the result.
      expect(source.match(/new Float32Array/g)?.length).toBe(1);
    });

  it("log-softmax, and a product read transposed (x·Wᵀ)", () => {
    const x = random.uniform(random.key(3), [9, 37]);
    const w = random.normal(random.key(4), [23, 37]);
    const b = random.normal(random.key(5), [23]);
    const f = (x: Tensor, w: Tensor, b: Tensor) => logSoftmax(relu(matmul(x, w.transpose()).add(b)));
    const source = check(f, [x, w, b], 1e-5);
    expect(source).toMatch(/native chain of %\d+ · %\d+ᵀ \+ %\d+, relu, logSoftmax/);
  });

  it("a chain of layers stored [out, in] (x·Wᵀ, as nn.Linear), packed once and shared by the row blocks", () => {
    // 300 rows: more than the addon reads B in place for, so every weight is packed up front.
    const x = random.uniform(random.key(11), [300, 70]);
    const w1 = random.normal(random.key(12), [90, 70], { stddev: 0.2 });
    const w2 = random.normal(random.key(13), [33, 90], { stddev: 0.2 });
    const b2 = random.normal(random.key(14), [33]);
    const f = (x: Tensor, w1: Tensor, w2: Tensor, b2: Tensor) =>
      logSoftmax(matmul(relu(matmul(x, w1.transpose())), w2.transpose()).add(b2));
    const source = check(f, [x, w1, w2, b2], 1e-5);
    expect(source).toMatch(/native chain of %\d+ · %\d+ᵀ, relu · %\d+ᵀ \+ %\d+, logSoftmax/);
  });

  it("a layer too large to pack once still chains (the addon runs it layer by layer, 256 rows at a time)", () => {
    // 600×500 float32 weights are 1.2 MB, over the 1 MiB a chain packs; 300 rows are two passes.
    const x = random.uniform(random.key(15), [300, 600]);
    const w1 = random.normal(random.key(16), [600, 500], { stddev: 0.05 });
    const w2 = random.normal(random.key(17), [500, 20], { stddev: 0.05 });
    const f = (x: Tensor) => softmax(matmul(relu(matmul(x, w1)), w2));
    const source = check(f, [x], 1e-5);
    expect(source).toMatch(/native chain of %\d+ · %\d+, relu · %\d+, softmax/);
  });

  it("a layer reading the last output reshaped into other rows is not chained to it", () => {
    const x = random.uniform(random.key(19), [64, 48]);
    const w1 = random.normal(random.key(20), [48, 40], { stddev: 0.2 });
    const w2 = random.normal(random.key(21), [20, 30], { stddev: 0.2 });
    // [64, 40] seen as [128, 20]: the second product has twice the rows of the first.
    const f = (x: Tensor, w1: Tensor, w2: Tensor) => matmul(relu(matmul(x, w1)).reshape([128, 20]), w2);
    const source = check(f, [x, w1, w2], 1e-5);
    expect(source).not.toMatch(/native chain/);
    expect(source.match(/native gemm/g)?.length).toBe(2);
  });

  it("a hidden layer that is also an output ends the chain there", () => {
    const x = random.uniform(random.key(18), [50, 64]);
    const source = check(
      (p: P, x: Tensor) => {
        const h = relu(matmul(x, p[0]!.w).add(p[0]!.b));
        return [h, softmax(matmul(relu(matmul(h, p[1]!.w).add(p[1]!.b)), p[2]!.w).add(p[2]!.b))];
      },
      [params, x],
      1e-5,
    );
    expect(source).toMatch(/native gemm %\d+ · %\d+ \+ %\d+, relu/);
    expect(source).toMatch(new RegExp(`native chain of %\\d+ ${dense}, relu ${dense}, softmax`));
  });

  it("values a later step needs are not fused away: a training step's gradients match eager", () => {
    const x = random.uniform(random.key(6), [16, 64]);
    const y = random.uniform(random.key(7), [16, 10]);
    const loss = (p: P) => logSoftmax(logits(p, x)).mul(y).sum(-1).mean().neg();
    const step = (p: P): Tensor[] => {
      const [l, g] = valueAndGrad(loss)(p);
      return [l, ...g.flatMap(({ w, b }) => [w, b])];
    };
    check(step, [params], 1e-4);
  });

  it("a pre-activation that is also an output keeps its own value", () => {
    const x = random.uniform(random.key(8), [12, 64]);
    const { w, b } = params[0]!;
    const source = check(
      (x: Tensor) => {
        const z = matmul(x, w).add(b);
        return [z, relu(z)];
      },
      [x],
      1e-6,
    );
    expect(source).not.toMatch(/relu/);
  });
});
