import { expect } from "vitest";
import { type Tensor, tensor } from "../../src/index.js";
import { firstMismatch } from "../support/allclose.js";

/** Asserts two pytrees of tensors have the same structure and close values. */
export function expectTreeClose(actual: unknown, expected: unknown, rtol = 1e-5, atol = 1e-6): void {
  if (isTensor(expected)) {
    expect(isTensor(actual)).toBe(true);
    const a = actual as Tensor;
    expect(a.shape).toEqual(expected.shape);
    expect(a.dtype).toBe(expected.dtype);
    expect(firstMismatch(a, expected, { rtol, atol })).toBeUndefined();
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => {
      expectTreeClose((actual as unknown[])[i], e, rtol, atol);
    });
  } else if (expected !== null && typeof expected === "object") {
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected))
      expectTreeClose(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        rtol,
        atol,
      );
  } else expect(actual).toEqual(expected);
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "shape" in x && "dtype" in x && "data" in x;
}

/** The lecture's L17 example: Loss(w) = (w·φ − y)² with φ = [1, 2], y = 2. */
export const phi = tensor([1, 2]);
export const l17Loss = (w: Tensor): Tensor => w.dot(phi).sub(2).square();
