import { describe, expect, it } from "vitest";
import { cnnModel } from "../../examples/digits/mnist-cnn.js";
import { run as mlp } from "../../examples/digits/mnist-mlp.js";
import { data, makeTrainStep, nn, optim } from "../../src/index.js";

describe("MNIST", () => {
  it("the MLP example learns from 1 000 digits in two epochs (well above the 10 % of chance)", async () => {
    const r = await mlp({ train: 1000, test: 300, epochs: 2, verbose: 0 });
    expect(r.accuracy).toBeGreaterThan(0.7);
    expect(r.history.get("loss")[1]!).toBeLessThan(r.history.get("loss")[0]!);
  });

  it("the CNN example's steps lower the loss on a batch", async () => {
    const { xTrain, yTrain } = await data.mnist({ train: 16, test: 0, shape: "image" });
    const model = cnnModel(1);
    expect(model.summary([1, 28, 28])).toContain("[N, 32, 5, 5]");
    const opt = optim.adam({ lr: 2e-3 });
    const step = makeTrainStep(model, nn.crossEntropy, opt);
    let params = model.parameters();
    let state = opt.init(params);
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [loss, p, s] = step(params, state, xTrain, yTrain);
      losses.push(loss.item());
      [params, state] = [p, s];
    }
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.7);
  });
});
