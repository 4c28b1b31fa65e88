import { describe, expect, it } from "vitest";
import {
  avgPool2d,
  backends,
  type Conv2dOptions,
  compile,
  conv2d,
  flip,
  grad,
  maxPool2d,
  type Pool2dOptions,
  random,
  relu,
  slice,
  type Tensor,
  transpose,
  withBackend,
} from "../../src/index.js";

const hasNative = backends().some((b) => b.name === "native" && b.available);

/** Every value of `got` within float32 rounding of `want` (GEMM sums in another order; gradients sum longer). */
function expectClose(got: Tensor, want: Tensor, what: string, tolerance = 1e-5): void {
  expect(got.shape, what).toEqual(want.shape);
  const g = got.data();
  const w = want.data();
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!) / (1 + Math.abs(w[i]!)));
  expect(worst, what).toBeLessThan(tolerance);
}

interface Case {
  x: number[];
  w: number[];
  conv: Omit<Conv2dOptions, "bias">;
  pool: Pool2dOptions;
}

/** Strides, dilation, padding, odd sizes, one channel, batch 1. */
const CASES: Case[] = [
  { x: [64, 1, 28, 28], w: [16, 1, 3, 3], conv: {}, pool: { kernelSize: 2 } },
  {
    x: [1, 3, 11, 9],
    w: [5, 3, 3, 3],
    conv: { padding: "same" },
    pool: { kernelSize: 3, stride: 2, padding: 1 },
  },
  { x: [2, 4, 13, 17], w: [6, 4, 3, 2], conv: { stride: 2, dilation: [1, 2] }, pool: { kernelSize: [2, 3] } },
  {
    x: [3, 2, 20, 20],
    w: [8, 2, 5, 5],
    conv: { padding: 2, stride: [1, 2] },
    pool: { kernelSize: 2, padding: "same" },
  },
];

describe.skipIf(!hasNative)("conv2d, bias, ReLU and pooling on the native backend", () => {
  for (const [i, { x: xs, w: ws, conv, pool }] of CASES.entries()) {
    const x = random.normal(random.key(10 + i), xs);
    const w = random.normal(random.key(20 + i), ws).mul(0.3);
    const b = random.normal(random.key(30 + i), [ws[0]!]);
    const net = (w: Tensor, b: Tensor, x: Tensor) => {
      const h = relu(conv2d(x, w, { ...conv, bias: b }));
      return maxPool2d(h, pool).add(avgPool2d(h, pool).mul(0.5));
    };
    const loss = (w: Tensor, b: Tensor, x: Tensor) => net(w, b, x).square().sum();
    it(`x ${xs}, w ${ws}, ${JSON.stringify(conv)}, pool ${JSON.stringify(pool)}: eager and compiled match js`, () => {
      const want = withBackend("js", () => net(w, b, x));
      withBackend("native", () => {
        expectClose(net(w, b, x), want, "eager");
        expectClose(compile(net)(w, b, x), want, "compiled");
      });
    });
    it(`x ${xs}, w ${ws}: gradients of weights, bias and input match js`, () => {
      const g = grad(loss, [0, 1, 2]);
      const want = withBackend("js", () => g(w, b, x));
      withBackend("native", () => {
        for (const [k, got] of [g(w, b, x), compile(g)(w, b, x)].entries())
          for (const j of [0, 1, 2])
            expectClose(got[j]!, want[j]!, `${k ? "compiled" : "eager"} grad ${j}`, 1e-4);
      });
    });
  }

  it("a compiled conv block: one gemm with the conv's weights shared, its bias per row and ReLU; windows and pooling into the plan's buffers; eager's numbers to the bit", () => {
    const x = random.normal(random.key(1), [8, 3, 14, 12]);
    const w = random.normal(random.key(2), [6, 3, 3, 3]).mul(0.3);
    const b = random.normal(random.key(3), [6]);
    const block = (w: Tensor, b: Tensor, x: Tensor) =>
      maxPool2d(relu(conv2d(x, w, { bias: b, padding: 1 })), { kernelSize: 2 });
    withBackend("native", () => {
      const logged: string[] = [];
      const got = compile(block, { debug: true, log: (t) => logged.push(t) })(w, b, x);
      const plan = logged.join("\n");
      expect(plan).toMatch(/native gemm %\d+ \(every item\) · %\d+ \+ %\d+ per row, relu/);
      expect(plan).toContain("native im2col of");
      expect(plan).toMatch(/native max of %\d+ over its middle axes/);
      // Nothing is copied out (no broadcast weights or bias) and nothing is allocated but the result.
      expect(plan).not.toContain("copy of a strided view");
      expect(plan).not.toContain("on its backend kernel");
      expect(Array.from(got.data())).toEqual(Array.from(block(w, b, x).data()));
    });
  });

  it("a conv bias broadcast that the gemm cannot take (another value's rows) still gives eager's numbers", () => {
    const x = random.normal(random.key(4), [4, 2, 9, 9]);
    const w = random.normal(random.key(5), [5, 2, 3, 3]);
    const b = random.normal(random.key(6), [5]);
    // The product is also an output, so the bias and ReLU stay a loop of their own.
    const f = (w: Tensor, b: Tensor, x: Tensor) => {
      const y = conv2d(x, w);
      return [y, relu(y.add(b.reshape([1, 5, 1, 1])))];
    };
    withBackend("native", () => {
      const got = compile(f)(w, b, x);
      const want = f(w, b, x);
      for (const k of [0, 1]) expect(Array.from(got[k]!.data())).toEqual(Array.from(want[k]!.data()));
    });
  });

  it("compiled plans copy transposed, flipped, sliced and broadcast views as js does", () => {
    const x = random.normal(random.key(1), [6, 7, 40, 9]);
    const f = (x: Tensor) => [
      transpose(x, [3, 1, 0, 2]).mul(2),
      flip(x, [1, 3]).add(1),
      slice(x, [1, 2, 3, 1], [5, 5, 36, 7]).exp(),
      x.sum(2, true).mul(x.max(0, true)).tanh(),
    ];
    const want = withBackend("js", () => f(x));
    withBackend("native", () => {
      const got = compile(f)(x);
      for (const [k, t] of got.entries()) expectClose(t, want[k]!, `output ${k}`);
    });
  });
});
