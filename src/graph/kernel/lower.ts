import type { Graph } from "../graph.js";
import { type FusedNode, formatAttrs } from "../ir.js";
import { Plan } from "../plan/plan.js";

/** A fused node's body as one expression: `add(mul(exp(%0), %3), %4)`. */
export function describeFused(n: FusedNode): string {
  const byId = new Map(n.body.map((b) => [b.id, b]));
  const render = (id: number): string => {
    const b = byId.get(id);
    if (!b) return `%${id}`;
    const attrs = formatAttrs(b.attrs);
    return `${b.op}${attrs ? `[${attrs}]` : ""}(${b.inputs.map(render).join(", ")})`;
  };
  return render(n.id);
}

/** The generated source of every kernel a compiled plan of `graph` runs, and of the plan itself, last. */
export function kernelSources(graph: Graph): string[] {
  const plan = new Plan(graph);
  return [...plan.kernelSources, plan.source];
}
