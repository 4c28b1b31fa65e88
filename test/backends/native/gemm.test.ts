import { expect, it } from "vitest";
import type { FloatArray, NativeAddon } from "../../../src/backends/native/index.js";
import { describeNative, rng, supportedIsas, withIsa } from "./support.js";

/** A matrix view as the addon reads it. */
interface View {
  data: FloatArray;
  offset: number;
  rs: number;
  cs: number;
}

const at = (v: View, i: number, j: number): number => v.data[v.offset + i * v.rs + j * v.cs]!;

/** An r×c operand with random values, stored transposed (swapped strides) or not, after `offset` junk elements. */
function operand(
  r: number,
  c: number,
  trans: boolean,
  offset: number,
  rand: () => number,
  f64 = false,
): View {
  const data = f64 ? new Float64Array(offset + r * c) : new Float32Array(offset + r * c);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  return trans ? { data, offset, rs: 1, cs: r } : { data, offset, rs: c, cs: 1 };
}

/** The float64 oracle C = A·B, and Σ|a||b| per element to scale the tolerance. */
function reference(
  m: number,
  n: number,
  k: number,
  a: View,
  b: View,
): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let g = 0;
      for (let p = 0; p < k; p++) {
        const t = at(a, i, p) * at(b, p, j);
        s += t;
        g += Math.abs(t);
      }
      c[i * n + j] = s;
      mag[i * n + j] = g;
    }
  return { c, mag };
}

/** |c − ref| ≤ γ·Σ|a||b| with γ ≈ k·u, the textbook bound for a dot product of length k. */
function expectClose(
  got: ArrayLike<number>,
  off: number,
  ref: Float64Array,
  mag: Float64Array,
  k: number,
  unit: number,
  what: string,
) {
  const gamma = (k + 2) * unit;
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(got[off + i]! - ref[i]!);
    if (!(err <= gamma * mag[i]! + 1e-30)) {
      expect.fail(
        `${what}: element ${i}: got ${got[off + i]}, expected ${ref[i]} (error ${err}, bound ${gamma * mag[i]!})`,
      );
    }
  }
}

function gemm1(
  addon: NativeAddon,
  m: number,
  n: number,
  k: number,
  a: View,
  b: View,
  c: FloatArray,
  offC = 0,
  ldc = n,
  acc = false,
) {
  addon.gemm(
    a.data,
    b.data,
    c,
    Float64Array.of(a.offset),
    Float64Array.of(b.offset),
    Float64Array.of(offC),
    m,
    n,
    k,
    a.rs,
    a.cs,
    b.rs,
    b.cs,
    ldc,
    acc,
  );
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [3, 4, 1],
  [2, 3, 4],
  [7, 13, 5],
  [13, 33, 17],
  [12, 32, 16],
  [25, 31, 63],
  [37, 65, 29],
  [64, 64, 64],
  [70, 45, 300], // k spans two k-blocks
  [257, 19, 11], // m spans two m-blocks
];

describeNative("native GEMM vs a float64 reference", (addon) => {
  for (const isa of supportedIsas(addon)) {
    it(`${isa}: every shape, transpose combination and offset`, () => {
      withIsa(addon, isa, () => {
        const rand = rng(1);
        for (const [m, n, k] of SHAPES) {
          for (const ta of [false, true])
            for (const tb of [false, true]) {
              const a = operand(m, k, ta, 3, rand);
              const b = operand(k, n, tb, 5, rand);
              const c = new Float32Array(m * n).fill(Number.NaN); // NaN: the kernel must overwrite, not add
              gemm1(addon, m, n, k, a, b, c);
              const { c: ref, mag } = reference(m, n, k, a, b);
              expectClose(c, 0, ref, mag, k, 2 ** -24, `${isa} ${m}x${n}x${k} ta=${ta} tb=${tb}`);
            }
        }
      });
    });

    it(`${isa}: float64, with C inside a larger row stride, and accumulate`, () => {
      withIsa(addon, isa, () => {
        const rand = rng(2);
        for (const [m, n, k] of SHAPES) {
          const a = operand(m, k, true, 1, rand, true);
          const b = operand(k, n, false, 0, rand, true);
          const ldc = n + 3;
          const c = new Float64Array(2 + m * ldc);
          for (let i = 0; i < c.length; i++) c[i] = rand();
          const before = c.slice();
          gemm1(addon, m, n, k, a, b, c, 2, ldc, true);
          const { c: ref, mag } = reference(m, n, k, a, b);
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              ref[i * n + j] += before[2 + i * ldc + j]!;
              mag[i * n + j] += Math.abs(before[2 + i * ldc + j]!);
            }
          const got = Float64Array.from(
            { length: m * n },
            (_, e) => c[2 + Math.floor(e / n) * ldc + (e % n)]!,
          );
          expectClose(got, 0, ref, mag, k, 2 ** -53, `${isa} f64 ${m}x${n}x${k}`);
          // The padding between rows of C is untouched.
          for (let i = 0; i < m; i++)
            for (let j = n; j < ldc && 2 + i * ldc + j < c.length; j++)
              expect(c[2 + i * ldc + j]).toBe(before[2 + i * ldc + j]);
        }
      });
    });
  }

  it("general strides: a slice of every other column, and negative strides (a flipped view)", () => {
    const rand = rng(3);
    const [m, n, k] = [9, 11, 14];
    const base = operand(m, 2 * k, false, 0, rand);
    const a: View = { data: base.data, offset: 1, rs: 2 * k, cs: 2 };
    const bData = new Float32Array(k * n).map(() => rand());
    const b: View = { data: bData, offset: (k - 1) * n + (n - 1), rs: -n, cs: -1 };
    const c = new Float32Array(m * n);
    gemm1(addon, m, n, k, a, b, c);
    const { c: ref, mag } = reference(m, n, k, a, b);
    expectClose(c, 0, ref, mag, k, 2 ** -24, "strided");
  });

  it("batched: per-item offsets, a broadcast operand (repeated offset), transposed items", () => {
    const rand = rng(4);
    const [batch, m, n, k] = [5, 6, 35, 9];
    const aData = new Float32Array(batch * m * k).map(() => rand());
    const bData = new Float32Array(k * n).map(() => rand()); // one B for every item
    const c = new Float32Array(batch * m * n);
    const offA = Float64Array.from({ length: batch }, (_, p) => p * m * k);
    // A items stored transposed: element (i, p) at p*m + i.
    addon.gemm(
      aData,
      bData,
      c,
      offA,
      new Float64Array(batch),
      Float64Array.from({ length: batch }, (_, p) => p * m * n),
      m,
      n,
      k,
      1,
      m,
      n,
      1,
      n,
      false,
    );
    for (let p = 0; p < batch; p++) {
      const a: View = { data: aData, offset: p * m * k, rs: 1, cs: m };
      const b: View = { data: bData, offset: 0, rs: n, cs: 1 };
      const { c: ref, mag } = reference(m, n, k, a, b);
      expectClose(c, p * m * n, ref, mag, k, 2 ** -24, `batch item ${p}`);
    }
  });

  it("k = 0 gives zeros (or leaves C when accumulating); empty m or n does nothing", () => {
    const c = new Float32Array(6).fill(7);
    const e = new Float32Array(0);
    const z = Float64Array.of(0);
    addon.gemm(e, e, c, z, z, z, 2, 3, 0, 0, 1, 3, 1, 3, true);
    expect(Array.from(c)).toEqual([7, 7, 7, 7, 7, 7]);
    addon.gemm(e, e, c, z, z, z, 2, 3, 0, 0, 1, 3, 1, 3, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    addon.gemm(e, new Float32Array(12), e, z, z, z, 0, 3, 4, 4, 1, 3, 1, 3, false);
  });

  it("rejects views that reach outside their arrays, and mixed dtypes", () => {
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const c = new Float32Array(4);
    const z = Float64Array.of(0);
    expect(() => addon.gemm(a, b, c, z, z, z, 2, 2, 3, 3, 1, 2, 1, 2, false)).not.toThrow();
    expect(() => addon.gemm(a, b, c, Float64Array.of(1), z, z, 2, 2, 3, 3, 1, 2, 1, 2, false)).toThrow(
      RangeError,
    );
    expect(() => addon.gemm(a, b, c, z, z, z, 2, 2, 3, 3, 1, 2, 1, 3, false)).toThrow(RangeError);
    expect(() => addon.gemm(a, new Float64Array(6), c, z, z, z, 2, 2, 3, 3, 1, 2, 1, 2, false)).toThrow(
      TypeError,
    );
  });

  it("threaded results equal single-threaded ones bit for bit (float32 and float64, batched)", () => {
    const rand = rng(5);
    for (const f64 of [false, true])
      for (const [batch, m, n, k, bT] of [
        [1, 200, 170, 130, true], // above the threshold for sharing one product
        [1, 400, 40, 270, true],
        [3, 64, 96, 80, true], // a batch: one product per task
        // A single row tile with a large row-major B: split by columns.
        [1, 1, 256, 784, false],
        [1, 12, 300, 300, false],
        [1, 5, 130, 600, false],
      ] as const) {
        const a = operand(batch * m, k, false, 0, rand, f64);
        const b = operand(k, n, bT, 0, rand, f64);
        const run = (threads: number) =>
          withIsa(
            addon,
            addon.isa(),
            () => {
              const c = f64 ? new Float64Array(batch * m * n) : new Float32Array(batch * m * n);
              const off = (s: number) => Float64Array.from({ length: batch }, (_, p) => p * s);
              addon.gemm(
                a.data,
                b.data,
                c,
                off(m * k),
                off(0),
                off(m * n),
                m,
                n,
                k,
                a.rs,
                a.cs,
                b.rs,
                b.cs,
                n,
                false,
              );
              return c;
            },
            threads,
          );
        const one = run(1);
        for (const t of [2, 3, 4])
          expect(run(t), `f64=${f64} ${batch}x${m}x${n}x${k} on ${t} threads`).toEqual(one);
      }
  });
});
