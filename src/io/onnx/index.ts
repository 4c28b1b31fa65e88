/**
 * ONNX, the exchange format of the field's runtimes and tools: `exportOnnx`
 * writes a traced grafo model or function as a standard ONNX model (opset 17),
 * `importOnnx` reads one back as a grafo Module that runs, compiles,
 * differentiates and trains.
 */
export { OnnxError } from "./errors.js";
export { type Exportable, type ExportOnnxOptions, exportOnnx } from "./export.js";
export { type ImportOnnxOptions, importOnnx, OnnxModel, type OnnxValueInfo } from "./import.js";
