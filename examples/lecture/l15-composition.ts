/**
 * Slide L15 — Composition: b = a², c = b², so ∂c/∂a = ∂c/∂b · ∂b/∂a = (2b)(2a) = 4a³.
 * Run: npx tsx examples/lecture/l15-composition.ts
 */
import { grad, type Tensor, tensor } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const c = (a: Tensor) => a.square().square();
  const rows = [-2, -0.5, 0, 1, 1.5, 3].map((a) => {
    const auto = grad(c)(tensor(a, [], { dtype: "float64" })).item();
    log(`a = ${String(a).padStart(4)}:  autodiff ${auto},  4a³ = ${4 * a ** 3}`);
    return { a, autodiff: auto, closedForm: 4 * a ** 3 };
  });
  return { rows };
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
