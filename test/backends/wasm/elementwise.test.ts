import { describe, expect, it } from "vitest";
import {
  type BinaryOp,
  binaryOp,
  compileElementwise,
  ew,
  kernelSource,
  maxLastAxis,
  scaleAdd,
  setWasmThreads,
  sumLastAxis,
  type UnaryOp,
  unaryOp,
  wasmThreadCount,
  wasmThreadsReady,
} from "../../../src/backends/wasm/index.js";
import { edgeSamples, sigmoidRef, worstUlp } from "../../support/float32.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function samples(lo: number, hi: number, n: number, seed: number, logScale = false): Float32Array {
  return edgeSamples(lo, hi, n, rng(seed), logScale);
}

const sigmoid = sigmoidRef;

describe("elementwise transcendental accuracy vs Math.*", () => {
  const cases: [UnaryOp, (x: number) => number, Float32Array, number][] = [
    ["exp", Math.exp, samples(-110, 95, 200_000, 1), 1],
    ["log", Math.log, samples(-104, 89, 200_000, 2, true), 1],
    ["log", Math.log, samples(-5, 1e6, 100_000, 3), 1],
    ["tanh", Math.tanh, samples(-12, 12, 200_000, 4), 2],
    ["sigmoid", sigmoid, samples(-110, 30, 200_000, 5), 2],
  ];
  for (const [op, ref, xs, maxUlp] of cases) {
    it(`${op} is within ${maxUlp} ulp over [${xs[0]}…] incl. ±0, ±Inf, NaN, subnormals, overflow`, () => {
      const { ulp, at } = worstUlp(xs, unaryOp(op, xs), ref);
      expect(ulp, `${op}: ${ulp} ulp at x = ${at}`).toBeLessThanOrEqual(maxUlp);
    });
  }

  it("gets the special values exactly", () => {
    const x = new Float32Array([0, -0, Infinity, -Infinity, Number.NaN, -1]);
    expect(Array.from(unaryOp("exp", x))).toEqual([1, 1, Infinity, 0, Number.NaN, Math.fround(Math.exp(-1))]);
    expect(Array.from(unaryOp("log", x))).toEqual([
      -Infinity,
      -Infinity,
      Infinity,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
    expect(Array.from(unaryOp("tanh", x))).toEqual([0, -0, 1, -1, Number.NaN, Math.fround(Math.tanh(-1))]);
    expect(Array.from(unaryOp("sigmoid", x))).toEqual([0.5, 0.5, 1, 0, Number.NaN, Math.fround(sigmoid(-1))]);
  });
});

describe("simple elementwise ops", () => {
  const rand = rng(9);
  const a = Float32Array.from({ length: 1001 }, () => (rand() - 0.5) * 10);
  const b = Float32Array.from({ length: 1001 }, () => (rand() - 0.5) * 10);
  a[3] = Number.NaN;
  b[7] = Number.NaN;
  a[11] = -0;

  const unary: [UnaryOp, (x: number) => number][] = [
    ["neg", (x) => -x],
    ["abs", Math.abs],
    ["sqrt", Math.sqrt],
    ["square", (x) => x * x],
    // biome-ignore lint/complexity/useMathMinMax: relu keeps -0 and NaN, Math.max(0, -0) would not
    ["relu", (x) => (x < 0 ? 0 : x)],
  ];
  for (const [op, ref] of unary) {
    it(`${op} is exact`, () => {
      expect(Array.from(unaryOp(op, a))).toEqual(Array.from(a, (x) => Math.fround(ref(x))));
    });
  }

  const binary: [BinaryOp, (x: number, y: number) => number][] = [
    ["add", (x, y) => x + y],
    ["sub", (x, y) => x - y],
    ["mul", (x, y) => x * y],
    ["div", (x, y) => x / y],
    ["max", Math.max],
    ["min", Math.min],
    ["lt", (x, y) => Number(x < y)],
    ["ge", (x, y) => Number(x >= y)],
    ["eq", (x, y) => Number(x === y)],
    ["ne", (x, y) => Number(x !== y)],
  ];
  for (const [op, ref] of binary) {
    it(`${op} is exact vector-vector and vector-scalar`, () => {
      const f = (x: number, y: number) => Math.fround(ref(x, y));
      expect(Array.from(binaryOp(op, a, b))).toEqual(Array.from(a, (x, i) => f(x, b[i] as number)));
      expect(Array.from(binaryOp(op, a, 1.5))).toEqual(Array.from(a, (x) => f(x, 1.5)));
      expect(Array.from(binaryOp(op, -2.5, b))).toEqual(Array.from(b, (y) => f(-2.5, y)));
    });
  }

  it("scaleAdd computes x·s + y in one pass, for array and scalar y", () => {
    const want = Array.from(a, (x, i) => Math.fround(Math.fround(x * 0.25) + (b[i] as number)));
    expect(Array.from(scaleAdd(a, 0.25, b))).toEqual(want);
    expect(Array.from(scaleAdd(a, 2, 1))).toEqual(Array.from(a, (x) => Math.fround(Math.fround(x * 2) + 1)));
  });

  it("writes into a caller-supplied output and handles tiny lengths", () => {
    for (const n of [0, 1, 3, 4, 5, 17]) {
      const x = a.subarray(0, n);
      const out = new Float32Array(n);
      expect(unaryOp("neg", x, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(x, (v) => -v));
    }
  });

  it("names the kernel and the sizes on a length mismatch", () => {
    expect(() => binaryOp("add", a, b.subarray(1))).toThrow(
      /binaryOp\(add\): a has 1001 elements, b has 1000/,
    );
    expect(() => unaryOp("exp", a, new Float32Array(3))).toThrow(
      /exp\(x0\).*output has 3 elements, inputs have 1001/,
    );
  });
});

describe("compileElementwise", () => {
  const rand = rng(21);
  const x = Float32Array.from({ length: 777 }, () => (rand() - 0.5) * 8);
  const y = Float32Array.from({ length: 777 }, () => rand() * 3 + 0.1);

  it("a fused kernel equals the composition of the separate kernels, bit for bit", () => {
    const fused = compileElementwise(
      ew.where(
        ew.gt(ew.input(0), 0),
        ew.add(ew.mul(ew.exp(ew.input(0)), ew.scalar(0)), 1),
        ew.sub(ew.tanh(ew.input(1)), ew.log(ew.input(1))),
      ),
    ).run([x, y], [2]);
    const e = binaryOp("add", binaryOp("mul", unaryOp("exp", x), 2), 1);
    const t = binaryOp("sub", unaryOp("tanh", y), unaryOp("log", y));
    const mask = binaryOp("gt", x, 0);
    expect(Array.from(fused)).toEqual(Array.from(mask, (m, i) => (m !== 0 ? e[i] : t[i]) as number));
  });

  it("shares one compiled kernel per structure and computes shared subexpressions once", () => {
    const k1 = compileElementwise(ew.mul(ew.sigmoid(ew.input(0)), ew.sigmoid(ew.input(0))));
    const k2 = compileElementwise(ew.mul(ew.sigmoid(ew.input(0)), ew.sigmoid(ew.input(0))));
    expect(k1).toBe(k2);
    const s = unaryOp("sigmoid", x);
    expect(Array.from(k1.run([x]))).toEqual(Array.from(binaryOp("mul", s, s)));
    const src = kernelSource(ew.mul(ew.sigmoid(ew.input(0)), ew.sigmoid(ew.input(0))));
    expect(src).toContain(";; mul(sigmoid(x0),sigmoid(x0))");
    expect(src.match(/\$sigmoid_e0 v128/g)?.length).toBe(1);
  });

  it("checks arity", () => {
    const k = compileElementwise(ew.add(ew.input(0), ew.input(1)));
    expect(() => k.run([x])).toThrow(/expects 2 input arrays, got 1/);
    expect(() => compileElementwise(ew.input(-1))).toThrow(/index must be an integer/);
  });

  it("threaded runs equal single-threaded runs", async () => {
    const threads = await wasmThreadsReady();
    expect(threads).toBe(wasmThreadCount());
    const big = Float32Array.from({ length: 300_001 }, () => (rand() - 0.5) * 20);
    const k = compileElementwise(ew.tanh(ew.mul(ew.exp(ew.input(0)), 0.5)));
    const parallel = k.run([big]);
    setWasmThreads(1);
    const serial = k.run([big]);
    setWasmThreads(threads);
    expect(parallel).toEqual(serial);
  });
});

describe("reductions over the last axis", () => {
  const rand = rng(5);
  for (const [rows, cols] of [
    [1, 1],
    [3, 5],
    [7, 16],
    [5, 67],
    [2, 10_000],
  ] as const) {
    it(`sum and max of ${rows}×${cols}`, () => {
      const x = Float32Array.from({ length: rows * cols }, () => rand() * 2 - 1);
      const sums = sumLastAxis(x, rows, cols);
      const maxes = maxLastAxis(x, rows, cols);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
        const want = row.reduce((s, v) => s + v, 0);
        expect(Math.abs((sums[r] as number) - want)).toBeLessThan(1e-6 * (1 + cols));
        expect(maxes[r]).toBe(Math.max(...row));
      }
    });
  }

  it("propagates NaN and Inf and checks sizes", () => {
    const x = new Float32Array([1, Number.NaN, 3, 4, -Infinity, 2]);
    expect(Array.from(maxLastAxis(x, 2, 3))).toEqual([Number.NaN, 4]);
    expect(Array.from(sumLastAxis(x, 2, 3))).toEqual([Number.NaN, -Infinity]);
    expect(() => sumLastAxis(x, 4, 2)).toThrow(/sumLastAxis: x has 6 elements, but rows×cols = 4×2 = 8/);
  });
});
