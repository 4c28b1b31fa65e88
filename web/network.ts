/**
 * The playground's network as plain functions of a parameter list, so every
 * neuron's output can be drawn: input features from raw 2-D points, a forward
 * pass that keeps each layer, and the loss a problem type trains on.
 */
import { concat, greaterEqual, nn, random, type Tensor, tensor } from "../src/index.js";
import { type ActivationName, type FeatureName, type PlaygroundState, StateError } from "./state.js";

/** One dense layer: z = h·wᵀ + b, w is [to, from] as in the lecture's V. */
export interface Layer {
  w: Tensor;
  b: Tensor;
}

/** The chosen input features of raw points x `[n, 2]`, as columns `[n, features]`. */
export function featureColumns(x: Tensor, features: readonly FeatureName[]): Tensor {
  const x1 = x.index(":", 0).reshape([-1, 1]);
  const x2 = x.index(":", 1).reshape([-1, 1]);
  const column: Record<FeatureName, () => Tensor> = {
    x1: () => x1,
    x2: () => x2,
    x1sq: () => x1.square(),
    x2sq: () => x2.square(),
    x1x2: () => x1.mul(x2),
    sinx1: () => x1.sin(),
    sinx2: () => x2.sin(),
  };
  return concat(
    features.map((f) => column[f]()),
    1,
  );
}

export function activate(z: Tensor, name: ActivationName): Tensor {
  switch (name) {
    case "step":
      // The lecture's threshold: its derivative is zero, so nothing before it learns (L5).
      return greaterEqual(z, 0).cast(z.dtype);
    case "sigmoid":
      return z.sigmoid();
    case "tanh":
      return z.tanh();
    case "relu":
      return z.relu();
    case "linear":
      return z;
  }
}

/** Every layer's output, the features first and the raw score (logit) last. */
export function forwardAll(layers: readonly Layer[], features: Tensor, activation: ActivationName): Tensor[] {
  const outs = [features];
  layers.forEach((l, i) => {
    const z = outs[i]!.matmul(l.w.T).add(l.b);
    outs.push(i === layers.length - 1 ? z : activate(z, activation));
  });
  return outs;
}

/**
 * The data loss: binary cross-entropy on the logit for classification (labels
 * ±1 become 0/1), squared error for regression (the ±1 labels as targets).
 */
export function dataLoss(score: Tensor, y: Tensor, problem: PlaygroundState["problem"]): Tensor {
  if (problem === "regression") return score.sub(y).square().mean();
  return nn.binaryCrossEntropy(score, y.add(1).mul(0.5), { fromLogits: true });
}

/** L1 or L2 penalty on the weights (biases are not penalised), times its rate. */
export function penalty(
  layers: readonly Layer[],
  s: Pick<PlaygroundState, "reg" | "regRate">,
): Tensor | undefined {
  if (s.reg === "none" || s.regRate === 0) return undefined;
  const terms = layers.map((l) => (s.reg === "l1" ? l.w.abs().sum() : l.w.square().sum()));
  return terms.reduce((a, b) => a.add(b)).mul(s.regRate);
}

/** Initial layers for widths `sizes`, drawn by nn.mlp from the seed (same seed, same weights). */
export function initialLayers(sizes: readonly number[], seed: number): Layer[] {
  const tree = nn.mlp(sizes, { key: random.key(seed) }).parameters() as Record<
    string,
    { weight: Tensor; bias: Tensor }
  >;
  return Object.keys(tree)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => ({ w: tree[k]!.weight, b: tree[k]!.bias }));
}

/** `layer`'s weight from neuron `from` to neuron `to` set to `value` (a new tensor; the old one is untouched). */
export function withWeight(
  layers: readonly Layer[],
  layer: number,
  to: number,
  from: number,
  value: number,
): Layer[] {
  const l = layers[layer];
  if (!l || to < 0 || from < 0 || to >= l.w.shape[0]! || from >= l.w.shape[1]! || !Number.isFinite(value))
    throw new StateError(
      `weight ${layer}:${to}:${from}: no such weight in this network, or ${value} is not a number`,
    );
  const data = Float32Array.from(l.w.data());
  data[to * l.w.shape[1]! + from] = value;
  return layers.map((m, i) => (i === layer ? { w: tensor(data, [...l.w.shape]), b: m.b } : m));
}
