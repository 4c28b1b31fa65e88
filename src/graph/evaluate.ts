import { ones } from "../core/creation.js";
import { isFloat } from "../core/dtype.js";
import { ArgumentError, GrafoError } from "../core/errors.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { add } from "../ops/binary.js";
import { bind } from "../ops/dispatch.js";
import { primitiveTable } from "../ops/table.js";
import type { Graph } from "./graph.js";
import type { GraphNode, PrimNode } from "./ir.js";

/** Applies one primitive node to the tensors of its inputs (by `bind`, so it traces and differentiates). */
export function applyPrim(node: PrimNode, inputs: readonly Tensor[]): Tensor {
  return bind(node.op, inputs, node.attrs as never);
}

/** Runs a fused node primitive by primitive: what its kernel computes, in a differentiable form. */
export function applyFusedBody(body: readonly PrimNode[], env: Map<number, Tensor>): Tensor {
  let last: Tensor | undefined;
  for (const n of body) {
    last = applyPrim(
      n,
      n.inputs.map((i) => env.get(i)!),
    );
    env.set(n.id, last);
  }
  return last!;
}

/** Evaluates one node on the tensors computed so far (`env`, by id). */
export function evalNode(node: GraphNode, env: Map<number, Tensor>): Tensor {
  switch (node.kind) {
    case "const":
      return node.value;
    case "prim":
      return applyPrim(
        node,
        node.inputs.map((i) => env.get(i)!),
      );
    case "fused":
      return applyFusedBody(node.body, new Map(node.inputs.map((i) => [i, env.get(i)!])));
  }
}

/** Checks that run-time leaves fit the graph's inputs, naming the first that does not. */
export function checkInputs(graph: Graph, leaves: readonly Tensor[], op: string): void {
  if (leaves.length !== graph.inputs.length)
    throw new ArgumentError(
      `${op}: the graph takes ${graph.inputs.length} input tensors, got ${leaves.length} (the argument structure differs from the traced one)`,
    );
  leaves.forEach((t, k) => {
    const want = graph.inputs[k]!;
    if (!shapesEqual(t.shape, want.shape) || t.dtype !== want.dtype)
      throw new ArgumentError(
        `${op}: input %${want.id} must be ${want.dtype}${fmtShape(want.shape)}, got ${t.dtype}${fmtShape(t.shape)}; trace again for other shapes (compile does this by itself)`,
      );
  });
}

/**
 * The forward pass (slide L17): every value of the graph computed from the
 * input leaves, leaves to root, indexed by id.
 */
export function forwardValues(graph: Graph, leaves: readonly Tensor[]): Map<number, Tensor> {
  checkInputs(graph, leaves, "graph");
  const env = new Map<number, Tensor>();
  graph.inputs.forEach((v, k) => {
    env.set(v.id, leaves[k]!);
  });
  for (const node of graph.nodes) env.set(node.id, evalNode(node, env));
  return env;
}

/**
 * The backward pass (slide L17): the gradient of the scalar output `outputIndex`
 * with respect to every float value, root to leaves, each node's vjp rule
 * applied to its output gradient and summed where paths join.
 */
export function backwardGrads(
  graph: Graph,
  values: Map<number, Tensor>,
  outputIndex = 0,
): Map<number, Tensor> {
  const rootId = graph.outputs[outputIndex];
  if (rootId === undefined) throw new ArgumentError(`graph: no output ${outputIndex}`);
  const root = values.get(rootId)!;
  if (root.size !== 1 || !isFloat(root.dtype))
    throw new GrafoError(
      `graph gradients: the output must be a float scalar (a loss), got ${root.dtype}${fmtShape(root.shape)}`,
    );
  const grads = new Map<number, Tensor>([[rootId, ones(root.shape, root.dtype)]]);
  const push = (id: number, g: Tensor | null | undefined): void => {
    if (!g || !isFloat(values.get(id)!.dtype)) return;
    const prev = grads.get(id);
    grads.set(id, prev ? add(prev, g) : g);
  };
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k]!;
    const ct = grads.get(node.id);
    if (!ct || node.kind === "const") continue;
    const body = node.kind === "fused" ? node.body : [node];
    // A fused node backpropagates through its body, inner nodes root to leaves.
    const local = new Map<number, Tensor>();
    node.inputs.forEach((i) => {
      local.set(i, values.get(i)!);
    });
    if (node.kind === "fused") applyFusedBody(body, local);
    else local.set(node.id, values.get(node.id)!);
    const inner = new Map<number, Tensor>([[body[body.length - 1]!.id, ct]]);
    for (let b = body.length - 1; b >= 0; b--) {
      const n = body[b]!;
      const g = inner.get(n.id);
      if (!g) continue;
      const primals = n.inputs.map((i) => local.get(i)!);
      const cts = primitiveTable()[n.op].vjp(g, primals, n.attrs as never, local.get(n.id)!);
      n.inputs.forEach((i, j) => {
        const c = cts[j];
        if (!c) return;
        if (body.some((m) => m.id === i)) {
          const prev = inner.get(i);
          inner.set(i, prev ? add(prev, c) : c);
        } else push(i, c);
      });
    }
  }
  return grads;
}
