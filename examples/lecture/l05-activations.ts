/**
 * Slide L5 — Avoiding the indicator. The threshold 1[z ≥ 0] has derivative 0
 * everywhere but at 0 (a Dirac delta there), so gradient descent gets no
 * signal through it. Replace it by the logistic σ(z) = 1/(1 + e^(−z)) or the
 * ReLU max(z, 0), whose derivatives σ(z)(1 − σ(z)) and 1[z > 0] are useful.
 * Then train the same XOR net, from the same initial weights, with each.
 * Run: npx tsx examples/lecture/l05-activations.ts
 */
import {
  data,
  grad,
  nn,
  optim,
  random,
  relu,
  sigmoid,
  step,
  type Tensor,
  tensor,
  valueAndGrad,
} from "../../src/index.js";

const activations = { threshold: step, logistic: sigmoid, relu } as const;
const names = { threshold: "step", logistic: "sigmoid", relu: "relu" } as const;

export function run(log: (s: string) => void = () => {}) {
  // Each activation and its derivative (by autodiff) at a few points.
  const z = tensor([-2, -1, -0.5, 0.5, 1, 2]);
  const table: Record<string, { value: number[]; derivative: number[] }> = {};
  log(
    `z                 ${Array.from(z.data())
      .map((v) => v.toFixed(2).padStart(6))
      .join("")}`,
  );
  for (const [name, f] of Object.entries(activations)) {
    const value = Array.from(f(z).data());
    const derivative = Array.from(grad((t: Tensor) => f(t).sum())(z).data());
    table[name] = { value, derivative };
    log(`${name.padEnd(10)} value ${value.map((v) => v.toFixed(2).padStart(6)).join("")}`);
    log(`${"".padEnd(10)} deriv ${derivative.map((v) => v.toFixed(2).padStart(6)).join("")}`);
  }

  // The same 2-4-1 net from the same initial weights, with each activation. The
  // threshold net can only fit its last layer on top of fixed random features.
  const { x, y } = data.lectureXor();
  const training: Record<
    string,
    {
      firstGradNorm: number;
      lossBefore: number;
      lossAfter: number;
      hiddenWeightsMoved: boolean;
      accuracy: number;
    }
  > = {};
  for (const name of Object.keys(activations) as (keyof typeof activations)[]) {
    const model = nn.mlp([2, 4, 1], { activation: names[name], key: random.key(1) });
    const loss = (p: nn.ParamTree) => nn.logistic(model.apply(p, x), y);
    const opt = optim.adam({ lr: 0.05 });
    let params = model.parameters();
    let state = opt.init(params);
    const V0 = Array.from(((params["0"] as nn.ParamTree).weight as Tensor).data());
    const g0 = grad(loss)(params);
    const firstGradNorm = ((g0["0"] as nn.ParamTree).weight as Tensor).norm().item();
    const lossBefore = loss(params).item();
    for (let i = 0; i < 600; i++) {
      const [, g] = valueAndGrad(loss)(params);
      ({ params, state } = opt.update(g, state, params));
    }
    const lossAfter = loss(params).item();
    const V1 = Array.from(((params["0"] as nn.ParamTree).weight as Tensor).data());
    const scores = model.apply(params, x).data();
    const accuracy = Array.from(scores).filter((s, i) => (s > 0 ? 1 : -1) === y.data()[i]).length / 4;
    training[name] = {
      firstGradNorm,
      lossBefore,
      lossAfter,
      hiddenWeightsMoved: V0.some((v, i) => v !== V1[i]),
      accuracy,
    };
    log(
      `${name.padEnd(10)} ‖∇V‖ = ${firstGradNorm.toFixed(4)}  loss ${lossBefore.toFixed(3)} → ${lossAfter.toFixed(3)}  hidden weights ${training[name]!.hiddenWeightsMoved ? "moved" : "never moved"}  accuracy ${accuracy * 100}%`,
    );
  }
  return { table, training };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
