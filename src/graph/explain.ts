import type { Tensor } from "../core/tensor.js";
import { backwardGrads, forwardValues } from "./evaluate.js";
import { formatValue } from "./format.js";
import type { Graph } from "./graph.js";
import { formatAttrs } from "./ir.js";
import { trace } from "./trace.js";
import { flattenTree } from "./treedef.js";

/** One step of backpropagation as a person would do it by hand (slide L17). */
export interface ExplainStep {
  /** Forward: a value computed, leaves to root. Backward: a gradient computed, root to leaves. */
  readonly phase: "forward" | "backward";
  /** Id of the graph value (`%id` in `graph.toString()`). */
  readonly node: number;
  /** The primitive, or `input` / `const` for leaves. */
  readonly op: string;
  /** The node's forward value. */
  readonly value: Tensor;
  /** ∂output/∂node, in backward steps. */
  readonly grad: Tensor | undefined;
  /** The step in words, e.g. `%2 = mul(%0, %1) = [3, 2]`. */
  readonly text: string;
}

/**
 * The steps `explain` returns: an array of ExplainStep that prints as the
 * steps' text, forward pass then backward pass, one step a line, with
 * `console.log` (Node's inspect) and `String()` alike.
 */
export class Explanation extends Array<ExplainStep> {
  override toString(): string {
    const phase = (p: ExplainStep["phase"], title: string) => {
      const lines = this.filter((s) => s.phase === p).map((s) => `  ${s.text}`);
      return lines.length > 0 ? [title, ...lines] : [];
    };
    return [
      ...phase("forward", "forward pass (leaves to root):"),
      ...phase("backward", "backward pass (root to leaves):"),
    ].join("\n");
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Forward values and backward gradients of every value of a graph, from example inputs. */
export interface Backprop {
  readonly graph: Graph;
  readonly values: ReadonlyMap<number, Tensor>;
  readonly grads: ReadonlyMap<number, Tensor>;
  readonly steps: readonly ExplainStep[];
}

/**
 * Backpropagation on the graph, step by step: traces `f`, then records the
 * forward pass (every node's value, leaves to root) and the backward pass
 * (every node's gradient, root to leaves), each node's vjp rule applied to its
 * output's gradient. `f` must return a float scalar.
 *
 * ```ts
 * const phi = tensor([1, 2]);
 * explain((w) => w.dot(phi).sub(2).square(), tensor([3, 1]));
 * // forward … %5 = mul(%4, %4) = 9; backward … ∂out/∂%0 = [6, 12]
 * ```
 */
export function explain<A extends readonly unknown[]>(f: (...args: A) => Tensor, ...args: A): Explanation {
  return Explanation.from(backprop(trace(f, ...args) as unknown as Graph, ...args).steps) as Explanation;
}

/** The values, gradients and explained steps of a graph on concrete arguments. */
export function backprop(graph: Graph, ...args: readonly unknown[]): Backprop {
  const [leaves] = flattenTree(args, true, "explain");
  const values = forwardValues(graph, leaves);
  const grads = backwardGrads(graph, values);
  const steps: ExplainStep[] = [];
  const opOf = (id: number): string => graph.node(id)?.op ?? "input";
  const inputIndex = new Map(graph.inputs.map((v, k) => [v.id, k]));
  for (const id of [...graph.inputs.map((v) => v.id), ...graph.nodes.map((n) => n.id)]) {
    const node = graph.node(id);
    const value = values.get(id)!;
    let text: string;
    if (!node) text = `%${id} = input ${inputIndex.get(id)} = ${formatValue(value)}`;
    else if (node.kind === "const") text = `%${id} = const = ${formatValue(value)}`;
    else {
      const attrs = node.kind === "prim" ? formatAttrs(node.attrs) : "";
      const args = node.inputs.map((i) => `%${i}`).join(", ");
      text = `%${id} = ${node.op}${attrs ? `[${attrs}]` : ""}(${args}) = ${formatValue(value)}`;
    }
    steps.push({ phase: "forward", node: id, op: opOf(id), value, grad: undefined, text });
  }
  const root = graph.outputs[0]!;
  const readers = new Map<number, number[]>();
  for (const n of graph.nodes)
    for (const i of new Set(n.inputs)) readers.set(i, [...(readers.get(i) ?? []), n.id]);
  const order = [...graph.inputs.map((v) => v.id), ...graph.nodes.map((n) => n.id)].reverse();
  for (const id of order) {
    const grad = grads.get(id);
    if (!grad) continue;
    const from = (readers.get(id) ?? []).filter((r) => grads.has(r));
    const via =
      id === root
        ? "(the output: ∂out/∂out = 1)"
        : `(from ${from.map((r) => `%${r} ${opOf(r)}`).join(", ")})`;
    steps.push({
      phase: "backward",
      node: id,
      op: opOf(id),
      value: values.get(id)!,
      grad,
      text: `∂out/∂%${id} = ${formatValue(grad)}   ${via}`,
    });
  }
  return { graph, values, grads, steps };
}
