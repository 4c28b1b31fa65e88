/** Splittable PRNG keys (DESIGN principle 7): reproducible, independent, with the right distributions. */
import { describe, expect, it } from "vitest";
import { ArgumentError, random, setSeed } from "../../src/index.js";

const values = (t: { data(): ArrayLike<number> }): number[] => Array.from(t.data());
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const variance = (v: number[]) => {
  const m = mean(v);
  return mean(v.map((x) => (x - m) ** 2));
};
const correlation = (a: number[], b: number[]) => {
  const ma = mean(a);
  const mb = mean(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / a.length / Math.sqrt(variance(a) * variance(b));
};

describe("random keys", () => {
  it("implement Threefry-2x32: the Random123 known answer for key 0, counter 0", () => {
    // split derives key i from counter (i, 0); Random123's kat_vectors give 0x6b200159 0x99ba4efe
    const [k0] = random.split(random.key(0), 1);
    expect([k0!.hi, k0!.lo]).toEqual([0x6b200159, 0x99ba4efe]);
  });

  it("give the same numbers for the same key, every time", () => {
    const k = random.key(42);
    expect(values(random.uniform(k, [5]))).toEqual(values(random.uniform(k, [5])));
    expect(values(random.normal(k, [5]))).toEqual(values(random.normal(random.key(42), [5])));
    expect(values(random.uniform(random.key(43), [5]))).not.toEqual(values(random.uniform(k, [5])));
  });

  it("split gives distinct keys whose streams are uncorrelated", () => {
    const keys = random.split(random.key(7), 4);
    expect(new Set(keys.map(String)).size).toBe(4);
    // splitting is deterministic: same parent, same children
    expect(random.split(random.key(7), 4).map(String)).toEqual(keys.map(String));
    const a = values(random.normal(keys[0]!, [4000]));
    const b = values(random.normal(keys[1]!, [4000]));
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.05);
    // a child is not its parent
    const parent = values(random.normal(random.key(7), [4000]));
    expect(Math.abs(correlation(a, parent))).toBeLessThan(0.05);
  });

  it("a longer request extends a shorter one (counter mode)", () => {
    const k = random.key(3);
    expect(values(random.uniform(k, [10])).slice(0, 4)).toEqual(values(random.uniform(k, [4])));
  });

  it("reject non-integer seeds and bad split counts", () => {
    expect(() => random.key(1.5)).toThrow(ArgumentError);
    expect(() => random.split(random.key(0), 0)).toThrow(ArgumentError);
  });
});

describe("distributions", () => {
  const k = random.key(2024);

  it("uniform is in [minval, maxval) with mean (a+b)/2 and variance (b−a)²/12", () => {
    const u = values(random.uniform(k, [20000], { minval: -1, maxval: 3 }));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    // standard error of the mean is sqrt(16/12/20000) ≈ 0.008
    expect(mean(u)).toBeCloseTo(1, 1);
    expect(Math.abs(variance(u) - 16 / 12)).toBeLessThan(0.05);
    const f64 = random.uniform(k, [3], { dtype: "float64" });
    expect(f64.dtype).toBe("float64");
    expect(() => random.uniform(k, [3], { dtype: "int32" })).toThrow(ArgumentError);
    expect(() => random.uniform(k, [3], { minval: 1, maxval: 1 })).toThrow(ArgumentError);
  });

  it("normal has the asked mean and standard deviation, and normal tails", () => {
    const n = values(random.normal(k, [20000], { mean: 2, stddev: 0.5, dtype: "float64" }));
    expect(Math.abs(mean(n) - 2)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(variance(n)) - 0.5)).toBeLessThan(0.02);
    // about 4.55 % of a normal lies beyond 2σ
    const beyond = n.filter((x) => Math.abs(x - 2) > 1).length / n.length;
    expect(Math.abs(beyond - 0.0455)).toBeLessThan(0.006);
    // an odd count works too
    expect(random.normal(k, [3]).size).toBe(3);
  });

  it("permutation is a permutation of 0..n−1, and not always the same one", () => {
    const p = values(random.permutation(k, 50));
    expect(random.permutation(k, 50).dtype).toBe("int32");
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(values(random.permutation(random.key(5), 50))).not.toEqual(p);
    expect(random.permutation(k, 0).size).toBe(0);
  });

  it("bernoulli is true at rate p", () => {
    const b = random.bernoulli(k, 0.3, [20000]);
    expect(b.dtype).toBe("bool");
    const rate = mean(values(b));
    // standard error sqrt(0.21/20000) ≈ 0.0032
    expect(Math.abs(rate - 0.3)).toBeLessThan(0.015);
    expect(mean(values(random.bernoulli(k, 0, [100])))).toBe(0);
    expect(mean(values(random.bernoulli(k, 1, [100])))).toBe(1);
    expect(() => random.bernoulli(k, 1.5, [2])).toThrow(ArgumentError);
  });

  it("randint is uniform over [minval, maxval)", () => {
    const r = values(random.randint(k, [6000], -2, 4));
    expect(new Set(r)).toEqual(new Set([-2, -1, 0, 1, 2, 3]));
    for (let v = -2; v < 4; v++)
      expect(Math.abs(r.filter((x) => x === v).length / 6000 - 1 / 6)).toBeLessThan(0.03);
    expect(() => random.randint(k, [2], 3, 3)).toThrow(ArgumentError);
  });
});

describe("setSeed", () => {
  it("makes the keyless calls reproducible", () => {
    setSeed(123);
    const a = values(random.normal([6]));
    const b = values(random.uniform([6]));
    const p = values(random.permutation(8));
    setSeed(123);
    expect(values(random.normal([6]))).toEqual(a);
    expect(values(random.uniform([6]))).toEqual(b);
    expect(values(random.permutation(8))).toEqual(p);
    // consecutive keyless calls draw fresh numbers
    expect(values(random.normal([6]))).not.toEqual(a);
    setSeed(124);
    expect(values(random.normal([6]))).not.toEqual(a);
  });
});
