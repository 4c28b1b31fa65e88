/**
 * The training step, in one place: a pure function from (parameters,
 * optimizer state, batch) to (loss, new parameters, new optimizer state).
 * Nothing is mutated, so the whole step can be traced and compiled as one
 * graph; `fit` only loops over it.
 */

import { mapTree } from "../autodiff/tree.js";
import { vjp } from "../autodiff/vjp.js";
import { onesLike, zerosLike } from "../core/creation.js";
import type { PRNGKey } from "../core/random.js";
import type { Tensor } from "../core/tensor.js";
import type { LossFn } from "../nn/losses.js";
import type { Module, ParamTree } from "../nn/module.js";
import type { Optimizer, OptState } from "../optim/optimizers.js";

/** What a step needs besides parameters and the batch: running statistics and a dropout key. */
export interface StepExtras {
  buffers?: ParamTree;
  /** A key, or key data (`random.keyData`), e.g. a traced input of a compiled step. */
  key?: PRNGKey | Tensor;
}

/** What a step returns besides loss, parameters and optimizer state. */
export interface StepAux {
  /** The updated running statistics (batchNorm); the old ones if the model has none. */
  buffers: ParamTree;
  /** The model's output on the batch (before the update), for training metrics. */
  output: Tensor;
}

/** `(params, optState, x, y, extras?) => [loss, params, optState, aux]`. */
export type TrainStep = (
  params: ParamTree,
  optState: OptState,
  x: Tensor,
  y: Tensor,
  extras?: StepExtras,
) => [Tensor, ParamTree, OptState, StepAux];

/**
 * Builds the step for a model, a loss and an optimizer: value and gradient of
 * the loss in one reverse pass (with the output and new running statistics
 * carried along as auxiliary results, which get zero cotangents), then the
 * optimizer's pure update.
 */
export function makeTrainStep(model: Module, loss: LossFn, optimizer: Optimizer): TrainStep {
  return (params, optState, x, y, extras = {}) => {
    const [[value, aux], back] = vjp((p: ParamTree) => {
      const [output, buffers] = model.applyWithState(p, x, {
        training: true,
        ...(extras.key && { key: extras.key }),
        ...(extras.buffers && { buffers: extras.buffers }),
      });
      return [loss(output, y), { buffers, output }] as [Tensor, StepAux];
    }, params);
    const [grads] = back([onesLike(value), mapTree(aux, (t) => zerosLike(t))] as never) as [ParamTree];
    const next = optimizer.update(grads, optState, params);
    return [value, next.params, next.state, aux];
  };
}
