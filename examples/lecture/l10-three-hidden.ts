/**
 * Slide L10 — Gradient descent on a net with three hidden layers:
 *   Loss(V₁, V₂, V₃, w) = (w·σ(V₃σ(V₂σ(V₁φ(x)))) − y)²
 *   Vᵢ ← Vᵢ − η∇_{Vᵢ}Loss,   w ← w − η∇_w Loss
 * Exactly that, in a few lines, with `grad` doing the backpropagation.
 * The loss is averaged over the training set (TrainLoss of slide L9).
 * Run: npx tsx examples/lecture/l10-three-hidden.ts
 */
import { concat, data, grad, ones, random, sigmoid, type Tensor } from "../../src/index.js";

type Params = { V1: Tensor; V2: Tensor; V3: Tensor; w: Tensor };

export function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.regression1d({ n: 30, seed: 10 });
  const phi = concat([ones([30, 1]), x.div(3)], 1); // φ(x) = [1, x] per row (x scaled to about [−1, 1])
  const target = y.reshape([30]);

  // The model, one line: rows of φ are points, so V·φ(x) becomes φ·Vᵀ.
  const score = (p: Params, f: Tensor) =>
    sigmoid(sigmoid(sigmoid(f.matmul(p.V1.T)).matmul(p.V2.T)).matmul(p.V3.T)).matmul(p.w);
  const trainLoss = (p: Params) => score(p, phi).sub(target).square().mean();

  const [k1, k2, k3, k4] = random.split(random.key(10), 4);
  let p: Params = {
    V1: random.normal(k1!, [8, 2]),
    V2: random.normal(k2!, [8, 8]),
    V3: random.normal(k3!, [8, 8]),
    w: random.normal(k4!, [8]),
  };
  const eta = 0.1;
  const losses: number[] = [];
  for (let t = 0; t <= 2000; t++) {
    if (t % 400 === 0) losses.push(trainLoss(p).item());
    const g = grad(trainLoss)(p);
    // The update rule of the slide, for every Vᵢ and for w.
    p = {
      V1: p.V1.sub(g.V1.mul(eta)),
      V2: p.V2.sub(g.V2.mul(eta)),
      V3: p.V3.sub(g.V3.mul(eta)),
      w: p.w.sub(g.w.mul(eta)),
    };
  }
  log(`TrainLoss every 400 steps: ${losses.map((v) => v.toFixed(4)).join(" → ")}`);
  return { losses };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
