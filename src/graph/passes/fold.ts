import { sizeOf } from "../../core/shape.js";
import { Tensor } from "../../core/tensor.js";
import { evalNode } from "../evaluate.js";
import type { Graph } from "../graph.js";
import type { GraphNode } from "../ir.js";
import { withNodes } from "./util.js";

/**
 * Constant folding: a node whose inputs are all constants is evaluated once,
 * now, and becomes a constant. Nodes whose result is larger than their inputs
 * (a broadcast of a scalar) are left alone: folding them would only trade a
 * cheap op for a big constant.
 */
export function foldConstants(g: Graph): Graph {
  const constants = new Map<number, Tensor>();
  const nodes: GraphNode[] = g.nodes.map((n) => {
    if (n.kind === "const") {
      constants.set(n.id, n.value);
      return n;
    }
    if (!n.inputs.every((i) => constants.has(i))) return n;
    const largest = Math.max(1, ...n.inputs.map((i) => constants.get(i)!.size));
    if (sizeOf(n.shape) > largest) return n;
    const env = new Map(n.inputs.map((i) => [i, constants.get(i)!]));
    const t = evalNode(n, env);
    const value = Tensor._fromData(t.data(), t.shape, t.dtype);
    constants.set(n.id, value);
    return { kind: "const", op: "const", id: n.id, inputs: [], shape: n.shape, dtype: n.dtype, value };
  });
  return withNodes(g, "fold", nodes, g.outputs);
}
