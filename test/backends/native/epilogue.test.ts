import { expect, it } from "vitest";
import { ACTIVATION, type FloatArray, type NativeAddon } from "../../../src/backends/native/index.js";
import { logSoftmax, softmax, tensor, withBackend } from "../../../src/index.js";
import { describeNative, rng, supportedIsas, withIsa } from "./support.js";

/** C = act(A·B + bias) through the addon, A m×k and B k×n (B stored transposed when `tb`). */
function product(
  addon: NativeAddon,
  f64: boolean,
  [m, n, k]: readonly number[],
  tb: boolean,
  rand: () => number,
  epilogue: { bias: boolean; relu: boolean },
): { plain: FloatArray; fused: FloatArray; bias: FloatArray } {
  const make = (len: number) => (f64 ? new Float64Array(len) : new Float32Array(len)).map(() => rand());
  const [a, b, bias] = [make(m! * k!), make(k! * n!), make(n! + 2)];
  const z = Float64Array.of(0);
  const [rsB, csB] = tb ? [1, k!] : [n!, 1];
  const run = (withEpilogue: boolean) => {
    const c = (f64 ? new Float64Array(m! * n!) : new Float32Array(m! * n!)).fill(Number.NaN);
    const act = withEpilogue && epilogue.relu ? ACTIVATION.relu : ACTIVATION.none;
    const withBias = withEpilogue && epilogue.bias ? bias : null;
    addon.gemm(a, b, c, z, z, z, m!, n!, k!, k!, 1, rsB, csB, n!, false, withBias, 2, act);
    return c;
  };
  return { plain: run(false), fused: run(true), bias };
}

const SHAPES = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [13, 33, 17],
  [12, 32, 16],
  [25, 31, 63],
  [70, 45, 300],
  [128, 10, 256], // a last layer: a narrow right edge
  [1, 256, 784], // batch 1
  [129, 47, 260],
];

describeNative("native GEMM epilogue (bias and ReLU on finished tiles)", (addon) => {
  for (const isa of supportedIsas(addon))
    for (const f64 of [false, true])
      it(`${isa} ${f64 ? "float64" : "float32"}: equals the product followed by bias add and ReLU, bit for bit`, () => {
        withIsa(addon, isa, () => {
          const rand = rng(7);
          const round = f64 ? (x: number) => x : Math.fround;
          for (const shape of SHAPES)
            for (const tb of [false, true])
              for (const epilogue of [
                { bias: true, relu: true },
                { bias: true, relu: false },
                { bias: false, relu: true },
              ]) {
                const { plain, fused, bias } = product(addon, f64, shape, tb, rand, epilogue);
                const n = shape[1]!;
                const want = Array.from(plain, (v, e) => {
                  const x = epilogue.bias ? round(v + bias[2 + (e % n)]!) : v;
                  // biome-ignore lint/complexity/useMathMinMax: NaN must give 0, as where(x > 0, x, 0) does
                  return epilogue.relu ? (x > 0 ? x : 0) : x;
                });
                expect(Array.from(fused), `${shape.join("x")} tb=${tb} ${JSON.stringify(epilogue)}`).toEqual(
                  want,
                );
              }
        });
      });

  it("ReLU maps NaN to 0, as where(x > 0, x, 0) does; k = 0 gives act(bias)", () => {
    const z = Float64Array.of(0);
    const a = Float32Array.of(Number.NaN, 1, 2, 3);
    const b = Float32Array.of(1, 1, 1, 1);
    const c = new Float32Array(4);
    addon.gemm(a, b, c, z, z, z, 2, 2, 2, 2, 1, 2, 1, 2, false, Float32Array.of(-5, 0.5), 0, ACTIVATION.relu);
    expect(Array.from(c)).toEqual([0, 0, 0, 5.5]);
    const e = new Float32Array(0);
    addon.gemm(e, e, c, z, z, z, 2, 2, 0, 0, 1, 2, 1, 2, false, Float32Array.of(-1, 3), 0, ACTIVATION.relu);
    expect(Array.from(c)).toEqual([0, 3, 0, 3]);
  });

  it("threads give the same bits as one thread, with B read in place and with B packed", () => {
    const rand = rng(9);
    for (const [m, n, k] of [
      [200, 170, 130],
      [64, 256, 784],
      [40, 600, 450], // B over the in-place limit (1 MiB): packed and shared
    ] as const)
      for (const tb of [false, true]) {
        const a = new Float32Array(m * k).map(() => rand());
        const b = new Float32Array(k * n).map(() => rand());
        const bias = new Float32Array(n).map(() => rand());
        const z = Float64Array.of(0);
        const [rsB, csB] = tb ? [1, k] : [n, 1];
        const run = (threads: number) =>
          withIsa(
            addon,
            addon.isa(),
            () => {
              const c = new Float32Array(m * n);
              addon.gemm(a, b, c, z, z, z, m, n, k, k, 1, rsB, csB, n, false, bias, 0, ACTIVATION.relu);
              return c;
            },
            threads,
          );
        const one = run(1);
        for (const t of [2, 3]) expect(run(t), `${m}x${n}x${k} tb=${tb} on ${t} threads`).toEqual(one);
      }
  });

  for (const isa of supportedIsas(addon))
    it(`${isa}: a bias per row (a convolution's, one value per output channel), batched with a shared A`, () => {
      withIsa(addon, isa, () => {
        const rand = rng(11);
        // [out channels, k] · [k, pixels] for each image: A shared across the batch.
        for (const [batch, m, n, k] of [
          [1, 1, 7, 3],
          [3, 16, 676, 9],
          [4, 32, 121, 144],
          [2, 13, 33, 17],
          [64, 6, 50, 20],
        ] as const)
          for (const f64 of [false, true])
            for (const relu of [false, true]) {
              const make = (len: number) =>
                (f64 ? new Float64Array(len) : new Float32Array(len)).map(() => rand());
              const [a, b, bias] = [make(m * k), make(batch * k * n), make(m + 1)];
              const offA = new Float64Array(batch);
              const offB = Float64Array.from({ length: batch }, (_, i) => i * k * n);
              const offC = Float64Array.from({ length: batch }, (_, i) => i * m * n);
              const run = (withBias: boolean) => {
                const c = (f64 ? new Float64Array(batch * m * n) : new Float32Array(batch * m * n)).fill(
                  Number.NaN,
                );
                const act = withBias && relu ? ACTIVATION.relu : ACTIVATION.none;
                addon.gemm(
                  a,
                  b,
                  c,
                  offA,
                  offB,
                  offC,
                  m,
                  n,
                  k,
                  k,
                  1,
                  n,
                  1,
                  n,
                  false,
                  withBias ? bias : null,
                  1,
                  act,
                  true,
                );
                return c;
              };
              const [plain, fused] = [run(false), run(true)];
              const round = f64 ? (x: number) => x : Math.fround;
              const want = Array.from(plain, (v, e) => {
                const x = round(v + bias[1 + (Math.floor(e / n) % m)]!);
                // biome-ignore lint/complexity/useMathMinMax: NaN must give 0, as where(x > 0, x, 0) does
                return relu ? (x > 0 ? x : 0) : x;
              });
              expect(Array.from(fused), `${batch}×${m}x${n}x${k} f64=${f64} relu=${relu}`).toEqual(want);
            }
      });
    });

  it("a bias per row must hold m values (rows), not n", () => {
    const z = Float64Array.of(0);
    const [a, b, c] = [new Float32Array(3 * 2), new Float32Array(2 * 5), new Float32Array(15)];
    const call = (bias: Float32Array) => () =>
      addon.gemm(a, b, c, z, z, z, 3, 5, 2, 2, 1, 5, 1, 5, false, bias, 0, ACTIVATION.none, true);
    expect(call(new Float32Array(3))).not.toThrow();
    expect(call(new Float32Array(2))).toThrow(/bias \(m values/);
  });

  it("rejects a bias of another type, a bias too short, and an unknown activation", () => {
    const z = Float64Array.of(0);
    const [a, b, c] = [new Float32Array(4), new Float32Array(4), new Float32Array(4)];
    const call = (bias: FloatArray | null, off: number, act: number) => () =>
      addon.gemm(a, b, c, z, z, z, 2, 2, 2, 2, 1, 2, 1, 2, false, bias, off, act);
    expect(call(new Float32Array(2), 0, ACTIVATION.relu)).not.toThrow();
    expect(call(new Float64Array(2), 0, 0)).toThrow(TypeError);
    expect(call(new Float32Array(2), 1, 0)).toThrow(RangeError);
    expect(call(null, 0, 7)).toThrow(RangeError);
  });
});

describeNative("native softmax along rows", (addon) => {
  /** rows×cols values: normal ones, large ones, −Inf, a NaN row, and an all −Inf row. */
  function sample(rows: number, cols: number, seed: number): Float32Array {
    const rand = rng(seed);
    const x = new Float32Array(rows * cols).map(() => rand() * 8);
    if (rows > 3) {
      x[cols] = 1e30; // row 1: one huge logit
      x[2 * cols] = Number.NEGATIVE_INFINITY; // row 2: a −Inf logit
      x.fill(Number.NEGATIVE_INFINITY, 3 * cols, 4 * cols); // row 3: all −Inf: max is not finite
    }
    if (rows > 4) x[4 * cols + cols - 1] = Number.NaN; // row 4: NaN
    return x;
  }

  for (const isa of supportedIsas(addon))
    for (const log of [false, true])
      it(`${isa}: ${log ? "log-softmax" : "softmax"} agrees with grafo's own on the js backend`, () => {
        withIsa(addon, isa, () => {
          for (const [rows, cols] of [
            [1, 1],
            [6, 10],
            [5, 33],
            [9, 100],
            [3, 16],
          ] as const) {
            const x = sample(rows, cols, rows * 31 + cols);
            const out = new Float32Array(rows * cols + 3).fill(7);
            addon.softmax(x, 0, out, 3, rows, cols, log);
            const want = withBackend("js", () =>
              (log ? logSoftmax : softmax)(tensor(x, [rows, cols])).data(),
            );
            for (let i = 0; i < rows * cols; i++) {
              const [g, w] = [out[3 + i]!, want[i]!];
              if (Number.isNaN(w) || !Number.isFinite(w)) expect(g, `${rows}x${cols} element ${i}`).toBe(w);
              else
                expect(Math.abs(g - w), `${rows}x${cols} element ${i}: ${g} vs ${w}`).toBeLessThanOrEqual(
                  4e-7 * Math.max(1, Math.abs(w)),
                );
            }
            expect(Array.from(out.subarray(0, 3))).toEqual([7, 7, 7]);
          }
        });
      });

  it("rejects an out overlapping x and ranges outside the arrays", () => {
    const x = new Float32Array(20);
    expect(() => addon.softmax(x, 0, x, 5, 2, 5, false)).toThrow(RangeError);
    expect(() => addon.softmax(x, 0, new Float32Array(9), 0, 2, 5, false)).toThrow(RangeError);
    expect(() => addon.softmax(x, 0, new Float32Array(10), 0, 2, 5, true)).not.toThrow();
  });
});
