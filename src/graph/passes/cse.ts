import type { Graph } from "../graph.js";
import type { GraphNode } from "../ir.js";
import { remapNode, withNodes } from "./util.js";

/** Constants up to this many elements are compared by value; larger ones only by identity. */
const SMALL_CONSTANT = 64;

function key(n: GraphNode): string | undefined {
  switch (n.kind) {
    case "const":
      return n.value.size <= SMALL_CONSTANT
        ? `const|${n.dtype}|${n.shape.join(",")}|${Array.from(n.value.data()).join(",")}`
        : undefined;
    case "prim":
      return `${n.op}|${JSON.stringify(n.attrs)}|${n.inputs.join(",")}`;
    case "fused":
      return `fused|${n.inputs.join(",")}|${JSON.stringify(n.body.map((b) => [b.op, b.attrs, b.inputs]))}`;
  }
}

/**
 * Common-subexpression elimination: two nodes with the same op, attributes
 * and inputs compute the same value, so the later one is replaced by the
 * earlier (equal small constants too). Nodes are visited in order, so chains
 * of duplicates collapse in one pass.
 */
export function cse(g: Graph): Graph {
  const seen = new Map<string, number>();
  const replaced = new Map<number, number>();
  const sub = (id: number) => replaced.get(id) ?? id;
  const nodes: GraphNode[] = [];
  for (const old of g.nodes) {
    const n = remapNode(old, sub);
    const k = key(n);
    const earlier = k === undefined ? undefined : seen.get(k);
    if (earlier !== undefined) {
      replaced.set(n.id, earlier);
      continue;
    }
    if (k !== undefined) seen.set(k, n.id);
    nodes.push(n);
  }
  return withNodes(g, "cse", nodes, g.outputs.map(sub));
}
