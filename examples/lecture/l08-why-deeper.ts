/**
 * Slide L8 — Why more than one hidden layer? One wide hidden layer can
 * approximate any continuous function (universal approximation), yet deeper
 * nets build features of features and often need fewer parameters for the
 * same fit. A small experiment, not a proof: fit a wiggly 1-D function with
 * one wide layer and with three narrow ones of about the same size.
 * Run: npx tsx examples/lecture/l08-why-deeper.ts
 */
import { linspace, nn, optim, random } from "../../src/index.js";

export async function run(log: (s: string) => void = () => {}) {
  const x = linspace(-2, 2, 64).reshape([64, 1]);
  const y = x.mul(3).sin().add(x.mul(0.5)); // sin(3x) + x/2
  const shapes: Record<string, number[]> = {
    "one wide layer": [1, 32, 1],
    "three narrow layers": [1, 6, 6, 6, 1],
  };
  const results: Record<string, { parameters: number; mse: number; firstMse: number }> = {};
  for (const [name, sizes] of Object.entries(shapes)) {
    const model = nn.mlp(sizes, { activation: "tanh", key: random.key(8) });
    const h = await model.fit(x, y, {
      loss: "mse",
      optimizer: optim.adam({ lr: 0.02 }),
      epochs: 800,
      batchSize: 64,
      verbose: 0,
    });
    results[name] = { parameters: model.numParameters(), mse: h.last("loss")!, firstMse: h.get("loss")[0]! };
    log(
      `${name.padEnd(20)} ${String(model.numParameters()).padStart(3)} parameters  MSE ${h.get("loss")[0]!.toFixed(3)} → ${h.last("loss")!.toFixed(4)}`,
    );
  }
  log("(try other widths, depths and data sets in the playground)");
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run(console.log);
