/**
 * Slide L6 — The solution to XOR: one hidden layer, trained from random
 * weights. The hidden layer h(x) = σ(V·φ(x)) is feature engineering done by
 * the optimizer: after training, the output is a linear classifier on h(x),
 * and on h(x) the four points are linearly separable.
 * Run: npx tsx examples/lecture/l06-xor-solution.ts
 */
import { data, nn, optim, random } from "../../src/index.js";

export async function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.lectureXor();
  const hidden = nn.sequential(nn.linear(2, 2, { key: random.key(6) }), nn.sigmoid());
  const model = nn.sequential(hidden, nn.linear(2, 1, { key: random.key(7) }));
  const history = await model.fit(x, y, {
    loss: "logistic",
    optimizer: optim.adam({ lr: 0.1 }),
    epochs: 400,
    batchSize: 4,
    metrics: ["accuracy"],
    verbose: 0,
  });
  const features = hidden.predict(x).toArray() as number[][];
  const scores = Array.from(model.predict(x).data());
  log("x       h(x) learned        score   label");
  (x.toArray() as number[][]).forEach((p, i) => {
    log(
      `[${p}]   [${features[i]!.map((v) => v.toFixed(3)).join(", ")}]   ${scores[i]!.toFixed(2).padStart(6)}   ${y.data()[i]! > 0 ? "+1" : "−1"}`,
    );
  });
  const accuracy = history.last("accuracy")!;
  log(`training accuracy ${accuracy * 100}%, final loss ${history.last("loss")!.toFixed(4)}`);
  return { accuracy, features, scores, finalLoss: history.last("loss")! };
}

if (import.meta.url === `file://${process.argv[1]}`) await run(console.log);
