import { expect, it } from "vitest";
import { loadNativeAddon, type NativeAddon, nativeKernels } from "../../../src/backends/native/index.js";
import type { Backend, Kernel } from "../../../src/core/backend.js";
import type { DataArray, DType } from "../../../src/core/dtype.js";
import type { PrimAttrs, PrimName } from "../../../src/core/primitives.js";
import { contiguousStrides } from "../../../src/core/shape.js";
import { Tensor } from "../../../src/core/tensor.js";
import { primitiveTable } from "../../../src/ops/table.js";
import { describeNative, rng } from "./support.js";

const rand = rng(42);

/** A tensor over fresh random data (or `values`), viewed with the given strides and offset. */
function tensorView(
  dtype: DType,
  shape: number[],
  opts: { strides?: number[]; offset?: number; length?: number; values?: (i: number) => number } = {},
): Tensor {
  const strides = opts.strides ?? contiguousStrides(shape);
  const offset = opts.offset ?? 0;
  let extent = offset + 1;
  shape.forEach((d, i) => {
    extent += (d - 1) * Math.max(0, strides[i]!);
  });
  const n = opts.length ?? Math.max(extent, 1);
  const data: DataArray =
    dtype === "float32" ? new Float32Array(n) : dtype === "float64" ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++)
    data[i] = opts.values ? opts.values(i) : dtype === "int32" ? Math.round(rand() * 9) : rand() * 3;
  return new Tensor(shape, dtype, { data, strides, offset });
}

const dense = (dtype: DType, shape: number[], offset = 0) => tensorView(dtype, shape, { offset });

/** Addon calls made so far, to check which cases really ran natively. */
let addonCalls = 0;

/**
 * Runs a primitive on the native kernel and on the js reference kernel and
 * compares. Cases labelled "(js)" must be delegated to the reference kernel;
 * all others must have called into the addon.
 */
function agree<P extends PrimName>(
  backend: Backend,
  prim: P,
  inputs: Tensor[],
  attrs: PrimAttrs[P],
  tol: { rtol: number; atol: number },
  what: string,
): void {
  const def = primitiveTable()[prim];
  const aval = def.abstract(inputs, attrs);
  const kernel = backend.kernels[prim] as Kernel<P>;
  const before = addonCalls;
  const got = kernel(inputs, attrs, aval);
  const native = addonCalls > before;
  expect(native, `${what}: ${native ? "called the addon" : "fell back to js"}`).toBe(!what.endsWith("(js)"));
  const want = def.js(inputs, attrs, aval);
  expect(got.shape, what).toEqual(want.shape);
  expect(got.dtype, what).toBe(want.dtype);
  const g = got.data();
  const w = want.data();
  for (let i = 0; i < w.length; i++) {
    const [x, y] = [g[i]!, w[i]!];
    if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (!(Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y)))
      expect.fail(`${what}: element ${i}: native ${x}, js ${y}`);
  }
}

const EXACT = { rtol: 0, atol: 0 };
const F32_ULPS = { rtol: 4 * 2 ** -23, atol: 1e-44 };

describeNative("native backend kernels agree with the js reference kernels", () => {
  const loaded = loadNativeAddon();
  if (!loaded.ok) throw new Error(loaded.reason);
  // The kernels over an addon that counts its calls.
  const counting = Object.fromEntries(
    Object.entries(loaded.addon).map(([name, f]) => [
      name,
      (...args: unknown[]) => {
        addonCalls++;
        return (f as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as NativeAddon;
  const backend: Backend = { name: "native", kernels: nativeKernels(counting) };

  it("overrides the primitives it accelerates", () => {
    expect(Object.keys(backend.kernels).sort()).toEqual(
      [
        "add",
        "col2im",
        "compare",
        "div",
        "exp",
        "im2col",
        "log",
        "matmul",
        "max",
        "maximum",
        "minimum",
        "mul",
        "sigmoid",
        "sub",
        "sum",
        "tanh",
        "where",
      ].sort(),
    );
  });

  it("matmul: plain, transposed views, sliced, batched, broadcast batch, float64, int32, tiny", () => {
    const gemmTol = { rtol: 1e-5, atol: 1e-5 };
    const [m, k, n] = [19, 23, 29];
    const a = dense("float32", [m, k]);
    const b = dense("float32", [k, n]);
    // Transposes as strided views of [k, m] and [n, k] buffers: nothing is copied.
    const aT = tensorView("float32", [m, k], { strides: [1, m] });
    const bT = tensorView("float32", [k, n], { strides: [1, k] });
    for (const [x, y, what] of [
      [a, b, "A·B"],
      [aT, b, "Aᵀ·B"],
      [a, bT, "A·Bᵀ"],
      [aT, bT, "Aᵀ·Bᵀ"],
    ] as const)
      agree(backend, "matmul", [x, y], {}, gemmTol, what);
    // A column slice (offset, row stride wider than the row).
    agree(
      backend,
      "matmul",
      [tensorView("float32", [m, k], { strides: [k + 5, 1], offset: 3 }), b],
      {},
      gemmTol,
      "slice",
    );
    // Batched, with the second operand broadcast over the batch (stride 0) and a permuted batch.
    const batchA = dense("float32", [2, 3, m, k]);
    const sharedB = tensorView("float32", [2, 3, k, n], { strides: [0, 0, n, 1] });
    agree(backend, "matmul", [batchA, sharedB], {}, gemmTol, "broadcast batch");
    const permuted = tensorView("float32", [2, 3, m, k], { strides: [m * k, 2 * m * k, k, 1] });
    agree(backend, "matmul", [permuted, dense("float32", [2, 3, k, n])], {}, gemmTol, "permuted batch");
    agree(
      backend,
      "matmul",
      [dense("float64", [m, k]), dense("float64", [k, n])],
      {},
      { rtol: 1e-12, atol: 1e-12 },
      "float64",
    );
    agree(backend, "matmul", [dense("int32", [m, k]), dense("int32", [k, n])], {}, EXACT, "int32 (js)");
    agree(backend, "matmul", [dense("float32", [2, 3]), dense("float32", [3, 2])], {}, EXACT, "tiny (js)");
    agree(
      backend,
      "matmul",
      [dense("float32", [1, 40]), dense("float32", [40, 64])],
      {},
      gemmTol,
      "row vector",
    );
  });

  it("exp, log, tanh, sigmoid: contiguous, offset, transposed (js), float64 (js), tiny (js)", () => {
    const positive = (i: number) => 1e-3 + ((i * 7919) % 1000) / 10;
    for (const prim of ["exp", "log", "tanh", "sigmoid"] as const) {
      const values = prim === "log" ? positive : (i: number) => (((i * 7919) % 2001) - 1000) / 50;
      agree(backend, prim, [tensorView("float32", [33, 17], { values })], {}, F32_ULPS, `${prim} contiguous`);
      agree(
        backend,
        prim,
        [tensorView("float32", [9, 40], { values, offset: 7 })],
        {},
        F32_ULPS,
        `${prim} offset`,
      );
      agree(
        backend,
        prim,
        [tensorView("float32", [17, 33], { values, strides: [1, 17] })],
        {},
        EXACT,
        `${prim} transposed (js)`,
      );
      agree(backend, prim, [tensorView("float64", [300], { values })], {}, EXACT, `${prim} float64 (js)`);
      agree(backend, prim, [tensorView("float32", [3], { values })], {}, EXACT, `${prim} tiny (js)`);
      agree(backend, prim, [tensorView("float32", [0, 100])], {}, EXACT, `${prim} empty (js)`);
    }
  });

  it("add, sub, mul, div, maximum, minimum: same shape, bias row, per-row column, scalar, either side", () => {
    const [r, c] = [31, 45];
    const x = dense("float32", [r, c]);
    const row = tensorView("float32", [r, c], { strides: [0, 1] });
    const col = tensorView("float32", [r, c], { strides: [1, 0] });
    const scalar = tensorView("float32", [r, c], { strides: [0, 0], offset: 2, length: 4 });
    const transposed = tensorView("float32", [r, c], { strides: [1, r] });
    const rank3Bias = tensorView("float32", [4, 5, c], { strides: [0, 0, 1] });
    for (const prim of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
      for (const [a, b, what] of [
        [x, dense("float32", [r, c], 3), "full"],
        [x, row, "bias row"],
        [row, x, "row on the left"],
        [x, col, "column"],
        [col, row, "column with row"],
        [scalar, x, "scalar"],
        [x, scalar, "scalar on the right"],
        [dense("float32", [4, 5, c]), rank3Bias, "rank-3 bias"],
        [x, transposed, "transposed (js)"],
        [dense("float64", [r, c]), tensorView("float64", [r, c], { strides: [0, 1] }), "float64 bias"],
        [dense("int32", [r, c]), dense("int32", [r, c]), "int32 (js)"],
        [dense("float32", [2, 3]), dense("float32", [2, 3]), "tiny (js)"],
      ] as const)
        agree(backend, prim, [a, b], {}, EXACT, `${prim} ${what}`);
    }
  });

  it("compare and where (ReLU's two passes) on every operand layout, NaN and −0 included", () => {
    const [r, c] = [40, 30];
    // Values from a small set, so that equal pairs occur; NaN and −0 among them.
    const pick = (i: number) => [-1.5, -0, 0, 0.5, 2, Number.NaN][(i * 7 + (i >> 3)) % 6]!;
    for (const dtype of ["float32", "float64"] as const) {
      const a = tensorView(dtype, [r, c], { values: pick });
      const operands: [Tensor, string][] = [
        [tensorView(dtype, [r, c], { values: (i) => pick(i + 3) }), "full"],
        [tensorView(dtype, [r, c], { strides: [0, 1], values: (i) => pick(i + 1) }), "row"],
        [tensorView(dtype, [r, c], { strides: [1, 0], values: (i) => pick(i + 2) }), "col"],
        [tensorView(dtype, [r, c], { strides: [0, 0], values: () => 0 }), "scalar 0"],
      ];
      for (const [b, layout] of operands) {
        for (const op of ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"] as const)
          agree(backend, "compare", [a, b], { op }, EXACT, `${dtype} ${op} against a ${layout}`);
        const mask = dense("float32", [r, c]).greater(1.5);
        agree(backend, "where", [mask, a, b], {}, EXACT, `${dtype} where(c, a, ${layout})`);
        agree(backend, "where", [mask, b, a], {}, EXACT, `${dtype} where(c, ${layout}, a)`);
      }
      agree(backend, "compare", [a, a.T.T], { op: "less" }, EXACT, `${dtype} compare with a view`);
      agree(
        backend,
        "compare",
        [dense("int32", [r, c]), dense("int32", [r, c])],
        { op: "less" },
        EXACT,
        "int32 (js)",
      );
      const transposed = tensorView(dtype, [r, c], { strides: [1, r] });
      agree(
        backend,
        "where",
        [transposed.greater(1), a, a],
        {},
        EXACT,
        `${dtype} where with a mask made from a transposed view`,
      );
      agree(
        backend,
        "where",
        [dense("float32", [2, 3]).greater(1), dense(dtype, [2, 3]), dense(dtype, [2, 3])],
        {},
        EXACT,
        "tiny (js)",
      );
    }
  });

  it("sum and max over trailing, middle or leading axes (softmax, pooling), and split axes via js", () => {
    const x = dense("float32", [6, 7, 30]);
    for (const prim of ["sum", "max"] as const) {
      for (const axes of [[2], [1, 2], [0, 1, 2], [0], [1], [0, 1], [0, 2]]) {
        // Consecutive axes are one middle (or trailing) block for the addon; split ones are not.
        const consecutive = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
        agree(
          backend,
          prim,
          [x],
          { axes },
          { rtol: 1e-6, atol: 1e-6 },
          `${prim} axes [${axes}]${consecutive ? "" : " (js)"}`,
        );
      }
      agree(
        backend,
        prim,
        [dense("float64", [40, 9], 1)],
        { axes: [1] },
        { rtol: 1e-14, atol: 1e-14 },
        `${prim} float64`,
      );
      agree(backend, prim, [dense("int32", [40, 9])], { axes: [1] }, EXACT, `${prim} int32 (js)`);
      agree(
        backend,
        prim,
        [tensorView("float32", [30, 9], { strides: [1, 30] })],
        { axes: [1] },
        { rtol: 1e-6, atol: 1e-6 },
        `${prim} transposed (js)`,
      );
    }
    const withNaN = tensorView("float32", [8, 40], { values: (i) => (i === 45 ? Number.NaN : i % 13) });
    agree(backend, "max", [withNaN], { axes: [1] }, EXACT, "max with NaN");
    agree(backend, "sum", [withNaN], { axes: [1] }, EXACT, "sum with NaN");
  });
});
