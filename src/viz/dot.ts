import type { Graph } from "../graph/graph.js";
import { type DrawnNode, type DrawOptions, layoutGraph } from "./labels.js";

/** Options of `graph.toDot()` / `toSvg()`. */
export interface DotOptions<A extends readonly unknown[] = readonly unknown[]> extends DrawOptions<A> {
  /** Layout direction: left to right (default, as micrograd draws) or top to bottom. */
  rankdir?: "LR" | "TB";
  /**
   * micrograd-style record nodes `{ label | value | grad }` (default: on when
   * values or grads are shown); off draws plain labelled boxes and ellipses.
   */
  records?: boolean;
}

/** Escapes text for a DOT record label, where braces, bars and angle brackets are syntax. */
function esc(s: string): string {
  return s.replace(/[\\{}|<>"]/g, (c) => `\\${c}`);
}

const FILL: Record<DrawnNode["kind"], string> = {
  input: "#dbeafe",
  const: "#f3f4f6",
  op: "#ffffff",
  fused: "#fef3c7",
};

/**
 * Graphviz DOT text of a graph: one node per value (inputs blue, constants
 * grey, fused kernels yellow, outputs doubly outlined), edges from each input
 * to the node that reads it. With `args`, it can show forward values, gradients
 * and each edge's local gradient (slides L14 and L17).
 */
export function toDot(graph: Graph, options: DotOptions = {}): string {
  const { nodes, edges } = layoutGraph(graph, options);
  const records = options.records ?? Boolean(options.values || options.grads);
  const lines = [
    "digraph grafo {",
    `  rankdir=${options.rankdir ?? "LR"};`,
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of nodes) {
    const style = `style=filled, fillcolor="${FILL[n.kind]}"${n.output ? ", peripheries=2" : ""}`;
    if (records) {
      const fields = [
        esc(n.detail ? `${n.title} [${n.detail}]` : n.title),
        esc(n.type),
        ...(n.value !== undefined ? [`value ${esc(n.value)}`] : []),
        ...(n.grad !== undefined ? [`grad ${esc(n.grad)}`] : []),
      ];
      lines.push(`  n${n.id} [shape=record, label="{ ${fields.join(" | ")} }", ${style}];`);
    } else {
      const text = [n.title, n.detail, n.type].filter(Boolean).join("\\n").replace(/"/g, '\\"');
      const shape = n.kind === "input" || n.kind === "const" ? "box" : "ellipse";
      lines.push(`  n${n.id} [shape=${shape}, label="${text}", ${style}];`);
    }
  }
  for (const e of edges) {
    const label = e.label ? ` [label="${e.label.replace(/"/g, '\\"')}"]` : "";
    lines.push(`  n${e.from} -> n${e.to}${label};`);
  }
  lines.push("}");
  return lines.join("\n");
}
