/**
 * Slide L11 — How to do this efficiently: the idea behind TensorFlow.
 * A computational graph is a DAG whose root is the whole expression and whose
 * nodes are its subexpressions. Here: the one-hidden-layer loss of slide L16,
 * Loss(V, w) = (w·σ(V·φ(x)) − y)², on the XOR point x = [2, 0] (y = +1) with
 * the hand-set V and w of slide L4. We build its graph, print it, prune what
 * the output does not need, differentiate it, and compile it.
 * Run: npx tsx examples/lecture/l11-graph.ts
 */
import { compile, type Tensor, tensor, trace } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const phi = tensor([1, 2, 0]); // φ(x) = [1, x₁, x₂]
  const y = 1;
  const V = tensor([
    [-1, 1, -1],
    [-1, -1, 1],
  ]);
  const w = tensor([1, 1]);

  const loss = (V: Tensor, w: Tensor) => {
    const h = V.matmul(phi).sigmoid(); // hidden features
    const score = w.dot(h);
    score.sign(); // the classifier's decision: computed, but the loss does not need it
    return score.sub(y).square();
  };

  // (1) Build the graph: trace records every primitive, with shapes, no values.
  const graph = trace(loss, V, w);
  log("The graph of the loss:");
  log(graph.toString());

  // (2) Prune: dead-code elimination drops the sign node (no unnecessary operations).
  const pruned = graph.optimize({ fuse: false, fold: false, cse: false, simplify: false });
  log(`\nPruned: ${graph.nodes.length} nodes → ${pruned.nodes.length} (the unused sign is gone)`);

  // (3) Differentiate the graph itself: a new graph computing the loss and ∇_V, ∇_w.
  const gradGraph = pruned.grad([0, 1]);
  log(`\nIts gradient graph has ${gradGraph.nodes.length} nodes (forward and backward pass together).`);
  const [value, [gV, gw]] = gradGraph.run(V, w) as [Tensor, [Tensor, Tensor]];
  log(`Loss = ${value.item().toFixed(6)}`);
  log(`∇_w Loss = ${gw.toString()}`);
  log(`∇_V Loss = ${gV.toString()}`);

  // (4) Compile: optimize (fusion included), plan memory, generate one function.
  const optimized = gradGraph.optimize();
  const stats = optimized.stats();
  log(
    `\nOptimized: ${gradGraph.nodes.length} nodes → ${optimized.nodes.length} (${stats.fused} fused kernels)`,
  );
  log(`Memory: ${stats.memory.bytesBefore} bytes op by op → ${stats.memory.bytesAfter} bytes planned`);
  const fast = compile(gradGraph.run);
  const [cValue] = fast(V, w) as [Tensor, [Tensor, Tensor]];
  log(`Compiled loss = ${cValue.item().toFixed(6)}`);

  // The closed forms of slide L16, for comparison.
  const h = V.matmul(phi).sigmoid();
  const residual = w.dot(h).sub(y);
  const gwClosed = h.mul(residual.mul(2));
  const gVClosed = w
    .mul(h)
    .mul(h.neg().add(1))
    .mul(residual.mul(2))
    .reshape([2, 1])
    .mul(phi.reshape([1, 3]));

  return {
    nodes: graph.nodes.length,
    prunedNodes: pruned.nodes.length,
    optimizedNodes: optimized.nodes.length,
    loss: value.item(),
    compiledLoss: cValue.item(),
    gradW: Array.from(gw.data()),
    gradV: Array.from(gV.data()),
    gradWClosedForm: Array.from(gwClosed.data()),
    gradVClosedForm: Array.from(gVClosed.data()),
    bytesBefore: stats.memory.bytesBefore,
    bytesAfter: stats.memory.bytesAfter,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
