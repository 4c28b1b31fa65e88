import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { regression, smooth, threeClasses, twoClasses } from "./data.js";
import { grafo, tempDir } from "./run.js";

const tmp = tempDir();
afterAll(tmp.remove);

/** Reads a CSV written by grafo predict: header and rows of fields. */
const readCsv = (text: string) => {
  const [head, ...rows] = text.trim().split("\n");
  return { head: head!.split(","), rows: rows.map((r) => r.split(",")) };
};

describe("grafo train → eval → predict → info → export, 3 classes by name", () => {
  let data: string;
  let model: string;
  beforeAll(async () => {
    data = threeClasses(tmp.dir);
    model = join(tmp.dir, "three-model");
    const r = await grafo(["train", data, "--target", "species", "--out", model]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /classification \(3 classes: setosa, versicolor, virginica\), 5 features, 240 rows/,
    );
  }, 120_000);

  it("saves the model with its plots and reaches high accuracy with the default flags", async () => {
    expect(readdirSync(model).sort()).toEqual([
      "confusion.svg",
      "curves.svg",
      "model.json",
      "weights.safetensors",
    ]);
    expect(readFileSync(join(model, "curves.svg"), "utf8")).toContain("<polyline");
    const meta = JSON.parse(readFileSync(join(model, "model.json"), "utf8")).metadata;
    expect(meta.classes).toEqual(["setosa", "versicolor", "virginica"]);
    expect(meta.features).toEqual(["sepal", "petal", "width", "height", "noise"]);
    // The standardisation is the training rows' statistics: the constant-ish centre of "height" is 10.
    expect(meta.featureMean[3]).toBeCloseTo(10, 0);
    const r = await grafo(["eval", model, data, "--json"]);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.accuracy).toBeGreaterThan(0.97);
    expect(e.rows).toBe(240);
    expect(e.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(240);
    // Accuracy is the diagonal's share of the confusion matrix.
    expect(e.confusion[0][0] + e.confusion[1][1] + e.confusion[2][2]).toBe(Math.round(e.accuracy * 240));
  });

  it("eval prints loss, accuracy and the confusion matrix", async () => {
    const r = await grafo(["eval", model, data]);
    expect(r.code).toBe(0);
    const e = JSON.parse((await grafo(["eval", model, data, "--json"])).stdout);
    expect(Number(/^accuracy\s+(\S+)$/m.exec(r.stdout)?.[1])).toBeCloseTo(e.accuracy, 4);
    expect(r.stdout).toMatch(/true \\ predicted\s+setosa\s+versicolor\s+virginica/);
    const rows = r.stdout.trim().split("\n").slice(-3);
    expect(rows.map((l) => l.trim().split(/\s+/).slice(1).map(Number))).toEqual(e.confusion);
  });

  it("predicts the training file's labels, from a file or stdin, with probabilities summing to 1", async () => {
    const text = readFileSync(data, "utf8");
    const truth = text
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",").at(-1));
    const withoutTarget = text.replace(/,[a-z]+$/gm, "").replace(/^(.*),noise,species$/m, "$1,noise");
    const fromStdin = await grafo(["predict", model, "-", "--probabilities"], { input: withoutTarget });
    expect(fromStdin.code).toBe(0);
    const p = readCsv(fromStdin.stdout);
    expect(p.head).toEqual(["prediction", "p(setosa)", "p(versicolor)", "p(virginica)"]);
    expect(p.rows).toHaveLength(240);
    const right = p.rows.filter((row, i) => row[0] === truth[i]).length;
    expect(right / 240).toBeGreaterThan(0.97);
    for (const row of p.rows)
      expect(
        row
          .slice(1)
          .map(Number)
          .reduce((a, b) => a + b),
      ).toBeCloseTo(1, 4);
    const out = join(tmp.dir, "preds.csv");
    const toFile = await grafo(["predict", model, data, "--out", out]);
    expect(toFile.code).toBe(0);
    expect(readCsv(readFileSync(out, "utf8")).rows.map((r) => r[0])).toEqual(p.rows.map((r) => r[0]));
  });

  it("info shows the architecture, the parameter count and the training figures", async () => {
    const r = await grafo(["info", model]);
    expect(r.code).toBe(0);
    // 5·32+32 + 32·32+32 + 32·3+3 = 1347.
    expect(r.stdout).toContain("Total parameters: 1,347");
    const meta = JSON.parse(readFileSync(join(model, "model.json"), "utf8")).metadata;
    const [train, validation] = /^accuracy\s+(\S+)\s+(\S+)$/m.exec(r.stdout)!.slice(1).map(Number);
    expect(train).toBeCloseTo(meta.metrics.training.accuracy, 4);
    expect(validation).toBeCloseTo(meta.metrics.validation.accuracy, 4);
    expect(validation).toBeGreaterThan(0.95);
    expect(r.stdout).toContain("features  5: sepal, petal, width, height, noise");
  });

  it("exports ONNX that onnxruntime-web runs to the probabilities grafo predicts", async () => {
    const onnx = join(tmp.dir, "three.onnx");
    const r = await grafo(["export", model, "--onnx", onnx]);
    expect(r.code).toBe(0);
    const rows = readFileSync(data, "utf8").trim().split("\n").slice(1, 21);
    const x = Float32Array.from(rows.flatMap((l) => l.split(",").slice(0, 5).map(Number)));
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    const result = await session.run({ features: new ort.Tensor("float32", x, [20, 5]) });
    const probs = result.probabilities!.data as Float32Array;
    const predicted = await grafo(["predict", model, "-", "--probabilities"], {
      input: ["sepal,petal,width,height,noise", ...rows.map((l) => l.split(",").slice(0, 5).join(","))].join(
        "\n",
      ),
    });
    const expected = readCsv(predicted.stdout).rows.flatMap((row) => row.slice(1).map(Number));
    expect(probs.length).toBe(60);
    for (const [i, v] of probs.entries()) expect(v).toBeCloseTo(expected[i]!, 4);
  });
});

describe("grafo train: 2 classes and a regression", () => {
  it("learns a circle's inside from 0/1 labels and draws its decision boundary", async () => {
    const data = twoClasses(tmp.dir);
    const model = join(tmp.dir, "two-model");
    const r = await grafo(["train", data, "--target", "inside", "--out", model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "classification (2 classes: 0, 1), 2 features, 300 rows (240 training, 60 validation)",
    );
    expect(existsSync(join(model, "boundary.svg"))).toBe(true);
    const e = JSON.parse((await grafo(["eval", model, data, "--json"])).stdout);
    expect(e.accuracy).toBeGreaterThan(0.95);
  });

  it("fits a smooth function to R² close to 1 and predicts it in the target's units", async () => {
    const data = regression(tmp.dir);
    const model = join(tmp.dir, "reg-model");
    const r = await grafo(["train", data, "--target", "y", "--out", model, "--plots", "png"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("regression of y, 3 features, 400 rows");
    expect([...readFileSync(join(model, "curves.png")).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const e = JSON.parse((await grafo(["eval", model, data, "--json"])).stdout);
    expect(e.r2).toBeGreaterThan(0.99);
    expect(e.mse).toBeCloseTo(e.loss, 10);
    const points = [
      [0.5, -1, 1],
      [-1.2, 0.3, -0.7],
      [1.5, 1.5, 0],
    ];
    const p = await grafo(["predict", model, "-"], {
      input: ["u,v,w", ...points.map((q) => q.join(","))].join("\n"),
    });
    const out = readCsv(p.stdout);
    expect(out.head).toEqual(["y"]);
    for (const [i, row] of out.rows.entries())
      expect(Number(row[0])).toBeCloseTo(smooth(...(points[i] as [number, number, number])), 1);
  });
});
