/**
 * The training run both MNIST examples share: the package's digits split
 * 8 000 / 2 000 (by default), Adam with a cosine-decayed learning rate,
 * cross-entropy on logits, held-out accuracy and wall time reported, and
 * the training curves and the held-out confusion matrix drawn as SVG.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { data, type nn, optim, viz } from "../../src/index.js";

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
  if (verbose) {
    const predicted = model.predict(xTest).argmax(-1).data();
    const counts = viz.confusionMatrix(yTest.data(), predicted, 10);
    const labels = Array.from({ length: 10 }, (_, d) => String(d));
    const curves = join(tmpdir(), "grafo-digits-curves.svg");
    const confusion = join(tmpdir(), "grafo-digits-confusion.svg");
    writeFileSync(curves, viz.trainingCurves(history.history, "MNIST digits"));
    writeFileSync(confusion, viz.confusionSvg(counts, labels, "held-out digits"));
    console.log(`plots: ${curves}, ${confusion}`);
  }
  return { accuracy, seconds, history };
}
