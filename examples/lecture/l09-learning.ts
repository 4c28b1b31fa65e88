/**
 * Slide L9 — Learning is minimizing TrainLoss(V, w) by gradient descent.
 * Two things to see: the training loss falling epoch by epoch, and the shape
 * of the loss surface. For a linear predictor the squared loss is a convex
 * bowl (one minimum; every chord lies above the surface). For even the
 * smallest net, ŷ = a·tanh(b·x), it is not: (a, b) and (−a, −b) give the
 * same function, so there are two minima and the point between them is worse.
 * Run: npx tsx examples/lecture/l09-learning.ts
 */
import { data, linspace, nn, optim, random, type Tensor } from "../../src/index.js";

const G = 21; // grid points per axis, over [−3, 3]

/** Text heat map: ' ' for the lowest tenth of the values up to '@' for the highest. */
function heatMap(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const shades = " .:-=+*#%@";
  const level = (v: number) => Math.min(9, Math.floor((sorted.indexOf(v) / values.length) * 10));
  const rows: string[] = [];
  for (let i = 0; i < G; i++)
    rows.push(
      `|${Array.from({ length: G }, (_, j) => shades[level(values[i * G + j]!)]!.repeat(2)).join("")}|`,
    );
  return rows.join("\n");
}

/** Midpoint convexity on the grid: pairs p, q whose midpoint m has L(m) > (L(p) + L(q))/2. */
function convexityViolations(values: number[]): number {
  let bad = 0;
  for (let p = 0; p < G * G; p++)
    for (let q = p + 1; q < G * G; q++) {
      const [pi, pj, qi, qj] = [Math.floor(p / G), p % G, Math.floor(q / G), q % G];
      if ((pi + qi) % 2 || (pj + qj) % 2) continue;
      const m = ((pi + qi) / 2) * G + (pj + qj) / 2;
      if (values[m]! > (values[p]! + values[q]!) / 2 + 1e-6) bad++;
    }
  return bad;
}

/** Mean squared error of a family of predictors over a G×G grid of its two parameters. */
function surface(predict: (a: Tensor, b: Tensor, x: Tensor) => Tensor, x: Tensor, y: Tensor): number[] {
  const axis = linspace(-3, 3, G);
  const a = axis.reshape([G, 1, 1]); // rows
  const b = axis.reshape([1, G, 1]); // columns
  const xs = x.reshape([1, 1, -1]);
  return Array.from(
    predict(a, b, xs)
      .sub(y.reshape([1, 1, -1]))
      .square()
      .mean(-1)
      .data(),
  );
}

export async function run(log: (s: string) => void = () => {}) {
  // 1. The training loss of a small net over the epochs.
  const { x: mx, y: my } = data.moons({ n: 100, noise: 0.1, seed: 9 });
  const model = nn.mlp([2, 8, 1], { activation: "tanh", key: random.key(9) });
  const h = await model.fit(mx, my, {
    loss: "binaryCrossEntropyWithLogits",
    optimizer: optim.adam({ lr: 0.05 }),
    epochs: 20,
    batchSize: 20,
    verbose: 0,
  });
  const trainLoss = h.get("loss");
  log(`TrainLoss by epoch: ${trainLoss.map((v) => v.toFixed(3)).join(" ")}`);

  // 2. Loss surfaces on 1-D data: rows are the first parameter, columns the second, both over [−3, 3].
  const x = linspace(-2, 2, 40);
  const linearSurface = surface((w0, w1, xs) => w0.add(w1.mul(xs)), x, x.mul(0.8).add(0.5));
  const netSurface = surface((a, b, xs) => a.mul(b.mul(xs).tanh()), x, x.mul(2).tanh().mul(1.5));
  log(`\nlinear ŷ = w₀ + w₁x: a convex bowl (w₀ down, w₁ across)\n${heatMap(linearSurface)}`);
  log(`\nnet ŷ = a·tanh(b·x): two valleys (a down, b across)\n${heatMap(netSurface)}`);
  const linearViolations = convexityViolations(linearSurface);
  const netViolations = convexityViolations(netSurface);
  log(`\nmidpoints above their chord: linear ${linearViolations}, net ${netViolations}`);
  const at = (a: number, b: number) =>
    netSurface[Math.round(((a + 3) / 6) * (G - 1)) * G + Math.round(((b + 3) / 6) * (G - 1))]!;
  const minima = [at(1.5, 2.1), at(-1.5, -2.1)];
  const between = at(0, 0);
  log(
    `net loss near (1.5, 2.1): ${minima[0]!.toFixed(3)}, near (−1.5, −2.1): ${minima[1]!.toFixed(3)}, halfway at (0, 0): ${between.toFixed(3)}`,
  );
  return { trainLoss, linearViolations, netViolations, minima, between };
}

if (import.meta.url === `file://${process.argv[1]}`) await run(console.log);
