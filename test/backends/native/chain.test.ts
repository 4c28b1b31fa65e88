import { expect, it } from "vitest";
import { ACTIVATION, type NativeAddon } from "../../../src/backends/native/index.js";
import { describeNative, rng, supportedIsas, withIsa } from "./support.js";

interface Layer {
  k: number;
  n: number;
  b: Float32Array;
  bias: Float32Array | null;
  relu: boolean;
  transposed: boolean;
}

function layers(widths: readonly number[], transposed: boolean, rand: () => number): Layer[] {
  return widths.slice(1).map((n, l) => {
    const k = widths[l]!;
    const scale = 1 / Math.sqrt(k);
    return {
      k,
      n,
      b: Float32Array.from({ length: k * n }, () => rand() * scale),
      bias: l % 2 === 0 ? Float32Array.from({ length: n }, () => rand()) : null,
      relu: l < widths.length - 2,
      transposed,
    };
  });
}

/** The same stack as one gemm call a layer (with its epilogue), then softmax: what a chain must equal. */
function layerByLayer(
  addon: NativeAddon,
  x: Float32Array,
  m: number,
  ls: Layer[],
  softmax: number,
): Float32Array {
  const z = Float64Array.of(0);
  let a = x;
  for (const l of ls) {
    const c = new Float32Array(m * l.n);
    const [rsB, csB] = l.transposed ? [1, l.k] : [l.n, 1];
    const act = l.relu ? ACTIVATION.relu : ACTIVATION.none;
    addon.gemm(a, l.b, c, z, z, z, m, l.n, l.k, l.k, 1, rsB, csB, l.n, false, l.bias, 0, act);
    a = c;
  }
  if (softmax < 0) return a;
  const out = new Float32Array(a.length);
  addon.softmax(a, 0, out, 0, m, ls.at(-1)!.n, softmax === 1);
  return out;
}

function chained(addon: NativeAddon, x: Float32Array, m: number, ls: Layer[], softmax: number): Float32Array {
  const out = new Float32Array(m * ls.at(-1)!.n).fill(Number.NaN);
  const spec = Float64Array.from(
    ls.flatMap((l) => [
      l.k,
      l.n,
      ...(l.transposed ? [1, l.k] : [l.n, 1]),
      l.relu ? ACTIVATION.relu : ACTIVATION.none,
      l.bias ? 1 : 0,
    ]),
  );
  addon.chain(x, out, m, softmax, spec, ...ls.flatMap((l) => [l.b, l.bias]));
  return out;
}

describeNative("native chain of dense layers", (addon) => {
  // Rows: one, fewer than a register tile, a few blocks, and more than the addon reads B in
  // place for (so every weight is packed once up front). Widths with ragged right edges.
  const cases = [
    { m: 1, widths: [20, 16, 10] },
    // Batch 1 with layers worth splitting by columns: layer by layer on several threads.
    { m: 1, widths: [784, 256, 256, 10] },
    { m: 7, widths: [33, 40, 17, 5] },
    { m: 128, widths: [784, 256, 256, 10] },
    { m: 250, widths: [64, 48, 40, 10] },
  ];
  for (const isa of supportedIsas(addon))
    for (const threads of [1, 2])
      for (const { m, widths } of cases)
        for (const transposed of [false, true])
          it(`${isa}, ${threads} thread(s): ${m} rows through ${widths.join("→")}${transposed ? " (Bᵀ)" : ""} equals layer-by-layer`, () => {
            const rand = rng(m * 31 + widths.length + (transposed ? 7 : 0));
            const x = Float32Array.from({ length: m * widths[0]! }, () => rand());
            const ls = layers(widths, transposed, rand);
            for (const softmax of [-1, 0, 1]) {
              const [want, got] = withIsa(
                addon,
                isa,
                () => [layerByLayer(addon, x, m, ls, softmax), chained(addon, x, m, ls, softmax)],
                threads,
              );
              expect(got.length).toBe(want.length);
              // The same kernels on the same rows: equal up to the order of k-blocks (none here differ).
              for (let i = 0; i < got.length; i++)
                expect(Math.abs(got[i]! - want[i]!), `softmax ${softmax}, element ${i}`).toBeLessThanOrEqual(
                  1e-5 * Math.max(1, Math.abs(want[i]!)),
                );
            }
          });

  it("rejects a stack whose widths do not line up, a short bias, a short x and an out that overlaps x", () => {
    const rand = rng(5);
    const ls = layers([8, 6, 4], false, rand);
    const spec = (k2: number) => Float64Array.of(8, 6, 6, 1, 1, 1, k2, 4, 4, 1, 0, 0);
    const x = new Float32Array(3 * 8);
    const out = new Float32Array(3 * 4);
    expect(() => addon.chain(x, out, 3, -1, spec(5), ls[0]!.b, ls[0]!.bias, ls[1]!.b, null)).toThrow(
      /chain: layer 1 is not a k×n float32 weight matching the previous layer/,
    );
    expect(() => addon.chain(x, out, 3, -1, spec(6), ls[0]!.b, new Float32Array(2), ls[1]!.b, null)).toThrow(
      /chain: layer 0's bias must be a Float32Array of n values/,
    );
    expect(() => addon.chain(x, out, 4, -1, spec(6), ls[0]!.b, ls[0]!.bias, ls[1]!.b, null)).toThrow(
      /chain: x or out is smaller than m rows/,
    );
    const shared = new Float32Array(64);
    expect(() =>
      addon.chain(
        shared.subarray(0, 24),
        shared.subarray(20, 32),
        3,
        -1,
        spec(6),
        ls[0]!.b,
        ls[0]!.bias,
        ls[1]!.b,
        null,
      ),
    ).toThrow(/chain: out must not overlap x/);
    expect(() => addon.chain(x, out, 3, 2, spec(6), ls[0]!.b, ls[0]!.bias, ls[1]!.b, null)).toThrow(
      RangeError,
    );
    expect(() => addon.chain(x, out, 3, -1, Float64Array.of(8, 6), ls[0]!.b, null)).toThrow(RangeError);
  });
});
