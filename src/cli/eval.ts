/** `grafo eval <model> <data.csv>`: the saved model's figures on a labelled file. */
import { Command } from "commander";
import { predict } from "../train/fit.js";
import { confusionText } from "../viz/confusion.js";
import { featureIndices, parseCsvFile, readCsvFile } from "./csv-input.js";
import { CliError } from "./errors.js";
import { loadTabular } from "./store.js";
import { fmt, style, table } from "./style.js";
import {
  classIds,
  classificationMetrics,
  modelInput,
  regressionMetrics,
  targetLabels,
  unscale,
} from "./tabular.js";

export async function evaluateFile(modelPath: string, file: string, json: boolean): Promise<void> {
  const { model, meta } = await loadTabular(modelPath);
  const csv = readCsvFile(file);
  const data = parseCsvFile(csv, meta.target);
  if (!data.y) throw new CliError(`${csv.name}:1: no target column "${meta.target}" to evaluate against`);
  const x = modelInput(data, featureIndices(data, meta.features, csv.name), meta);
  const out = predict(model, x);
  const labels = targetLabels(data, meta.target);
  let result: Record<string, unknown>;
  if (meta.task === "classification") {
    const m = classificationMetrics(out, classIds(labels, meta.classes, csv.name), meta.classes.length);
    result = {
      task: meta.task,
      rows: labels.length,
      loss: m.loss,
      accuracy: m.accuracy,
      classes: meta.classes,
      confusion: m.confusion,
    };
    if (!json)
      console.log(
        [
          table(
            [
              ["rows", String(labels.length)],
              ["loss", fmt(m.loss)],
              ["accuracy", fmt(m.accuracy)],
            ],
            ["l", "r"],
          ),
          "",
          style.bold("confusion matrix"),
          confusionText(m.confusion, meta.classes),
        ].join("\n"),
      );
  } else {
    const m = regressionMetrics(unscale(out, meta), Float64Array.from(labels, Number));
    result = { task: meta.task, rows: labels.length, ...m };
    if (!json)
      console.log(
        table(
          [
            ["rows", String(labels.length)],
            ...Object.entries(m).map(([k, v]) => [k === "r2" ? "R²" : k, fmt(v)]),
          ],
          ["l", "r"],
        ),
      );
  }
  if (json) console.log(JSON.stringify(result));
}

export function evalCommand(): Command {
  return new Command("eval")
    .description(
      "evaluate a saved model on a CSV file with the target column: loss and accuracy, or MSE/MAE/R²",
    )
    .argument("<model>", "a model folder written by grafo train")
    .argument("<data.csv>", "labelled data with the training file's columns")
    .option("--json", "print one JSON object: loss, accuracy and confusion, or mse, mae and r2")
    .addHelpText(
      "after",
      "\nExamples:\n  $ grafo eval model/ test.csv\n  $ grafo eval model/ test.csv --json | jq .accuracy",
    )
    .action((modelPath: string, file: string, o: { json?: boolean }) =>
      evaluateFile(modelPath, file, o.json ?? false),
    );
}
