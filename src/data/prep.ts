import { ArgumentError, ShapeError } from "../core/errors.js";
import { key as makeKey, type PRNGKey, permutation } from "../core/random.js";
import { fmtShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { div, equal, sub, where } from "../ops/binary.js";
import { mean, std } from "../ops/reduce.js";
import { gather, slice } from "../ops/shape.js";

export interface SplitOptions {
  /** Fraction (0–1) or number of samples held out (default 0.2). */
  testSize?: number;
  /** Shuffle before splitting (default true), from `key` or `seed` (default 0). */
  shuffle?: boolean;
  key?: PRNGKey;
  seed?: number;
}

/** Splits samples (first axis) into a training and a test part, as scikit-learn's `train_test_split`. */
export function trainTestSplit(
  x: Tensor,
  y: Tensor,
  options: SplitOptions = {},
): { xTrain: Tensor; yTrain: Tensor; xTest: Tensor; yTest: Tensor } {
  const n = x.shape[0] ?? 0;
  if (y.shape[0] !== n)
    throw new ShapeError(
      `trainTestSplit: x has ${n} samples ${fmtShape(x.shape)}, y has ${y.shape[0]} ${fmtShape(y.shape)}`,
    );
  const t = options.testSize ?? 0.2;
  const nTest = t < 1 ? Math.round(n * t) : t;
  if (!(t > 0) || !Number.isInteger(nTest) || nTest < 1 || nTest >= n)
    throw new ArgumentError(
      `trainTestSplit: testSize ${t} leaves ${nTest} of ${n} samples for testing; it must leave at least one on each side`,
    );
  const order =
    options.shuffle === false ? undefined : permutation(options.key ?? makeKey(options.seed ?? 0), n);
  const pick = (t: Tensor) => (order ? gather(t, order, 0) : t);
  const [xs, ys] = [pick(x), pick(y)];
  const part = (t: Tensor, from: number, count: number) => slice(t, [from], [count]);
  return {
    xTrain: part(xs, 0, n - nTest),
    yTrain: part(ys, 0, n - nTest),
    xTest: part(xs, n - nTest, nTest),
    yTest: part(ys, n - nTest, nTest),
  };
}

/**
 * Rescales each feature (column) to mean 0 and standard deviation 1, with
 * statistics from `x` or given ones (use the training set's for the test set).
 * Constant columns are left centred, not divided by zero.
 */
export function standardize(
  x: Tensor,
  stats: { mean?: Tensor; std?: Tensor } = {},
): { x: Tensor; mean: Tensor; std: Tensor } {
  if (x.rank < 1 || x.shape[0] === 0)
    throw new ArgumentError(`standardize: needs at least one sample, got ${fmtShape(x.shape)}`);
  const m = stats.mean ?? mean(x, 0);
  const s0 = stats.std ?? std(x, 0);
  const s = where(equal(s0, 0), 1, s0);
  return { x: div(sub(x, m), s), mean: m, std: s };
}
