import { jvp } from "../autodiff/jvp.js";
import { valueAndGrad } from "../autodiff/vjp.js";
import { isFloat } from "../core/dtype.js";
import { ArgumentError, DTypeError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import type { Graph } from "./graph.js";
import { traceAbstract } from "./trace.js";
import type { TreeDef } from "./treedef.js";

function argCount(g: Graph): number {
  if (g.inTree.kind !== "array") throw new ArgumentError("graph: the argument structure is not a list");
  return g.inTree.items.length;
}

/**
 * The graph of `[value, gradient]`: traces `valueAndGrad(g.run, wrt)`, so the
 * backward pass is built from the primitives' vjp rules, exactly as eager
 * `grad` builds it, and becomes part of the new graph.
 */
export function gradGraph(g: Graph, wrt: number | readonly number[]): Graph {
  const n = argCount(g);
  for (const i of typeof wrt === "number" ? [wrt] : wrt)
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new ArgumentError(`graph.grad: wrt ${i} is out of range for a graph of ${n} arguments`);
  const f = (...args: unknown[]) =>
    valueAndGrad((...a: unknown[]) => g.run(...a) as Tensor, wrt as readonly number[])(...args);
  return traceAbstract(f, g.inTree, g.inputs);
}

/**
 * The graph of forward-mode derivatives: arguments, then one tangent per
 * argument, to `[outputs, tangentOutputs]` (dual numbers, slide L13).
 */
export function jvpGraph(g: Graph): Graph {
  const n = argCount(g);
  for (const v of g.inputs)
    if (!isFloat(v.dtype))
      throw new DTypeError(`graph.jvp: input %${v.id} is ${v.dtype}; jvp needs float inputs`);
  const items = (g.inTree as { items: readonly TreeDef[] }).items;
  const inTree: TreeDef = { kind: "array", items: [...items, ...items] };
  const f = (...all: unknown[]) =>
    jvp((...a: unknown[]) => g.run(...a), all.slice(0, n), all.slice(n) as never);
  return traceAbstract(f, inTree, [...g.inputs, ...g.inputs]);
}
