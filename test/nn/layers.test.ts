import { describe, expect, it } from "vitest";
import { ArgumentError, mean, nn, random, ShapeError, tensor, variance } from "../../src/index.js";
import { expectClose } from "./close.js";

describe("layers", () => {
  it("conv2d layer equals the conv2d op with its weights; pools and flatten compose", () => {
    const conv = nn.conv2d(1, 2, 2, { key: random.key(3) });
    conv.setParameters({
      weight: tensor([
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
        [
          [
            [0, 1],
            [1, 0],
          ],
        ],
      ]),
      bias: tensor([0, 10]),
    });
    const x = tensor([
      [
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      ],
    ]);
    expect(conv.call(x).toArray()).toEqual([
      [
        [
          [6, 8],
          [12, 14],
        ],
        [
          [16, 18],
          [22, 24],
        ],
      ],
    ]);
    expect(nn.maxPool2d(2, { stride: 1 }).call(x).toArray()).toEqual([
      [
        [
          [5, 6],
          [8, 9],
        ],
      ],
    ]);
    expect(nn.avgPool2d(2, { stride: 1 }).call(x).toArray()).toEqual([
      [
        [
          [3, 4],
          [6, 7],
        ],
      ],
    ]);
    expect(nn.flatten().call(x).shape).toEqual([1, 9]);
    expect(() => conv.call(tensor([[1, 2]]))).toThrow(ShapeError);
  });

  it("dropout: identity in eval mode; in train mode zeroes ≈ rate and rescales, same key ⇒ same mask", () => {
    const d = nn.dropout(0.25);
    const x = tensor(new Float32Array(4000).fill(1), [40, 100]);
    expect(d.eval().call(x)).toBe(x);
    d.train();
    const a = d.apply({}, x, { key: random.key(7) });
    const b = d.apply({}, x, { key: random.key(7) });
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    const kept = Array.from(a.data()).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(kept.length / 4000).toBeGreaterThan(0.72);
    expect(kept.length / 4000).toBeLessThan(0.78);
    expect(() => nn.dropout(1)).toThrow(ArgumentError);
  });

  it("batchNorm: batch statistics and running-stat updates in train mode, running stats in eval", () => {
    const bn = nn.batchNorm(2, { momentum: 0.5 });
    const x = tensor([
      [1, 10],
      [3, 30],
    ]);
    const y = bn.call(x);
    // (x − mean)/√(var + eps) with var = 1 and 100.
    expectClose(
      y,
      [
        [-1 / Math.sqrt(1 + 1e-5), -10 / Math.sqrt(100 + 1e-5)],
        [1 / Math.sqrt(1 + 1e-5), 10 / Math.sqrt(100 + 1e-5)],
      ],
      { rtol: 1e-5 },
    );
    // running = 0.5·old + 0.5·batch; the unbiased variance is 2 and 200.
    expectClose(bn.buffers().runningMean as never, [1, 10]);
    expectClose(bn.buffers().runningVar as never, [1.5, 100.5]);
    bn.eval();
    expectClose(bn.call(tensor([[1, 10]])), [[0, 0]], { atol: 1e-6 });
    expect(bn.stateDict()).toHaveProperty("runningVar");
    // NCHW: per channel over N, H, W.
    const bn4 = nn.batchNorm(3);
    const img = random.normal(random.key(1), [4, 3, 5, 5], { mean: 2, stddev: 3 });
    const out = bn4.call(img);
    expectClose(mean(out, [0, 2, 3]), [0, 0, 0], { atol: 1e-5 });
    expectClose(variance(out, [0, 2, 3]), [1, 1, 1], { rtol: 1e-3 });
  });

  it("layerNorm normalizes each sample over its last axis", () => {
    const ln = nn.layerNorm(4);
    const out = ln.call(
      tensor([
        [1, 2, 3, 4],
        [10, 0, 10, 0],
      ]),
    );
    expectClose(mean(out, -1), [0, 0], { atol: 1e-6 });
    expectClose(variance(out, -1), [1, 1], { rtol: 1e-4 });
  });

  it("embedding looks up rows and rejects ids out of range", () => {
    const e = nn.embedding(3, 2);
    e.setParameters({
      weight: tensor([
        [0, 1],
        [2, 3],
        [4, 5],
      ]),
    });
    expect(e.call(tensor([2, 0], undefined, { dtype: "int32" })).toArray()).toEqual([
      [4, 5],
      [0, 1],
    ]);
    expect(() => e.call(tensor([3], undefined, { dtype: "int32" }))).toThrow(/ids must be in \[0, 3\)/);
  });

  it("activation layers compute their functions", () => {
    const z = tensor([-2, 0, 3]);
    expect(nn.step().call(z).toArray()).toEqual([0, 1, 1]);
    expect(nn.relu().call(z).toArray()).toEqual([0, 0, 3]);
    expectClose(nn.sigmoid().call(z), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-3))]);
    expectClose(nn.tanh().call(z), [Math.tanh(-2), 0, Math.tanh(3)]);
    expectClose(nn.leakyRelu(0.1).call(z), [-0.2, 0, 3]);
    expectClose(nn.elu().call(z), [Math.exp(-2) - 1, 0, 3]);
    expectClose(nn.gelu().call(tensor([0, 3])), [0, 3 * 0.9986501019683699], { rtol: 1e-5 });
    expectClose(nn.softmax().call(tensor([[0, Math.log(3)]])), [[0.25, 0.75]]);
  });

  it("polynomialFeatures: [1, x, x², x³] in 1-D and the cross terms in 2-D", () => {
    expect(
      nn
        .polynomialFeatures(3)
        .call(tensor([2, -1]))
        .toArray(),
    ).toEqual([
      [1, 2, 4, 8],
      [1, -1, 1, -1],
    ]);
    const p2 = nn.polynomialFeatures(2);
    expect(p2.call(tensor([[2, 3]])).toArray()).toEqual([[1, 2, 3, 4, 6, 9]]);
    expect(p2.outputSize(2)).toBe(6);
    expect(
      nn
        .polynomialFeatures(2, { bias: false })
        .call(tensor([[2, 3]]))
        .toArray(),
    ).toEqual([[2, 3, 4, 6, 9]]);
  });
});

describe("initializers", () => {
  const k = random.key(11);
  it("same key ⇒ same values; the variance-scaling limits hold", () => {
    const a = nn.init.glorotUniform()(k, [200, 300]);
    expect(Array.from(a.data())).toEqual(Array.from(nn.init.xavierUniform()(k, [200, 300]).data()));
    const limit = Math.sqrt(6 / 500);
    const d = Array.from(a.data());
    expect(Math.max(...d)).toBeLessThanOrEqual(limit);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(-limit);
    expect(Math.max(...d)).toBeGreaterThan(0.95 * limit);
    const he = nn.init.heNormal()(k, [400, 100]);
    expect(Math.sqrt(variance(he).item())).toBeCloseTo(Math.sqrt(2 / 100), 2);
    const lecun = nn.init.lecunNormal()(k, [64, 8, 3, 3]);
    expect(Math.sqrt(variance(lecun).item())).toBeCloseTo(Math.sqrt(1 / 72), 2);
    expect(nn.init.fans([64, 8, 3, 3])).toEqual({ fanIn: 72, fanOut: 576 });
    expect(Array.from(nn.init.zeros()(k, [3]).data())).toEqual([0, 0, 0]);
    expect(Array.from(nn.init.ones()(k, [2]).data())).toEqual([1, 1]);
    expect(Math.abs(mean(nn.init.normal(0.1)(k, [10000])).item())).toBeLessThan(0.005);
    expect(() => nn.linear(2, 2, { weightInit: "nope" as never })).toThrow(/unknown initializer "nope"/);
  });
});
