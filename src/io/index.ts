/**
 * Models on disk and between tools: grafo's model folder (model.json +
 * weights.safetensors), safetensors, checkpoints with the training state.
 *
 * Signatures (implementations land file by file):
 *   save(model, destination: string, options?): Promise<void>   // folder, .safetensors file or indexeddb://name
 *   save(model, undefined, options?): Promise<Uint8Array>        // single-buffer form
 *   load(source: ModelSource, options?: LoadOptions): Promise<Module>
 *   loadModel(source, options?): Promise<{ model, info: ModelInfo }>  // info.metadata: what save got as metadata
 *   readModelInfo(source): Promise<ModelInfo>                   // model.json only, no weights
 *   saveCheckpoint(model, state: TrainState, destination?, options?) / loadCheckpoint(source, options?)
 *   readSafetensors(bytes, file?) / writeSafetensors(tensors, options?)
 */
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
export { FileFormatError, StorageError } from "./errors.js";
