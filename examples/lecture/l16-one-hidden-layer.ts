/**
 * Slide L16 — A simple net with one hidden layer:
 *   Loss = (w·σ(Vφ(x)) − y)²,  h = σ(Vφ(x))
 *   ∇_w Loss = 2·residual·h
 *   ∇_V Loss = 2·residual·(w∘h∘(1−h))·φ(x)ᵀ
 * Autodiff gives exactly these closed forms, without anyone deriving them.
 * Run: npx tsx examples/lecture/l16-one-hidden-layer.ts
 */
import { grad, outer, random, sigmoid, type Tensor, tensor } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const [kV, kw] = random.split(random.key(16));
  const V = random.normal(kV!, [3, 3], { dtype: "float64" });
  const w = random.normal(kw!, [3], { dtype: "float64" });
  const phi = tensor([1, 0.5, -1.5], undefined, { dtype: "float64" }); // φ(x) = [1, x₁, x₂]
  const y = 1;

  const loss = ({ V, w }: { V: Tensor; w: Tensor }) =>
    w
      .dot(sigmoid(V.matmul(phi)))
      .sub(y)
      .square();
  const auto = grad(loss)({ V, w });

  const h = sigmoid(V.matmul(phi));
  const residual = w.dot(h).sub(y);
  const closedW = h.mul(residual).mul(2);
  const closedV = outer(w.mul(h).mul(h.neg().add(1)).mul(residual).mul(2), phi);

  const errW = auto.w.sub(closedW).abs().max().item();
  const errV = auto.V.sub(closedV).abs().max().item();
  log(`∇_w autodiff   ${auto.w.toString()}\n∇_w closed form ${closedW.toString()}`);
  log(`∇_V autodiff\n${auto.V.toString()}\n∇_V closed form\n${closedV.toString()}`);
  log(`largest difference: w ${errW}, V ${errV}`);
  return {
    gradW: auto.w.toArray(),
    closedW: closedW.toArray(),
    gradV: auto.V.toArray(),
    closedV: closedV.toArray(),
    errW,
    errV,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
