/**
 * Slide L4 — The same network in vector form:
 *   h(x) = 1[V·φ(x) ≥ 0],  φ(x) = [1, x₁, x₂],  V = [[−1, +1, −1], [−1, −1, +1]]
 *   f(x) = sign(w·h(x)),   w = [1, 1]
 * First with bare tensors, then as layers (polynomialFeatures(1) is exactly
 * φ, and a linear layer's [out, in] weight is exactly V), weights set by hand.
 * Run: npx tsx examples/lecture/l04-vector-form.ts
 */
import { concat, data, nn, ones, step, tensor } from "../../src/index.js";
import { lectureSign } from "./l03-xor-in-parts.js";

export function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.lectureXor();
  const V = tensor([
    [-1, 1, -1],
    [-1, -1, 1],
  ]);
  const w = tensor([1, 1]);

  // Tensors: one row of Φ per point, so V·φ(x) for all points is Φ·Vᵀ.
  const phi = concat([ones([4, 1]), x], 1);
  const scores = phi.matmul(V.T); // V·φ(x), one row per point
  const h = step(scores); // 1[V·φ(x) ≥ 0]
  const f = lectureSign(h.matmul(w));
  log("x        V·φ(x)      h(x)    f(x)  y");
  const xs = x.toArray() as number[][];
  xs.forEach((p, i) => {
    log(
      `[${p}]    [${(scores.toArray() as number[][])[i]}]    [${(h.toArray() as number[][])[i]}]   ${f.data()[i]! > 0 ? "+1" : "−1"}   ${y.data()[i]! > 0 ? "+1" : "−1"}`,
    );
  });

  // Layers, weights set by hand.
  const net = nn.sequential(
    nn.polynomialFeatures(1),
    nn.linear(3, 2, { bias: false }),
    nn.step(),
    nn.linear(2, 1, { bias: false }),
  );
  net.loadStateDict({ "1.weight": V, "3.weight": w.reshape([1, 2]) });
  const layered = lectureSign(net.call(x).reshape([4]));
  log(`\nthe same network as layers:\n${net.toString()}\nf = [${Array.from(layered.data())}]`);
  return {
    scores: scores.toArray(),
    hidden: h.toArray(),
    f: Array.from(f.data()),
    layered: Array.from(layered.data()),
    labels: Array.from(y.data()),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
