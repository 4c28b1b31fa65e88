import { allocate, type DType } from "../../core/dtype.js";
import { Tensor } from "../../core/tensor.js";
import { fromF16Bits } from "../float16.js";
import { OnnxError } from "./errors.js";
import { DataType, type TensorSpec, toNumber } from "./proto.js";

/** The grafo dtype an ONNX element type becomes: 64-bit and small integers become int32, float16 float32. */
export function grafoType(elemType: number, what: string): DType {
  switch (elemType) {
    case DataType.FLOAT:
    case DataType.FLOAT16:
      return "float32";
    case DataType.DOUBLE:
      return "float64";
    case DataType.INT32:
    case DataType.INT64:
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.INT16:
    case DataType.UINT16:
      return "int32";
    case DataType.BOOL:
      return "bool";
    default:
      throw new OnnxError(
        `${what}: element type ${elemType} (${DataType[elemType] ?? "unknown"}) is not supported`,
      );
  }
}

/** Bytes per element in raw_data. */
const RAW_SIZE: Partial<Record<number, number>> = {
  [DataType.FLOAT]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.INT8]: 1,
  [DataType.UINT8]: 1,
  [DataType.INT16]: 2,
  [DataType.UINT16]: 2,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
};

/** Largest tensor grafo reads from a file (elements): typed arrays past this fail anyway. */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** int64 values beyond int32 become the nearest int32 ("to the end" in Slice stays "to the end"). */
const clampInt32 = (v: number) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v));

/**
 * A TensorProto (an initializer or a Constant's value) as a grafo tensor. The
 * declared shape is checked against the bytes present before anything is
 * allocated, so a corrupt size cannot make grafo allocate gigabytes.
 */
export function tensorFromProto(t: TensorSpec, what: string): Tensor {
  const elem = t.dataType ?? 0;
  const dtype = grafoType(elem, what);
  if (t.dataLocation === 1) throw new OnnxError(`${what}: external data files are not supported`);
  if (t.segment) throw new OnnxError(`${what}: segmented tensors are not supported`);
  const shape = (t.dims ?? []).map(toNumber);
  let size = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new OnnxError(`${what}: invalid dimension ${d} in [${shape}]`);
    size *= d;
  }
  if (size > MAX_ELEMENTS)
    throw new OnnxError(`${what}: shape [${shape}] has ${size} elements, more than grafo reads`);
  const raw = t.rawData;
  let values: ArrayLike<number>;
  if (raw && raw.length > 0) {
    const width = RAW_SIZE[elem]!;
    if (raw.length !== size * width)
      throw new OnnxError(
        `${what}: shape [${shape}] needs ${size * width} bytes of ${DataType[elem]} data, the file holds ${raw.length}`,
      );
    values = readRaw(raw, elem, size);
  } else {
    const field = fieldData(t, elem);
    if (field.length !== size)
      throw new OnnxError(`${what}: shape [${shape}] needs ${size} values, the file holds ${field.length}`);
    values = field;
  }
  const data = allocate(dtype, size);
  data.set(values);
  return Tensor._fromData(data, shape, dtype);
}

function readRaw(raw: Uint8Array, elem: number, n: number): ArrayLike<number> {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (elem) {
      case DataType.FLOAT:
        out[i] = view.getFloat32(4 * i, true);
        break;
      case DataType.DOUBLE:
        out[i] = view.getFloat64(8 * i, true);
        break;
      case DataType.INT32:
        out[i] = view.getInt32(4 * i, true);
        break;
      case DataType.INT64:
        out[i] = clampInt32(Number(view.getBigInt64(8 * i, true)));
        break;
      case DataType.INT8:
        out[i] = view.getInt8(i);
        break;
      case DataType.UINT8:
        out[i] = view.getUint8(i);
        break;
      case DataType.BOOL:
        out[i] = view.getUint8(i) ? 1 : 0;
        break;
      case DataType.INT16:
        out[i] = view.getInt16(2 * i, true);
        break;
      case DataType.UINT16:
        out[i] = view.getUint16(2 * i, true);
        break;
      case DataType.FLOAT16:
        out[i] = fromF16Bits(view.getUint16(2 * i, true));
        break;
    }
  }
  return out;
}

/** The typed field a TensorProto keeps values in when it has no raw_data. */
function fieldData(t: TensorSpec, elem: number): ArrayLike<number> {
  switch (elem) {
    case DataType.FLOAT:
      return t.floatData ?? [];
    case DataType.DOUBLE:
      return t.doubleData ?? [];
    case DataType.INT64:
      return (t.int64Data ?? []).map((v) => clampInt32(toNumber(v)));
    case DataType.FLOAT16:
      return (t.int32Data ?? []).map(fromF16Bits);
    case DataType.BOOL:
      return (t.int32Data ?? []).map((v) => (v ? 1 : 0));
    default:
      return t.int32Data ?? [];
  }
}
