import { describe, expect, it } from "vitest";
import {
  backends,
  compile,
  exp,
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
  valueAndGrad,
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

  for (const batch of [1, 5, 64])
    it(`an MLP forward pass at batch ${batch}: each layer one GEMM with its bias and ReLU, softmax one call`, () => {
      const x = random.uniform(random.key(batch), [batch, sizes[0]!]);
      const source = check(forward, [params, x], 1e-5);
      expect(source.match(/native gemm .* \+ %\d+, relu/g)?.length).toBe(2);
      // At batch 1 the last product (800 flops) is too small for a call into the addon.
      if (batch > 1) expect(source).toMatch(/native gemm .* \+ %\d+\n/);
      expect(source).toMatch(/native softmax/);
      // Nothing is allocated per call but the result.
      expect(source.match(/new Float32Array/g)?.length).toBe(1);
    });

  it("log-softmax, and a product read transposed (x·Wᵀ)", () => {
    const x = random.uniform(random.key(3), [9, 37]);
    const w = random.normal(random.key(4), [23, 37]);
    const b = random.normal(random.key(5), [23]);
    const f = (x: Tensor, w: Tensor, b: Tensor) => logSoftmax(relu(matmul(x, w.transpose()).add(b)));
    const source = check(f, [x, w, b], 1e-5);
    expect(source).toMatch(/native gemm %\d+ · %\d+ᵀ \+ %\d+, relu/);
    expect(source).toMatch(/native log-softmax/);
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
