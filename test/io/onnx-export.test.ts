import pkg from "onnx-proto";
import { describe, expect, test } from "vitest";
import {
  argmax,
  broadcastTo,
  concat,
  cumsum,
  expm1,
  importOnnx,
  log1p,
  logSoftmax,
  maximum,
  minimum,
  nn,
  random,
  sigmoid,
  softmax,
  type Tensor,
  tensor,
  trace,
  where,
} from "../../src/index.js";
import { exportOnnx } from "../../src/io/onnx/export.js";
import { maxDiff, runOrt } from "./onnx-runtime.js";

const { onnx } = pkg;

const key = random.key(7);
const normal = (shape: number[], k = 0) => random.normal(random.split(key, k + 1)[k]!, shape);

describe("exportOnnx runs in onnxruntime-web", () => {
  test("an MLP, at batch sizes other than the example's", async () => {
    const model = nn.mlp([4, 16, 8, 3], { activation: "tanh", key });
    const bytes = await exportOnnx(model, normal([2, 4]));
    // Linear layers are written as PyTorch writes them: Gemm of the [out, in] weight, transB = 1.
    const graph = onnx.ModelProto.decode(bytes).graph!;
    expect(graph.node!.map((n) => n.opType)).toEqual(["Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Identity"]);
    expect(graph.initializer!.map((t) => `${t.name}:${t.dims}`).sort()).toEqual([
      "0.bias:16",
      "0.weight:16,4",
      "2.bias:8",
      "2.weight:8,16",
      "4.bias:3",
      "4.weight:3,8",
    ]);
    for (const n of [1, 5]) {
      const x = normal([n, 4], n);
      const [y] = await runOrt(bytes, [x]);
      expect(maxDiff(y!, model.eval().call(x))).toBeLessThan(1e-5);
    }
  });
});

describe("exportOnnx: shapes computed from the batch size at run time", () => {
  test("a broadcast to a batch-sized shape becomes Expand of a shape read with Shape, and runs at any batch", async () => {
    const c = normal([1, 2], 20);
    const f = (x: Tensor) =>
      concat([x, broadcastTo(c, [x.shape[0]!, 2])], 1)
        .reshape([-1, 3, 2])
        .sum(2);
    const bytes = await exportOnnx(f, normal([2, 4], 21));
    const ops = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
    expect(ops).toContain("Expand");
    expect(ops).toContain("Shape");
    for (const n of [1, 4]) {
      const x = normal([n, 4], 30 + n);
      const [y] = await runOrt(bytes, [x]);
      expect(maxDiff(y!, f(x))).toBeLessThan(1e-5);
      expect(maxDiff(importOnnx(bytes).call(x), f(x))).toBeLessThan(1e-6);
    }
  });

  test("the CNN's windows are written as Conv, MaxPool and AveragePool, with symbolic batch dimensions", async () => {
    const model = nn.sequential(
      nn.conv2d(2, 3, 3, { key }),
      nn.maxPool2d(2),
      nn.avgPool2d(2, { padding: 1 }),
      nn.flatten(),
    );
    const m = onnx.ModelProto.decode(await exportOnnx(model, normal([2, 2, 9, 9], 22)));
    const ops = m.graph!.node!.map((n) => n.opType ?? "");
    expect(ops.filter((o) => ["Conv", "MaxPool", "AveragePool"].includes(o))).toEqual([
      "Conv",
      "MaxPool",
      "AveragePool",
    ]);
    expect(ops).not.toContain("Expand");
    type Info = NonNullable<Parameters<typeof onnx.ValueInfoProto.create>[0]>;
    const dims = (v: Info) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(m.graph!.input![0]!)).toEqual(["batch", 2, 9, 9]);
    expect(dims(m.graph!.output![0]!)).toEqual(["batch", 12]);
    expect(
      m
        .graph!.initializer!.filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT)
        .map((t) => t.name ?? "")
        .sort(),
    ).toEqual(["0.bias", "0.weight"]);
    expect(Number(String(m.opsetImport![0]!.version))).toBeGreaterThanOrEqual(17);
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
      sigmoid(a)
        .pow(2)
        .add(log1p(b.abs()))
        .sub(expm1(a.mul(0.1))),
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

describe("exportOnnx: graphs and integer inputs", () => {
  test("a traced Graph, before and after optimize(), exports with its fixed shapes", async () => {
    const f = (x: Tensor) => x.mul(2).exp().sum(1).add(1);
    const x = normal([3, 5], 40);
    const g = trace(f, x);
    for (const graph of [g, g.optimize()]) {
      const bytes = await exportOnnx(graph, [x]);
      const [y] = await runOrt(bytes, [x]);
      expect(maxDiff(y!, f(x))).toBeLessThan(1e-5);
      expect(importOnnx(bytes).inputs[0]!.shape).toEqual([3, 5]);
    }
  });

  test("a linear layer without bias is a two-input Gemm; a matmul of 3-D inputs stays MatMul", async () => {
    const model = nn.linear(4, 3, { bias: false, key });
    const bytes = await exportOnnx(model, normal([2, 4], 50));
    const node = onnx.ModelProto.decode(bytes).graph!.node![0]!;
    expect([node.opType, node.input!.length]).toEqual(["Gemm", 2]);
    const x = normal([5, 4], 51);
    const [y] = await runOrt(bytes, [x]);
    expect(maxDiff(y!, model.call(x))).toBeLessThan(1e-5);

    const w = normal([4, 3], 52);
    const f = (a: Tensor) => a.matmul(w.transpose().transpose());
    const ops = onnx.ModelProto.decode(await exportOnnx(f, normal([2, 5, 4], 53))).graph!.node!.map(
      (n) => n.opType,
    );
    expect(ops).toContain("MatMul");
    expect(ops).not.toContain("Gemm");
  });

  test("an embedding takes int32 ids (Gather) at any batch size", async () => {
    const model = nn.sequential(nn.embedding(10, 4, { key }), nn.flatten(), nn.linear(12, 2, { key }));
    const ids = tensor([[1, 9, 0]], undefined, { dtype: "int32" });
    const bytes = await exportOnnx(model, ids);
    const batch = tensor(
      [
        [3, 3, 7],
        [0, 1, 2],
      ],
      undefined,
      { dtype: "int32" },
    );
    const [y] = await runOrt(bytes, [batch]);
    expect(maxDiff(y!, model.eval().call(batch))).toBeLessThan(1e-5);
    expect(maxDiff(importOnnx(bytes).call(batch), model.call(batch))).toBeLessThan(1e-6);
  });
});
