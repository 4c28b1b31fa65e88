import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  checkGrad,
  grad,
  nn,
  random,
  ShapeError,
  type Tensor,
  tensor,
} from "../../src/index.js";
import { flat } from "../support/allclose.js";

const values = (t: Tensor | nn.ParamTree | undefined): number[] => Array.from(flat(t as Tensor));

describe("Module: parameters as a tree", () => {
  const model = () =>
    nn.sequential(
      nn.linear(2, 3, { key: random.key(0) }),
      nn.relu(),
      nn.linear(3, 1, { key: random.key(1) }),
    );

  it("names parameters PyTorch-style and leaves parameterless layers out", () => {
    const m = model();
    expect(m.namedParameters().map(([k, t]) => [k, t.shape])).toEqual([
      ["0.weight", [3, 2]],
      ["0.bias", [3]],
      ["2.weight", [1, 3]],
      ["2.bias", [1]],
    ]);
    expect(Object.keys(m.parameters())).toEqual(["0", "2"]);
    expect(m.numParameters()).toBe(13);
    expect(m.namedParameters().every(([, t]) => t.requiresGrad)).toBe(true);
  });

  it("apply(params, x) is differentiable and matches finite differences", () => {
    const m = model();
    const x = tensor([
      [0.5, -1],
      [2, 0.25],
    ]);
    const y = tensor([[1], [-1]]);
    const g = grad((p: nn.ParamTree) => nn.mse(m.apply(p, x), y))(m.parameters());
    expect((g["0"] as nn.ParamTree).weight!.shape).toEqual([3, 2]);
    // The same gradient through a flat function of the four tensors, checked numerically.
    const f = (w0: Tensor, b0: Tensor, w1: Tensor, b1: Tensor) =>
      nn.mse(m.apply({ "0": { weight: w0, bias: b0 }, "2": { weight: w1, bias: b1 } }, x), y);
    const ps = m.namedParameters().map(([, t]) => t);
    expect(checkGrad(f, ps)).toBeLessThan(1e-6);
  });

  it("call(x) equals apply with the module's own parameters; linear is x·Wᵀ + b", () => {
    const lin = nn.linear(2, 2);
    lin.setParameters({
      weight: tensor([
        [1, 2],
        [3, 4],
      ]),
      bias: tensor([10, 20]),
    });
    expect(lin.call(tensor([[1, 1]])).toArray()).toEqual([[13, 27]]);
    expect(lin.apply(lin.parameters(), tensor([[1, 0]])).toArray()).toEqual([[11, 23]]);
  });

  it("stateDict round-trips and loadStateDict names missing, unexpected and mis-shaped keys", () => {
    const a = model();
    const b = nn.sequential(
      nn.linear(2, 3, { key: random.key(5) }),
      nn.relu(),
      nn.linear(3, 1, { key: random.key(6) }),
    );
    b.loadStateDict(a.stateDict());
    expect(values(b.call(tensor([[1, 2]])))).toEqual(values(a.call(tensor([[1, 2]]))));
    const sd = a.stateDict();
    const { "2.bias": _, ...missing } = sd;
    expect(() => b.loadStateDict(missing)).toThrow(/missing keys: 2\.bias/);
    expect(() => b.loadStateDict({ ...sd, extra: tensor([1]) })).toThrow(/unexpected keys: extra/);
    expect(() => b.loadStateDict({ ...sd, "0.weight": tensor([[1, 2]]) })).toThrow(ShapeError);
    expect(() => b.loadStateDict({ ...sd, "0.weight": tensor([[1, 2]]) })).toThrow(
      /0\.weight.*\[1,2\].*\[3,2\]/,
    );
    b.loadStateDict(missing, { strict: false });
  });

  it("init(key) gives the same weights for the same key", () => {
    const a = nn.mlp([3, 4, 2], { key: random.key(42) });
    const b = nn.mlp([3, 4, 2], { key: random.key(42) });
    const c = nn.mlp([3, 4, 2], { key: random.key(43) });
    expect(values(a.stateDict()["0.weight"])).toEqual(values(b.stateDict()["0.weight"]));
    expect(values(a.stateDict()["0.weight"])).not.toEqual(values(c.stateDict()["0.weight"]));
    c.init(random.key(42));
    expect(values(c.stateDict()["2.weight"])).toEqual(values(a.stateDict()["2.weight"]));
  });

  it("train()/eval() set the mode of every child", () => {
    const m = nn.sequential(nn.linear(2, 2), nn.dropout(0.5));
    expect(
      m
        .eval()
        .namedModules()
        .every(([, c]) => !c.training),
    ).toBe(true);
    expect(
      m
        .train()
        .namedModules()
        .every(([, c]) => c.training),
    ).toBe(true);
  });

  it("prints a summary with output shapes and parameter counts", () => {
    const m = nn.sequential(
      nn.conv2d(1, 4, 3, { key: random.key(0) }),
      nn.relu(),
      nn.maxPool2d(2),
      nn.flatten(),
      nn.linear(4 * 3 * 3, 10),
    );
    const s = m.summary([1, 8, 8]);
    expect(s).toContain("[N, 4, 6, 6]");
    expect(s).toContain("[N, 4, 3, 3]");
    expect(s).toContain("[N, 36]");
    expect(s).toContain("[N, 10]");
    expect(s).toContain("Total parameters: 410");
    expect(m.toString()).toContain("(0): Conv2d(1→4, kernel=3×3)");
  });

  it("mlp builds any depth, including no hidden layer (slide L7)", () => {
    expect(nn.mlp([3, 1]).layers.map((l) => l.typeName)).toEqual(["Linear"]);
    expect(nn.mlp([3, 4, 1]).layers.map((l) => l.typeName)).toEqual(["Linear", "ReLU", "Linear"]);
    expect(
      nn
        .mlp([3, 4, 4, 1], { activation: "sigmoid", outputActivation: "sigmoid" })
        .layers.map((l) => l.typeName),
    ).toEqual(["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear", "Sigmoid"]);
    expect(() => nn.mlp([3])).toThrow(ArgumentError);
  });

  it("a wrong input width is a clear ShapeError naming the layer", () => {
    expect(() => nn.mlp([3, 4, 1]).call(tensor([[1, 2]]))).toThrow(
      /0: Linear\(in=3\) got input of shape \[1,2\]/,
    );
  });
});
