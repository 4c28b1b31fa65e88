import { expect, it } from "vitest";
import { mergeAxes, nativeKernels } from "../../../src/backends/native/kernels.js";
import type { Kernel } from "../../../src/core/backend.js";
import { Tensor } from "../../../src/core/tensor.js";
import { primitiveTable } from "../../../src/ops/table.js";
import { describeNative, rng, withIsa } from "./support.js";

/** The strided view's elements, one by one, in row-major order (the reference for copyStrided). */
function gatherView(src: ArrayLike<number>, shape: number[], strides: number[], offset: number): number[] {
  const out: number[] = [];
  const walk = (d: number, base: number) => {
    if (d === shape.length) out.push(src[base]!);
    else for (let i = 0; i < shape[d]!; i++) walk(d + 1, base + i * strides[d]!);
  };
  walk(0, offset);
  return out;
}

describeNative("native layout kernels (strided copy, reduction over middle axes)", (addon) => {
  const rand = rng(29);
  const table = primitiveTable();
  const kernels = nativeKernels(addon);

  it("copyStrided copies transposes, broadcasts, flips and slices exactly, on one thread and several", () => {
    const src = Float32Array.from({ length: 5000 }, () => rand());
    const views: { shape: number[]; strides: number[]; offset: number }[] = [
      { shape: [16, 16, 26, 26], strides: [0, 1, 0, 0], offset: 3 }, // a channel bias broadcast (threaded)
      { shape: [7, 9, 11], strides: [1, 7, 63], offset: 0 }, // a full transpose
      { shape: [30, 40], strides: [-41, 1], offset: 4000 }, // a flip of rows, a slice
      { shape: [3, 5, 1, 7], strides: [100, -3, 999, 2], offset: 50 },
      { shape: [1000], strides: [0], offset: 17 },
      { shape: [], strides: [], offset: 9 },
      { shape: [4, 0, 3], strides: [1, 1, 1], offset: 0 },
    ];
    for (const { shape, strides, offset } of views)
      for (const threads of [1, 2, 3])
        for (const dtype of ["float32", "float64"] as const) {
          const s = dtype === "float32" ? src : Float64Array.from(src);
          const size = shape.reduce((a, b) => a * b, 1);
          const out = dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
          withIsa(
            addon,
            addon.isa(),
            () => addon.copyStrided(s, offset, out, 0, Float64Array.from(shape), Float64Array.from(strides)),
            threads,
          );
          expect(Array.from(out), `${shape} ${strides}`).toEqual(gatherView(s, shape, strides, offset));
          // Merging axes never changes what is copied.
          const m = mergeAxes(shape, strides);
          const merged = dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
          if (size > 0)
            addon.copyStrided(s, offset, merged, 0, Float64Array.from(m.shape), Float64Array.from(m.strides));
          expect(Array.from(merged)).toEqual(Array.from(out));
        }
  });

  it("copyStrided rejects views outside the array and overlapping output", () => {
    const src = new Float32Array(100);
    const out = new Float32Array(100);
    const shape = Float64Array.of(10, 10);
    expect(() => addon.copyStrided(src, 1, out, 0, shape, Float64Array.of(10, 1))).toThrow(RangeError);
    expect(() => addon.copyStrided(src, 0, out, 0, shape, Float64Array.of(-10, 1))).toThrow(RangeError);
    expect(() => addon.copyStrided(src, 0, out, 1, shape, Float64Array.of(10, 1))).toThrow(RangeError);
    expect(() => addon.copyStrided(src, 0, src, 0, shape, Float64Array.of(1, 10))).toThrow(RangeError);
    expect(() => addon.copyStrided(src, 0, out, 0, shape, Float64Array.of(10))).toThrow(RangeError);
  });

  it("mergeAxes joins axes that step through memory as one and drops size-1 axes", () => {
    expect(mergeAxes([64, 16, 26, 26], [0, 1, 0, 0])).toEqual({ shape: [64, 16, 676], strides: [0, 1, 0] });
    expect(mergeAxes([2, 3, 4], [12, 4, 1])).toEqual({ shape: [24], strides: [1] });
    expect(mergeAxes([2, 1, 3], [1, 5, 2])).toEqual({ shape: [2, 3], strides: [1, 2] });
  });

  for (const dtype of ["float32", "float64"] as const)
    it(`${dtype}: sum and max over middle axes equal the js reference (NaN wins, sums in order)`, () => {
      const cases: { shape: number[]; axes: number[] }[] = [
        { shape: [1024, 4, 169], axes: [1] },
        { shape: [3, 9, 2, 65], axes: [1, 2] },
        { shape: [2, 300, 1], axes: [1] }, // trailing size 1: still a middle reduction
        { shape: [5, 7, 130], axes: [0, 1] }, // leading axes: outer = 1
        { shape: [1, 3, 4, 100], axes: [2] },
      ];
      for (const { shape, axes } of cases) {
        const size = shape.reduce((a, b) => a * b, 1);
        const data = (dtype === "float32" ? new Float32Array(size) : new Float64Array(size)).map(
          () => rand() * 1e3,
        );
        data[7] = Number.NaN;
        const x = Tensor._fromData(data, shape, dtype);
        for (const prim of ["sum", "max"] as const) {
          const aval = table[prim].abstract([x], { axes });
          const want = table[prim].js([x], { axes }, aval);
          for (const threads of [1, 2]) {
            const got = withIsa(
              addon,
              addon.isa(),
              () => (kernels[prim] as Kernel<typeof prim>)([x], { axes }, aval),
              threads,
            );
            expect(got.shape).toEqual(aval.shape);
            expect(Array.from(got.data()), `${prim} ${shape} over ${axes}`).toEqual(Array.from(want.data()));
          }
        }
      }
    });
});
