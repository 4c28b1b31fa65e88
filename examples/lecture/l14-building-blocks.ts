/**
 * Slide L14 — Basic building blocks and their local gradients:
 *   a+b → (1, 1);  a−b → (1, −1);  a·b → (b, a);  max(a,b) → (1[a>b], 1[a<b]);  σ(a) → σ(a)(1−σ(a)).
 * Backpropagation only ever needs these, chained together.
 * Run: npx tsx examples/lecture/l14-building-blocks.ts
 */
import { grad, maximum, sigmoid, type Tensor, tensor } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const a = tensor(3);
  const b = tensor(2);
  const both = (f: (x: Tensor, y: Tensor) => Tensor) =>
    (grad(f, [0, 1])(a, b) as Tensor[]).map((g) => g.item());
  const blocks = {
    "a+b": both((x, y) => x.add(y)),
    "a-b": both((x, y) => x.sub(y)),
    "a*b": both((x, y) => x.mul(y)),
    "max(a,b)": both((x, y) => maximum(x, y)),
    "sigmoid(a)": [grad((x: Tensor) => sigmoid(x))(a).item()],
  };
  const s = 1 / (1 + Math.exp(-3));
  for (const [name, g] of Object.entries(blocks))
    log(`${name.padEnd(10)} at a=3, b=2: local gradients (${g.join(", ")})`);
  log(`σ(3)(1−σ(3)) = ${s * (1 - s)} (closed form)`);
  return blocks;
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
