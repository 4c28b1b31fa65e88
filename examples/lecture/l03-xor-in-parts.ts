/**
 * Slide L3 — Solving XOR in parts:
 *   h₁(x) = 1[x₁ − x₂ ≥ 1]   (is x right of the band?)
 *   h₂(x) = 1[x₂ − x₁ ≥ 1]   (is x left of it?)
 *   f(x)  = sign(h₁(x) + h₂(x))
 * Each part is a linear classifier; together they solve what no single one
 * can. sign here means +1 above 0 and −1 otherwise (so sign(0) = −1, the
 * slide's convention for the two −1 points).
 * Run: npx tsx examples/lecture/l03-xor-in-parts.ts
 */
import { data, greater, greaterEqual, type Tensor, where } from "../../src/index.js";

/** +1 where z > 0, −1 elsewhere. */
export const lectureSign = (z: Tensor): Tensor => where(greater(z, 0), 1, -1);

export function run(log: (s: string) => void = () => {}) {
  const { x, y } = data.lectureXor();
  const x1 = x.index(":", 0);
  const x2 = x.index(":", 1);
  const h1 = greaterEqual(x1.sub(x2), 1).cast("float32");
  const h2 = greaterEqual(x2.sub(x1), 1).cast("float32");
  const f = lectureSign(h1.add(h2));
  const rows = (x.toArray() as number[][]).map((p, i) => ({
    x: p,
    h1: h1.data()[i]!,
    h2: h2.data()[i]!,
    f: f.data()[i]!,
    y: y.data()[i]!,
  }));
  log("x        h₁  h₂  f(x)  y");
  for (const r of rows)
    log(`[${r.x}]    ${r.h1}   ${r.h2}   ${r.f > 0 ? "+1" : "−1"}   ${r.y > 0 ? "+1" : "−1"}`);
  return { rows, allCorrect: rows.every((r) => r.f === r.y) };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
