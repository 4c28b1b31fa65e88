/** `grafo predict <model> <data.csv|->`: the saved model's predictions, as CSV. */
import { Command } from "commander";
import { predict } from "../train/fit.js";
import { featureIndices, parseCsvFile, readCsvFile } from "./csv-input.js";
import { writeFile } from "./files.js";
import { loadTabular } from "./store.js";
import { modelInput, probabilities, unscale } from "./tabular.js";

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
const field = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function predictFile(
  modelPath: string,
  file: string,
  o: { out?: string; probabilities?: boolean },
) {
  const { model, meta } = await loadTabular(modelPath);
  const csv = readCsvFile(file);
  const data = parseCsvFile(csv, data0HasTarget(csv.text, meta.target) ? meta.target : undefined);
  const x = modelInput(data, featureIndices(data, meta.features, csv.name), meta);
  const out = predict(model, x);
  const lines: string[] = [];
  if (meta.task === "classification") {
    const k = meta.classes.length;
    const p = probabilities(out).data();
    lines.push(
      ["prediction", ...(o.probabilities ? meta.classes.map((c) => `p(${c})`) : [])].map(field).join(","),
    );
    for (let i = 0; i < p.length / k; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
      const probs = o.probabilities
        ? Array.from(p.subarray(i * k, (i + 1) * k), (v) => String(Number(v.toPrecision(6))))
        : [];
      lines.push([field(meta.classes[best]!), ...probs].join(","));
    }
  } else {
    lines.push(field(meta.target));
    for (const v of unscale(out, meta)) lines.push(String(Number(v.toPrecision(7))));
  }
  const text = `${lines.join("\n")}\n`;
  if (o.out) writeFile(o.out, text);
  else process.stdout.write(text);
}

/** Whether the header row names the target column (a file to predict may leave it out). */
function data0HasTarget(text: string, target: string): boolean {
  const header = text.split(/\r?\n/, 1)[0] ?? "";
  return header.split(",").some((c) => c.trim().replace(/^"|"$/g, "") === target);
}

export function predictCommand(): Command {
  return new Command("predict")
    .description(
      "predict with a saved model: one row out per row in (class labels as in the training file, or numbers)",
    )
    .argument("<model>", "a model folder written by grafo train")
    .argument(
      "<data.csv>",
      "rows with the training file's feature columns (the target column may be absent); - reads stdin",
    )
    .option("--out <file>", "write the predictions to a CSV file instead of printing them")
    .option("--probabilities", "add each class's probability (classification)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ grafo predict model/ new.csv --out preds.csv\n  $ cat new.csv | grafo predict model/ - --probabilities",
    )
    .action((modelPath: string, file: string, o: { out?: string; probabilities?: boolean }) =>
      predictFile(modelPath, file, o),
    );
}
