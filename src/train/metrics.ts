/**
 * Metrics: `(output, target) => number`, the batch mean, averaged over a
 * data set weighted by batch size. They are for reading, not for gradients.
 */
import { ArgumentError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { equal, greater, sub } from "../ops/binary.js";
import { argmax, mean, min } from "../ops/reduce.js";
import { abs, cast, square } from "../ops/unary.js";

/** A named metric. */
export interface Metric {
  readonly name: string;
  readonly fn: (output: Tensor, target: Tensor) => number;
}

/** Built-in metric names. */
export type MetricName = "accuracy" | "binaryAccuracy" | "mse" | "mae";

/**
 * Classification accuracy. Several outputs per sample: argmax against class
 * ids or one-hot targets. One output per sample: `binaryAccuracy` at `threshold`.
 */
export function accuracy(threshold = 0.5): Metric {
  return {
    name: "accuracy",
    fn: (out, y) => {
      if (out.rank >= 1 && out.shape[out.rank - 1]! > 1) {
        const pred = argmax(out, -1);
        const labels = y.rank === out.rank ? argmax(y, -1) : cast(y, "int32");
        if (labels.shape.join() !== pred.shape.join())
          throw new ArgumentError(
            `accuracy: targets ${fmtShape(y.shape)} do not fit outputs ${fmtShape(out.shape)}`,
          );
        return mean(cast(equal(pred, labels), "float32")).item();
      }
      return binaryAccuracy(threshold).fn(out, y);
    },
  };
}

/**
 * Fraction of samples on the right side of `threshold` (0.5 for
 * probabilities, 0 for logits). With −1/+1 targets the threshold is 0: the
 * sign of the score is the class, as in the lecture.
 */
export function binaryAccuracy(threshold = 0.5): Metric {
  return {
    name: "binaryAccuracy",
    fn: (out, y) => {
      if (out.size !== y.size)
        throw new ArgumentError(
          `binaryAccuracy: targets ${fmtShape(y.shape)} do not fit outputs ${fmtShape(out.shape)}`,
        );
      // ±1 targets (the lecture's labels) mean scores whose sign is the class.
      const t = min(y).item() < 0 ? 0 : threshold;
      const pred = greater(out.reshape([-1]), t);
      const truth = greater(y.reshape([-1]), t === 0 ? 0 : 0.5);
      return mean(cast(equal(pred, truth), "float32")).item();
    },
  };
}

/** Mean squared error as a metric. */
export const mseMetric = (): Metric => ({
  name: "mse",
  fn: (out, y) => mean(square(sub(out, y.reshape(out.shape)))).item(),
});

/** Mean absolute error as a metric. */
export const maeMetric = (): Metric => ({
  name: "mae",
  fn: (out, y) => mean(abs(sub(out, y.reshape(out.shape)))).item(),
});

/**
 * A metric from its name. The threshold of the accuracies follows the loss:
 * 0 when outputs are logits or ±1 scores (binaryCrossEntropyWithLogits,
 * hinge, logistic), 0.5 otherwise.
 */
export function getMetric(m: MetricName | Metric, lossName?: string): Metric {
  if (typeof m !== "string") return m;
  const threshold =
    lossName && ["binaryCrossEntropyWithLogits", "hinge", "logistic"].includes(lossName) ? 0 : 0.5;
  switch (m) {
    case "accuracy":
      return accuracy(threshold);
    case "binaryAccuracy":
      return binaryAccuracy(threshold);
    case "mse":
      return mseMetric();
    case "mae":
      return maeMetric();
    default:
      throw new ArgumentError(
        `metrics: unknown metric "${String(m)}"; expected accuracy, binaryAccuracy, mse or mae`,
      );
  }
}
