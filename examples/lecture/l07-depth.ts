/**
 * Slide L7 — Generalizing: the score with no hidden layer (w·φ(x)), one
 * (w·σ(V·φ(x))), two (w·σ(V₂σ(V₁φ(x)))), … is one function of the list of
 * widths: `nn.mlp([inputs, ...hidden, 1])`. The same training code runs all.
 * Here on the Playground's xor set (400 noisy points).
 * Run: npx tsx examples/lecture/l07-depth.ts
 */
import { data, nn, optim, random } from "../../src/index.js";

/** The predictor with the given hidden widths ([] = linear). */
export const predictor = (hidden: readonly number[]) =>
  nn.mlp([2, ...hidden, 1], { activation: "tanh", key: random.key(hidden.length + 1) });

export async function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.xor({ n: 400, noise: 0.05, seed: 7 });
  const inputs = x.div(5); // the set spans [−5, 5]; tanh units like inputs near [−1, 1]
  const results: { hidden: number[]; parameters: number; accuracy: number }[] = [];
  for (const hidden of [[], [8], [8, 8]]) {
    const model = predictor(hidden);
    const h = await model.fit(inputs, y, {
      loss: "binaryCrossEntropyWithLogits",
      optimizer: optim.adam({ lr: 0.03 }),
      epochs: 40,
      batchSize: 32,
      metrics: ["accuracy"],
      seed: 1,
      verbose: 0,
    });
    results.push({ hidden, parameters: model.numParameters(), accuracy: h.last("accuracy")! });
    log(
      `${String(hidden.length)} hidden layer(s) [${hidden}]`.padEnd(28) +
        `${String(model.numParameters()).padStart(4)} parameters   training accuracy ${(h.last("accuracy")! * 100).toFixed(1)}%`,
    );
  }
  return { results };
}

if (import.meta.url === `file://${process.argv[1]}`) await run(console.log);
