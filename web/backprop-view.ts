/**
 * Slide L17 in the browser: the loss as a computational graph, stepped
 * through its forward pass (leaves to root) and its backward pass (root to
 * leaves), each node showing its value and gradient and each edge its local
 * gradient. The lecture's preset ends at ∇w = [6, 12].
 */
import { backprop, type ExplainStep, type Graph, type Tensor, tensor, trace } from "../src/index.js";
import { drawGraph, shortValue } from "./graph-drawing.js";
import { localGradients } from "./node-calculus.js";

/** A loss to draw: the function, its arguments, and a name for each input of its graph. */
export interface LossExample {
  f: (...args: never[]) => Tensor;
  args: readonly unknown[];
  inputNames: string[];
  /** Names for constants, by value (`[1, 2]` → φ(x)). */
  constNames?: Record<string, string>;
}

/** The lecture's example: Loss(w) = (w·φ(x) − y)², w = [3, 1], φ(x) = [1, 2], y = 2. */
export function lectureLoss(): LossExample {
  const phi = tensor([1, 2]);
  return {
    f: (w: Tensor) => w.dot(phi).sub(2).square(),
    args: [tensor([3, 1])],
    inputNames: ["w"],
    constNames: { "[1, 2]": "φ(x)", "2": "y" },
  };
}

export class BackpropView {
  private graph: Graph | undefined;
  private steps: readonly ExplainStep[] = [];
  private local = new Map<string, Tensor>();
  private names = new Map<number, string>();
  private position = 0;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly text: HTMLElement,
    private readonly result: HTMLElement,
    private readonly counter: HTMLElement,
  ) {}

  show(example: LossExample): void {
    const g = trace(example.f as (...a: unknown[]) => Tensor, ...example.args) as unknown as Graph;
    const run = backprop(g, ...example.args);
    const local = localGradients(g, run.values);
    const names = new Map(g.inputs.map((v, k) => [v.id, example.inputNames[k] ?? `input ${k}`]));
    for (const n of g.nodes)
      if (n.kind === "const") {
        const name = example.constNames?.[shortValue(run.values.get(n.id))];
        if (name) names.set(n.id, name);
      }
    // Replaced together once all is computed, so a failure leaves the last graph whole.
    this.graph = g;
    this.steps = run.steps;
    this.local = local;
    this.names = names;
    this.position = 0;
    this.render();
  }

  /** Moves to step `p` (0: nothing computed; the number of steps: both passes done). */
  go(p: number): void {
    this.position = Math.max(0, Math.min(this.steps.length, p));
    this.render();
  }

  next = () => this.go(this.position + 1);
  back = () => this.go(this.position - 1);
  first = () => this.go(0);
  last = () => this.go(this.steps.length);

  private render(): void {
    const g = this.graph;
    if (!g) return;
    const done = this.steps.slice(0, this.position);
    const value = new Map(done.filter((s) => s.phase === "forward").map((s) => [s.node, s.value]));
    const grad = new Map(done.filter((s) => s.phase === "backward").map((s) => [s.node, s.grad!]));
    const current = done.at(-1);
    const backwardStarted = grad.size > 0;
    drawGraph(
      this.svg,
      g,
      (id) => {
        const node = g.node(id);
        const name = this.names.get(id);
        return {
          title: `%${id} ${node?.kind === "prim" ? node.op : (name ?? "const")}`,
          lines: [
            value.has(id) ? `value ${shortValue(value.get(id))}` : "value ?",
            grad.has(id) ? `∂L/∂ ${shortValue(grad.get(id))}` : backwardStarted ? "∂L/∂ ?" : "",
          ],
          mark: current?.node === id ? "current" : value.has(id) ? "done" : "idle",
        };
      },
      // Local gradients belong to the backward pass: they appear once the node they lead out of has its gradient.
      (from, to) => (grad.has(to) ? `local ${shortValue(this.local.get(`${from}>${to}`))}` : ""),
    );
    // A deep graph is taller than the screen: keep the step being shown in sight.
    if (current)
      this.svg
        .querySelector(`[data-node="${current.node}"]`)
        ?.scrollIntoView({ block: "nearest", inline: "nearest" });
    const phase = current ? (current.phase === "forward" ? "Forward pass" : "Backward pass") : "";
    this.text.textContent = current
      ? `${phase}: ${current.text}`
      : "Press Next to start the forward pass, leaves to root.";
    this.counter.textContent = `step ${this.position} of ${this.steps.length}`;
    const reached = g.inputs.filter((v) => grad.has(v.id));
    this.result.textContent = reached.length
      ? reached.map((v) => `∇${this.names.get(v.id)} = ${shortValue(grad.get(v.id))}`).join("   ")
      : "";
  }
}
