import { allocate, checkDType, type DataArray, type DType, dtypeOfArray } from "./dtype.js";
import { ArgumentError, ShapeError } from "./errors.js";
import { checkShape, checkSize, sizeOf } from "./shape.js";
import { type NestedArray, Tensor } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  /** PyTorch-style: make `backward()` fill this tensor's `.grad`. */
  requiresGrad?: boolean;
}

type Values = NestedArray | DataArray | readonly number[];

function inferShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as NestedArray;
  }
  return shape;
}

/** Flattens nested arrays row-major, checking that every row has the length of the first (no ragged input). */
function flatten(v: NestedArray, shape: readonly number[], out: number[], dim: number, path: string): void {
  if (dim === shape.length) {
    if (Array.isArray(v))
      throw new ShapeError(
        `tensor: ragged nested array: element ${path} is an array, expected a number (shape so far [${shape}])`,
      );
    if (typeof v === "boolean") out.push(v ? 1 : 0);
    else if (typeof v === "number") out.push(v);
    else throw new ArgumentError(`tensor: element ${path} is ${typeof v}, expected a number or boolean`);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim]) {
    const got = Array.isArray(v) ? `length ${v.length}` : "a scalar";
    throw new ShapeError(
      `tensor: ragged nested array: element ${path} has ${got}, expected length ${shape[dim]} (shape [${shape}])`,
    );
  }
  v.forEach((x: NestedArray, i: number) => {
    flatten(x, shape, out, dim + 1, `${path}[${i}]`);
  });
}

function firstLeaf(v: NestedArray): NestedArray {
  let cur = v;
  while (Array.isArray(cur) && cur.length > 0) cur = cur[0] as NestedArray;
  return cur;
}

/**
 * Makes a tensor from a number, a boolean, nested arrays or a typed array.
 * Numbers default to float32, booleans to bool, typed arrays to their own dtype.
 * `shape` reshapes flat input; nested input is validated (ragged input throws).
 */
export function tensor(values: Values, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  let flat: DataArray | number[];
  let inferred: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(values)) {
    flat = values as DataArray;
    inferred = [flat.length];
    dtype = options.dtype ?? dtypeOfArray(flat);
  } else {
    inferred = inferShape(values as NestedArray);
    const numbers: number[] = [];
    flatten(values as NestedArray, inferred, numbers, 0, "");
    flat = numbers;
    dtype = options.dtype ?? (typeof firstLeaf(values as NestedArray) === "boolean" ? "bool" : "float32");
  }
  dtype = checkDType(dtype, "tensor");
  const finalShape = shape ? checkShape("tensor", shape) : inferred;
  if (sizeOf(finalShape) !== flat.length) {
    throw new ShapeError(
      `tensor: ${flat.length} values cannot fill shape [${finalShape}] (${sizeOf(finalShape)} elements)`,
    );
  }
  const data = allocate(dtype, flat.length, "tensor");
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    if (dtype === "int32" && !Number.isInteger(v)) {
      throw new ArgumentError(`tensor: value ${v} at flat index ${i} is not an integer, but dtype is int32`);
    }
    data[i] = dtype === "bool" ? (v ? 1 : 0) : v;
  }
  const t = Tensor._fromData(data, finalShape, dtype);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A rank-0 tensor. */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  return tensor(value, [], dtype ? { dtype } : {});
}

/** A tensor of `shape` filled with `value`. */
export function full(
  shape: readonly number[],
  value: number | boolean,
  dtype: DType = typeof value === "boolean" ? "bool" : "float32",
): Tensor {
  return filled("full", shape, value, dtype);
}

/** full/zeros/ones share this, so an error names the function the user called. */
function filled(op: string, shape: readonly number[], value: number | boolean, dtype: DType): Tensor {
  const s = checkShape(op, shape);
  const data = allocate(checkDType(dtype, op), sizeOf(s), op);
  if (dtype === "int32" && typeof value === "number" && !Number.isInteger(value))
    throw new ArgumentError(`${op}: value ${value} is not an integer, but dtype is int32`);
  data.fill(typeof value === "boolean" ? (value ? 1 : 0) : value);
  return Tensor._fromData(data, s, dtype);
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return filled("zeros", shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return filled("ones", shape, 1, dtype);
}

export function zerosLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return zeros(t.shape, dtype);
}

export function onesLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return ones(t.shape, dtype);
}

/** `arange(stop)` or `arange(start, stop, step?)`, numpy-style; float32 unless told. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = "float32"): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step) || step === 0) {
    throw new ArgumentError(
      `arange: start, stop and step must be finite numbers and step non-zero (got ${start}, ${stop}, ${step})`,
    );
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkSize("arange", [n]);
  const data = allocate(checkDType(dtype, "arange"), n, "arange");
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return Tensor._fromData(data, [n], dtype);
}

/** `num` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, num: number, dtype: DType = "float32"): Tensor {
  if (!Number.isInteger(num) || num < 0)
    throw new ArgumentError(`linspace: num must be a non-negative integer, got ${num}`);
  checkSize("linspace", [num]);
  const data = allocate(checkDType(dtype, "linspace"), num, "linspace");
  const stepSize = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = start + i * stepSize;
  return Tensor._fromData(data, [num], dtype);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m: number = n, dtype: DType = "float32"): Tensor {
  const s = checkShape("eye", [n, m]);
  const data = allocate(checkDType(dtype, "eye"), n * m, "eye");
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return Tensor._fromData(data, s, dtype);
}
