import { describe, expect, test } from "vitest";
import { nn, random, type Tensor } from "../../src/index.js";
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
