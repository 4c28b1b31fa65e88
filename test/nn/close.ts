import { expect } from "vitest";
import type { NestedArray, Tensor } from "../../src/index.js";
import { assertClose, type Tolerance } from "../support/allclose.js";

/** Asserts a tensor's values (and shape, for nested expectations) are close to `expected`. */
export function expectClose(actual: Tensor, expected: NestedArray, tol: Tolerance = {}): void {
  const nested = Array.isArray(expected);
  if (nested) {
    const shape: number[] = [];
    for (let e: NestedArray = expected; Array.isArray(e); e = (e as NestedArray[])[0]!) shape.push(e.length);
    expect(actual.shape).toEqual(shape);
  }
  const flat: number[] = [];
  const walk = (e: NestedArray): void => {
    if (Array.isArray(e)) for (const v of e as NestedArray[]) walk(v);
    else flat.push(Number(e));
  };
  walk(expected);
  assertClose(actual, flat, { rtol: 1e-5, atol: 1e-7, ...tol });
}
