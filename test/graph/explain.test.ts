import { describe, expect, it } from "vitest";
import { explain, trace } from "../../src/graph/index.js";
import { type Tensor, tensor } from "../../src/index.js";
import { l17Loss } from "./helpers.js";

const values = (t: Tensor | undefined) => Array.from(t!.data());

describe("explain: backpropagation step by step (slide L17)", () => {
  const steps = explain(l17Loss, tensor([3, 1]));
  const forward = steps.filter((s) => s.phase === "forward");
  const backward = steps.filter((s) => s.phase === "backward");

  it("forward pass: every activation, leaves to root", () => {
    expect(forward.map((s) => [s.op, values(s.value)])).toEqual([
      ["input", [3, 1]],
      ["const", [1, 2]],
      ["mul", [3, 2]],
      ["sum", [5]],
      ["const", [2]],
      ["sub", [3]],
      ["mul", [9]],
    ]);
    expect(forward[2]!.text).toBe("%2 = mul(%0, %1) = [3, 2]");
    expect(forward.every((s) => s.grad === undefined)).toBe(true);
  });

  it("backward pass: every gradient, root to leaves, ending in ∇w Loss = [6, 12]", () => {
    expect(backward.map((s) => [s.node, s.op, values(s.grad)])).toEqual([
      [6, "mul", [1]],
      [5, "sub", [6]],
      [4, "const", [-6]],
      [3, "sum", [6]],
      [2, "mul", [6, 6]],
      [1, "const", [18, 6]],
      [0, "input", [6, 12]],
    ]);
    expect(backward.at(-1)!.text).toBe("∂out/∂%0 = [6, 12]   (from %2 mul)");
    // Forward first, then backward: the order a person steps through.
    expect(steps.findIndex((s) => s.phase === "backward")).toBe(forward.length);
  });

  it("the graph's own gradient graph gives the same numbers", () => {
    const g = trace(l17Loss, tensor([3, 1])).grad();
    const [v, gw] = g.run(tensor([3, 1])) as [Tensor, Tensor];
    expect(v.item()).toBe(9);
    expect(values(gw)).toEqual([6, 12]);
  });

  it("refuses a non-scalar output", () => {
    expect(() => explain((w: Tensor) => w.mul(2), tensor([1, 2]))).toThrow(/float scalar/);
  });
});
