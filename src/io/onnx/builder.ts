import { allocate, type DType } from "../../core/dtype.js";
import { Tensor } from "../../core/tensor.js";
import { OnnxError } from "./errors.js";
import {
  type AttributeSpec,
  attribute,
  DataType,
  type NodeSpec,
  onnx,
  onnxType,
  type TensorSpec,
} from "./proto.js";

/**
 * A dimension of a value in an exported graph: a fixed size, or `batch`
 * times the batch size when the batch axis is dynamic (pooling folds the
 * channels into it: `[N·C, 1, H, W]` has `{ batch: C }`).
 */
export type Dim = number | { readonly batch: number };

/** A value of the graph being written: its ONNX name, dtype and (possibly symbolic) shape. */
export interface OnnxValue {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly Dim[];
}

/** How ONNX value types name a dimension: `batch`, `batch*3`, or the number. */
export function dimName(d: Dim): number | string {
  if (typeof d === "number") return d;
  return d.batch === 1 ? "batch" : `batch*${d.batch}`;
}

/** Little-endian bytes of a tensor's elements, as TensorProto.raw_data holds them. */
function rawBytes(t: Tensor): Uint8Array {
  const data = t.data();
  const size = t.dtype === "float64" ? 8 : t.dtype === "bool" ? 1 : 4;
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (t.dtype === "float32") view.setFloat32(4 * i, v, true);
    else if (t.dtype === "float64") view.setFloat64(8 * i, v, true);
    else if (t.dtype === "int32") view.setInt32(4 * i, v, true);
    else out[i] = v ? 1 : 0;
  }
  return out;
}

function tensorProto(name: string, t: Tensor): TensorSpec {
  return { name, dims: [...t.shape], dataType: onnxType(t.dtype), rawData: rawBytes(t) };
}

/**
 * Accumulates the nodes and initializers of one ONNX graph, hands out unique
 * value names, and turns grafo's shapes (with a dynamic batch axis) into the
 * int64 shape tensors Reshape and Expand read.
 */
export class OnnxGraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  private readonly used = new Set<string>();
  private readonly intConstants = new Map<string, string>();
  private batchSize: string | undefined;

  /** `batchSource` is an input whose axis 0 is the batch axis (undefined for static graphs). */
  constructor(private readonly batchSource: string | undefined) {}

  /** A name not used yet, from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Appends `op(inputs)` and returns its (single) output's name. */
  node(
    op: string,
    inputs: readonly string[],
    attributes: readonly AttributeSpec[] = [],
    out?: string,
  ): string {
    const output = this.fresh(out ?? op.toLowerCase());
    this.nodes.push({
      opType: op,
      name: this.fresh(`${op}_${this.nodes.length}`),
      input: [...inputs],
      output: [output],
      attribute: [...attributes],
    });
    return output;
  }

  /** A weight, stored as an initializer (what an importer takes for a trainable parameter). */
  initializer(base: string, t: Tensor): string {
    const name = this.fresh(base);
    this.initializers.push(tensorProto(name, t));
    return name;
  }

  /** A constant the function closed over, as a Constant node: part of the computation, not a weight. */
  constant(base: string, t: Tensor): string {
    const output = this.fresh(base);
    this.nodes.push({
      opType: "Constant",
      name: this.fresh(`Constant_${this.nodes.length}`),
      input: [],
      output: [output],
      attribute: [
        { name: "value", type: onnx.AttributeProto.AttributeType.TENSOR, t: tensorProto(output, t) },
      ],
    });
    return output;
  }

  /** A scalar constant of a dtype (the 1 of log1p), shared by every node that needs it. */
  scalar(value: number, dtype: DType): string {
    const key = `${dtype}:${value}`;
    const known = this.intConstants.get(key);
    if (known) return known;
    const name = this.constant(
      `const_${dtype}_${value}`.replace(/[^\w]/g, "_"),
      Tensor._fromData(allocate(dtype, 1).fill(value), [], dtype),
    );
    this.intConstants.set(key, name);
    return name;
  }

  /** A constant int64 tensor (axes, pads, shapes), 1-D unless `scalar`. */
  ints(values: readonly number[], scalar = false): string {
    const key = `${scalar ? "s" : "v"}:${values.join(",")}`;
    const known = this.intConstants.get(key);
    if (known) return known;
    const name = this.fresh(scalar ? "int" : "ints");
    this.initializers.push({
      name,
      dims: scalar ? [] : [values.length],
      dataType: DataType.INT64,
      int64Data: [...values],
    });
    this.intConstants.set(key, name);
    return name;
  }

  /**
   * The int64 shape tensor of `dims`. Static shapes are constants; for Reshape
   * a single batch-sized axis becomes -1; otherwise the batch size is read
   * from the input at run time (`Shape`) and the shape assembled by `Concat`.
   */
  shape(dims: readonly Dim[], forReshape: boolean): string {
    const dynamic = dims.filter((d) => typeof d !== "number").length;
    if (dynamic === 0) return this.ints(dims as number[]);
    if (forReshape && dynamic === 1) return this.ints(dims.map((d) => (typeof d === "number" ? d : -1)));
    const parts: string[] = [];
    let run: number[] = [];
    for (const d of dims) {
      if (typeof d === "number") {
        run.push(d);
        continue;
      }
      if (run.length) parts.push(this.ints(run));
      run = [];
      const n = this.batch();
      parts.push(d.batch === 1 ? n : this.node("Mul", [n, this.ints([d.batch])], [], "batch_times"));
    }
    if (run.length) parts.push(this.ints(run));
    return this.node("Concat", parts, [attribute("axis", 0)], "shape");
  }

  /** The batch size as a 1-element int64 tensor, read once from the batch source. */
  private batch(): string {
    if (!this.batchSource)
      throw new OnnxError("exportOnnx: a shape depends on the batch size, but the graph has no batch axis");
    this.batchSize ??= this.node(
      "Shape",
      [this.batchSource],
      [attribute("start", 0), attribute("end", 1)],
      "batch_size",
    );
    return this.batchSize;
  }
}
