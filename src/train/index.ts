/** Training: fit/evaluate/predict, the pure training step, callbacks, metrics, history. */
export {
  type Callback,
  type EarlyStoppingOptions,
  earlyStopping,
  type Logs,
  loadCheckpoint,
  type ModelCheckpointOptions,
  modelCheckpoint,
  type ReduceLROnPlateauOptions,
  reduceLROnPlateau,
  stateDictToJson,
  type TrainContext,
} from "./callbacks.js";
export { type EvaluateOptions, evaluate, type FitInput, type FitOptions, fit, predict } from "./fit.js";
export { History } from "./history.js";
export {
  accuracy,
  binaryAccuracy,
  getMetric,
  type Metric,
  type MetricName,
  maeMetric,
  mseMetric,
} from "./metrics.js";
export { progress } from "./progress.js";
export { makeTrainStep, type StepAux, type StepExtras, type TrainStep } from "./step.js";
