import { describe, expect, it } from "vitest";
import { run } from "../../examples/lecture/l17-backprop.js";

describe("lecture L17: backpropagation on the graph", () => {
  const r = run();

  it("forward pass, leaves to root: w·φ = 5, residual 3, loss 9", () => {
    expect(r.forward).toEqual([
      ["input", 3, 1],
      ["const", 1, 2],
      ["mul", 3, 2],
      ["sum", 5],
      ["const", 2],
      ["sub", 3],
      ["mul", 9],
    ]);
    expect(r.loss).toBe(9);
  });

  it("backward pass, root to leaves: ∇w Loss = [6, 12]", () => {
    expect(r.backward).toEqual([
      ["mul", 1],
      ["sub", 6],
      ["const", -6],
      ["sum", 6],
      ["mul", 6, 6],
      ["const", 18, 6],
      ["input", 6, 12],
    ]);
    expect(r.gradW).toEqual([6, 12]);
  });

  it("the drawing shows each node's value and gradient", () => {
    expect(r.dot).toContain("{ %0 input 0 | float32[2] | value [3, 1] | grad [6, 12] }");
    expect(r.dot).toContain("{ %5 sub | float32[] | value 3 | grad 6 }");
  });
});
