import { describe, expect, test } from "vitest";
import {
  compile,
  exportOnnx,
  GrafoError,
  grad,
  importOnnx,
  nn,
  OnnxModel,
  optim,
  random,
  Tensor,
} from "../../src/index.js";
import { maxDiff } from "./onnx-runtime.js";

const key = random.key(11);
const normal = (shape: number[], k: number) => random.normal(random.split(key, k + 1)[k]!, shape);

/** A tree's tensors by dotted name (the original model's nested tree, the import's flat one). */
function byName(tree: nn.ParamTree, prefix = ""): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v instanceof Tensor) out.set(name, v);
    else for (const [n, t] of byName(v, name)) out.set(n, t);
  }
  return out;
}

const mlp = () => nn.mlp([5, 12, 7, 3], { activation: "relu", key }).eval();
const cnn = () =>
  nn
    .sequential(
      nn.conv2d(1, 3, 3, { padding: 1, key }),
      nn.relu(),
      nn.maxPool2d(2),
      nn.conv2d(3, 4, 3, { key: random.split(key, 2)[1]! }),
      nn.tanh(),
      nn.flatten(),
      nn.linear(4 * 2 * 2, 5, { key }),
    )
    .eval();

/** batchNorm with running statistics away from 0 and 1: they must come back as fixed constants, not parameters. */
const normed = () => {
  const m = nn.sequential(nn.linear(5, 6, { key }), nn.batchNorm(6), nn.relu(), nn.linear(6, 3, { key }));
  m.train().call(normal([16, 5], 9));
  return m.eval();
};

describe("export → import gives the same model", () => {
  for (const [name, make, shape] of [
    ["MLP", mlp, [4, 5]],
    ["CNN", cnn, [3, 1, 8, 8]],
    ["batchNorm MLP", normed, [4, 5]],
  ] as const) {
    test(`${name}: same outputs eagerly and compiled, at another batch size`, async () => {
      const model = make();
      const imported = importOnnx(await exportOnnx(model, normal([2, ...shape.slice(1)], 0)));
      expect(imported).toBeInstanceOf(OnnxModel);
      const x = normal([...shape], 1);
      const want = model.call(x);
      expect(maxDiff(imported.call(x), want)).toBeLessThan(1e-6);
      const fast = compile((p: nn.ParamTree, v: Tensor) => imported.apply(p, v));
      expect(maxDiff(fast(imported.parameters(), x), want)).toBeLessThan(1e-6);
    });

    test(`${name}: parameters keep their names and shapes; gradients through the import equal the original's`, async () => {
      const model = make();
      const imported = importOnnx(await exportOnnx(model, normal([2, ...shape.slice(1)], 0)));
      const original = byName(model.parameters());
      const mine = byName(imported.parameters());
      expect([...mine.keys()].sort()).toEqual([...original.keys()].sort());
      for (const [k, t] of original) expect(mine.get(k)!.shape).toEqual(t.shape);

      const x = normal([...shape], 2);
      const y = normal([shape[0], model.call(x).shape[1]!], 3);
      const loss = (m: nn.Module) => (p: nn.ParamTree) => m.apply(p, x).sub(y).square().mean();
      const gOriginal = byName(grad(loss(model))(model.parameters()));
      const gImported = byName(grad(loss(imported))(imported.parameters()));
      for (const [k, g] of gOriginal) {
        expect(maxDiff(gImported.get(k)!, g)).toBeLessThan(1e-6);
        expect(g.abs().max().item()).toBeGreaterThan(0);
      }
    });
  }

  test("fine-tuning the import with fit lowers the loss as training the original does", async () => {
    const model = mlp();
    const imported = importOnnx(await exportOnnx(model, normal([2, 5], 0)));
    const x = normal([32, 5], 4);
    const y = normal([32, 3], 5);
    const options = {
      loss: "mse" as const,
      optimizer: optim.sgd({ lr: 0.05 }),
      epochs: 5,
      batchSize: 32,
      verbose: 0 as const,
    };
    const before = imported.call(x).sub(y).square().mean().item();
    const hImported = await imported.train().fit(x, y, { ...options, shuffle: false });
    const hOriginal = await model.train().fit(x, y, { ...options, shuffle: false });
    const after = imported.eval().call(x).sub(y).square().mean().item();
    expect(after).toBeLessThan(before);
    const lossesA = hImported.history.loss!;
    const lossesB = hOriginal.history.loss!;
    expect(lossesA.length).toBe(5);
    lossesA.forEach((l, i) => {
      expect(Math.abs(l - lossesB[i]!)).toBeLessThan(1e-5);
    });
  });

  test("a function with two inputs and several outputs round-trips through runAll", async () => {
    const f = (a: Tensor, b: Tensor): Tensor[] => [
      a.mul(b).sum(1),
      a.exp().add(b).max(0),
      a.matmul(b.transpose()),
    ];
    const a = normal([3, 4], 6);
    const b = normal([3, 4], 7);
    const imported = importOnnx(await exportOnnx(f, [a, b]));
    expect(imported.inputs.map((v) => v.name)).toEqual(["input_0", "input_1"]);
    expect(imported.inputs[0]!.shape).toEqual(["batch", 4]);
    const got = imported.runAll([a, b]);
    f(a, b).forEach((w, i) => {
      expect(maxDiff(got[i]!, w)).toBeLessThan(1e-6);
    });
    expect(() => imported.call(a)).toThrow(GrafoError);
  });
});
