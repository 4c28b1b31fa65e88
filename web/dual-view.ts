/**
 * Slide L13 in the browser: nudge one input by ε and watch every node of the
 * graph move. Each node shows its value at the nudged input and its tangent,
 * the ε-coefficient of its dual number: (a+ε)·b = c + bε.
 */
import { backprop, type Graph, type Tensor, tensor, trace, zerosLike } from "../src/index.js";
import { drawGraph, shortValue } from "./graph-drawing.js";
import { dualNumbers } from "./node-calculus.js";

interface DualExample {
  f: (...args: Tensor[]) => Tensor;
  args: Tensor[];
  /** The inputs a learner may nudge: the argument and the element. */
  nudges: { label: string; arg: number; index: number }[];
}

const phi = tensor([1, 2]);
export const DUAL_EXAMPLES: Record<string, DualExample> = {
  mul: {
    f: (a, b) => a!.mul(b!),
    args: [tensor(3), tensor(4)],
    nudges: [
      { label: "a", arg: 0, index: 0 },
      { label: "b", arg: 1, index: 0 },
    ],
  },
  add: {
    f: (a, b) => a!.add(b!),
    args: [tensor(3), tensor(4)],
    nudges: [
      { label: "a", arg: 0, index: 0 },
      { label: "b", arg: 1, index: 0 },
    ],
  },
  lecture: {
    f: (w) => w!.dot(phi).sub(2).square(),
    args: [tensor([3, 1])],
    nudges: [
      { label: "w₁", arg: 0, index: 0 },
      { label: "w₂", arg: 0, index: 1 },
    ],
  },
};

const signed = (v: number) => (v < 0 ? `− ${shortValue(tensor(-v))}` : `+ ${shortValue(tensor(v))}`);

/** The graph of `example` at its inputs moved by ε along one of them, with each node's value and tangent. */
export function dualAt(example: DualExample, nudge: number, eps: number) {
  const n = example.nudges[nudge]!;
  const direction = example.args.map((a, k) => {
    const d = new Float32Array(a.size);
    if (k === n.arg) d[n.index] = 1;
    return tensor(d, [...a.shape]);
  });
  const args = example.args.map((a, k) => a.add(direction[k]!.mul(eps)));
  const g = trace(example.f, ...args) as unknown as Graph;
  const { values } = backprop(g, ...args);
  const tangents = dualNumbers(g, values, direction);
  return { g, values, tangents, args };
}

export class DualView {
  constructor(
    private readonly svg: SVGSVGElement,
    private readonly out: { value: HTMLElement; derivative: HTMLElement; guess: HTMLElement },
  ) {}

  show(name: string, nudge: number, eps: number): void {
    const example = DUAL_EXAMPLES[name]!;
    const { g, values, tangents } = dualAt(example, nudge, eps);
    const names = new Map(g.inputs.map((v, k) => [v.id, example.args.length === 2 ? ["a", "b"][k]! : "w"]));
    drawGraph(
      this.svg,
      g,
      (id) => {
        const node = g.node(id);
        const t = tangents.get(id) ?? zerosLike(values.get(id)!);
        const scalar = t.size === 1;
        return {
          title: `%${id} ${node?.kind === "prim" ? node.op : (names.get(id) ?? "const")}`,
          lines: [
            `value ${shortValue(values.get(id))}`,
            scalar ? `dual ${shortValue(values.get(id))} ${signed(t.item())}ε` : `tangent ${shortValue(t)}`,
          ],
          mark: "done",
        };
      },
      () => "",
    );
    // The root at ε and at 0 with its derivative there: the dual number's first-order guess f(x) + f'(x)·ε.
    const root = g.outputs[0]!;
    const atZero = dualAt(example, nudge, 0);
    const f0 = atZero.values.get(atZero.g.outputs[0]!)!.item();
    const d0 = atZero.tangents.get(atZero.g.outputs[0]!)!.item();
    this.out.value.textContent = shortValue(values.get(root));
    this.out.derivative.textContent = shortValue(tangents.get(root));
    this.out.guess.textContent = `${shortValue(tensor(f0))} ${signed(d0)}·${shortValue(tensor(eps))} = ${shortValue(tensor(f0 + d0 * eps))}`;
    this.out.value.dataset.value = String(values.get(root)!.item());
    this.out.derivative.dataset.value = String(tangents.get(root)!.item());
  }
}
