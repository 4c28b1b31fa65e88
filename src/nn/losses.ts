/**
 * Loss functions, `(predictions, targets, { reduction }) => Tensor`, each a
 * short composition of grafo ops. `reduction` is "mean" (default), "sum" or
 * "none" (per element; per sample for crossEntropy).
 */
import { ArgumentError, ShapeError } from "../core/errors.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { add, greater, maximum, mul, sub, where } from "../ops/binary.js";
import { castTo } from "../ops/convert.js";
import { clip, logSoftmax, softplus } from "../ops/nn.js";
import { max, mean, min, sum } from "../ops/reduce.js";
import { oneHot } from "../ops/shape.js";
import { abs, log, neg, square } from "../ops/unary.js";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

/** A loss: predictions and targets to a scalar (or per-element values with reduction "none"). */
export type LossFn = (predictions: Tensor, targets: Tensor, options?: LossOptions) => Tensor;

function reduce(t: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  switch (reduction ?? "mean") {
    case "mean":
      return mean(t);
    case "sum":
      return sum(t);
    case "none":
      return t;
    default:
      throw new ArgumentError(`${op}: reduction must be "mean", "sum" or "none", got "${String(reduction)}"`);
  }
}

/** Predictions and targets must have one shape: a silent broadcast ([N,1] vs [N]) is a classic bug. */
function sameShape(op: string, p: Tensor, t: Tensor): Tensor {
  if (!shapesEqual(p.shape, t.shape))
    throw new ShapeError(
      `${op}: predictions ${fmtShape(p.shape)} and targets ${fmtShape(t.shape)} differ in shape; reshape the targets to ${fmtShape(p.shape)}`,
    );
  return castTo(t, p.dtype);
}

/** Mean squared error: (ŷ − y)². */
export const mse: LossFn = (p, t, o = {}) =>
  reduce(square(sub(p, sameShape("mse", p, t))), o.reduction, "mse");

/** Mean absolute error: |ŷ − y|. */
export const mae: LossFn = (p, t, o = {}) => reduce(abs(sub(p, sameShape("mae", p, t))), o.reduction, "mae");

/** Huber: ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond: squared near the target, linear (robust) far from it. */
export function huber(p: Tensor, t: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ArgumentError(`huber: delta must be positive, got ${delta}`);
  const e = abs(sub(p, sameShape("huber", p, t)));
  const quad = mul(square(e), 0.5);
  const lin = mul(sub(e, delta / 2), delta);
  return reduce(where(greater(e, delta), lin, quad), options.reduction, "huber");
}

function plusMinusOne(op: string, t: Tensor): void {
  if (!t._buf) return;
  const d = t.data();
  for (let i = 0; i < d.length; i++)
    if (d[i] !== 1 && d[i] !== -1)
      throw new ArgumentError(
        `${op}: targets must be −1 or +1 (the lecture's labels), got ${d[i]} at index ${i}`,
      );
}

/** Hinge loss max(0, 1 − y·ŷ) for labels y ∈ {−1, +1} (score ŷ). */
export const hinge: LossFn = (p, t, o = {}) => {
  const y = sameShape("hinge", p, t);
  plusMinusOne("hinge", y);
  return reduce(maximum(sub(1, mul(y, p)), 0), o.reduction, "hinge");
};

/** Logistic loss log(1 + e^(−y·ŷ)) for labels y ∈ {−1, +1} (computed as softplus, so it never overflows). */
export const logistic: LossFn = (p, t, o = {}) => {
  const y = sameShape("logistic", p, t);
  plusMinusOne("logistic", y);
  return reduce(softplus(neg(mul(y, p))), o.reduction, "logistic");
};

export interface BceOptions extends LossOptions {
  /** Predictions are logits z (any real), not probabilities: uses the stable softplus(z) − y·z. */
  fromLogits?: boolean;
}

/** Binary cross-entropy −[y log p + (1 − y) log(1 − p)] for targets y ∈ [0, 1]. */
export function binaryCrossEntropy(p: Tensor, t: Tensor, options: BceOptions = {}): Tensor {
  const y = sameShape("binaryCrossEntropy", p, t);
  if (y._buf && y.size > 0 && (min(y).item() < 0 || max(y).item() > 1))
    throw new ArgumentError(
      `binaryCrossEntropy: targets must be in [0, 1], got values from ${min(y).item()} to ${max(y).item()}`,
    );
  if (options.fromLogits) return reduce(sub(softplus(p), mul(y, p)), options.reduction, "binaryCrossEntropy");
  // Clipping keeps log finite when a probability saturates at 0 or 1.
  const eps = 1e-7;
  const q = clip(p, eps, 1 - eps);
  const nll = neg(add(mul(y, log(q)), mul(sub(1, y), log(sub(1, q)))));
  return reduce(nll, options.reduction, "binaryCrossEntropy");
}

/**
 * Cross-entropy of logits `[N, C]` (or `[C]`) against class ids `[N]` (any
 * integer dtype) or one-hot / probability targets `[N, C]`: −Σ y·logSoftmax(z).
 * Stable for any logits (logSoftmax subtracts the max).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, options: LossOptions = {}): Tensor {
  const op = "crossEntropy";
  if (logits.rank < 1) throw new ShapeError(`${op}: logits must have a class axis, got a scalar`);
  const classes = logits.shape[logits.rank - 1]!;
  let target: Tensor;
  if (labels.rank === logits.rank - 1 && shapesEqual(labels.shape, logits.shape.slice(0, -1))) {
    if (labels._buf) {
      const d = labels.data();
      for (let i = 0; i < d.length; i++)
        if (!Number.isInteger(d[i]) || d[i]! < 0 || d[i]! >= classes)
          throw new ArgumentError(
            `${op}: label ${d[i]} at index ${i} is not a class id in [0, ${classes}) for logits ${fmtShape(logits.shape)}`,
          );
    }
    target = castTo(oneHot(labels, classes), logits.dtype);
  } else if (shapesEqual(labels.shape, logits.shape)) {
    target = castTo(labels, logits.dtype);
  } else {
    throw new ShapeError(
      `${op}: labels ${fmtShape(labels.shape)} fit neither class ids ${fmtShape(logits.shape.slice(0, -1))} nor one-hot ${fmtShape(logits.shape)} for logits ${fmtShape(logits.shape)}`,
    );
  }
  const perSample = neg(sum(mul(target, logSoftmax(logits, -1)), -1));
  return reduce(perSample, options.reduction, op);
}

/** Binary cross-entropy on logits (the stable form); a name for `fit({ loss })`. */
export const binaryCrossEntropyWithLogits: LossFn = (p, t, o = {}) =>
  binaryCrossEntropy(p, t, { ...o, fromLogits: true });

const losses = {
  mse,
  mae,
  huber,
  hinge,
  logistic,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
} as const;

/** A built-in loss's name (for `fit({ loss: "crossEntropy" })`). */
export type LossName = keyof typeof losses;

/** A loss by name, or the function itself. */
export function getLoss(loss: LossName | LossFn, op = "loss"): LossFn {
  if (typeof loss === "function") return loss;
  const f = losses[loss];
  if (!f)
    throw new ArgumentError(
      `${op}: unknown loss "${String(loss)}"; expected one of ${Object.keys(losses).join(", ")}`,
    );
  return f;
}
