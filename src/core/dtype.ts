import { ArgumentError, DTypeError } from "./errors.js";

export type DType = "float32" | "float64" | "int32" | "bool";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : Uint8Array;

export type DataArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function checkDType(x: unknown, where: string): DType {
  if (!isDType(x))
    throw new DTypeError(
      `${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.join(", ")}`,
    );
  return x;
}

/** A zeroed array of `size` elements; `op` names the user's call in the error when memory runs out. */
export function allocate(dtype: DType, size: number, op = "allocate"): DataArray {
  try {
    switch (dtype) {
      case "float32":
        return new Float32Array(size);
      case "float64":
        return new Float64Array(size);
      case "int32":
        return new Int32Array(size);
      case "bool":
        return new Uint8Array(size);
    }
  } catch (e) {
    // Sizes were checked (checkSize) before they got here: what is left is running out of memory.
    if (e instanceof RangeError)
      throw new ArgumentError(
        `${op}: cannot allocate ${size.toLocaleString("en-US")} ${dtype} elements (${((size * bytesPerElement(dtype)) / 2 ** 30).toFixed(1)} GiB): ${e.message}`,
      );
    throw e;
  }
}

export function dtypeOfArray(a: DataArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

export function bytesPerElement(d: DType): number {
  return d === "float64" ? 8 : d === "bool" ? 1 : 4;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** numpy-style promotion on our four dtypes: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}
