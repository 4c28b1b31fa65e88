import type { Graph } from "../graph.js";
import { withNodes } from "./util.js";

/**
 * Dead-code elimination (slide L11: "no unnecessary operations"): keeps only
 * the nodes the outputs depend on, found by walking back from the outputs.
 * Inputs are kept even when unused, so the graph's signature does not change.
 */
export function dce(g: Graph): Graph {
  const live = new Set(g.outputs);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k]!;
    if (live.has(n.id)) for (const i of n.inputs) live.add(i);
  }
  return withNodes(
    g,
    "dce",
    g.nodes.filter((n) => live.has(n.id)),
    g.outputs,
  );
}
