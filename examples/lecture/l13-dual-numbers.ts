/**
 * Slide L13 — Functions as graphs: perturb an input by ε and watch the output move.
 * Forward-mode differentiation carries that ε along as a dual number a + bε:
 *   (a+ε)+b = c+1ε,  a+(b+ε) = c+1ε,  (a+ε)·b = c+bε,  a·(b+ε) = c+aε.
 * Run: npx tsx examples/lecture/l13-dual-numbers.ts
 */
import { jvp, type Tensor, tensor } from "../../src/index.js";

export function run(log: (s: string) => void = () => {}) {
  const a = tensor(3);
  const b = tensor(4);
  const one = tensor(1);
  const zero = tensor(0);
  const add = (x: Tensor, y: Tensor) => x.add(y);
  const mul = (x: Tensor, y: Tensor) => x.mul(y);
  // Each case: which function, and where the ε goes (tangent 1 on one input, 0 on the other).
  const cases = {
    "(a+ε)+b": jvp(add, [a, b], [one, zero]),
    "a+(b+ε)": jvp(add, [a, b], [zero, one]),
    "(a+ε)·b": jvp(mul, [a, b], [one, zero]),
    "a·(b+ε)": jvp(mul, [a, b], [zero, one]),
  };
  const result: Record<string, [number, number]> = {};
  for (const [name, [c, dc]] of Object.entries(cases)) {
    result[name] = [c.item(), dc.item()];
    log(`${name} with a=3, b=4:  c = ${c.item()},  ε-coefficient = ${dc.item()}`);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) run(console.log);
