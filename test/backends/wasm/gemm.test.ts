import { describe, expect, it } from "vitest";
import {
  dgemm,
  type MatrixView,
  setWasmThreads,
  sgemm,
  sgemmBatched,
  wasmThreadCount,
  wasmThreadsReady,
} from "../../../src/backends/wasm/index.js";

/** Deterministic uniform [-1, 1) numbers, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomArray(n: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rand();
  return out;
}

function at(v: MatrixView<Float32Array | Float64Array>, i: number, j: number, cols: number): number {
  return v.data[(v.offset ?? 0) + i * (v.rowStride ?? cols) + j * (v.colStride ?? 1)] as number;
}

/** C = alpha·A·B + beta·C0 in float64, the oracle. */
function reference(
  m: number,
  n: number,
  k: number,
  a: MatrixView<Float32Array | Float64Array>,
  b: MatrixView<Float32Array | Float64Array>,
  alpha = 1,
  beta = 0,
  c0?: (i: number, j: number) => number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, i, p, k) * at(b, p, j, n);
      out[i * n + j] = alpha * s + (beta !== 0 && c0 ? beta * c0(i, j) : 0);
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, k: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  // float32 accumulation of k products of magnitude <= 1: error grows ~ sqrt(k)·eps, bound it loosely.
  const tol = 1e-6 * (8 + 4 * k);
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(e <= worst)) {
      worst = e;
      where = i;
    }
  }
  expect(worst <= tol, `${label}: max error ${worst} at ${where} (tol ${tol})`).toBe(true);
}

/** A dense m×k matrix, optionally stored transposed (k×m memory, swapped strides) with an offset. */
function operand(
  rows: number,
  cols: number,
  trans: boolean,
  rand: () => number,
  offset = 0,
): MatrixView<Float32Array> {
  const data = randomArray(offset + rows * cols, rand);
  return trans
    ? { data, offset, rowStride: 1, colStride: rows }
    : { data, offset, rowStride: cols, colStride: 1 };
}

describe("sgemm", () => {
  const rand = rng(42);

  it("matches the float64 reference over random shapes and all transpose combos", () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 70, 1],
      [70, 1, 3],
      [4, 8, 1],
      [5, 9, 17],
    ];
    for (let t = 0; t < 40; t++)
      shapes.push([
        1 + Math.floor(((rand() + 1) / 2) * 70),
        1 + Math.floor(((rand() + 1) / 2) * 70),
        1 + Math.floor(((rand() + 1) / 2) * 70),
      ]);
    for (const [m, n, k] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = operand(m, k, ta, rand, 3);
          const b = operand(k, n, tb, rand, 5);
          const c = sgemm({ m, n, k, a, b });
          expectClose(c, reference(m, n, k, a, b), k, `${m}x${n}x${k} ta=${ta} tb=${tb}`);
        }
      }
    }
  });

  it("handles larger shapes that cross every block boundary", () => {
    for (const [m, n, k] of [
      [257, 129, 300],
      [130, 2100, 9],
      [3, 5, 1100],
    ] as const) {
      for (const [ta, tb] of [
        [false, false],
        [true, true],
      ] as const) {
        const a = operand(m, k, ta, rand);
        const b = operand(k, n, tb, rand);
        expectClose(sgemm({ m, n, k, a, b }), reference(m, n, k, a, b), k, `${m}x${n}x${k}`);
      }
    }
  });

  it("reads arbitrary strides (a column-subsampled view)", () => {
    const [m, n, k] = [9, 11, 13];
    const a = { data: randomArray(2 * m * k + 7, rand), offset: 7, rowStride: 2 * k, colStride: 2 };
    const b = { data: randomArray(k * n * 3, rand), offset: 0, rowStride: 3 * n, colStride: 1 };
    expectClose(sgemm({ m, n, k, a, b }), reference(m, n, k, a, b), k, "strided");
  });

  it("accumulates with beta and scales with alpha into a strided C", () => {
    const [m, n, k] = [23, 19, 31];
    const a = operand(m, k, false, rand);
    const b = operand(k, n, true, rand);
    const cdata = randomArray(2 + m * n * 2, rand);
    const before = cdata.slice();
    const c = { data: cdata, offset: 2, rowStride: 1, colStride: m }; // C stored transposed
    const want = reference(m, n, k, a, b, 0.5, 2, (i, j) => before[2 + i + j * m] as number);
    sgemm({ m, n, k, a, b, c, alpha: 0.5, beta: 2 });
    const got = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) got[i * n + j] = cdata[2 + i + j * m] as number;
    expectClose(got, want, k, "beta=2");
    expect(cdata[0]).toBe(before[0]); // untouched outside the view
    // beta = 1 accumulates, beta = 0 overwrites NaN.
    const acc = new Float32Array(m * n).fill(1);
    sgemm({ m, n, k, a, b, c: { data: acc }, beta: 1 });
    expectClose(
      acc,
      reference(m, n, k, a, b, 1, 1, () => 1),
      k,
      "beta=1",
    );
    const nan = new Float32Array(m * n).fill(Number.NaN);
    sgemm({ m, n, k, a, b, c: { data: nan } });
    expectClose(nan, reference(m, n, k, a, b), k, "beta=0 over NaN");
  });

  it("rejects views that do not fit their arrays, naming the kernel and sizes", () => {
    const a = { data: new Float32Array(6) };
    const b = { data: new Float32Array(12) };
    expect(() => sgemm({ m: 2, n: 4, k: 3, a, b })).not.toThrow();
    expect(() => sgemm({ m: 3, n: 4, k: 3, a, b })).toThrow(/sgemm: A is 3×3 .* but A has 6 elements/);
    expect(() => sgemm({ m: 2, n: 4, k: 0, a, b })).toThrow(/sgemm: k must be an integer >= 1/);
    expect(() => sgemm({ m: 2, n: 4, k: 3, a, b, beta: 1 })).toThrow(/sgemm: beta/);
  });
});

describe("sgemmBatched", () => {
  const rand = rng(7);

  it("runs every batch entry, broadcasting an operand with batchStride 0", () => {
    const [batch, m, n, k] = [5, 13, 10, 17];
    const a = { data: randomArray(batch * m * k, rand) };
    const w = { data: randomArray(n * k, rand), rowStride: 1, colStride: k, batchStride: 0 }; // one Wᵀ for all
    const c = sgemmBatched({ batch, m, n, k, a, b: w });
    for (let bi = 0; bi < batch; bi++) {
      const want = reference(m, n, k, { data: a.data, offset: bi * m * k }, w);
      expectClose(c.subarray(bi * m * n, (bi + 1) * m * n), want, k, `batch ${bi}`);
    }
  });
});

describe("dgemm", () => {
  it("matches the reference in float64 precision", () => {
    const rand = rng(3);
    for (const [m, n, k] of [
      [1, 1, 1],
      [7, 5, 3],
      [33, 65, 70],
      [130, 70, 260],
    ] as const) {
      const a = { data: Float64Array.from(randomArray(m * k, rand)), rowStride: 1, colStride: m };
      const b = { data: Float64Array.from(randomArray(k * n, rand)) };
      const got = dgemm({ m, n, k, a, b });
      const want = reference(m, n, k, a, b);
      let worst = 0;
      for (let i = 0; i < want.length; i++)
        worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
      expect(worst).toBeLessThan(1e-12 * k);
    }
  });
});

describe("threaded sgemm", () => {
  it("gives the same bits as the single-threaded kernel", async () => {
    const rand = rng(11);
    const threads = await wasmThreadsReady();
    expect(threads).toBe(wasmThreadCount());
    for (const [batch, m, n, k] of [
      [1, 300, 260, 220],
      [1, 400, 9, 300],
      [3, 130, 140, 300],
    ] as const) {
      const a = { data: randomArray(batch * m * k, rand) };
      const b = { data: randomArray(batch * k * n, rand), rowStride: 1, colStride: k };
      const parallel = sgemmBatched({ batch, m, n, k, a, b });
      setWasmThreads(1);
      const serial = sgemmBatched({ batch, m, n, k, a, b });
      setWasmThreads(threads);
      expect(Array.from(parallel)).toEqual(Array.from(serial));
    }
  });
});
