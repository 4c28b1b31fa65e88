/**
 * MNIST digits with a small convolutional net: two 3×3 convolutions with
 * ReLU and 2×2 max pooling, then a small dense classifier with dropout. Same split as the MLP
 * (8 000 training / 2 000 held out). Expect ≥ 97 % held-out accuracy.
 * Run: npx tsx examples/digits/mnist-cnn.ts
 */
import { data, nn, optim, random } from "../../src/index.js";
import type { DigitsOptions } from "./mnist-mlp.js";

export const cnnModel = (seed = 0) =>
  nn.sequential(
    nn.conv2d(1, 16, 3, { key: random.key(seed) }), // [N, 16, 26, 26]
    nn.relu(),
    nn.maxPool2d(2), // [N, 16, 13, 13]
    nn.conv2d(16, 32, 3, { key: random.key(seed + 1) }), // [N, 32, 11, 11]
    nn.relu(),
    nn.maxPool2d(2), // [N, 32, 5, 5]
    nn.flatten(),
    nn.linear(32 * 5 * 5, 64, { weightInit: "heUniform", key: random.key(seed + 2) }),
    nn.relu(),
    nn.dropout(0.3),
    nn.linear(64, 10, { key: random.key(seed + 3) }),
  );

export async function run(options: DigitsOptions = {}) {
  const { train = 8000, test = 2000, epochs = 8, batchSize = 64, verbose = 1, seed = 0 } = options;
  const { xTrain, yTrain, xTest, yTest } = await data.mnist({ train, test, seed, shape: "image" });
  const model = cnnModel(seed);
  if (verbose) console.log(model.summary([1, 28, 28]));
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

if (import.meta.url === `file://${process.argv[1]}`) await run();
