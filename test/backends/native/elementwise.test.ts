import { expect, it } from "vitest";
import {
  BINARY,
  COMPARE,
  MODE,
  type NativeBinaryOp,
  REDUCE,
  UNARY,
} from "../../../src/backends/native/index.js";
import { edgeSamples, sigmoidRef, worstUlp } from "../../support/float32.js";
import { describeNative, rng, supportedIsas, withIsa } from "./support.js";

/** n random samples in [lo, hi) (or log-uniform), plus the edge values; odd length, so the tail path runs. */
function samples(lo: number, hi: number, n: number, seed: number, logScale = false): Float32Array {
  const rand = rng(seed);
  return edgeSamples(lo, hi, n, () => (rand() + 1) / 2, logScale);
}

const sigmoid = sigmoidRef;

describeNative("native elementwise kernels", (addon) => {
  const unary = (op: keyof typeof UNARY, x: Float32Array, alpha = 1, beta = 0): Float32Array => {
    const out = new Float32Array(x.length);
    addon.unary(UNARY[op], x, 0, out, 0, x.length, alpha, beta);
    return out;
  };

  for (const isa of supportedIsas(addon)) {
    const cases: [keyof typeof UNARY, (x: number) => number, Float32Array, number][] = [
      ["exp", Math.exp, samples(-110, 95, 60_001, 1), 1],
      ["log", Math.log, samples(-104, 89, 60_001, 2, true), 1],
      ["log", Math.log, samples(-5, 1e6, 30_001, 3), 1],
      ["tanh", Math.tanh, samples(-12, 12, 60_001, 4), 2],
      ["tanh", Math.tanh, samples(-0.7, 0.7, 30_001, 5), 2],
      ["sigmoid", sigmoid, samples(-110, 30, 60_001, 6), 2],
      // biome-ignore lint/complexity/useMathMinMax: the kernel is x > 0 ? x : 0, which differs from Math.max at NaN and −0
      ["relu", (x) => (x > 0 ? x : 0), samples(-10, 10, 1001, 7), 0],
    ];
    for (const [op, ref, xs, maxUlp] of cases) {
      it(`${isa}: ${op} within ${maxUlp} ulp of Math.* over ${xs.length} samples incl. ±0, ±Inf, NaN, subnormals`, () => {
        const got = withIsa(addon, isa, () => unary(op, xs));
        const { ulp, at } = worstUlp(xs, got, ref);
        expect(ulp, `${op}: ${ulp} ulp at x = ${at}`).toBeLessThanOrEqual(maxUlp);
      });
    }

    it(`${isa}: special values exactly`, () => {
      withIsa(addon, isa, () => {
        const x = new Float32Array([0, -0, Infinity, -Infinity, Number.NaN, -1]);
        expect(Array.from(unary("exp", x))).toEqual([
          1,
          1,
          Infinity,
          0,
          Number.NaN,
          Math.fround(Math.exp(-1)),
        ]);
        expect(Array.from(unary("log", x))).toEqual([
          -Infinity,
          -Infinity,
          Infinity,
          Number.NaN,
          Number.NaN,
          Number.NaN,
        ]);
        expect(Array.from(unary("tanh", x))).toEqual([0, -0, 1, -1, Number.NaN, Math.fround(Math.tanh(-1))]);
        expect(Array.from(unary("sigmoid", x))).toEqual([
          0.5,
          0.5,
          1,
          0,
          Number.NaN,
          Math.fround(sigmoid(-1)),
        ]);
        // relu is where(x > 0, x, 0): NaN and -0 give +0.
        expect(Array.from(unary("relu", x))).toEqual([0, 0, Infinity, 0, 0, 0]);
      });
    });

    it(`${isa}: the fused form alpha·f(x) + beta, at offsets and in place`, () => {
      withIsa(addon, isa, () => {
        const xs = samples(-5, 5, 999, 8);
        const got = unary("exp", xs, 2, 1);
        for (let i = 0; i < xs.length; i++) {
          const want = Math.fround(2 * Math.fround(Math.exp(xs[i]!)) + 1);
          if (!(Object.is(got[i], want) || Math.abs(got[i]! - want) <= 3 * 2 ** -23 * Math.abs(want)))
            expect.fail(`exp(${xs[i]})*2+1: got ${got[i]}, expected ${want}`);
        }
        const buf = Float32Array.from([9, 9, 1, 2, 3, 9]);
        addon.unary(UNARY.identity, buf, 2, buf, 2, 3, -1, 0.5);
        expect(Array.from(buf)).toEqual([9, 9, -0.5, -1.5, -2.5, 9]);
      });
    });

    it(`${isa}: binary ops are exact in every operand layout (full, row, col, scalar)`, () => {
      withIsa(addon, isa, () => {
        const rand = rng(9);
        const [rows, cols] = [7, 37];
        const full = Float32Array.from({ length: rows * cols + 1 }, () => rand() * 8);
        full[5] = Number.NaN;
        full[6] = -0;
        full[7] = 0;
        const other = Float32Array.from({ length: rows * cols + 1 }, () => rand() * 8);
        other[9] = Number.NaN;
        other[6] = 0;
        other[7] = -0;
        const f: Record<NativeBinaryOp, (a: number, b: number) => number> = {
          add: (a, b) => a + b,
          sub: (a, b) => a - b,
          mul: (a, b) => a * b,
          div: (a, b) => a / b,
          max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)),
          min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b)),
        };
        // Operand value at (r, c) by mode, both read at offset 1.
        const read = (d: Float32Array, mode: keyof typeof MODE, r: number, c: number) =>
          d[1 + (mode === "full" ? r * cols + c : mode === "row" ? c : mode === "col" ? r : 0)]!;
        const modes = Object.keys(MODE) as (keyof typeof MODE)[];
        for (const op of Object.keys(BINARY) as NativeBinaryOp[])
          for (const ma of modes)
            for (const mb of modes) {
              const out = new Float32Array(rows * cols);
              addon.binary(BINARY[op], out, 0, rows, cols, full, 1, MODE[ma], other, 1, MODE[mb]);
              for (let r = 0; r < rows; r++)
                for (let c = 0; c < cols; c++) {
                  const want = Math.fround(f[op](read(full, ma, r, c), read(other, mb, r, c)));
                  const got = out[r * cols + c]!;
                  if (!(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))))
                    expect.fail(`${op} ${ma}/${mb} at (${r}, ${c}): got ${got}, expected ${want}`);
                }
            }
      });
    });

    it(`${isa}: float64 binary ops and reductions`, () => {
      withIsa(addon, isa, () => {
        const rand = rng(10);
        const a = Float64Array.from({ length: 3 * 21 }, () => rand());
        const b = Float64Array.from({ length: 21 }, () => rand());
        const out = new Float64Array(a.length);
        addon.binary(BINARY.div, out, 0, 3, 21, a, 0, MODE.full, b, 0, MODE.row);
        expect(Array.from(out)).toEqual(Array.from(a, (v, i) => v / b[i % 21]!));
        const sums = new Float64Array(3);
        addon.reduce(REDUCE.sum, a, 0, sums, 0, 3, 21);
        for (let r = 0; r < 3; r++)
          expect(sums[r]).toBeCloseTo(
            a.slice(r * 21, r * 21 + 21).reduce((s, v) => s + v, 0),
            14,
          );
      });
    });

    it(`${isa}: row sums (in float64) and maxima, with NaN, ±Inf and empty rows`, () => {
      withIsa(addon, isa, () => {
        const rand = rng(11);
        for (const cols of [0, 1, 5, 16, 33, 100]) {
          const rows = 9;
          const x = Float32Array.from({ length: 2 + rows * cols }, () => rand() * 100);
          if (cols > 3) {
            x[2 + 1 * cols + 2] = Number.NaN;
            x[2 + 2 * cols + 3] = Infinity;
            x[2 + 3 * cols] = -Infinity;
          }
          const sum = new Float32Array(rows);
          const max = new Float32Array(rows);
          addon.reduce(REDUCE.sum, x, 2, sum, 0, rows, cols);
          addon.reduce(REDUCE.max, x, 2, max, 0, rows, cols);
          for (let r = 0; r < rows; r++) {
            const row = Array.from(x.subarray(2 + r * cols, 2 + (r + 1) * cols));
            const s = Math.fround(row.reduce((acc, v) => acc + v, 0));
            const m = row.some(Number.isNaN) ? Number.NaN : Math.max(-Infinity, ...row);
            expect(
              Number.isNaN(s)
                ? Number.isNaN(sum[r]!)
                : Math.abs(sum[r]! - s) <= 2 ** -23 * Math.abs(s) || sum[r] === s,
              `sum cols=${cols} row ${r}`,
            ).toBe(true);
            expect(max[r], `max cols=${cols} row ${r}`).toEqual(m);
          }
        }
      });
    });
  }

  it("large inputs split across threads give the same results as one thread", () => {
    const x = samples(-20, 20, 300_001, 12);
    const rows = 1000;
    const cols = Math.floor(x.length / rows);
    const bias = x.subarray(0, cols);
    const run = (threads: number) =>
      withIsa(
        addon,
        addon.isa(),
        () => {
          const e = new Float32Array(x.length);
          addon.unary(UNARY.tanh, x, 0, e, 0, x.length, 1, 0);
          const s = new Float32Array(rows * cols);
          addon.binary(BINARY.add, s, 0, rows, cols, x, 0, MODE.full, bias, 0, MODE.row);
          const r = new Float32Array(rows);
          addon.reduce(REDUCE.sum, x, 0, r, 0, rows, cols);
          return [e, s, r];
        },
        threads,
      );
    const [one, two] = [run(1), run(2)];
    for (let k = 0; k < one.length; k++) {
      const [a, b] = [one[k]!, two[k]!];
      const i = a.findIndex((v, j) => !Object.is(v, b[j]));
      expect(i, `output ${k} differs at ${i}: ${a[i]} vs ${b[i]}`).toBe(-1);
    }
  });

  it("rejects out-of-range views, unknown ops and wrong array types", () => {
    const x = new Float32Array(10);
    expect(() => addon.unary(UNARY.exp, x, 5, x, 0, 6, 1, 0)).toThrow(RangeError);
    expect(() => addon.unary(99, x, 0, x, 0, 1, 1, 0)).toThrow(RangeError);
    expect(() =>
      addon.unary(UNARY.exp, new Float64Array(10) as unknown as Float32Array, 0, x, 0, 1, 1, 0),
    ).toThrow(TypeError);
    expect(() => addon.binary(BINARY.add, x, 0, 2, 5, x, 0, MODE.full, x, 6, MODE.row)).toThrow(RangeError);
    expect(() => addon.reduce(REDUCE.sum, x, 0, x, 8, 3, 3)).toThrow(RangeError);
    const mask = new Uint8Array(10);
    expect(() => addon.compare(COMPARE.less, mask, 0, 2, 5, x, 0, MODE.full, x, 0, 7)).toThrow(
      /compare: unknown operand mode/,
    );
    expect(() => addon.compare(COMPARE.less, mask, 1, 2, 5, x, 0, MODE.full, x, 0, MODE.full)).toThrow(
      /compare: out reaches outside its array/,
    );
    expect(() => addon.compare(9, mask, 0, 2, 5, x, 0, MODE.full, x, 0, MODE.full)).toThrow(RangeError);
    expect(() =>
      addon.compare(COMPARE.less, x as unknown as Uint8Array, 0, 2, 5, x, 0, MODE.full, x, 0, MODE.full),
    ).toThrow(/out is not a Uint8Array/);
    expect(() => addon.where(x, 0, 2, 5, mask, 1, x, 0, MODE.full, x, 0, MODE.scalar)).toThrow(
      /where: out or c reaches outside its array/,
    );
    expect(() =>
      addon.where(x, 0, 2, 5, mask, 0, x, 0, MODE.full, new Float64Array(10), 0, MODE.full),
    ).toThrow(/where: a and b must both be Float32Array or both Float64Array/);
  });
});
