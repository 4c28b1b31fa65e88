/**
 * reshape, transpose, slice, broadcastTo and flip on the CPU are views: they
 * share the typed array of their input (no copy) and read it through strides.
 * The tests look at `_buf` (internal) on purpose: sharing is the point.
 */
import { describe, expect, it } from "vitest";
import {
  arange,
  broadcastTo,
  flip,
  reshape,
  slice,
  type Tensor,
  tensor,
  withBackend,
} from "../../src/index.js";

const shares = (a: Tensor, b: Tensor): boolean => a._buf!.data === b._buf!.data;

describe("views", () => {
  // the js backend is the reference; other backends may choose to copy
  const run = <T>(fn: () => T): T => withBackend("js", fn);
  const x = arange(12).reshape([3, 4]);

  it("reshape of contiguous data is a view with the same values", () =>
    run(() => {
      const y = reshape(x, [2, 6]);
      expect(shares(x, y)).toBe(true);
      expect(y.toArray()).toEqual([
        [0, 1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10, 11],
      ]);
    }));

  it("transpose is a view with swapped strides", () =>
    run(() => {
      const t = x.T;
      expect(shares(x, t)).toBe(true);
      expect(t._buf!.strides).toEqual([1, 4]);
      expect(t.toArray()).toEqual([
        [0, 4, 8],
        [1, 5, 9],
        [2, 6, 10],
        [3, 7, 11],
      ]);
      // reshaping the transposed view has to copy, and copies in its row-major order
      const flat = reshape(t, [12]);
      expect(Array.from(flat.data())).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    }));

  it("slice is a view at an offset", () =>
    run(() => {
      const s = slice(x, [1, 1], [2, 2]);
      expect(shares(x, s)).toBe(true);
      expect(s._buf!.offset).toBe(5);
      expect(s.toArray()).toEqual([
        [5, 6],
        [9, 10],
      ]);
      // a view of a view
      const ss = slice(s, [1, 0], [1, 2]);
      expect(shares(x, ss)).toBe(true);
      expect(ss.toArray()).toEqual([[9, 10]]);
      expect(s.T.toArray()).toEqual([
        [5, 9],
        [6, 10],
      ]);
    }));

  it("broadcastTo is a view with zero strides", () =>
    run(() => {
      const row = tensor([1, 2, 3]);
      const b = broadcastTo(row, [2, 3]);
      expect(shares(row, b)).toBe(true);
      expect(b._buf!.strides).toEqual([0, 1]);
      expect(b.toArray()).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      const col = broadcastTo(tensor([[1], [2]]), [2, 3]);
      expect(col.toArray()).toEqual([
        [1, 1, 1],
        [2, 2, 2],
      ]);
    }));

  it("flip is a view with negative strides", () =>
    run(() => {
      const f = flip(x, 1);
      expect(shares(x, f)).toBe(true);
      expect(f.toArray()).toEqual([
        [3, 2, 1, 0],
        [7, 6, 5, 4],
        [11, 10, 9, 8],
      ]);
    }));

  it("ops on views read the right elements", () =>
    run(() => {
      const t = x.T;
      expect(t.add(1).toArray()).toEqual([
        [1, 5, 9],
        [2, 6, 10],
        [3, 7, 11],
        [4, 8, 12],
      ]);
      expect(t.matmul(tensor([1, 1, 1])).toArray()).toEqual([12, 15, 18, 21]);
      expect(slice(x, [0, 1], [3, 2]).sum(0).toArray()).toEqual([15, 18]);
      expect(flip(x, 0).sum(1).toArray()).toEqual([38, 22, 6]);
    }));

  it("views never let a write through: tensors are immutable, ops make new buffers", () =>
    run(() => {
      const y = reshape(x, [12]);
      const z = y.add(0);
      expect(shares(y, z)).toBe(false);
      expect(x.data()[0]).toBe(0);
    }));
});
