/**
 * The benchmark's ONNX models, described as plain data and encoded by grafo's
 * ONNX writer (src/io/onnx/proto.ts: the `onnx-proto` package's classes,
 * generated from the official onnx.proto), IR version 8, opset 17. Graphs are
 * float32 with fixed shapes (plus int64 shape constants).
 */
import { DataType, encodeModel, attribute as onnxAttribute, valueInfo } from "../src/io/onnx/proto.js";

export { ONNX_IR_VERSION, ONNX_OPSET } from "../src/io/onnx/proto.js";

/** An initializer (constant tensor) of a graph. */
export interface OnnxTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A graph input or output: a float32 tensor of fixed shape. */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly number[];
}

/** One operator application. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer and integer-list attributes (Softmax's `axis`, MaxPool's `kernel_shape`). */
  readonly attributes?: Readonly<Record<string, number | readonly number[]>>;
}

/** A whole single-graph model. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly initializers?: readonly OnnxTensor[];
  /** int64 constants (Reshape's target shape). */
  readonly int64Initializers?: readonly { readonly name: string; readonly data: readonly number[] }[];
}

/** Serialises a ModelProto holding `g`. */
export function onnxModel(g: OnnxGraph): Uint8Array {
  return encodeModel(
    {
      name: g.name,
      node: g.nodes.map((n, i) => ({
        opType: n.op,
        name: `${n.op.toLowerCase()}_${i}`,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => onnxAttribute(k, v)),
      })),
      initializer: [
        ...(g.initializers ?? []).map((t) => ({
          name: t.name,
          dims: [...t.shape],
          dataType: DataType.FLOAT,
          floatData: Array.from(t.data),
        })),
        ...(g.int64Initializers ?? []).map((t) => ({
          name: t.name,
          dims: [t.data.length],
          dataType: DataType.INT64,
          int64Data: [...t.data],
        })),
      ],
      input: g.inputs.map((v) => valueInfo(v.name, DataType.FLOAT, v.shape)),
      output: g.outputs.map((v) => valueInfo(v.name, DataType.FLOAT, v.shape)),
    },
    "grafo-bench",
  );
}
