import { describe, expect, test } from "vitest";
import {
  argmax,
  cumsum,
  expm1,
  log1p,
  logSoftmax,
  maximum,
  minimum,
  nn,
  random,
  sigmoid,
  softmax,
  type Tensor,
  where,
} from "../../src/index.js";
import { exportOnnx } from "../../src/io/onnx/export.js";
import { maxDiff, runOrt } from "./onnx-runtime.js";

const key = random.key(7);
const normal = (shape: number[], k = 0) => random.normal(random.split(key, k + 1)[k]!, shape);

describe("exportOnnx runs in onnxruntime-web", () => {
  test("an MLP, at batch sizes other than the example's", async () => {
    const model = nn.mlp([4, 16, 8, 3], { activation: "tanh", key });
    const bytes = await exportOnnx(model, normal([2, 4]));
    for (const n of [1, 5]) {
      const x = normal([n, 4], n);
      const [y] = await runOrt(bytes, [x]);
      expect(maxDiff(y!, model.eval().call(x))).toBeLessThan(1e-5);
    }
  });
});

describe("exportOnnx: more models", () => {
  test("an MNIST-style CNN with batchNorm and dropout (eval mode), at two batch sizes", async () => {
    const model = nn.sequential(
      nn.conv2d(1, 4, 3, { padding: 1, key }),
      nn.batchNorm(4),
      nn.relu(),
      nn.maxPool2d(2),
      nn.conv2d(4, 6, 3, { key: random.split(key, 3)[1]! }),
      nn.relu(),
      nn.avgPool2d(2, { padding: 1 }),
      nn.dropout(0.5),
      nn.flatten(),
      nn.linear(6 * 2 * 2, 10, { key: random.split(key, 3)[2]! }),
    );
    // Running statistics away from their initial 0/1, so the exported batchNorm is really checked.
    model.train().call(normal([8, 1, 10, 10], 3));
    model.eval();
    const bytes = await exportOnnx(model, normal([2, 1, 10, 10]));
    for (const n of [1, 3]) {
      const x = normal([n, 1, 10, 10], 10 + n);
      const [y] = await runOrt(bytes, [x]);
      expect(maxDiff(y!, model.call(x))).toBeLessThan(1e-5);
    }
  });

  test("a traced function of elementwise and reduction ops, two inputs and several outputs", async () => {
    const f = (a: Tensor, b: Tensor): Tensor[] => [
      a.exp().mul(b).sum(1),
      maximum(a, b).sub(minimum(a, b).mul(0.5)).max(-1),
      softmax(a.div(b.abs().add(1)), -1),
      logSoftmax(a, 0),
      where(a.greater(b), a.sqrt().neg(), b.tanh()).mean(0),
      sigmoid(a).pow(2).add(log1p(b.abs())).sub(expm1(a.mul(0.1))),
      cumsum(a.mul(b), 1),
      argmax(a, 1),
      a.transpose().matmul(b).reshape([-1]).slice([2], [5]),
    ];
    const a = normal([3, 4], 1).abs();
    const b = normal([3, 4], 2);
    const bytes = await exportOnnx(f, [a, b], undefined, { dynamicBatch: false });
    const got = await runOrt(bytes, [a, b]);
    const want = f(a, b);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => {
      expect(got[i]!.dtype).toBe(w.dtype);
      expect(maxDiff(got[i]!, w)).toBeLessThan(1e-5);
    });
  });
});
