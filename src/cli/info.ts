/** `grafo info <model>`: what a saved model is, how big, and how its training went. */
import { Command } from "commander";
import { sparkline } from "../viz/sparkline.js";
import { loadTabular } from "./store.js";
import { fmt, style } from "./style.js";
import { metricsTable } from "./train.js";

export async function showInfo(modelPath: string): Promise<void> {
  const { model, meta } = await loadTabular(modelPath);
  const loss = meta.history.loss ?? [];
  const valLoss = meta.history.valLoss ?? [];
  console.log(
    [
      `${style.bold("model")}     ${modelPath}`,
      `${style.bold("task")}      ${meta.task}: ${meta.target}${meta.task === "classification" ? ` (${meta.classes.join(", ")})` : ""}`,
      `${style.bold("features")}  ${meta.features.length}: ${meta.features.join(", ")}`,
      `${style.bold("trained")}   on ${meta.trainedOn}: ${meta.rows.training} training and ${meta.rows.validation} validation rows, ${meta.epochs} epochs, ${meta.loss} loss`,
      "",
      model.summary([meta.features.length]),
      "",
      metricsTable(meta),
      ...(loss.length
        ? [
            "",
            `loss            ${sparkline(loss.map(Math.log))}  ${fmt(loss[0]!)} → ${fmt(loss[loss.length - 1]!)}`,
          ]
        : []),
      ...(valLoss.length
        ? [
            `validation loss ${sparkline(valLoss.map(Math.log))}  ${fmt(valLoss[0]!)} → ${fmt(valLoss[valLoss.length - 1]!)}`,
          ]
        : []),
    ].join("\n"),
  );
}

export function infoCommand(): Command {
  return new Command("info")
    .description("show a saved model: task, features, architecture, parameter count, training figures")
    .argument("<model>", "a model folder written by grafo train")
    .addHelpText("after", "\nExample:\n  $ grafo info model/")
    .action((modelPath: string) => showInfo(modelPath));
}
