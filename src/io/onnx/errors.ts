import { GrafoError } from "../../core/errors.js";

/** An ONNX file grafo cannot read or write: not protobuf, a broken graph, an op grafo has no counterpart for. */
export class OnnxError extends GrafoError {
  override name = "OnnxError";
}
