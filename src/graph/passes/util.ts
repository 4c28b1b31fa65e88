import { Graph } from "../graph.js";
import type { GraphNode } from "../ir.js";

/** A node with its input ids (and those of a fused body) sent through `sub`. */
export function remapNode(n: GraphNode, sub: (id: number) => number): GraphNode {
  switch (n.kind) {
    case "const":
      return n;
    case "prim":
      return n.inputs.some((i) => sub(i) !== i) ? { ...n, inputs: n.inputs.map(sub) } : n;
    case "fused":
      return {
        ...n,
        inputs: n.inputs.map(sub),
        body: n.body.map((b) => ({ ...b, inputs: b.inputs.map(sub) })),
      };
  }
}

/** A new graph with these nodes and outputs, the pass recorded for `stats()`. */
export function withNodes(
  g: Graph,
  pass: string,
  nodes: readonly GraphNode[],
  outputs: readonly number[],
): Graph {
  const record = { pass, nodesBefore: g.nodes.length, nodesAfter: nodes.length };
  return new Graph(g.inputs, nodes, outputs, g.inTree, g.outTree, [...g.passes, record]);
}
