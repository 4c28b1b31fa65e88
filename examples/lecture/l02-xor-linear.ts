/**
 * Slide L2 — The classic example, XOR: no linear classifier separates it.
 * Points [0,2] and [2,0] are +1, [0,0] and [2,2] are −1 (slide L3's data).
 * A linear score w·[1, x₁, x₂] trained by gradient descent gets at most 3 of 4
 * right; a search over a grid of w finds none better; a net with one hidden
 * layer gets all 4.
 * Run: npx tsx examples/lecture/l02-xor-linear.ts
 */
import { data, nn, optim, random, type Tensor } from "../../src/index.js";

/** Fraction of points whose score has the label's sign. */
const accuracy = (scores: Tensor, y: Tensor): number => {
  const s = scores.data();
  const l = y.data();
  return Array.from(s).filter((v, i) => (v > 0 ? 1 : -1) === l[i]).length / s.length;
};

export async function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.lectureXor();

  // Linear: ŷ = w·[1, x₁, x₂], trained with the logistic loss.
  const linear = nn.sequential(
    nn.polynomialFeatures(1),
    nn.linear(3, 1, { bias: false, key: random.key(2) }),
  );
  await linear.fit(x, y, {
    loss: "logistic",
    optimizer: optim.sgd({ lr: 0.1 }),
    epochs: 300,
    batchSize: 4,
    verbose: 0,
  });
  const linearAccuracy = accuracy(linear.predict(x), y);
  log(`linear classifier after training: accuracy ${linearAccuracy * 100}%`);

  // Every w on a grid: the best any of them does is 3 of 4.
  let bestGridAccuracy = 0;
  const steps = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];
  const xs = x.toArray() as number[][];
  const ys = Array.from(y.data());
  for (const w0 of steps)
    for (const w1 of steps)
      for (const w2 of steps) {
        const right = xs.filter(([a, b], i) => (w0 + w1 * a! + w2 * b! > 0 ? 1 : -1) === ys[i]).length;
        bestGridAccuracy = Math.max(bestGridAccuracy, right / 4);
      }
  log(`best of ${steps.length ** 3} linear classifiers on a grid: ${bestGridAccuracy * 100}%`);

  // One hidden layer of 4 tanh units is enough.
  const net = nn.mlp([2, 4, 1], { activation: "tanh", key: random.key(3) });
  await net.fit(x, y, {
    loss: "logistic",
    optimizer: optim.adam({ lr: 0.05 }),
    epochs: 300,
    batchSize: 4,
    verbose: 0,
  });
  const netAccuracy = accuracy(net.predict(x), y);
  log(`one hidden layer: accuracy ${netAccuracy * 100}%`);
  return { linearAccuracy, bestGridAccuracy, netAccuracy };
}

if (import.meta.url === `file://${process.argv[1]}`) await run(console.log);
