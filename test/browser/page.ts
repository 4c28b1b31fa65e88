/**
 * What the browser test runs inside the page: the lecture's L17 gradient,
 * forward mode, a graph, and a matmul on the default backend, returned as
 * plain numbers for the test to check.
 */
import { backends, compile, getBackend, grad, jvp, matmul, random, tensor, trace } from "../../src/index.js";

export function runInPage() {
  const phi = tensor([1, 2]);
  const loss = (w: ReturnType<typeof tensor>) => w.dot(phi).sub(2).square();
  const w = tensor([3, 1]);
  const [, tangent] = jvp((a, b) => a.mul(b), [tensor(3), tensor(4)], [tensor(1), tensor(0)]);
  const a = random.normal(random.key(0), [64, 48]);
  const b = random.normal(random.key(1), [48, 32]);
  const fast = matmul(a, b).data();
  const reference = new Float64Array(64 * 32);
  const ad = a.data();
  const bd = b.data();
  for (let i = 0; i < 64; i++)
    for (let k = 0; k < 48; k++)
      for (let j = 0; j < 32; j++) reference[i * 32 + j]! += ad[i * 48 + k]! * bd[k * 32 + j]!;
  let matmulError = 0;
  fast.forEach((v, i) => {
    matmulError = Math.max(matmulError, Math.abs(v - reference[i]!));
  });
  return {
    grad: Array.from(grad(loss)(w).data()),
    tangent: tangent.item(),
    graph: trace(loss, w).toString(),
    compiled: compile(loss)(w).item(),
    backend: getBackend(),
    backends: backends().map((x) => `${x.name}:${x.available}`),
    matmulError,
  };
}

(globalThis as { runInPage?: typeof runInPage }).runInPage = runInPage;
