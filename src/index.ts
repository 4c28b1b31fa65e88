/**
 * grafo: computational graphs, automatic differentiation and neural networks
 * in TypeScript.
 */

export * from "./autodiff/index.js";
export { param } from "./autodiff/param.js";
export {
  type BackendName,
  type BackendStatus,
  backends,
  getBackend,
  setBackend,
  withBackend,
} from "./backends/registry.js";
export {
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  scalar,
  type TensorOptions,
  tensor,
  zeros,
  zerosLike,
} from "./core/creation.js";
export { type DebugOptions, debug } from "./core/debug.js";
export { DTYPES, type DType } from "./core/dtype.js";
export { ArgumentError, DTypeError, GrafoError, NaNError, ShapeError } from "./core/errors.js";
export { type MemoryFigures, type MemoryInfo, memory, trackTensors } from "./core/memory.js";
export * as random from "./core/random.js";
export { setSeed } from "./core/random.js";
export { type NestedArray, Tensor, type TensorLike } from "./core/tensor.js";
export * as data from "./data/index.js";
export * from "./graph/index.js";
export * as io from "./io/index.js";
export {
  type Checkpoint,
  FileFormatError,
  type LayerClass,
  type LoadedModel,
  type LoadOptions,
  load,
  loadCheckpoint,
  loadModel,
  loadWeights,
  type ModelInfo,
  type ModelSource,
  readModelInfo,
  readSafetensors,
  type SaveOptions,
  StorageError,
  save,
  saveCheckpoint,
  type TrainState,
  writeSafetensors,
} from "./io/index.js";
export {
  type Exportable,
  type ExportOnnxOptions,
  exportOnnx,
  type ImportOnnxOptions,
  importOnnx,
  OnnxError,
  OnnxModel,
  type OnnxValueInfo,
} from "./io/onnx/index.js";
export * as nn from "./nn/index.js";
export * from "./ops/index.js";
export * as optim from "./optim/index.js";
export * as train from "./train/index.js";
export {
  type Callback,
  earlyStopping,
  type FitOptions,
  History,
  makeTrainStep,
  modelCheckpoint,
  reduceLROnPlateau,
  type TrainStep,
} from "./train/index.js";
export * as viz from "./viz/index.js";
