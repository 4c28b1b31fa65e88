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

const isFloat = (t: Tensor) => t.dtype.startsWith("float");

/**
 * The cut-out node as a function of the float values it reads only (`free`,
 * with their current values `args`); the others (a comparison's mask) stay fixed.
 */
function overFloats(one: OneNode, values: ReadonlyMap<number, Tensor>) {
  const free = one.reads.filter((r) => isFloat(values.get(r)!));
  const f = (...xs: Tensor[]) =>
    one.graph.run(
      ...one.reads.map((r) => (free.includes(r) ? xs[free.indexOf(r)]! : values.get(r)!)),
    ) as Tensor;
  return { f, free, args: free.map((r) => values.get(r)!) };
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
 * gets both terms: 2x). Edges from non-float values (masks) and into non-float nodes (comparisons) are left out.
 */
export function localGradients(g: Graph, values: ReadonlyMap<number, Tensor>): Map<string, Tensor> {
  const local = new Map<string, Tensor>();
  for (const [id, one] of cutOut(g)) {
    if (!isFloat(values.get(id)!)) continue;
    const { f, free, args } = overFloats(one, values);
    if (free.length === 0) continue;
    const grads = grad(
      (...xs: Tensor[]) => f(...xs).sum(),
      free.map((_, i) => i),
    )(...args);
    free.forEach((r, i) => {
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
    const value = values.get(node.id)!;
    const { f, free, args } = one ? overFloats(one, values) : { f: undefined, free: [], args: [] };
    if (!f || free.length === 0 || !isFloat(value)) {
      tangents.set(node.id, zerosLike(value));
      continue;
    }
    const [, t] = jvp(
      f,
      args,
      free.map((r) => tangents.get(r)!),
    );
    tangents.set(node.id, t);
  }
  return tangents;
}
