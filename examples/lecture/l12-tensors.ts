/**
 * Slide L12 — What is a tensor: an n-dimensional array; functions operate on tensors.
 * Run: npx tsx examples/lecture/l12-tensors.ts
 */
import { arange, matmul, tensor } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const scalar = tensor(3); // rank 0
  const vector = tensor([1, 2]); // rank 1: φ(x) = [1, x] at x = 2
  const matrix = tensor([
    [-1, 1, -1],
    [-1, -1, 1],
  ]); // rank 2: the lecture's V (slide L4)
  const cube = arange(24).reshape([2, 3, 4]); // rank 3
  for (const [name, t] of Object.entries({ scalar, vector, matrix, cube })) {
    log(`${name}: rank ${t.rank}, shape [${t.shape}], dtype ${t.dtype}\n${t.toString()}`);
  }
  // Functions operate on whole tensors: V·[1, x₁, x₂] for the four XOR points at once.
  const points = tensor([
    [1, 0, 2],
    [1, 2, 0],
    [1, 0, 0],
    [1, 2, 2],
  ]);
  const scores = matmul(points, matrix.T);
  log(`V·[1, x₁, x₂] for the four points:\n${scores.toString()}`);
  return {
    ranks: [scalar.rank, vector.rank, matrix.rank, cube.rank],
    cubeSum: cube.sum().item(),
    scores: scores.toArray(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
