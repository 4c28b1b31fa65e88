/**
 * A minimal ONNX writer: just enough of the protobuf wire format and of
 * onnx.proto's ModelProto to express small float32 graphs (MatMul, Add, Relu,
 * Softmax, Exp, Mul, …) for onnxruntime. IR version 8, opset 17.
 *
 * Protobuf in brief: a message is a sequence of fields, each a key
 * `(field_number << 3) | wire_type` (as a varint) followed by the value:
 * wire type 0 is a varint (ints, enums), 2 is length-delimited (strings,
 * bytes, nested messages). Field numbers below are onnx.proto's.
 */

const VARINT = 0;
const LEN = 2;

/** Appends protobuf fields to a growing byte list. */
class ProtoWriter {
  private readonly bytes: number[] = [];

  /** Base-128 varint, least significant group first; negatives as 64-bit two's complement (10 bytes). */
  private varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, n: number): this {
    this.key(field, VARINT);
    this.varint(n);
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.key(field, LEN);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytesField(field, m.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** TensorProto.DataType.FLOAT. */
const FLOAT = 1;

/** An initializer (constant tensor) of a graph. */
export interface OnnxTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A graph input or output: a float32 tensor of fixed shape. */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly number[];
}

/** One operator application. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (such as Softmax's `axis`), the only kind these graphs need. */
  readonly attributes?: Readonly<Record<string, number>>;
}

/** A whole single-graph model. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly initializers?: readonly OnnxTensor[];
}

// TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian bytes).
function tensorProto(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  // Dims are written unpacked: proto2 parsers accept both, and the scalar case has none.
  for (const d of t.shape) w.int(1, d);
  w.int(2, FLOAT).string(8, t.name);
  const raw = new Uint8Array(t.data.length * 4);
  const view = new DataView(raw.buffer);
  t.data.forEach((x, i) => {
    view.setFloat32(4 * i, x, true);
  });
  return w.bytesField(9, raw);
}

// ValueInfoProto { name = 1, type = 2 } ; TypeProto { tensor_type = 1 } ;
// TypeProto.Tensor { elem_type = 1, shape = 2 } ; TensorShapeProto { dim = 1 } ; Dimension { dim_value = 1 }.
function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

// AttributeProto { name = 1, i = 3, type = 20 } with AttributeType INT = 2.
function attribute(name: string, value: number): ProtoWriter {
  if (!Number.isInteger(value))
    throw new RangeError(`onnxModel: attribute ${name} = ${value} is not an integer`);
  return new ProtoWriter().string(1, name).int(20, 2).int(3, value);
}

// NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }.
function nodeProto(n: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op.toLowerCase()}_${index}`).string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

/** The ONNX IR version and default-domain opset this writer targets. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

/**
 * Serialises a ModelProto: { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 },
 * GraphProto { node = 1, name = 2, initializer = 5, input = 11, output = 12 }.
 */
export function onnxModel(g: OnnxGraph): Uint8Array {
  const graph = new ProtoWriter();
  g.nodes.forEach((n, i) => {
    graph.message(1, nodeProto(n, i));
  });
  graph.string(2, g.name);
  for (const t of g.initializers ?? []) graph.message(5, tensorProto(t));
  for (const v of g.inputs) graph.message(11, valueInfo(v));
  for (const v of g.outputs) graph.message(12, valueInfo(v));
  // OperatorSetIdProto { domain = 1, version = 2 }; the empty domain is the standard "ai.onnx".
  const opset = new ProtoWriter().string(1, "").int(2, ONNX_OPSET);
  return new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, "grafo-bench")
    .message(7, graph)
    .message(8, opset)
    .finish();
}
