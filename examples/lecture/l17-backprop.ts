/**
 * Slide L17 — Backpropagation on the graph. Loss(w) = (w·φ(x) − y)² with
 * w = [3, 1], φ(x) = [1, 2], y = 2. Forward pass: compute and store every
 * activation, leaves to root. Backward pass: compute the gradients, root to
 * leaves. The result: ∇_w Loss = [6, 12].
 * Run: npx tsx examples/lecture/l17-backprop.ts
 * (Paste the DOT it prints into any Graphviz viewer to see the drawing.)
 */
import { explain, type Tensor, tensor, trace } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const phi = tensor([1, 2]);
  const y = 2;
  const loss = (w: Tensor) => w.dot(phi).sub(y).square();
  const w = tensor([3, 1]);

  const steps = explain(loss, w);
  log("Forward pass (leaves to root):");
  for (const s of steps.filter((s) => s.phase === "forward")) log(`  ${s.text}`);
  log("Backward pass (root to leaves):");
  for (const s of steps.filter((s) => s.phase === "backward")) log(`  ${s.text}`);

  const graph = trace(loss, w);
  const dot = graph.toDot({ args: [w], values: true, grads: true });
  log("\nThe graph with each node's value and gradient (Graphviz DOT):");
  log(dot);

  const last = steps[steps.length - 1]!;
  return {
    forward: steps.filter((s) => s.phase === "forward").map((s) => [s.op, ...Array.from(s.value.data())]),
    backward: steps.filter((s) => s.phase === "backward").map((s) => [s.op, ...Array.from(s.grad!.data())]),
    loss: steps.find((s) => s.phase === "forward" && s.node === graph.outputs[0])!.value.item(),
    gradW: Array.from(last.grad!.data()),
    dot,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
