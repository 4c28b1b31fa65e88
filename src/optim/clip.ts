import { flatten, mapTree } from "../autodiff/tree.js";
import { ArgumentError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { add, div, minimum, mul } from "../ops/binary.js";
import { clip } from "../ops/nn.js";
import { sum } from "../ops/reduce.js";
import { sqrt, square } from "../ops/unary.js";

/** √(Σ g²) over every tensor of a tree: the norm of all gradients as one vector. */
export function globalNorm(tree: unknown): Tensor {
  const { leaves } = flatten(tree);
  if (leaves.length === 0) throw new ArgumentError("globalNorm: the tree holds no tensors");
  return sqrt(leaves.map((g) => sum(square(g))).reduce((a, b) => add(a, b)));
}

/**
 * Scales all gradients together so their global norm is at most `maxNorm`
 * (direction kept, as PyTorch's `clip_grad_norm_`): tames exploding gradients.
 */
export function clipByGlobalNorm<T>(grads: T, maxNorm: number): T {
  if (!(maxNorm > 0)) throw new ArgumentError(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  const scale = minimum(div(maxNorm, add(globalNorm(grads), 1e-6)), 1);
  return mapTree(grads, (g) => mul(g, scale));
}

/** Clips every gradient entry to [−value, value]. */
export function clipByValue<T>(grads: T, value: number): T {
  if (!(value > 0)) throw new ArgumentError(`clipByValue: value must be positive, got ${value}`);
  return mapTree(grads, (g) => clip(g, -value, value));
}
