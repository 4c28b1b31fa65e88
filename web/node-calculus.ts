/**
 * Calculus one node at a time, the way the lecture does it on the board: each
 * primitive node of a traced graph is cut out as a graph of its own
 * (Graph.fromJSON), so grafo can give its local gradients (slide L14, shown on
 * the edges) and push a dual number through it (slide L13, forward mode).
 */
import { Graph, type GraphJSON, grad, jvp, type NodeJSON, type Tensor, zerosLike } from "../src/index.js";

interface OneNode {
  graph: Graph;
  /** The distinct values the node reads, in the order the cut-out graph takes them. */
  reads: number[];
}

/** Every primitive node of `g` as a graph of one node whose inputs are the values it reads. */
function cutOut(g: Graph): Map<number, OneNode> {
  const json = g.toJSON();
  const shapes = new Map<number, Pick<NodeJSON, "shape" | "dtype">>([
    ...json.inputs.map((v) => [v.id, v] as const),
    ...json.nodes.map((n) => [n.id, n] as const),
  ]);
  const out = new Map<number, OneNode>();
  for (const node of json.nodes) {
    if (node.op === "const") continue;
    const reads = [...new Set(node.inputs)];
    const one: GraphJSON = {
      format: "grafo-graph",
      version: 1,
      inputs: reads.map((id) => ({ id, shape: shapes.get(id)!.shape, dtype: shapes.get(id)!.dtype })),
      nodes: [node],
      outputs: [node.id],
      inTree: { kind: "array", items: reads.map(() => ({ kind: "leaf" as const })) },
      outTree: { kind: "leaf" },
      passes: [],
    };
    out.set(node.id, { graph: Graph.fromJSON(one), reads });
  }
  return out;
}

/**
 * ∂node/∂input for every edge, keyed `from>to`: the gradient of the sum of the
 * node's output with respect to that input (Jᵀ·1), which for scalars is the
 * lecture's local gradient (a·b → b and a; a read twice, as in mul(x, x),
 * gets both terms: 2x). Edges into non-float inputs are left out.
 */
export function localGradients(g: Graph, values: ReadonlyMap<number, Tensor>): Map<string, Tensor> {
  const local = new Map<string, Tensor>();
  for (const [id, one] of cutOut(g)) {
    const args = one.reads.map((r) => values.get(r)!);
    if (args.some((a) => !a.dtype.startsWith("float"))) continue;
    const grads = grad(
      (...xs: Tensor[]) => (one.graph.run(...xs) as Tensor).sum(),
      one.reads.map((_, i) => i),
    )(...args);
    one.reads.forEach((r, i) => {
      local.set(`${r}>${id}`, (grads as Tensor[])[i]!);
    });
  }
  return local;
}

/**
 * Forward mode by dual numbers: each value's tangent when the graph's inputs
 * move along `inputTangents`, node by node, each node's jvp fed its inputs'
 * (value, tangent) pairs. Constants carry tangent 0.
 */
export function dualNumbers(
  g: Graph,
  values: ReadonlyMap<number, Tensor>,
  inputTangents: readonly Tensor[],
): Map<number, Tensor> {
  const tangents = new Map<number, Tensor>(g.inputs.map((v, k) => [v.id, inputTangents[k]!]));
  const pieces = cutOut(g);
  for (const node of g.nodes) {
    const one = pieces.get(node.id);
    if (!one) {
      tangents.set(node.id, zerosLike(values.get(node.id)!));
      continue;
    }
    const primals = one.reads.map((r) => values.get(r)!);
    const [, t] = jvp(
      (...xs: Tensor[]) => one.graph.run(...xs) as Tensor,
      primals,
      one.reads.map((r) => tangents.get(r)!),
    );
    tangents.set(node.id, t);
  }
  return tangents;
}
