/**
 * `grafo demo [digits|xor]`: a network trained in front of you. digits: an
 * MLP on the bundled MNIST digits (about a minute on 2 cores); xor: the
 * lecture's XOR problem, drawn as a decision boundary. The model is saved as
 * `grafo train` saves one, so eval, predict, info and export take it.
 */
import { Command } from "commander";
import { tensor } from "../core/creation.js";
import { key as makeKey } from "../core/random.js";
import type { Tensor } from "../core/tensor.js";
import { mnist } from "../data/mnist.js";
import { xor } from "../data/synthetic.js";
import { dropout, linear, relu } from "../nn/index.js";
import type { Module } from "../nn/module.js";
import { mlp, sequential } from "../nn/sequential.js";
import { argmax } from "../ops/reduce.js";
import { adam } from "../optim/optimizers.js";
import { cosineDecay } from "../optim/schedules.js";
import { fit, predict } from "../train/fit.js";
import { decisionBoundarySvg } from "../viz/boundary.js";
import { confusionSvg, confusionText } from "../viz/confusion.js";
import { trainingCurves } from "../viz/curves.js";
import { sparkline } from "../viz/sparkline.js";
import { writePicture } from "./files.js";
import { nonNegativeInt, oneOf, positiveInt } from "./options.js";
import { pendingFolder, saveTabular } from "./store.js";
import { fmt, style } from "./style.js";
import { classificationMetrics, META_VERSION, type TabularMeta } from "./tabular.js";

interface DemoOptions {
  out?: string;
  epochs?: number;
  seed: number;
}

interface Problem {
  readonly name: string;
  readonly xTrain: Tensor;
  readonly yTrain: Tensor;
  readonly xTest: Tensor;
  readonly yTest: Tensor;
  readonly features: string[];
  readonly classes: string[];
  readonly model: Module;
  readonly hidden: number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
}

async function digits(seed: number, epochs: number | undefined): Promise<Problem> {
  const { xTrain, yTrain, xTest, yTest } = await mnist({ train: 8000, test: 2000, seed });
  const hidden = [256, 128];
  const e = epochs ?? 15;
  const init = { weightInit: "heUniform", key: makeKey(seed) } as const;
  return {
    name: "MNIST digits (8000 training, 2000 held out)",
    xTrain,
    yTrain,
    xTest,
    yTest,
    features: Array.from({ length: 784 }, (_, i) => `px${i}`),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    // The MLP of examples/digits/mnist-mlp.ts: dropout after the first layer keeps it from memorising.
    model: sequential(
      linear(784, 256, init),
      relu(),
      dropout(0.2),
      linear(256, 128, { ...init, key: makeKey(seed + 1) }),
      relu(),
      linear(128, 10, { key: makeKey(seed + 2) }),
    ),
    hidden,
    epochs: e,
    batchSize: 64,
    lr: 2e-3,
  };
}

function xorProblem(seed: number, epochs: number | undefined): Problem {
  const asClasses = ({ x, y }: { x: Tensor; y: Tensor }) => ({
    x,
    y: tensor(Int32Array.from(y.data(), Number), [x.shape[0]!]),
  });
  const train = asClasses(xor({ n: 400, noise: 0.1, seed }));
  const test = asClasses(xor({ n: 200, noise: 0.1, seed: seed + 1 }));
  const hidden = [8, 8];
  return {
    name: "XOR (400 training points, 200 held out)",
    xTrain: train.x,
    yTrain: train.y,
    xTest: test.x,
    yTest: test.y,
    features: ["x1", "x2"],
    classes: ["0", "1"],
    model: mlp([2, ...hidden, 2], { activation: "tanh", key: makeKey(seed) }),
    hidden,
    epochs: epochs ?? 60,
    batchSize: 32,
    lr: 0.02,
  };
}

export async function demo(which: "digits" | "xor", o: DemoOptions): Promise<void> {
  const out = pendingFolder(o.out ?? `${which}-model`);
  try {
    const p = which === "digits" ? await digits(o.seed, o.epochs) : xorProblem(o.seed, o.epochs);
    console.log(
      `${style.bold(p.name)}: ${p.model.numParameters().toLocaleString("en-US")} parameters, ${p.epochs} epoch${p.epochs === 1 ? "" : "s"}`,
    );
    const started = performance.now();
    const steps = p.epochs * Math.ceil(p.xTrain.shape[0]! / p.batchSize);
    const history = await fit(p.model, p.xTrain, p.yTrain, {
      loss: "crossEntropy",
      optimizer: adam({ lr: cosineDecay({ lr: p.lr, decaySteps: steps }) }),
      epochs: p.epochs,
      batchSize: p.batchSize,
      metrics: ["accuracy"],
      validationData: [p.xTest, p.yTest],
      // Off a terminal: a line per epoch for the digits, quiet for the quick xor run.
      verbose: process.stdout.isTTY ? 1 : which === "digits" ? 2 : 0,
      seed: o.seed,
    });
    const seconds = (performance.now() - started) / 1000;
    const k = p.classes.length;
    const yTest = Int32Array.from(p.yTest.data(), Number);
    const test = classificationMetrics(predict(p.model, p.xTest), yTest, k);
    const train = classificationMetrics(
      predict(p.model, p.xTrain),
      Int32Array.from(p.yTrain.data(), Number),
      k,
    );
    const d = p.features.length;
    const meta: TabularMeta = {
      kind: "grafo-cli-tabular",
      version: META_VERSION,
      task: "classification",
      target: "label",
      features: p.features,
      classes: p.classes,
      featureMean: new Array(d).fill(0),
      featureStd: new Array(d).fill(1),
      targetMean: 0,
      targetStd: 1,
      loss: "crossEntropy",
      hidden: p.hidden,
      activation: which === "digits" ? "relu" : "tanh",
      trainedOn: `grafo demo ${which}`,
      rows: { training: p.xTrain.shape[0]!, validation: p.xTest.shape[0]! },
      epochs: history.epochs.length,
      metrics: {
        training: { loss: train.loss, accuracy: train.accuracy },
        validation: { loss: test.loss, accuracy: test.accuracy },
      },
      history: history.history,
    };
    await saveTabular(p.model, out.path, meta);
    await writePicture(`${out.path}/curves.svg`, trainingCurves(history.history, p.name));
    await writePicture(
      `${out.path}/confusion.svg`,
      confusionSvg(test.confusion, p.classes, "held-out confusion matrix"),
    );
    if (which === "xor")
      await writePicture(
        `${out.path}/boundary.svg`,
        decisionBoundarySvg({
          x: p.xTest,
          y: p.yTest,
          classify: (points) => argmax(predict(p.model, points), -1),
          title: "XOR: the learnt decision boundary",
        }),
      );
    out.commit();
    console.log(
      `\n${style.bold("loss")}  ${sparkline(history.get("loss").map(Math.log))}  ${fmt(history.get("loss")[0]!)} → ${fmt(history.last("loss")!)}`,
    );
    console.log(
      `${style.bold("held-out accuracy")} ${style.green(`${(test.accuracy * 100).toFixed(2)} %`)} (training ${(train.accuracy * 100).toFixed(2)} %) after ${history.epochs.length} epochs, ${seconds.toFixed(1)} s`,
    );
    console.log(
      `\n${style.bold("confusion matrix (held out)")}\n${confusionText(test.confusion, p.classes)}`,
    );
    console.log(
      `\n${style.bold("saved")} ${o.out ?? `${which}-model`} (model.json, weights.safetensors, curves.svg, confusion.svg${which === "xor" ? ", boundary.svg" : ""})`,
    );
  } catch (e) {
    out.discard();
    throw e;
  }
}

export function demoCommand(): Command {
  return new Command("demo")
    .description(
      "train a network on a bundled data set and show how it learnt (digits: MNIST, about a minute; xor: seconds)",
    )
    .argument("[problem]", "digits or xor", oneOf(["digits", "xor"] as const), "digits")
    .option("--out <folder>", "where to save the model and its plots (default digits-model/ or xor-model/)")
    .option("--epochs <n>", "epochs (default 15 for digits, 60 for xor)", positiveInt)
    .option("--seed <n>", "seed of the data split, the weights and the shuffle", nonNegativeInt, 0)
    .addHelpText("after", "\nExamples:\n  $ grafo demo\n  $ grafo demo xor --out xor/ && grafo info xor/")
    .action((which: "digits" | "xor", o: DemoOptions) => demo(which, o));
}
