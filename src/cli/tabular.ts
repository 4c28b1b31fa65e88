/**
 * A model for a table: what `grafo train` learns besides the weights (the
 * task, the feature columns and their standardisation, the class labels,
 * the target's scale) and the arithmetic shared by train, eval and predict.
 * It is stored in model.json's metadata, so a saved model folder is all that
 * eval and predict need.
 */
import { tensor } from "../core/creation.js";
import type { Tensor } from "../core/tensor.js";
import type { CsvData } from "../data/csv.js";
import { logSoftmax, softmax } from "../ops/nn.js";
import { CliError } from "./errors.js";

export type Task = "classification" | "regression";

/** What model.json's metadata holds for a model trained by `grafo train` (plain JSON). */
export type TabularMeta = {
  kind: "grafo-cli-tabular";
  version: 1;
  task: Task;
  target: string;
  features: string[];
  /** Class labels as in the training file, in class-id order (classification). */
  classes: string[];
  /** Per feature: subtracted, then divided by (0 and 1 without standardisation). */
  featureMean: number[];
  featureStd: number[];
  /** The regression target is learnt as (y − mean) / std. */
  targetMean: number;
  targetStd: number;
  loss: string;
  hidden: number[];
  activation: string;
  trainedOn: string;
  rows: { training: number; validation: number };
  epochs: number;
  metrics: { training: Record<string, number>; validation?: Record<string, number> };
  history: Record<string, number[]>;
};

/** The CLI metadata's format version this grafo writes and reads. */
export const META_VERSION = 1;

/** The target column as text labels, one per row (categories as written, numbers as numbers print). */
export function targetLabels(data: CsvData, target: string): string[] {
  const y = data.y!;
  const values = Array.from(y.data(), Number);
  const categories = data.categories[target];
  return categories ? values.map((c) => categories[c]!) : values.map(String);
}

/**
 * Classification or regression, from the loss asked for or (auto) from the
 * target: text labels, or at most 20 distinct whole numbers, are classes.
 */
export function chooseTask(data: CsvData, target: string, loss: string): Task {
  if (loss === "crossEntropy") return "classification";
  if (loss !== "auto") return "regression";
  if (data.categories[target]) return "classification";
  const values = Array.from(data.y!.data(), Number);
  const distinct = new Set(values);
  return values.every(Number.isInteger) && distinct.size <= 20 ? "classification" : "regression";
}

/** The class labels in a stable order: numerically if they are numbers, else as text. */
export function classList(labels: readonly string[]): string[] {
  const distinct = [...new Set(labels)];
  return distinct.every((l) => Number.isFinite(Number(l)))
    ? distinct.sort((a, b) => Number(a) - Number(b))
    : distinct.sort();
}

/** Class ids of the labels; a label the model never saw is an error naming it. */
export function classIds(labels: readonly string[], classes: readonly string[], file: string): Int32Array {
  const index = new Map(classes.map((c, k) => [c, k]));
  return Int32Array.from(labels, (l, row) => {
    const k = index.get(l);
    if (k === undefined)
      throw new CliError(
        `${file}: row ${row + 1} has the class "${l}", which the model was not trained on (its classes: ${classes.join(", ")})`,
      );
    return k;
  });
}

/** Per-column mean and standard deviation (population), with 1 for constant columns. */
export function columnStats(x: Float32Array, rows: number, cols: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(cols).fill(0);
  const sq = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += x[i * cols + j]! / rows;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) sq[j]! += (x[i * cols + j]! - mean[j]!) ** 2 / rows;
  return { mean, std: sq.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

/** The model's input: the chosen columns of x, standardised with the stored statistics. */
export function modelInput(
  data: CsvData,
  columns: readonly number[],
  meta: Pick<TabularMeta, "featureMean" | "featureStd">,
): Tensor {
  const src = data.x.data();
  const width = data.x.shape[1]!;
  const rows = data.x.shape[0]!;
  const out = new Float32Array(rows * columns.length);
  for (let i = 0; i < rows; i++)
    columns.forEach((c, j) => {
      out[i * columns.length + j] = (src[i * width + c]! - meta.featureMean[j]!) / meta.featureStd[j]!;
    });
  return tensor(out, [rows, columns.length]);
}

/** Class probabilities from the model's logits. */
export const probabilities = (logits: Tensor): Tensor => softmax(logits, -1);

/** Classification figures: mean cross-entropy, accuracy, predictions and the confusion counts. */
export function classificationMetrics(logits: Tensor, y: Int32Array, classes: number) {
  const lp = logSoftmax(logits, -1).data();
  const n = y.length;
  let loss = 0;
  let right = 0;
  const predicted = new Int32Array(n);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; i++) {
    loss -= lp[i * classes + y[i]!]!;
    let best = 0;
    for (let k = 1; k < classes; k++) if (lp[i * classes + k]! > lp[i * classes + best]!) best = k;
    predicted[i] = best;
    if (best === y[i]) right++;
    confusion[y[i]!]![best]!++;
  }
  return { loss: loss / n, accuracy: right / n, predicted, confusion };
}

/** Regression figures in the target's own units: MSE (also reported as the loss), MAE and R². */
export function regressionMetrics(predicted: ArrayLike<number>, y: ArrayLike<number>) {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]! / n;
  let se = 0;
  let ae = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    se += (predicted[i]! - y[i]!) ** 2;
    ae += Math.abs(predicted[i]! - y[i]!);
    tot += (y[i]! - mean) ** 2;
  }
  return { loss: se / n, mse: se / n, mae: ae / n, r2: tot > 0 ? 1 - se / tot : Number.NaN };
}

/** The regression model's outputs back in the target's units. */
export function unscale(output: Tensor, meta: Pick<TabularMeta, "targetMean" | "targetStd">): Float64Array {
  return Float64Array.from(output.data(), (v) => Number(v) * meta.targetStd + meta.targetMean);
}
