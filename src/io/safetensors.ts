/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON mapping each tensor name to its `dtype`,
 * `shape` and `data_offsets` (plus an optional `__metadata__` of strings),
 * then the tensors' bytes, in order, with no gaps. Everything is validated
 * before any tensor is allocated, so a hostile file costs at most its own size.
 */
import type { DataArray, DType } from "../core/dtype.js";
import { fmtShape } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import type { SafetensorsDType } from "./api.js";
import { FileFormatError } from "./errors.js";
import { fromBF16Bits, fromF16Bits, toBF16Bits, toF16Bits } from "./float16.js";
import { isJsonObject, parseJson } from "./json.js";

/** Bytes per element and the grafo dtype each safetensors dtype reads into. */
const DTYPES: Readonly<Record<SafetensorsDType, { bytes: number; reads: DType }>> = {
  F32: { bytes: 4, reads: "float32" },
  F64: { bytes: 8, reads: "float64" },
  I32: { bytes: 4, reads: "int32" },
  I64: { bytes: 8, reads: "int32" },
  BOOL: { bytes: 1, reads: "bool" },
  F16: { bytes: 2, reads: "float32" },
  BF16: { bytes: 2, reads: "float32" },
};

/** The reference implementation's limit: a header larger than this is refused unread. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContent {
  /** The tensors by name, in the order of their data in the file. */
  readonly tensors: Record<string, Tensor>;
  /** `__metadata__` (empty when the file has none). */
  readonly metadata: Record<string, string>;
  /** The dtype each tensor had in the file (F16, BF16 and I64 are converted when read). */
  readonly dtypes: Record<string, SafetensorsDType>;
}

interface Entry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

const isSafeDType = (d: unknown): d is SafetensorsDType => typeof d === "string" && Object.hasOwn(DTYPES, d);

/** A plain Uint8Array view: a Node Buffer's slice() shares memory, and decode must copy. */
const asBytes = (b: Uint8Array | ArrayBuffer): Uint8Array =>
  b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);

/** Parses and checks the header; allocates nothing sized by what the file declares. */
function readHeader(
  bytes: Uint8Array,
  file: string,
): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  const bad = (problem: string): never => {
    throw new FileFormatError(file, problem);
  };
  if (bytes.length < 8)
    bad(`is truncated: ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > bytes.length - 8)
    bad(`header length ${n} runs past the end of the file (${bytes.length - 8} bytes follow the length)`);
  if (n > MAX_HEADER_BYTES) bad(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (n < 2) bad(`header length ${n} is too small to hold a JSON object`);
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    bad("header is not valid UTF-8");
  }
  if (!text.startsWith("{")) bad("header does not start with '{': not a safetensors file");
  const header = parseJson(text, file);
  if (!isJsonObject(header)) bad("header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (!isJsonObject(raw) || Object.values(raw).some((v) => typeof v !== "string"))
        bad("__metadata__ must map strings to strings");
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const where = `tensor "${name}"`;
    if (!isJsonObject(raw)) bad(`${where} is not an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets, ...rest } = raw as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) bad(`${where} has unknown fields: ${extra.join(", ")}`);
    if (!isSafeDType(dtype))
      bad(
        `${where} has unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(DTYPES).join(", ")}`,
      );
    const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
    if (!Array.isArray(shape) || !shape.every(isCount))
      bad(`${where} has shape ${JSON.stringify(shape)}; expected a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
      bad(`${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end]`);
    const [begin, end] = offsets as [number, number];
    if (begin > end) bad(`${where} has data_offsets [${begin}, ${end}] that end before they begin`);
    if (end > dataLength)
      bad(`${where} has data_offsets [${begin}, ${end}] past the end of the data (${dataLength} bytes)`);
    // The product is bounded by the data length as it grows, so it never overflows.
    const dims = shape as number[];
    const size = DTYPES[dtype as SafetensorsDType].bytes;
    let need = dims.includes(0) ? 0 : size;
    for (const d of dims) {
      need *= d;
      if (need > dataLength) break;
    }
    if (need !== end - begin) {
      // Only for the message: the exact count, which may be far beyond any buffer.
      const exact = dims.reduce((a, d) => a * BigInt(d), BigInt(size));
      bad(
        `${where}: shape ${fmtShape(dims)} of ${dtype} needs ${exact} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDType, shape: dims, begin, end });
  }
  // The data must be exactly the tensors, in order: no gap, no overlap, nothing left over.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin > at)
      bad(`data bytes ${at}..${e.begin} before tensor "${e.name}" belong to no tensor (a gap)`);
    if (e.begin < at) bad(`tensor "${e.name}" overlaps tensor "${prev!.name}" (bytes ${e.begin}..${at})`);
    at = e.end;
    prev = e;
  }
  if (at !== dataLength) bad(`data bytes ${at}..${dataLength} after the last tensor belong to no tensor`);
  return { entries: sorted, metadata, dataStart };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The bytes of one tensor, decoded (and converted for F16, BF16, I64). */
function decode(bytes: Uint8Array, e: Entry, file: string): DataArray {
  const raw = bytes.subarray(e.begin, e.end);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = raw.length / DTYPES[e.dtype].bytes;
  // A copy at offset 0 is aligned for any typed array.
  const copy = () => new Uint8Array(raw).buffer;
  switch (e.dtype) {
    case "F32":
      if (LITTLE_ENDIAN) return new Float32Array(copy());
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case "F64":
      if (LITTLE_ENDIAN) return new Float64Array(copy());
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
    case "I32":
      if (LITTLE_ENDIAN) return new Int32Array(copy());
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case "I64": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n)
          throw new FileFormatError(
            file,
            `tensor "${e.name}" (I64) holds ${v} at index ${i}, outside grafo's int32 range`,
          );
        out[i] = Number(v);
      }
      return out;
    }
    case "BOOL": {
      const out = new Uint8Array(raw);
      const i = out.findIndex((v) => v > 1);
      if (i >= 0)
        throw new FileFormatError(
          file,
          `tensor "${e.name}" (BOOL) holds byte ${out[i]} at index ${i}; expected 0 or 1`,
        );
      return out;
    }
    case "F16":
      return Float32Array.from({ length: count }, (_, i) => fromF16Bits(view.getUint16(2 * i, true)));
    case "BF16":
      return Float32Array.from({ length: count }, (_, i) => fromBF16Bits(view.getUint16(2 * i, true)));
  }
}

/**
 * Reads a safetensors file from its bytes. `file` names it in errors. Every
 * bad header (truncation, overlaps, gaps, shapes that disagree with byte
 * counts, unknown dtypes, forbidden JSON keys) is a FileFormatError.
 */
export function readSafetensors(
  data: Uint8Array | ArrayBuffer,
  file = "safetensors buffer",
): SafetensorsContent {
  const bytes = asBytes(data);
  const { entries, metadata, dataStart } = readHeader(bytes, file);
  const body = bytes.subarray(dataStart);
  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, SafetensorsDType> = {};
  for (const e of entries) {
    tensors[e.name] = Tensor._fromData(decode(body, e, file), e.shape, DTYPES[e.dtype].reads);
    dtypes[e.name] = e.dtype;
  }
  return { tensors, metadata, dtypes };
}

/** Only the header: names, dtypes, shapes and metadata, without decoding any tensor. */
export function readSafetensorsHeader(
  data: Uint8Array | ArrayBuffer,
  file = "safetensors buffer",
): {
  tensors: { name: string; dtype: SafetensorsDType; shape: number[] }[];
  metadata: Record<string, string>;
} {
  const { entries, metadata } = readHeader(asBytes(data), file);
  return { tensors: entries.map(({ name, dtype, shape }) => ({ name, dtype, shape })), metadata };
}

export interface WriteSafetensorsOptions {
  /** Strings stored as `__metadata__`. */
  metadata?: Readonly<Record<string, string>>;
  /** The dtype to store each named tensor as (default: its own: F32, F64, I32 or BOOL). */
  dtypes?: Readonly<Record<string, SafetensorsDType>>;
  /** The dtype to store every float tensor as when `dtypes` does not name it. */
  floatDType?: "F32" | "F64" | "F16" | "BF16";
}

const OWN: Record<DType, SafetensorsDType> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

/** Which stored dtypes each grafo dtype may be written as. */
function canWrite(from: DType, to: SafetensorsDType): boolean {
  if (from === "bool") return to === "BOOL";
  if (to === "BOOL") return false;
  if (from === "int32") return true;
  return to !== "I32" && to !== "I64";
}

function encode(values: DataArray, dtype: SafetensorsDType): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n * DTYPES[dtype].bytes);
  const view = new DataView(out.buffer);
  switch (dtype) {
    case "F32":
      for (let i = 0; i < n; i++) view.setFloat32(4 * i, values[i]!, true);
      break;
    case "F64":
      for (let i = 0; i < n; i++) view.setFloat64(8 * i, values[i]!, true);
      break;
    case "I32":
      for (let i = 0; i < n; i++) view.setInt32(4 * i, values[i]!, true);
      break;
    case "I64":
      for (let i = 0; i < n; i++) view.setBigInt64(8 * i, BigInt(values[i]!), true);
      break;
    case "BOOL":
      for (let i = 0; i < n; i++) out[i] = values[i] ? 1 : 0;
      break;
    case "F16":
      for (let i = 0; i < n; i++) view.setUint16(2 * i, toF16Bits(values[i]!), true);
      break;
    case "BF16":
      for (let i = 0; i < n; i++) view.setUint16(2 * i, toBF16Bits(values[i]!), true);
      break;
  }
  return out;
}

const RESERVED = new Set(["__metadata__", "__proto__", "constructor", "prototype"]);

/**
 * A safetensors file as a sequence of chunks (the header, then each tensor's
 * bytes), so a writer can stream it and each tensor is converted only when
 * its turn comes. Tensors are stored in the order given.
 */
export function* safetensorsChunks(
  tensors: Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Generator<Uint8Array> {
  const header: Record<string, unknown> = {};
  if (options.metadata && Object.keys(options.metadata).length > 0)
    header.__metadata__ = { ...options.metadata };
  const plan: [Tensor, SafetensorsDType][] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "" || RESERVED.has(name))
      throw new FileFormatError("writeSafetensors", `a tensor cannot be named ${JSON.stringify(name)}`);
    if (!(t instanceof Tensor)) throw new FileFormatError("writeSafetensors", `"${name}" is not a Tensor`);
    const dtype =
      options.dtypes?.[name] ??
      (options.floatDType && (t.dtype === "float32" || t.dtype === "float64")
        ? options.floatDType
        : OWN[t.dtype]);
    if (!isSafeDType(dtype) || !canWrite(t.dtype, dtype))
      throw new FileFormatError(
        "writeSafetensors",
        `tensor "${name}" (${t.dtype}) cannot be stored as ${dtype}`,
      );
    const bytes = t.size * DTYPES[dtype].bytes;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
    plan.push([t, dtype]);
  }
  // Spaces pad the header so the data starts 8-byte aligned, as the reference writer does.
  let json = JSON.stringify(header);
  const headerBytes = () => new TextEncoder().encode(json);
  while ((8 + headerBytes().length) % 8 !== 0) json += " ";
  const text = headerBytes();
  const prefix = new Uint8Array(8 + text.length);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, text.length, true);
  view.setUint32(4, 0, true);
  prefix.set(text, 8);
  yield prefix;
  for (const [t, dtype] of plan) yield encode(t.data(), dtype);
}

/** A safetensors file's bytes. */
export function writeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  return concatBytes([...safetensorsChunks(tensors, options)]);
}

/** One buffer from many. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
