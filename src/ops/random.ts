import { fromData, rowMajor } from "../backends/js/loops.js";
import { zeros } from "../core/creation.js";
import { allocate, checkDType, type DType, isFloat } from "../core/dtype.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import { keyFromData, unitUniform } from "../core/random.js";
import { checkShape, fmtShape, sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "./dispatch.js";
import type { PartialPrimitiveTable } from "./primitive.js";
import { reshape, slice, stack } from "./shape.js";

/**
 * Random numbers as a primitive: uniform [0, 1) from key data, so a draw
 * whose key is an input can be traced and compiled (a training step with
 * dropout gets fresh masks every call instead of one frozen into the graph).
 * No derivative: randomness is not differentiated through.
 */
export const randomPrimitives = {
  randomUniform: {
    abstract: ([key], { shape, dtype }) => {
      if (key!.dtype !== "int32" || key!.shape.length !== 1 || key!.shape[0] !== 2) {
        throw new ShapeError(
          `randomUniform: key data must be an int32 tensor of shape [2] (random.keyData(key)), got ${key!.dtype} ${fmtShape(key!.shape)}`,
        );
      }
      return { shape, dtype };
    },
    js: ([key], { shape, dtype, stream }, out) => {
      const u = unitUniform(keyFromData(rowMajor(key!)), sizeOf(shape), dtype, stream);
      const o = allocate(out.dtype, u.length);
      o.set(u);
      return fromData(o, out);
    },
    jvp: () => null,
    vjp: () => [null],
    // Each example draws from its own key, exactly as it would alone.
    vmap: ([key], _, attrs) => {
      const size = key!.shape[0]!;
      if (size === 0) return zeros([0, ...attrs.shape], attrs.dtype);
      const draws = Array.from({ length: size }, (_, b) =>
        bind("randomUniform", [reshape(slice(key!, [b, 0], [1, 2]), [2])], attrs),
      );
      return stack(draws);
    },
  },
} satisfies PartialPrimitiveTable;

export interface RandomUniformOptions {
  dtype?: DType;
  /** Independent draws from one key use different streams (non-negative integers). */
  stream?: number;
}

/**
 * Uniform [0, 1) samples from key data (`random.keyData(key)`), traceable:
 * inside `compile` or `trace` the key can be an input. Stream 0 gives exactly
 * `random.uniform(key, shape)`.
 */
export function randomUniform(
  keyData: Tensor,
  shape: readonly number[],
  options: RandomUniformOptions = {},
): Tensor {
  const { dtype = "float32", stream = 0 } = options;
  if (!isFloat(checkDType(dtype, "randomUniform")))
    throw new ArgumentError(`randomUniform: dtype must be float32 or float64, got ${dtype}`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 2 ** 31)
    throw new ArgumentError(`randomUniform: stream must be a non-negative integer, got ${stream}`);
  return bind("randomUniform", [keyData], { shape: checkShape("randomUniform", shape), dtype, stream });
}
