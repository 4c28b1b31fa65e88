import { describe, expect, it } from "vitest";
import { ArgumentError, checkGrad, nn, ShapeError, type Tensor, tensor } from "../../src/index.js";
import { expectClose } from "./close.js";

const p = tensor([0.5, 2, -1]);
const t = tensor([1, 1, -1]);

describe("losses", () => {
  it("mse, mae, huber with each reduction", () => {
    expectClose(nn.mse(p, t), (0.25 + 1 + 0) / 3);
    expectClose(nn.mse(p, t, { reduction: "sum" }), 1.25);
    expectClose(nn.mse(p, t, { reduction: "none" }), [0.25, 1, 0]);
    expectClose(nn.mae(p, t), 1.5 / 3);
    // |e| = 0.5 → ½·0.25; |e| = 1 → ½·1 (at δ = 1 both branches agree); δ = 0.5: 0.5·(1 − 0.25)
    expectClose(nn.huber(p, t, { reduction: "none" }), [0.125, 0.5, 0]);
    expectClose(nn.huber(p, t, { delta: 0.5, reduction: "none" }), [0.125, 0.375, 0]);
    expect(() => nn.mse(tensor([[1], [2]]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => nn.mse(p, t, { reduction: "avg" as never })).toThrow(ArgumentError);
  });

  it("hinge and logistic on ±1 labels (margins 0.5, 2, 1)", () => {
    expectClose(nn.hinge(p, t, { reduction: "none" }), [0.5, 0, 0]);
    expectClose(nn.logistic(p, t, { reduction: "none" }), [
      Math.log1p(Math.exp(-0.5)),
      Math.log1p(Math.exp(-2)),
      Math.log1p(Math.exp(-1)),
    ]);
    expect(() => nn.hinge(p, tensor([1, 0, -1]))).toThrow(/−1 or \+1/);
  });

  it("binaryCrossEntropy: probabilities and logits agree; logits stay finite at ±100", () => {
    const z = tensor([-2, 0.5, 3]);
    const y = tensor([0, 1, 1]);
    const probs = z.sigmoid();
    const expected = [Math.log1p(Math.exp(-2)), Math.log1p(Math.exp(-0.5)), Math.log1p(Math.exp(-3))];
    expectClose(nn.binaryCrossEntropy(probs, y, { reduction: "none" }), expected, { rtol: 1e-5 });
    expectClose(nn.binaryCrossEntropy(z, y, { fromLogits: true, reduction: "none" }), expected, {
      rtol: 1e-5,
    });
    expectClose(
      nn.binaryCrossEntropy(tensor([100, -100]), tensor([0, 1]), { fromLogits: true, reduction: "none" }),
      [100, 100],
    );
    expect(() => nn.binaryCrossEntropy(probs, tensor([0, 2, 1]))).toThrow(/targets must be in \[0, 1\]/);
  });

  it("crossEntropy from logits with class ids or one-hot, stable for huge logits", () => {
    const logits = tensor([
      [1, 2, 3],
      [1000, 0, -1000],
    ]);
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const ids = tensor([2, 0], undefined, { dtype: "int32" });
    expectClose(nn.crossEntropy(logits, ids, { reduction: "none" }), [lse - 3, 0]);
    expectClose(
      nn.crossEntropy(
        logits,
        tensor([
          [0, 0, 1],
          [1, 0, 0],
        ]),
        { reduction: "none" },
      ),
      [lse - 3, 0],
    );
    expectClose(nn.crossEntropy(logits, ids), (lse - 3) / 2);
    expect(() => nn.crossEntropy(logits, tensor([3, 0], undefined, { dtype: "int32" }))).toThrow(
      /label 3 at index 0 is not a class id in \[0, 3\)/,
    );
    expect(() => nn.crossEntropy(logits, tensor([1, 2, 3]))).toThrow(ShapeError);
  });

  it("gradients of every loss match finite differences", () => {
    const y01 = tensor([0.2, 1, 0]);
    const cases: [string, (x: Tensor) => Tensor][] = [
      ["mse", (x) => nn.mse(x, t)],
      ["huber", (x) => nn.huber(x, t, { delta: 0.7 })],
      ["logistic", (x) => nn.logistic(x, t)],
      ["bce logits", (x) => nn.binaryCrossEntropy(x, y01, { fromLogits: true })],
      ["bce probs", (x) => nn.binaryCrossEntropy(x.sigmoid(), y01)],
      ["crossEntropy", (x) => nn.crossEntropy(x.reshape([1, 3]), tensor([1], undefined, { dtype: "int32" }))],
    ];
    for (const [name, f] of cases) expect(checkGrad(f, [tensor([0.3, 1.7, -0.4])]), name).toBeLessThan(1e-6);
  });

  it("getLoss resolves names and rejects unknown ones", () => {
    expect(nn.getLoss("mse")).toBe(nn.mse);
    expect(() => nn.getLoss("l2" as never)).toThrow(/unknown loss "l2"/);
  });
});
