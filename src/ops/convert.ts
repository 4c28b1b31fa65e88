import { scalar, tensor } from "../core/creation.js";
import { type DType, promoteTypes } from "../core/dtype.js";
import { ArgumentError } from "../core/errors.js";
import { Tensor, type TensorLike } from "../core/tensor.js";
import { bind } from "./dispatch.js";

/**
 * Turns what a user passed into a Tensor. A bare JS number is "weakly typed" (as
 * in JAX): it takes the dtype of the tensor it meets, so `x.mul(2)` keeps x's
 * float64 and `i.add(1)` keeps an int32, while `i.mul(0.5)` becomes float32.
 */
export function asTensor(x: TensorLike, like?: DType, op = "op"): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number") {
    if (like === undefined || like === "bool")
      return scalar(x, Number.isInteger(x) && like === "bool" ? "int32" : "float32");
    if (like === "int32" && !Number.isInteger(x)) return scalar(x, "float32");
    return scalar(x, like);
  }
  if (typeof x === "boolean") return scalar(x, "bool");
  if (Array.isArray(x)) return tensor(x, undefined, like && like !== "bool" ? { dtype: like } : {});
  throw new ArgumentError(`${op}: expected a Tensor, number, boolean or nested array, got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** Both operands as tensors of one dtype (numpy promotion, weak scalars). */
export function promotePair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const ta = a instanceof Tensor ? a : undefined;
  const tb = b instanceof Tensor ? b : undefined;
  const x = asTensor(a, tb?.dtype, op);
  const y = asTensor(b, x.dtype, op);
  const x2 = ta === undefined && tb !== undefined ? asTensor(a, y.dtype, op) : x;
  const dtype = promoteTypes(x2.dtype, y.dtype);
  return [castTo(x2, dtype), castTo(y, dtype)];
}

export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : bind("cast", [t], { dtype });
}
