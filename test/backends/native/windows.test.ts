import { expect, it } from "vitest";
import { nativeKernels } from "../../../src/backends/native/index.js";
import type { Kernel } from "../../../src/core/backend.js";
import type { WindowAttrs } from "../../../src/core/primitives.js";
import { Tensor } from "../../../src/core/tensor.js";
import { primitiveTable } from "../../../src/ops/table.js";
import { describeNative, rng, withIsa } from "./support.js";

/** Window shapes of convolutions and poolings: strides, dilations, padding on any side, and odd sizes. */
const CASES: { image: [number, number, number, number]; attrs: WindowAttrs }[] = [
  { image: [3, 2, 28, 28], attrs: { kernel: [3, 3], stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] } },
  { image: [4, 3, 13, 11], attrs: { kernel: [2, 2], stride: [2, 2], dilation: [1, 1], pad: [0, 0, 0, 0] } },
  { image: [2, 3, 9, 12], attrs: { kernel: [3, 2], stride: [2, 3], dilation: [2, 1], pad: [1, 2, 0, 3] } },
  { image: [1, 5, 7, 7], attrs: { kernel: [5, 5], stride: [1, 1], dilation: [1, 1], pad: [2, 2, 2, 2] } },
  { image: [2, 1, 20, 17], attrs: { kernel: [1, 3], stride: [3, 1], dilation: [1, 2], pad: [0, 1, 4, 0] } },
];

describeNative("native im2col and col2im (conv and pooling windows)", (addon) => {
  const kernels = nativeKernels(addon);
  const table = primitiveTable();
  const rand = rng(17);

  for (const dtype of ["float32", "float64"] as const)
    it(`${dtype}: equal the js reference kernels exactly, on one thread and on several`, () => {
      for (const { image, attrs } of CASES) {
        const size = image.reduce((a, b) => a * b, 1);
        const x = Tensor._fromData(
          (dtype === "float32" ? new Float32Array(size) : new Float64Array(size)).map(() => rand()),
          image,
          dtype,
        );
        const colsAval = table.im2col.abstract([x], attrs);
        const want = table.im2col.js([x], attrs, colsAval);
        for (const threads of [1, 2, 3]) {
          const got = withIsa(
            addon,
            addon.isa(),
            () => (kernels.im2col as Kernel<"im2col">)([x], attrs, colsAval),
            threads,
          );
          expect(got.shape).toEqual(colsAval.shape);
          expect(Array.from(got.data()), `im2col ${image} ${JSON.stringify(attrs)}`).toEqual(
            Array.from(want.data()),
          );
        }
        // col2im of a random cotangent: sums in the same order as the reference, so also exact.
        const ct = Tensor._fromData(
          (dtype === "float32" ? new Float32Array(want.size) : new Float64Array(want.size)).map(() => rand()),
          colsAval.shape,
          dtype,
        );
        const back = { ...attrs, inputShape: image };
        const imageAval = table.col2im.abstract([ct], back);
        const wantBack = table.col2im.js([ct], back, imageAval);
        for (const threads of [1, 2]) {
          const got = withIsa(
            addon,
            addon.isa(),
            () => (kernels.col2im as Kernel<"col2im">)([ct], back, imageAval),
            threads,
          );
          expect(Array.from(got.data()), `col2im ${image} ${JSON.stringify(attrs)}`).toEqual(
            Array.from(wantBack.data()),
          );
        }
      }
    });

  it("rejects bad dims and arrays too short", () => {
    const dims = Float64Array.of(1, 1, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    const [x, cols] = [new Float32Array(16), new Float32Array(36)];
    expect(() => addon.windows(x, 0, cols, 0, dims, false)).not.toThrow();
    expect(() => addon.windows(x, 0, new Float32Array(35), 0, dims, false)).toThrow(RangeError);
    expect(() =>
      addon.windows(
        x,
        0,
        cols,
        0,
        dims.map((v, i) => (i === 6 ? 0 : v)),
        false,
      ),
    ).toThrow(RangeError);
    expect(() =>
      addon.windows(
        x,
        0,
        cols,
        0,
        dims.map((v, i) => (i === 4 ? 9 : v)),
        false,
      ),
    ).toThrow(RangeError);
    expect(() => addon.windows(x, 0, cols, 0, dims.subarray(0, 13), false)).toThrow(RangeError);
    expect(() => addon.windows(x, 0, new Float64Array(36), 0, dims, false)).toThrow(TypeError);
  });
});
