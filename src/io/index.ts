/**
 * Models on disk and between tools: grafo's model folder (model.json +
 * weights.safetensors), safetensors read and written per its specification,
 * and checkpoints that let `fit` resume exactly. Node paths, IndexedDB,
 * URLs and plain buffers.
 */

export type { TrainState } from "../train/fit.js";
export type {
  Json,
  JsonObject,
  LayerClass,
  LayerSpec,
  LoadedModel,
  LoadOptions,
  ModelInfo,
  ModelSource,
  SafetensorsDType,
  SaveOptions,
} from "./api.js";
export { type Checkpoint, loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
export { FileFormatError, StorageError } from "./errors.js";
export { load, loadModel, loadWeights, readModelInfo, save } from "./model.js";
export {
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsContent,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from "./safetensors.js";
export { GRAFO_VERSION, MODEL_FORMAT_VERSION } from "./version.js";
