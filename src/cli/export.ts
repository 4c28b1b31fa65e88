/** `grafo export <model> --onnx out.onnx`: the saved model, preprocessing included, as a standard ONNX file. */
import { Command } from "commander";
import { tensor, zeros } from "../core/creation.js";
import type { Tensor } from "../core/tensor.js";
import { exportOnnx } from "../io/onnx/export.js";
import { add, div, mul, sub } from "../ops/binary.js";
import { softmax } from "../ops/nn.js";
import { CliError } from "./errors.js";
import { loadTabular } from "./store.js";

export async function exportModel(modelPath: string, onnx: string): Promise<void> {
  if (!onnx.toLowerCase().endsWith(".onnx"))
    throw new CliError(`--onnx ${onnx}: the file name must end in .onnx`);
  const { model, meta } = await loadTabular(modelPath);
  const d = meta.features.length;
  const mean = tensor(Float32Array.from(meta.featureMean), [d]);
  const std = tensor(Float32Array.from(meta.featureStd), [d]);
  const params = model.parameters();
  // The file takes the raw columns, as predict does, and returns what predict prints:
  // class probabilities, or the target in its own units.
  const f = (x: Tensor): Tensor => {
    const out = model.apply(params, div(sub(x, mean), std), { training: false });
    return meta.task === "classification" ? softmax(out, -1) : add(mul(out, meta.targetStd), meta.targetMean);
  };
  await exportOnnx(f, zeros([1, d]), onnx, {
    inputNames: ["features"],
    outputNames: [
      meta.task === "classification" ? "probabilities" : meta.target.replace(/\W/g, "_") || "prediction",
    ],
  });
  console.log(
    `wrote ${onnx}: input "features" float32 [batch, ${d}] (${meta.features.join(", ")}), output ${meta.task === "classification" ? `class probabilities [batch, ${meta.classes.length}] (${meta.classes.join(", ")})` : `${meta.target} [batch, 1]`}`,
  );
}

export function exportCommand(): Command {
  return new Command("export")
    .description(
      "export a saved model to ONNX (standardisation and softmax included: raw columns in, probabilities out)",
    )
    .argument("<model>", "a model folder written by grafo train")
    .requiredOption("--onnx <file>", "the .onnx file to write")
    .addHelpText("after", "\nExample:\n  $ grafo export model/ --onnx model.onnx")
    .action((modelPath: string, o: { onnx: string }) => exportModel(modelPath, o.onnx));
}
