import { describe, expect, it } from "vitest";
import { run } from "../../examples/lecture/l11-graph.js";

describe("lecture L11: the computational graph", () => {
  const r = run();

  it("prunes the node the loss does not need", () => {
    expect(r.nodes).toBe(10);
    expect(r.prunedNodes).toBe(9);
    expect(r.optimizedNodes).toBeLessThan(28);
  });

  it("the loss (w·σ(Vφ(x)) − y)² at the hand-set weights of slide L4", () => {
    const h = [1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(3))];
    expect(r.loss).toBeCloseTo((h[0]! + h[1]! - 1) ** 2, 6);
    expect(r.compiledLoss).toBeCloseTo(r.loss, 6);
  });

  it("the gradient graph agrees with the closed forms of slide L16", () => {
    r.gradW.forEach((g, i) => {
      expect(g).toBeCloseTo(r.gradWClosedForm[i]!, 6);
    });
    r.gradV.forEach((g, i) => {
      expect(g).toBeCloseTo(r.gradVClosedForm[i]!, 6);
    });
    expect(r.gradV[2]).toBe(0); // x₂ = 0: its weights get no gradient
  });

  it("memory planning does not use more than one array per value", () => {
    expect(r.bytesAfter).toBeLessThanOrEqual(r.bytesBefore);
  });
});
