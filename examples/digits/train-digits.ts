/**
 * The training run both MNIST examples share: the package's digits split
 * 8 000 / 2 000 (by default), Adam with a cosine-decayed learning rate,
 * cross-entropy on logits, held-out accuracy and wall time reported.
 */
import { data, type nn, optim } from "../../src/index.js";

export interface DigitsOptions {
  train?: number;
  test?: number;
  epochs?: number;
  batchSize?: number;
  verbose?: 0 | 1 | 2;
  seed?: number;
}

export async function trainDigits(
  model: nn.Module,
  inputShape: readonly number[],
  options: DigitsOptions & { epochs: number },
) {
  const { train = 8000, test = 2000, epochs, batchSize = 64, verbose = 1, seed = 0 } = options;
  const { xTrain, yTrain, xTest, yTest } = await data.mnist({
    train,
    test,
    seed,
    shape: inputShape.length === 1 ? "flat" : "image",
  });
  if (verbose) console.log(model.summary(inputShape));
  const started = performance.now();
  const history = await model.fit(xTrain, yTrain, {
    loss: "crossEntropy",
    optimizer: optim.adam({
      lr: optim.cosineDecay({ lr: 2e-3, decaySteps: epochs * Math.ceil(train / batchSize) }),
    }),
    epochs,
    batchSize,
    metrics: ["accuracy"],
    validationData: [xTest, yTest],
    verbose,
    seed,
  });
  const seconds = (performance.now() - started) / 1000;
  const accuracy = history.last("valAccuracy")!;
  if (verbose)
    console.log(
      `held-out accuracy ${(accuracy * 100).toFixed(2)}% after ${epochs} epochs, ${seconds.toFixed(1)} s`,
    );
  return { accuracy, seconds, history };
}
