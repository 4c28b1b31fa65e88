import type { Graph } from "../graph/graph.js";
import { type DrawOptions, layoutGraph } from "./labels.js";

/** Mermaid treats quotes and angle brackets in labels as syntax; its entity codes stand in for them. */
function esc(s: string): string {
  return s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/**
 * A Mermaid flowchart of the graph (it renders in GitHub markdown and many
 * docs sites): inputs as stadiums, constants as boxes, ops as rounded boxes,
 * with values, gradients and edge gradients when the options ask (given `args`).
 */
export function toMermaid(graph: Graph, options: DrawOptions = {}): string {
  const { nodes, edges } = layoutGraph(graph, options);
  const lines = ["flowchart LR"];
  for (const n of nodes) {
    const parts = [n.detail ? `${n.title} [${n.detail}]` : n.title, n.type];
    if (n.value !== undefined) parts.push(`value ${n.value}`);
    if (n.grad !== undefined) parts.push(`grad ${n.grad}`);
    const label = `"${parts.map(esc).join("<br/>")}"`;
    const [open, close] = n.kind === "input" ? ["([", "])"] : n.kind === "const" ? ["[", "]"] : ["(", ")"];
    lines.push(`  n${n.id}${open}${label}${close}`);
  }
  for (const e of edges) lines.push(`  n${e.from} -->${e.label ? `|"${esc(e.label)}"|` : ""} n${e.to}`);
  const outs = nodes.filter((n) => n.output).map((n) => `n${n.id}`);
  if (outs.length) lines.push("  classDef output stroke-width:3px", `  class ${outs.join(",")} output`);
  return lines.join("\n");
}
