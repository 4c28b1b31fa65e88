/** dtypes, numpy-style promotion, and weakly typed JS scalars. */
import { describe, expect, it } from "vitest";
import { promoteTypes } from "../../src/core/dtype.js";
import { cast, DTYPES, type DType, DTypeError, div, mean, ones, sum, tensor } from "../../src/index.js";

const of = (dtype: DType) => ones([2], dtype);

describe("dtypes", () => {
  it("are the four grafo supports", () => {
    expect(DTYPES).toEqual(["float32", "float64", "int32", "bool"]);
  });

  it("promote as numpy does on bool < int32 < float32 < float64", () => {
    const order: DType[] = ["bool", "int32", "float32", "float64"];
    for (const [i, a] of order.entries())
      for (const [j, b] of order.entries()) {
        const want = order[Math.max(i, j)];
        expect(promoteTypes(a, b)).toBe(want);
        // the binary ops use exactly this rule
        expect(of(a).add(of(b)).dtype, `${a} + ${b}`).toBe(want);
      }
  });

  it("treat JS numbers as weakly typed: they take the tensor's dtype", () => {
    expect(of("float64").mul(2).dtype).toBe("float64");
    expect(of("float32").mul(2).dtype).toBe("float32");
    expect(of("int32").add(1).dtype).toBe("int32");
    // a fractional number cannot be an int32, so ints become float32
    expect(of("int32").mul(0.5).dtype).toBe("float32");
    expect(of("int32").mul(0.5).toArray()).toEqual([0.5, 0.5]);
    // and numbers on the left behave the same
    expect(tensor(2).dtype).toBe("float32");
  });

  it("make true division float and keep sums of bools as counts", () => {
    const i = tensor([3, 4], undefined, { dtype: "int32" });
    expect(div(i, 2).dtype).toBe("float32");
    expect(div(i, 2).toArray()).toEqual([1.5, 2]);
    expect(mean(i).dtype).toBe("float32");
    expect(mean(i).item()).toBe(3.5);
    const b = tensor([true, false, true]);
    expect(sum(b).dtype).toBe("int32");
    expect(sum(b).item()).toBe(2);
    expect(b.add(b).dtype).toBe("bool");
  });

  it("cast: to bool is x ≠ 0, to int32 truncates toward zero, to float is exact for ints", () => {
    const x = tensor([-2.7, -0.5, 0, 0.5, 2.7], undefined, { dtype: "float64" });
    expect(cast(x, "int32").toArray()).toEqual([-2, 0, 0, 0, 2]);
    expect(cast(x, "bool").toArray()).toEqual([true, true, false, true, true]);
    expect(cast(tensor([true, false]), "float32").toArray()).toEqual([1, 0]);
    expect(cast(tensor([2 ** 24 + 1], undefined, { dtype: "int32" }), "float64").item()).toBe(2 ** 24 + 1);
    expect(cast(tensor([0.1], undefined, { dtype: "float64" }), "float32").item()).toBe(Math.fround(0.1));
  });

  it("a bad dtype string is a DTypeError naming the op and the known dtypes", () => {
    expect(() => cast(of("float32"), "int64" as DType)).toThrow(DTypeError);
    expect(() => cast(of("float32"), "int64" as DType)).toThrow(
      'cast: unknown dtype "int64"; expected one of float32, float64, int32, bool',
    );
  });

  it("float-only ops refuse ints at the primitive but the public op promotes first", () => {
    const i = tensor([1, 4], undefined, { dtype: "int32" });
    expect(i.sqrt().dtype).toBe("float32");
    expect(i.sqrt().toArray()).toEqual([1, 2]);
    expect(i.exp().dtype).toBe("float32");
  });
});
