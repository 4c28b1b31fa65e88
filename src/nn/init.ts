/**
 * Weight initializers. Each one is a function `(key, shape, dtype?) => Tensor`:
 * the same key always gives the same weights. Fan-in and fan-out are read from
 * the shape in PyTorch's layout: `[out, in]` for linear weights and
 * `[out, in, kh, kw]` for convolutions.
 */
import { full } from "../core/creation.js";
import type { DType } from "../core/dtype.js";
import { ArgumentError } from "../core/errors.js";
import { type PRNGKey, normal as randomNormal, uniform as randomUniform } from "../core/random.js";
import type { Tensor } from "../core/tensor.js";

/** Makes a tensor of `shape` from a PRNG key. */
export type Initializer = (key: PRNGKey, shape: readonly number[], dtype?: DType) => Tensor;

/** Fan-in and fan-out of a weight shape: `[out, in, ...kernel]` (a vector counts as its length both ways). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** All zeros (the usual bias initializer). */
export const zeros = (): Initializer => (_key, shape, dtype) => full(shape, 0, dtype ?? "float32");

/** All ones (batchNorm and layerNorm scales). */
export const ones = (): Initializer => (_key, shape, dtype) => full(shape, 1, dtype ?? "float32");

/** Every entry `value`. */
export const constant =
  (value: number): Initializer =>
  (_key, shape, dtype) =>
    full(shape, value, dtype ?? "float32");

/** Uniform in [min, max). */
export const uniform =
  (min = -0.05, max = 0.05): Initializer =>
  (key, shape, dtype) =>
    randomUniform(key, shape, { minval: min, maxval: max, dtype: dtype ?? "float32" });

/** Normal with the given mean and standard deviation. */
export const normal =
  (stddev = 0.05, mean = 0): Initializer =>
  (key, shape, dtype) =>
    randomNormal(key, shape, { mean, stddev, dtype: dtype ?? "float32" });

/**
 * Variance scaling, the family behind Glorot, He and LeCun: variance
 * `scale / n` where n is fan-in, fan-out or their mean, drawn uniformly
 * (limit √(3·scale/n)) or normally.
 */
export function varianceScaling(
  scale: number,
  mode: "fanIn" | "fanOut" | "fanAvg",
  distribution: "uniform" | "normal",
): Initializer {
  if (!(scale > 0)) throw new ArgumentError(`varianceScaling: scale must be positive, got ${scale}`);
  return (key, shape, dtype) => {
    const { fanIn, fanOut } = fans(shape);
    const n = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, n);
    if (distribution === "normal") return normal(Math.sqrt(variance))(key, shape, dtype);
    const limit = Math.sqrt(3 * variance);
    return uniform(-limit, limit)(key, shape, dtype);
  };
}

/** Glorot/Xavier uniform: U(±√(6/(fanIn+fanOut))), keeps activations' variance through tanh/sigmoid layers. */
export const glorotUniform = (): Initializer => varianceScaling(1, "fanAvg", "uniform");
/** Glorot/Xavier normal: N(0, 2/(fanIn+fanOut)). */
export const glorotNormal = (): Initializer => varianceScaling(1, "fanAvg", "normal");
/** He/Kaiming uniform: U(±√(6/fanIn)), for ReLU layers (which zero half their inputs). */
export const heUniform = (): Initializer => varianceScaling(2, "fanIn", "uniform");
/** He/Kaiming normal: N(0, 2/fanIn). */
export const heNormal = (): Initializer => varianceScaling(2, "fanIn", "normal");
/** LeCun uniform: U(±√(3/fanIn)). */
export const lecunUniform = (): Initializer => varianceScaling(1, "fanIn", "uniform");
/** LeCun normal: N(0, 1/fanIn). */
export const lecunNormal = (): Initializer => varianceScaling(1, "fanIn", "normal");

/** The same as glorotUniform (PyTorch's name). */
export const xavierUniform = glorotUniform;
/** The same as glorotNormal (PyTorch's name). */
export const xavierNormal = glorotNormal;
/** The same as heUniform (PyTorch's name). */
export const kaimingUniform = heUniform;
/** The same as heNormal (PyTorch's name). */
export const kaimingNormal = heNormal;

const byName = {
  zeros,
  ones,
  uniform,
  normal,
  glorotUniform,
  glorotNormal,
  xavierUniform,
  xavierNormal,
  heUniform,
  heNormal,
  kaimingUniform,
  kaimingNormal,
  lecunUniform,
  lecunNormal,
} as const;

/** An initializer's name, for layer options (`{ weightInit: "heNormal" }`). */
export type InitializerName = keyof typeof byName;

/** An initializer function, or one of the names above with its default settings. */
export function getInitializer(init: Initializer | InitializerName, op: string): Initializer {
  if (typeof init === "function") return init;
  const make = byName[init];
  if (!make)
    throw new ArgumentError(
      `${op}: unknown initializer "${String(init)}"; expected one of ${Object.keys(byName).join(", ")}`,
    );
  return make();
}
