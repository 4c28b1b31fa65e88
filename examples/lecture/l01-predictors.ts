/**
 * Slide L1 — Predictors:
 *   linear     ŷ = w·φ(x),  φ(x) = [1, x]
 *   quadratic  ŷ = w·φ(x),  φ(x) = [1, x, x²]
 *   neural     ŷ = w·σ(V·φ(x))
 * All three fit by gradient descent on the same 1-D data. The quadratic
 * predictor is still linear in w (only φ changed); the neural one learns
 * its own features σ(V·φ(x)).
 * Run: npx tsx examples/lecture/l01-predictors.ts
 */
import { data, nn, optim, random, type Tensor, tensor } from "../../src/index.js";

/** A rough text plot: the data as "o" and each fitted curve as its own letter. */
function asciiPlot(
  xs: number[],
  ys: number[],
  curves: [string, (x: number) => number][],
  w = 64,
  h = 18,
): string {
  const grid = Array.from({ length: h }, () => new Array<string>(w).fill(" "));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys) - 0.5, Math.max(...ys) + 0.5];
  const put = (x: number, y: number, c: string) => {
    const i = Math.round(((y1 - y) / (y1 - y0)) * (h - 1));
    const j = Math.round(((x - x0) / (x1 - x0)) * (w - 1));
    if (i >= 0 && i < h && j >= 0 && j < w) grid[i]![j] = c;
  };
  for (const [c, f] of curves)
    for (let j = 0; j < w; j++) put(x0 + ((x1 - x0) * j) / (w - 1), f(x0 + ((x1 - x0) * j) / (w - 1)), c);
  xs.forEach((x, i) => {
    put(x, ys[i]!, "o");
  });
  return grid.map((r) => `|${r.join("")}`).join("\n");
}

export async function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.regression1d({ n: 30, noise: 0.2, seed: 1 });
  const keys = random.split(random.key(1), 3);
  const predictors: Record<string, nn.Module> = {
    // φ(x) = [1, x], then w·φ(x): no separate bias, the 1 in φ plays that part.
    linear: nn.sequential(nn.polynomialFeatures(1), nn.linear(2, 1, { bias: false, key: keys[0]! })),
    quadratic: nn.sequential(nn.polynomialFeatures(2), nn.linear(3, 1, { bias: false, key: keys[1]! })),
    // w·σ(V·φ(x)) with 8 hidden units.
    neural: nn.sequential(
      nn.polynomialFeatures(1),
      nn.linear(2, 8, { bias: false, key: keys[2]! }),
      nn.sigmoid(),
      nn.linear(8, 1, { bias: false, key: keys[2]! }),
    ),
  };
  const mse: Record<string, number> = {};
  for (const [name, model] of Object.entries(predictors)) {
    await model.fit(x, y, {
      loss: "mse",
      optimizer: optim.adam({ lr: 0.05 }),
      epochs: 600,
      batchSize: 30,
      verbose: 0,
    });
    mse[name] = (await model.evaluate(x, y, { loss: "mse" })).loss!;
    log(`${name.padEnd(9)} training MSE ${mse[name]!.toFixed(4)}`);
  }
  const w = Array.from(((predictors.quadratic!.parameters()["1"] as nn.ParamTree).weight as Tensor).data());
  log(
    `quadratic weights w = [${w.map((v) => v.toFixed(3)).join(", ")}]  (data made from [1, −1, 0.5] + noise)`,
  );
  const at = (m: nn.Module) => (v: number) => (m.predict(tensor([[v]])) as Tensor).item();
  log(
    asciiPlot(Array.from(x.data()), Array.from(y.data()), [
      ["l", at(predictors.linear!)],
      ["q", at(predictors.quadratic!)],
      ["n", at(predictors.neural!)],
    ]),
  );
  log("o data   l linear   q quadratic   n neural");
  return { mse, quadraticWeights: w };
}

if (import.meta.url === `file://${process.argv[1]}`) await run(console.log);
