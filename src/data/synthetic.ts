/**
 * Small built-in data sets: the lecture's own points, and the 2-D sets of
 * TensorFlow Playground (circle, xor, gauss, spiral) plus scikit-learn's
 * moons, generated from a seed so every run sees the same points.
 */
import { tensor } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import { key as makeKey, permutation, split, uniform } from "../core/random.js";
import { MAX_ELEMENTS } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";

/** Inputs and targets. */
export interface XY {
  x: Tensor;
  y: Tensor;
}

/**
 * The four points of slide L3: [0,2] → +1, [2,0] → +1, [0,0] → −1, [2,2] → −1.
 * x `[4, 2]`, y `[4, 1]` with the lecture's ±1 labels.
 */
export function lectureXor(): XY {
  return {
    x: tensor([
      [0, 2],
      [2, 0],
      [0, 0],
      [2, 2],
    ]),
    y: tensor([[1], [1], [-1], [-1]]),
  };
}

/** The curve behind `regression1d`: y = 0.5x² − x + 1. */
export const regressionTruth = (x: number): number => 0.5 * x * x - x + 1;

/**
 * 1-D regression data for slide L1: x evenly spread over [−2, 3], y the
 * quadratic `regressionTruth` plus Gaussian noise. x and y are `[n, 1]`.
 */
export function regression1d(options: { n?: number; noise?: number; seed?: number } = {}): XY {
  const { n = 30, noise = 0.2, seed = 0 } = options;
  if (!Number.isInteger(n) || n < 2)
    throw new ArgumentError(`regression1d: n must be an integer ≥ 2, got ${n}`);
  checkSamples("regression1d", n, 2);
  const r = draws(seed, 2 * n);
  const xs = Float32Array.from({ length: n }, (_, i) => -2 + (5 * i) / (n - 1));
  const ys = Float32Array.from(xs, (x) => regressionTruth(x) + noise * r.normal());
  return { x: tensor(xs, [n, 1]), y: tensor(ys, [n, 1]) };
}

/**
 * The size check for `n` samples that take `perSample` draws each (two
 * numbers a draw), so a huge n is an error naming n, not the draws' tensor.
 */
function checkSamples(name: string, n: number, perSample: number): void {
  const most = Math.floor((MAX_ELEMENTS - 2) / (2 * perSample));
  if (n > most)
    throw new ArgumentError(`${name}: n = ${n} samples is more than the ${most} one data set can hold`);
}

/** Uniform and normal numbers from a seed, drawn up front with the PRNG keys. */
function draws(seed: number, count: number) {
  const u = uniform(split(makeKey(seed), 1)[0]!, [2 * count + 2], { dtype: "float64" }).data();
  let i = 0;
  const next = () => u[i++ % u.length]!;
  return {
    uniform: (a: number, b: number) => a + (b - a) * next(),
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

export interface Synthetic2dOptions {
  /** Number of points (default 200). */
  n?: number;
  /** Noise level, 0–1 as in the Playground (moons: the Gaussian σ). Default 0. */
  noise?: number;
  seed?: number;
  /** Labels 0/1 (default, for binaryCrossEntropy) or −1/+1 (hinge, logistic). */
  labels?: "01" | "pm1";
  /**
   * Shuffle the points (default true, as scikit-learn does). Generated in
   * order, the classes come in two halves, so a `validationSplit` (which takes
   * the last points) would hold out one class, or one end of a spiral.
   */
  shuffle?: boolean;
}

function build(
  name: string,
  options: Synthetic2dOptions,
  gen: (r: ReturnType<typeof draws>, n: number, noise: number) => [number, number, number][],
): XY {
  const { n = 200, noise = 0, seed = 0, labels = "01", shuffle = true } = options;
  if (!Number.isInteger(n) || n < 2) throw new ArgumentError(`${name}: n must be an integer ≥ 2, got ${n}`);
  checkSamples(name, n, 4);
  if (!(noise >= 0)) throw new ArgumentError(`${name}: noise must be non-negative, got ${noise}`);
  const generated = gen(draws(seed, 4 * n), n, noise);
  // The order comes from its own stream of the seed, so shuffling leaves the points themselves unchanged.
  const order = shuffle ? permutation(split(makeKey(seed), 2)[1]!, n).data() : generated.map((_, i) => i);
  const pts = Array.from(order, (i) => generated[i]!);
  const neg = labels === "pm1" ? -1 : 0;
  return {
    x: tensor(Float32Array.from(pts.flatMap((p) => p.slice(0, 2))), [n, 2]),
    y: tensor(
      Float32Array.from(pts, (p) => (p[2] > 0 ? 1 : neg)),
      [n, 1],
    ),
  };
}

/** Playground "circle": a disc of one class inside a ring of the other (radius 5). */
export const circle = (options: Synthetic2dOptions = {}): XY =>
  build("circle", options, (r, n, noise) => {
    const R = 5;
    return Array.from({ length: n }, (_, i) => {
      const inner = i < n / 2;
      const rad = inner ? r.uniform(0, R * 0.5) : r.uniform(R * 0.7, R);
      const angle = r.uniform(0, 2 * Math.PI);
      const x = rad * Math.sin(angle) + r.uniform(-R, R) * noise;
      const y = rad * Math.cos(angle) + r.uniform(-R, R) * noise;
      return [x, y, Math.hypot(x, y) < R * 0.5 ? 1 : -1];
    });
  });

/** Playground "xor": the sign of x·y over [−5, 5]², with a gap of 0.3 around the axes. */
export const xor = (options: Synthetic2dOptions = {}): XY =>
  build("xor", options, (r, n, noise) =>
    Array.from({ length: n }, () => {
      let x = r.uniform(-5, 5);
      x += x > 0 ? 0.3 : -0.3;
      let y = r.uniform(-5, 5);
      y += y > 0 ? 0.3 : -0.3;
      x += r.uniform(-5, 5) * noise;
      y += r.uniform(-5, 5) * noise;
      return [x, y, x * y >= 0 ? 1 : -1];
    }),
  );

/** Playground "gauss": two Gaussian blobs at (2, 2) and (−2, −2); noise widens them. */
export const gauss = (options: Synthetic2dOptions = {}): XY =>
  build("gauss", options, (r, n, noise) => {
    const sd = Math.sqrt(0.5 + 3.5 * Math.min(noise, 0.5) * 2);
    return Array.from({ length: n }, (_, i) => {
      const c = i < n / 2 ? 2 : -2;
      return [c + sd * r.normal(), c + sd * r.normal(), c > 0 ? 1 : -1];
    });
  });

/** Playground "spiral": two interleaved spirals. */
export const spiral = (options: Synthetic2dOptions = {}): XY =>
  build("spiral", options, (r, n, noise) => {
    const half = Math.ceil(n / 2);
    return Array.from({ length: n }, (_, k) => {
      const first = k < half;
      const i = first ? k : k - half;
      const m = first ? half : n - half;
      const rad = (i / m) * 5;
      const t = ((1.75 * i) / m) * 2 * Math.PI + (first ? 0 : Math.PI);
      return [
        rad * Math.sin(t) + r.uniform(-1, 1) * noise,
        rad * Math.cos(t) + r.uniform(-1, 1) * noise,
        first ? 1 : -1,
      ];
    });
  });

/** scikit-learn's "moons": two interleaving half circles; noise is the Gaussian σ. */
export const moons = (options: Synthetic2dOptions = {}): XY =>
  build("moons", options, (r, n, noise) => {
    const half = Math.ceil(n / 2);
    return Array.from({ length: n }, (_, k) => {
      const outer = k < half;
      const t = Math.PI * (outer ? k / Math.max(1, half - 1) : (k - half) / Math.max(1, n - half - 1));
      const [x, y] = outer ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      return [x + noise * r.normal(), y + noise * r.normal(), outer ? 1 : -1];
    });
  });
