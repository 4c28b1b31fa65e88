import type { Graph } from "../../graph/graph.js";
import type { GraphNode } from "../../graph/ir.js";
import type { Dim, OnnxGraphBuilder, OnnxValue } from "./builder.js";

/**
 * A chain of grafo primitives written as one ONNX operator (a convolution
 * composed of im2col and a matmul becomes Conv, a linear layer's matmul of a
 * transposed weight plus bias becomes Gemm): ONNX has these as single
 * operators, which runtimes run faster and other tools expect. The chain's
 * last node (the root, the key of the match) becomes the operator reading
 * `inputs`; the chain's other nodes (`inner`) are not written.
 */
export interface ChainMatch {
  /** Ids of the chain's nodes besides the root. */
  readonly inner: readonly number[];
  /** Ids of the values the ONNX op reads. */
  readonly inputs: readonly number[];
  /** Writes the op; `value` gives the ONNX value of an input id, `out` the root's dims. */
  lower(b: OnnxGraphBuilder, value: (id: number) => OnnxValue, out: readonly Dim[]): string;
}

/** The only reader of a value: undefined when it has several, or is an output (then it must stay). */
export type OnlyReader = (id: number) => GraphNode | undefined;

export function onlyReader(graph: Graph): OnlyReader {
  const readers = new Map<number, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs);
  return (id) => {
    const rs = readers.get(id) ?? [];
    return rs.length === 1 && !outputs.has(id) ? rs[0] : undefined;
  };
}
