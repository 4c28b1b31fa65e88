/**
 * Neural networks: modules and layers (Keras/PyTorch style) over a functional
 * core (parameters as trees, `model.apply(params, x)`), initializers, losses.
 */
import type { Padding } from "../ops/nn.js";
import { PolynomialFeatures, polynomialFeatures } from "./features.js";
import {
  Activation,
  type ActivationName,
  activationLayer,
  BatchNorm,
  Conv2d,
  type Conv2dLayerOptions,
  Dropout,
  Embedding,
  eluLayer,
  Flatten,
  geluLayer,
  LayerNorm,
  Linear,
  leakyReluLayer,
  type NormOptions,
  Pool2d,
  type PoolOptions,
  reluLayer,
  sigmoidLayer,
  softmaxLayer,
  stepLayer,
  tanhLayer,
  type WeightOptions,
} from "./layers.js";

export type { Initializer, InitializerName } from "./init.js";
export * as init from "./init.js";
export {
  type BceOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  getLoss,
  hinge,
  huber,
  type LossFn,
  type LossName,
  type LossOptions,
  logistic,
  mae,
  mse,
  type Reduction,
} from "./losses.js";
export { type ApplyOptions, Context, Module, type ParamTree } from "./module.js";
export { type MlpOptions, mlp, Sequential, sequential } from "./sequential.js";
export {
  Activation,
  type ActivationName,
  activationLayer,
  BatchNorm,
  Conv2d,
  type Conv2dLayerOptions,
  Dropout,
  Embedding,
  Flatten,
  LayerNorm,
  Linear,
  type NormOptions,
  PolynomialFeatures,
  Pool2d,
  type PoolOptions,
  polynomialFeatures,
  type WeightOptions,
};

/** A fully connected layer `y = x·Wᵀ + b` with W `[out, in]` (Keras' Dense). */
export const linear = (inFeatures: number, outFeatures: number, options?: WeightOptions): Linear =>
  new Linear(inFeatures, outFeatures, options);
/** The same as `linear` (Keras' name). */
export const dense = linear;
/** 2-D convolution on NCHW input. */
export const conv2d = (
  inChannels: number,
  outChannels: number,
  kernelSize: number | readonly [number, number],
  options?: Conv2dLayerOptions,
): Conv2d => new Conv2d(inChannels, outChannels, kernelSize, options);
/** Max pooling over windows (NCHW). */
export const maxPool2d = (kernelSize: number | readonly [number, number], options?: PoolOptions): Pool2d =>
  new Pool2d("max", kernelSize, options);
/** Average pooling over windows (NCHW). */
export const avgPool2d = (kernelSize: number | readonly [number, number], options?: PoolOptions): Pool2d =>
  new Pool2d("avg", kernelSize, options);
/** `[N, ...] → [N, ∏...]`. */
export const flatten = (): Flatten => new Flatten();
/** Zeroes entries with probability `rate` in train mode (keys from the pass's PRNG stream). */
export const dropout = (rate: number): Dropout => new Dropout(rate);
/** Batch normalization with running statistics. */
export const batchNorm = (numFeatures: number, options?: NormOptions & { momentum?: number }): BatchNorm =>
  new BatchNorm(numFeatures, options);
/** Layer normalization over the last axes. */
export const layerNorm = (normalizedShape: number | readonly number[], options?: NormOptions): LayerNorm =>
  new LayerNorm(normalizedShape, options);
/** A table of `numEmbeddings` learned vectors of size `dim`, looked up by int32 ids. */
export const embedding = (
  numEmbeddings: number,
  dim: number,
  options?: Pick<WeightOptions, "weightInit" | "key">,
): Embedding => new Embedding(numEmbeddings, dim, options);

/** Threshold 1[z ≥ 0] as a layer. */
export const step = stepLayer;
/** Logistic σ(z) as a layer. */
export const sigmoid = sigmoidLayer;
/** tanh as a layer. */
export const tanh = tanhLayer;
/** max(z, 0) as a layer. */
export const relu = reluLayer;
/** Leaky ReLU as a layer. */
export const leakyRelu = leakyReluLayer;
/** ELU as a layer. */
export const elu = eluLayer;
/** GELU as a layer. */
export const gelu = geluLayer;
/** Softmax over `axis` as a layer. */
export const softmax = softmaxLayer;

export type { Padding };
