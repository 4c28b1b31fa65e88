/** Tensor creation, reading values back, and printing (slide L12: what a tensor is). */
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  arange,
  DTypeError,
  eye,
  full,
  GrafoError,
  linspace,
  ones,
  onesLike,
  ShapeError,
  scalar,
  type Tensor,
  tensor,
  zeros,
  zerosLike,
} from "../../src/index.js";

describe("tensor()", () => {
  it("takes nested arrays of any rank and infers the shape", () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    expect(tensor([[1, 2, 3]]).shape).toEqual([1, 3]);
    const t = tensor([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]);
    expect(t.shape).toEqual([1, 3, 2]);
    expect(t.rank).toBe(3);
    expect(t.size).toBe(6);
    expect(Array.from(t.data())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("takes typed arrays with their own dtype, and a shape for flat input", () => {
    expect(tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(tensor(new Float32Array([1, 2])).dtype).toBe("float32");
    expect(tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tensor(new Uint8Array([1, 0])).dtype).toBe("bool");
    const m = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(m.shape).toEqual([2, 3]);
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("infers float32 for numbers and bool for booleans; an explicit dtype wins", () => {
    expect(tensor([1, 2]).dtype).toBe("float32");
    expect(tensor(1.5).dtype).toBe("float32");
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor(true).dtype).toBe("bool");
    expect(tensor([1, 2], undefined, { dtype: "int32" }).dtype).toBe("int32");
    expect(tensor([1, 2], undefined, { dtype: "float64" }).dtype).toBe("float64");
    expect(tensor([0, 2, -1], undefined, { dtype: "bool" }).toArray()).toEqual([false, true, true]);
  });

  it("stores float32 rounded and float64 exactly", () => {
    expect(tensor([0.1]).data()[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], undefined, { dtype: "float64" }).data()[0]).toBe(0.1);
  });

  it("rejects ragged nested arrays with a ShapeError that says where", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(
      /ragged nested array: element \[1\] has length 1, expected length 2/,
    );
    // a number where a row belongs, and a row where a number belongs
    expect(() => tensor([[1, 2], 3] as unknown as number[][])).toThrow(/ragged.*element \[1\] has a scalar/);
    expect(() =>
      tensor([
        [1, 2],
        [3, [4]],
      ] as unknown as number[][]),
    ).toThrow(/ragged.*element \[1\]\[1\] is an array/);
  });

  it("rejects values that are not numbers, and counts that do not fill the shape", () => {
    expect(() => tensor(["a"] as unknown as number[])).toThrow(ArgumentError);
    expect(() => tensor(["a"] as unknown as number[])).toThrow(/element \[0\] is string/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow("tensor: 3 values cannot fill shape [2,2] (4 elements)");
    expect(() => tensor([1, 2], [-1, 2])).toThrow(ArgumentError);
  });

  it("validates int32 input: non-integers are an error, not silently truncated", () => {
    expect(() => tensor([1, 1.5], undefined, { dtype: "int32" })).toThrow(ArgumentError);
    expect(() => tensor([1, 1.5], undefined, { dtype: "int32" })).toThrow(
      /value 1.5 at flat index 1 is not an integer, but dtype is int32/,
    );
    expect(tensor([-3, 7], undefined, { dtype: "int32" }).toArray()).toEqual([-3, 7]);
  });

  it("rejects an unknown dtype string with a DTypeError listing the known ones", () => {
    expect(() => tensor([1], undefined, { dtype: "float16" as never })).toThrow(DTypeError);
    expect(() => tensor([1], undefined, { dtype: "float16" as never })).toThrow(
      'tensor: unknown dtype "float16"; expected one of float32, float64, int32, bool',
    );
  });

  it("makes empty tensors", () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
    expect(zeros([0, 3]).size).toBe(0);
  });

  it("records requiresGrad", () => {
    expect(tensor([1], undefined, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(tensor([1]).requiresGrad).toBe(false);
  });
});

describe("creation functions", () => {
  it("zeros, ones, full, scalar and the *Like versions", () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3], "int32").toArray()).toEqual([1, 1, 1]);
    expect(ones([3], "int32").dtype).toBe("int32");
    expect(full([2], 7.5).toArray()).toEqual([7.5, 7.5]);
    expect(full([2], true).dtype).toBe("bool");
    expect(scalar(2, "float64").dtype).toBe("float64");
    expect(scalar(2).shape).toEqual([]);
    const x = tensor([[1, 2, 3]], undefined, { dtype: "float64" });
    expect(zerosLike(x).shape).toEqual([1, 3]);
    expect(zerosLike(x).dtype).toBe("float64");
    expect(onesLike(x, "int32").dtype).toBe("int32");
  });

  it("arange and linspace follow numpy", () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(3, 3).size).toBe(0);
    expect(arange(0, 3, 1, "int32").dtype).toBe("int32");
    expect(() => arange(0, 1, 0)).toThrow(ArgumentError);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(() => linspace(0, 1, -1)).toThrow(ArgumentError);
  });

  it("eye makes (rectangular) identities", () => {
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("bad shapes and dtypes are clear errors", () => {
    expect(() => zeros([2, -1])).toThrow("zeros: invalid shape [2,-1]");
    expect(() => zeros([1.5])).toThrow(ArgumentError);
    expect(() => zeros([2], "complex64" as never)).toThrow(DTypeError);
    expect(() => zeros([2], "complex64" as never)).toThrow('zeros: unknown dtype "complex64"');
    expect(() => ones([-2])).toThrow("ones: invalid shape [-2]");
    // like tensor(), full does not truncate a fraction into an int32 silently
    expect(() => full([2], 1.5, "int32")).toThrow("full: value 1.5 is not an integer, but dtype is int32");
  });
});

describe("reading values back", () => {
  const m = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it("toArray gives nested arrays (booleans for bool)", () => {
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor(2.5).toArray()).toBe(2.5);
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tensor(false).toArray()).toBe(false);
  });

  it("data gives a row-major copy in the tensor's own typed array", () => {
    const d = m.data();
    expect(d).toBeInstanceOf(Float32Array);
    expect(Array.from(d)).toEqual([1, 2, 3, 4, 5, 6]);
    d[0] = 100;
    expect(m.data()[0]).toBe(1);
    expect(Array.from(m.T.data())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(tensor([1], undefined, { dtype: "int32" }).data()).toBeInstanceOf(Int32Array);
  });

  it("readonlyData shares contiguous values (whole or a slice) and copies strided views", () => {
    const a = m.readonlyData();
    expect(Array.from(a)).toEqual([1, 2, 3, 4, 5, 6]);
    // No copy: the same array every time, the one the tensor reads.
    expect(m.readonlyData()).toBe(a);
    // A contiguous slice is a subarray over the same memory.
    const row = m.slice([1, 0], [1, 3]).readonlyData();
    expect(Array.from(row)).toEqual([4, 5, 6]);
    expect(row.buffer).toBe(a.buffer);
    // A transpose is not row-major in memory: a copy, with the right order.
    const t = m.T.readonlyData();
    expect(Array.from(t)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(t.buffer).not.toBe(a.buffer);
    expect(Array.from(m.broadcastTo([2, 2, 3]).readonlyData())).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    const write = () => {
      // @ts-expect-error: the type rejects writes, since the tensor shares the array
      a[0] = 100;
    };
    expect(write).toBeTypeOf("function");
    expect(tensor([1], undefined, { dtype: "int32" }).readonlyData()).toBeInstanceOf(Int32Array);
  });

  it("item reads a one-element tensor and refuses others", () => {
    expect(tensor(4).item()).toBe(4);
    expect(tensor([[4]]).item()).toBe(4);
    expect(() => m.item()).toThrow(GrafoError);
    expect(() => m.item()).toThrow("item: tensor has 6 elements, shape [2,3]; item() needs exactly one");
  });
});

describe("toString", () => {
  const str = (t: Tensor) => t.toString();

  it("prints like numpy, with the dtype", () => {
    expect(str(tensor(3))).toBe("Tensor(3, dtype=float32)");
    expect(str(tensor([1, 2.5, -3]))).toBe("Tensor([  1, 2.5,  -3], dtype=float32)");
    expect(
      str(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe("Tensor([[1, 2],\n        [3, 4]], dtype=float32)");
    expect(str(arange(8).reshape([2, 2, 2]))).toBe(
      "Tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], dtype=float32)",
    );
    expect(str(tensor([true, false]))).toBe("Tensor([ true, false], dtype=bool)");
    expect(str(tensor([1, 2], undefined, { dtype: "int32" }))).toBe("Tensor([1, 2], dtype=int32)");
    expect(str(tensor([0.1], undefined, { dtype: "float64" }))).toBe("Tensor([0.1], dtype=float64)");
    expect(str(zeros([0, 3]))).toBe("Tensor([], dtype=float32)");
  });

  it("names NaN and infinities and uses exponents for very small or large values", () => {
    expect(str(tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]))).toBe(
      "Tensor([ NaN,  Inf, -Inf], dtype=float32)",
    );
    expect(str(tensor([1e-7], undefined, { dtype: "float64" }))).toBe("Tensor([1.0000e-7], dtype=float64)");
  });

  it("summarises large tensors with ... along every long axis", () => {
    expect(str(arange(1001))).toBe("Tensor([   0,    1,    2, ...,  998,  999, 1000], dtype=float32)");
    const s = str(arange(2000).reshape([40, 50]));
    const lines = s.split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe("Tensor([[   0,    1,    2, ...,   47,   48,   49],");
    expect(lines[3]!.trim()).toBe("...,");
    expect(lines[6]).toBe("        [1950, 1951, 1952, ..., 1997, 1998, 1999]], dtype=float32)");
    // small tensors are printed in full
    expect(str(arange(1000))).not.toContain("...");
  });
});
