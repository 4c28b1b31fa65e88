/** Optimizers as pure `{ init, update }` pairs, learning-rate schedules and gradient clipping. */
export { clipByGlobalNorm, clipByValue, globalNorm } from "./clip.js";
export {
  type AdagradOptions,
  type AdamOptions,
  adagrad,
  adam,
  adamw,
  type CommonOptions,
  type HasParameters,
  type Optimizer,
  type OptState,
  type RmspropOptions,
  rmsprop,
  type SgdOptions,
  scaleLearningRate,
  sgd,
} from "./optimizers.js";
export {
  cosineDecay,
  exponentialDecay,
  type LearningRate,
  learningRateAt,
  linearWarmup,
  type Schedule,
  stepDecay,
} from "./schedules.js";
