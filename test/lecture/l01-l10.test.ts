import { describe, expect, it } from "vitest";
import { run as l01 } from "../../examples/lecture/l01-predictors.js";
import { run as l02 } from "../../examples/lecture/l02-xor-linear.js";
import { run as l03 } from "../../examples/lecture/l03-xor-in-parts.js";
import { run as l04 } from "../../examples/lecture/l04-vector-form.js";
import { run as l05 } from "../../examples/lecture/l05-activations.js";
import { run as l06 } from "../../examples/lecture/l06-xor-solution.js";
import { run as l07 } from "../../examples/lecture/l07-depth.js";
import { run as l08 } from "../../examples/lecture/l08-why-deeper.js";
import { run as l09 } from "../../examples/lecture/l09-learning.js";
import { run as l10 } from "../../examples/lecture/l10-three-hidden.js";

describe("lecture examples L1–L10", () => {
  it("L1: quadratic and neural fits beat the linear one; the quadratic recovers [1, −1, 0.5]", async () => {
    const r = await l01();
    expect(r.mse.quadratic!).toBeLessThan(0.06);
    expect(r.mse.neural!).toBeLessThan(0.1);
    expect(r.mse.linear!).toBeGreaterThan(10 * r.mse.quadratic!);
    r.quadraticWeights.forEach((w, i) => {
      expect(Math.abs(w - [1, -1, 0.5][i]!)).toBeLessThan(0.1);
    });
  });

  it("L2: a linear classifier stays at ≤ 75 % on XOR; one hidden layer gets 100 %", async () => {
    const r = await l02();
    expect(r.linearAccuracy).toBeLessThanOrEqual(0.75);
    expect(r.bestGridAccuracy).toBe(0.75);
    expect(r.netAccuracy).toBe(1);
  });

  it("L3: h₁, h₂ and f reproduce the slide's table", () => {
    const r = l03();
    expect(r.rows.map((q) => [q.x, q.h1, q.h2, q.f])).toEqual([
      [[0, 2], 0, 1, 1],
      [[2, 0], 1, 0, 1],
      [[0, 0], 0, 0, -1],
      [[2, 2], 0, 0, -1],
    ]);
    expect(r.allCorrect).toBe(true);
  });

  it("L4: V = [[−1,1,−1],[−1,−1,1]], w = [1,1] give the table, as tensors and as layers", () => {
    const r = l04();
    expect(r.scores).toEqual([
      [-3, 1],
      [1, -3],
      [-1, -1],
      [-1, -1],
    ]);
    expect(r.hidden).toEqual([
      [0, 1],
      [1, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(r.f).toEqual([1, 1, -1, -1]);
    expect(r.layered).toEqual(r.f);
    expect(r.f).toEqual(r.labels);
  });

  it("L5: the threshold's derivative is 0 and its hidden layer never learns; sigmoid and ReLU do", () => {
    const r = l05();
    expect(r.table.threshold!.derivative.every((d) => d === 0)).toBe(true);
    r.table.logistic!.value.forEach((s, i) => {
      expect(r.table.logistic!.derivative[i]).toBeCloseTo(s * (1 - s), 6);
    });
    expect(r.table.relu!.derivative).toEqual([0, 0, 0, 1, 1, 1]);
    expect(r.training.threshold!.firstGradNorm).toBe(0);
    expect(r.training.threshold!.hiddenWeightsMoved).toBe(false);
    expect(r.training.threshold!.accuracy).toBeLessThanOrEqual(0.75);
    for (const name of ["logistic", "relu"]) {
      expect(r.training[name]!.firstGradNorm).toBeGreaterThan(0);
      expect(r.training[name]!.accuracy).toBe(1);
      expect(r.training[name]!.lossAfter).toBeLessThan(r.training[name]!.lossBefore / 10);
    }
  });

  it("L6: trained from random weights, one hidden layer reaches 100 % and its features separate XOR", async () => {
    const r = await l06();
    expect(r.accuracy).toBe(1);
    expect(r.features).toHaveLength(4);
    expect(r.scores.map(Math.sign)).toEqual([1, 1, -1, -1]);
  });

  it("L7: one function for 0, 1 and 2 hidden layers; hidden layers solve what linear cannot", async () => {
    const { results } = await l07();
    expect(results.map((q) => q.parameters)).toEqual([3, 33, 105]);
    expect(results[0]!.accuracy).toBeLessThan(0.7);
    expect(results[1]!.accuracy).toBeGreaterThan(0.95);
    expect(results[2]!.accuracy).toBeGreaterThan(0.95);
  });

  it("L8: both a wide and a deep net fit the curve, with similar parameter counts", async () => {
    const r = await l08();
    for (const v of Object.values(r)) expect(v.mse).toBeLessThan(v.firstMse / 10);
    expect(r["one wide layer"]!.parameters).toBe(97);
    expect(r["three narrow layers"]!.parameters).toBe(103);
  });

  it("L9: the training loss falls; the linear loss surface is convex, the net's is not", async () => {
    const r = await l09();
    expect(r.trainLoss[r.trainLoss.length - 1]!).toBeLessThan(r.trainLoss[0]! * 0.6);
    expect(r.linearViolations).toBe(0);
    expect(r.netViolations).toBeGreaterThan(0);
    expect(r.between).toBeGreaterThan(10 * Math.max(...r.minima));
  });

  it("L10: gradient descent with grad on the 3-hidden-layer model lowers the loss", () => {
    const { losses } = l10();
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 10);
  });
});
