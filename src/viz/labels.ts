import { ones } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { forwardValues } from "../graph/evaluate.js";
import { type Backprop, backprop } from "../graph/explain.js";
import { formatValue } from "../graph/format.js";
import type { Graph } from "../graph/graph.js";
import { formatAttrs, formatType } from "../graph/ir.js";
import { describeFused } from "../graph/kernel/lower.js";
import { flattenTree } from "../graph/treedef.js";
import { primitiveTable } from "../ops/table.js";

/** What a graph drawing shows. */
export interface DrawOptions<A extends readonly unknown[] = readonly unknown[]> {
  /** Example arguments, needed for `values`, `grads` and `edgeGrads`. */
  args?: A;
  /** Show each node's forward value (slide L17's forward pass). */
  values?: boolean;
  /** Show each node's gradient ∂output/∂node (the backward pass); the output must be a scalar. */
  grads?: boolean;
  /** Label each edge with its local gradient ∂node/∂input (slide L14's building blocks: mul's edges show b and a). */
  edgeGrads?: boolean;
  /** Numbers shown of a large tensor (with its shape). Default 4. */
  maxValues?: number;
}

/** Everything a drawing needs of one value, computed once for DOT and Mermaid alike. */
export interface DrawnNode {
  readonly id: number;
  /** `%3 mul`, `%0 input 0`, `%2 const`. */
  readonly title: string;
  /** Attributes or the fused expression, if any. */
  readonly detail: string;
  readonly type: string;
  readonly kind: "input" | "const" | "op" | "fused";
  readonly value?: string;
  readonly grad?: string;
  readonly output: boolean;
}

export interface DrawnEdge {
  readonly from: number;
  readonly to: number;
  readonly label?: string;
}

/** Nodes and edges of a drawing, with values and gradients filled in as the options ask. */
export function layoutGraph(graph: Graph, options: DrawOptions): { nodes: DrawnNode[]; edges: DrawnEdge[] } {
  const max = options.maxValues ?? 4;
  const wantsNumbers = options.values || options.grads || options.edgeGrads;
  if (wantsNumbers && !options.args)
    throw new ArgumentError(
      "graph drawing: values, grads and edgeGrads need example inputs: pass { args: [...] } (graphs made by trace() use their example arguments)",
    );
  let bp: Backprop | undefined;
  let values: ReadonlyMap<number, Tensor> | undefined;
  if (wantsNumbers) {
    if (options.grads) {
      bp = backprop(graph, ...options.args!);
      values = bp.values;
    } else {
      const [leaves] = flattenTree(options.args, true, "graph drawing");
      values = forwardValues(graph, leaves);
    }
  }
  const outputs = new Set(graph.outputs);
  const nodes: DrawnNode[] = [];
  const fmt = (t: Tensor | undefined) => (t ? formatValue(t, max) : undefined);
  graph.inputs.forEach((v, k) => {
    nodes.push({
      id: v.id,
      title: `%${v.id} input ${k}`,
      detail: "",
      type: formatType(v),
      kind: "input",
      value: options.values ? fmt(values?.get(v.id)) : undefined,
      grad: options.grads ? fmt(bp?.grads.get(v.id)) : undefined,
      output: outputs.has(v.id),
    });
  });
  const edges: DrawnEdge[] = [];
  for (const n of graph.nodes) {
    const detail = n.kind === "prim" ? formatAttrs(n.attrs) : n.kind === "fused" ? describeFused(n) : "";
    nodes.push({
      id: n.id,
      title: `%${n.id} ${n.op}`,
      detail,
      type: formatType(n),
      kind: n.kind === "prim" ? "op" : n.kind,
      value: options.values ? fmt(values?.get(n.id)) : undefined,
      grad: options.grads ? fmt(bp?.grads.get(n.id)) : undefined,
      output: outputs.has(n.id),
    });
    const local = options.edgeGrads && values && n.kind === "prim" ? localGrads(n, values) : undefined;
    n.inputs.forEach((i, k) => {
      const g = local?.[k];
      edges.push({ from: i, to: n.id, ...(g ? { label: `∂=${formatValue(g, max)}` } : {}) });
    });
  }
  return { nodes, edges };
}

/**
 * The local gradient on each input edge of a primitive node: its vjp rule
 * applied to a cotangent of ones, which for an elementwise op is exactly the
 * partial derivative at the forward values (mul: b and a; add: 1 and 1;
 * sigmoid: σ(1−σ)), and for other ops the sum of partials over the outputs.
 */
function localGrads(
  n: Extract<Graph["nodes"][number], { kind: "prim" }>,
  values: ReadonlyMap<number, Tensor>,
): readonly (Tensor | null)[] {
  const out = values.get(n.id)!;
  const primals = n.inputs.map((i) => values.get(i)!);
  return primitiveTable()[n.op].vjp(ones(out.shape, out.dtype), primals, n.attrs as never, out);
}
