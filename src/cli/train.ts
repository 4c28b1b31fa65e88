/** `grafo train <data.csv> --target <column>`: a model for a table, trained, measured and saved with its plots. */
import { Command } from "commander";
import { tensor } from "../core/creation.js";
import { key as makeKey, permutation } from "../core/random.js";
import type { Tensor } from "../core/tensor.js";
import type { ActivationName } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { mlp } from "../nn/sequential.js";
import { argmax } from "../ops/reduce.js";
import { adagrad, adam, adamw, type Optimizer, rmsprop, sgd } from "../optim/optimizers.js";
import { earlyStopping, reduceLROnPlateau } from "../train/callbacks.js";
import { fit, predict } from "../train/fit.js";
import { decisionBoundarySvg } from "../viz/boundary.js";
import { confusionSvg, confusionText } from "../viz/confusion.js";
import { trainingCurves } from "../viz/curves.js";
import { sparkline } from "../viz/sparkline.js";
import { parseCsvFile, readCsvFile } from "./csv-input.js";
import { CliError } from "./errors.js";
import { writePicture } from "./files.js";
import { fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber, widths } from "./options.js";
import { pendingFolder, saveTabular } from "./store.js";
import { fmt, style, table } from "./style.js";
import {
  chooseTask,
  classIds,
  classificationMetrics,
  classList,
  columnStats,
  META_VERSION,
  regressionMetrics,
  type TabularMeta,
  targetLabels,
  unscale,
} from "./tabular.js";

const LOSSES = ["auto", "crossEntropy", "mse", "mae", "huber"] as const;
const OPTIMIZERS = ["adam", "adamw", "sgd", "rmsprop", "adagrad"] as const;
const ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu", "elu", "leakyRelu"] as const;

export interface TrainOptions {
  target: string;
  layers: number[];
  activation: (typeof ACTIVATIONS)[number];
  loss: (typeof LOSSES)[number];
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  epochs: number;
  batchSize: number;
  validation: number;
  patience: number;
  seed: number;
  standardize: boolean;
  out: string;
  plots: "svg" | "png" | "none";
}

function makeOptimizer(name: TrainOptions["optimizer"], lr: number): Optimizer {
  switch (name) {
    case "adam":
      return adam({ lr });
    case "adamw":
      return adamw({ lr });
    case "sgd":
      return sgd({ lr, momentum: 0.9 });
    case "rmsprop":
      return rmsprop({ lr });
    case "adagrad":
      return adagrad({ lr });
  }
}

/** Rows `idx` of a row-major [rows, width] array. */
function rows(src: ArrayLike<number>, width: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++)
    for (let j = 0; j < width; j++) out[i * width + j] = src[idx[i]! * width + j]!;
  return out;
}

/** Figures of the model on some rows: loss and accuracy, or MSE, MAE and R² in the target's units. */
function measure(model: Module, x: Tensor, y: Int32Array | Float64Array, meta: TabularMeta) {
  const out = predict(model, x);
  if (meta.task === "classification") {
    const m = classificationMetrics(out, y as Int32Array, meta.classes.length);
    return { figures: { loss: m.loss, accuracy: m.accuracy }, confusion: m.confusion };
  }
  return { figures: regressionMetrics(unscale(out, meta), y), confusion: undefined };
}

export async function train(file: string, o: TrainOptions): Promise<void> {
  const started = performance.now();
  const csv = readCsvFile(file);
  const data = parseCsvFile(csv, o.target);
  const n = data.x.shape[0]!;
  const d = data.x.shape[1]!;
  if (d === 0) throw new CliError(`${file}:1: no feature columns besides the target "${o.target}"`);
  const task = chooseTask(data, o.target, o.loss);
  const labels = targetLabels(data, o.target);
  const classes = task === "classification" ? classList(labels) : [];
  if (task === "classification" && classes.length < 2)
    throw new CliError(
      `${file}:1: the target column "${o.target}" has one class ("${classes[0]}"); classification needs two or more`,
    );
  const yAll: Int32Array | Float64Array =
    task === "classification" ? classIds(labels, classes, file) : Float64Array.from(labels, Number);

  // Shuffled before splitting: files are often sorted by class.
  const order = Array.from(permutation(makeKey(o.seed), n).data(), Number);
  const nVal = o.validation > 0 ? Math.round(n * o.validation) : 0;
  if (o.validation > 0 && (nVal < 1 || n - nVal < 2))
    throw new CliError(
      `--validation ${o.validation} of ${n} rows leaves no validation or too few training rows`,
    );
  const trainIdx = order.slice(0, n - nVal);
  const valIdx = order.slice(n - nVal);
  const xRaw = data.x.data();
  const trainRows = rows(xRaw, d, trainIdx);
  const stats = o.standardize
    ? columnStats(trainRows, trainIdx.length, d)
    : { mean: new Array(d).fill(0), std: new Array(d).fill(1) };
  const scaled = Float32Array.from(xRaw, (v, i) => (v - stats.mean[i % d]!) / stats.std[i % d]!);
  const xTrain = tensor(rows(scaled, d, trainIdx), [trainIdx.length, d]);
  const xVal = tensor(rows(scaled, d, valIdx), [valIdx.length, d]);
  const pick = (idx: number[]) =>
    task === "classification"
      ? Int32Array.from(idx, (i) => yAll[i]!)
      : Float64Array.from(idx, (i) => yAll[i]!);
  const [yTrain, yVal] = [pick(trainIdx), pick(valIdx)];
  const yStats =
    task === "regression" && o.standardize
      ? columnStats(Float32Array.from(yTrain), yTrain.length, 1)
      : { mean: [0], std: [1] };
  const yTensor = (y: Int32Array | Float64Array) =>
    task === "classification"
      ? tensor(y as Int32Array, [y.length])
      : tensor(
          Float32Array.from(y, (v) => (v - yStats.mean[0]!) / yStats.std[0]!),
          [y.length, 1],
        );

  const loss = o.loss === "auto" ? (task === "classification" ? "crossEntropy" : "mse") : o.loss;
  const meta: TabularMeta = {
    kind: "grafo-cli-tabular",
    version: META_VERSION,
    task,
    target: o.target,
    features: data.features,
    classes,
    featureMean: stats.mean,
    featureStd: stats.std,
    targetMean: yStats.mean[0]!,
    targetStd: yStats.std[0]!,
    loss,
    hidden: o.layers,
    activation: o.activation,
    trainedOn: file,
    rows: { training: trainIdx.length, validation: valIdx.length },
    epochs: 0,
    metrics: { training: {} },
    history: {},
  };

  const out = pendingFolder(o.out);
  const discard = () => {
    out.discard();
    process.exit(130);
  };
  process.once("SIGINT", discard);
  try {
    const widthsOut = task === "classification" ? classes.length : 1;
    const model = mlp([d, ...o.layers, widthsOut], {
      activation: o.activation as ActivationName,
      key: makeKey(o.seed),
    });
    const monitor = nVal ? "valLoss" : "loss";
    const stopper = earlyStopping({
      monitor,
      patience: o.patience,
      restoreBestWeights: true,
    });
    const history = await fit(model, xTrain, yTensor(yTrain), {
      loss: loss as "crossEntropy" | "mse" | "mae" | "huber",
      optimizer: makeOptimizer(o.optimizer, o.lr),
      epochs: o.epochs,
      batchSize: Math.min(o.batchSize, trainIdx.length),
      ...(nVal ? { validationData: [xVal, yTensor(yVal)] as const } : {}),
      metrics: task === "classification" ? ["accuracy"] : [],
      // Halving the rate on a plateau settles the noisy end of training; early stopping ends it.
      callbacks: [
        reduceLROnPlateau({ monitor, factor: 0.5, patience: Math.max(1, Math.floor(o.patience / 3)) }),
        stopper,
      ],
      verbose: process.stdout.isTTY ? 1 : 0,
      seed: o.seed,
    });
    meta.epochs = history.epochs.length;
    meta.history = history.history;
    const trainM = measure(model, xTrain, yTrain, meta);
    const valM = nVal ? measure(model, xVal, yVal, meta) : undefined;
    meta.metrics = { training: trainM.figures, ...(valM ? { validation: valM.figures } : {}) };

    await saveTabular(model, out.path, meta);
    const written = ["model.json", "weights.safetensors"];
    if (o.plots !== "none") {
      const picture = async (name: string, svg: string) => {
        await writePicture(`${out.path}/${name}.${o.plots}`, svg);
        written.push(`${name}.${o.plots}`);
      };
      await picture("curves", trainingCurves(history.history, `${file}: ${o.target}`));
      const confusion = (valM ?? trainM).confusion;
      if (confusion)
        await picture(
          "confusion",
          confusionSvg(confusion, classes, `confusion matrix (${valM ? "validation" : "training"})`),
        );
      if (task === "classification" && d === 2)
        await picture(
          "boundary",
          decisionBoundarySvg({
            x: tensor(rows(xRaw, d, order), [n, d]),
            y: tensor(
              Int32Array.from(order, (i) => yAll[i]!),
              [n],
            ),
            classify: (p) => {
              const s = p.data();
              const z = Float32Array.from(s, (v, i) => (v - stats.mean[i % 2]!) / stats.std[i % 2]!);
              return argmax(predict(model, tensor(z, p.shape)), -1);
            },
            title: `decision boundary: ${o.target}`,
          }),
        );
    }
    out.commit();

    const seconds = (performance.now() - started) / 1000;
    const stopped =
      stopper.stoppedEpoch !== undefined
        ? `, stopped early (best ${nVal ? "validation" : "training"} loss restored)`
        : "";
    console.log(
      `${style.bold("task")}     ${task}${task === "classification" ? ` (${classes.length} classes: ${classes.slice(0, 10).join(", ")}${classes.length > 10 ? ", …" : ""})` : ` of ${o.target}`}, ${d} features, ${n} rows (${trainIdx.length} training, ${valIdx.length} validation)`,
    );
    console.log(
      `${style.bold("model")}    ${[d, ...o.layers, widthsOut].join(" → ")} (${o.layers.length ? o.activation : "linear"}), ${model.numParameters().toLocaleString("en-US")} parameters, ${loss} loss, ${o.optimizer} lr ${o.lr}`,
    );
    console.log(`${style.bold("trained")}  ${meta.epochs} epochs in ${seconds.toFixed(1)} s${stopped}`);
    console.log(
      `${style.bold("loss")}     ${sparkline(history.get("loss").map(Math.log))}  ${fmt(history.get("loss")[0]!)} → ${fmt(history.last("loss")!)}`,
    );
    console.log("");
    console.log(metricsTable(meta));
    if (valM?.confusion)
      console.log(
        `\n${style.bold("validation confusion matrix")}\n${confusionText(valM.confusion, classes)}`,
      );
    console.log(`\n${style.bold("saved")}    ${o.out}  (${written.join(", ")})`);
  } catch (e) {
    out.discard();
    throw e;
  } finally {
    process.removeListener("SIGINT", discard);
  }
}

/** The stored figures as a table: one row per figure, columns training and validation. */
export function metricsTable(meta: TabularMeta): string {
  const names = Object.keys(meta.metrics.training);
  const v = meta.metrics.validation;
  return table(
    [
      ["", "training", ...(v ? ["validation"] : [])],
      ...names.map((k) => [k, fmt(meta.metrics.training[k]!), ...(v ? [fmt(v[k]!)] : [])]),
    ],
    ["l", "r", "r"],
  );
}

export function trainCommand(): Command {
  return new Command("train")
    .description(
      "train a model on a CSV file (header row, numeric feature columns) and save it with its plots",
    )
    .argument("<data.csv>", "the training data")
    .requiredOption(
      "--target <column>",
      "the column to predict: text or whole-number classes, or numbers (regression)",
    )
    .option("--layers <widths>", "hidden layer widths, e.g. 32,32 (none: a linear model)", widths, [32, 32])
    .option("--activation <name>", `hidden activation: ${ACTIVATIONS.join(", ")}`, oneOf(ACTIVATIONS), "relu")
    .option(
      "--loss <name>",
      `${LOSSES.join(", ")} (auto: crossEntropy for classes, mse for numbers)`,
      oneOf(LOSSES),
      "auto",
    )
    .option("--optimizer <name>", OPTIMIZERS.join(", "), oneOf(OPTIMIZERS), "adam")
    .option("--lr <rate>", "learning rate", positiveNumber, 0.01)
    .option(
      "--epochs <n>",
      "most epochs (training stops early when the validation loss stops improving)",
      positiveInt,
      300,
    )
    .option("--batch-size <n>", "samples per step", positiveInt, 32)
    .option(
      "--validation <fraction>",
      "share of rows held out for validation and early stopping (0: none)",
      fraction,
      0.2,
    )
    .option("--patience <n>", "epochs without improvement before stopping", positiveInt, 30)
    .option("--seed <n>", "seed of the weights, the shuffle and the split", nonNegativeInt, 0)
    .option("--standardize", "rescale features (and a regression target) to mean 0, std 1 (default)", true)
    .option("--no-standardize", "use the columns as they are")
    .option("--out <folder>", "where to save the model and its plots", "model")
    .option("--plots <format>", "svg, png or none", oneOf(["svg", "png", "none"] as const), "svg")
    .addHelpText(
      "after",
      `
Examples:
  $ grafo train iris.csv --target species
  $ grafo train houses.csv --target price --layers 64,64 --epochs 500 --out price-model/`,
    )
    .action((file: string, options: TrainOptions) => train(file, options));
}
