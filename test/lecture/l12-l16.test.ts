import { describe, expect, it } from "vitest";
import { run as l12 } from "../../examples/lecture/l12-tensors.js";
import { run as l13 } from "../../examples/lecture/l13-dual-numbers.js";
import { run as l14 } from "../../examples/lecture/l14-building-blocks.js";
import { run as l15 } from "../../examples/lecture/l15-composition.js";
import { run as l16 } from "../../examples/lecture/l16-one-hidden-layer.js";

describe("lecture examples L12–L16", () => {
  it("L12: tensors of rank 0–3, and V·[1, x₁, x₂] on the four XOR points", () => {
    const r = l12();
    expect(r.ranks).toEqual([0, 1, 2, 3]);
    expect(r.cubeSum).toBe(276);
    expect(r.scores).toEqual([
      [-3, 1],
      [1, -3],
      [-1, -1],
      [-1, -1],
    ]);
  });

  it("L13: the four dual-number identities with a=3, b=4", () => {
    expect(l13()).toEqual({ "(a+ε)+b": [7, 1], "a+(b+ε)": [7, 1], "(a+ε)·b": [12, 4], "a·(b+ε)": [12, 3] });
  });

  it("L14: local gradients of the building blocks at a=3, b=2", () => {
    const r = l14();
    expect(r["a+b"]).toEqual([1, 1]);
    expect(r["a-b"]).toEqual([1, -1]);
    expect(r["a*b"]).toEqual([2, 3]);
    expect(r["max(a,b)"]).toEqual([1, 0]);
    const s = 1 / (1 + Math.exp(-3));
    expect(r["sigmoid(a)"]![0]).toBeCloseTo(s * (1 - s), 6);
  });

  it("L15: grad of (a²)² is 4a³", () => {
    for (const row of l15().rows) expect(row.autodiff).toBeCloseTo(row.closedForm, 10);
  });

  it("L16: autodiff equals the closed-form gradients of the one-hidden-layer net", () => {
    const r = l16();
    expect(r.errW).toBeLessThan(1e-12);
    expect(r.errV).toBeLessThan(1e-12);
  });
});
