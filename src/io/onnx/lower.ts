import { eye } from "../../core/creation.js";
import type { PrimAttrs, PrimName, WindowAttrs } from "../../core/primitives.js";
import type { PrimNode } from "../../graph/ir.js";
import type { Dim, OnnxGraphBuilder, OnnxValue } from "./builder.js";
import { OnnxError } from "./errors.js";
import { attribute, DataType, onnxType } from "./proto.js";

/** Elementwise primitives that are one ONNX op of the same name and arity. */
const DIRECT: Partial<Record<PrimName, string>> = {
  neg: "Neg",
  exp: "Exp",
  log: "Log",
  sin: "Sin",
  cos: "Cos",
  tanh: "Tanh",
  sigmoid: "Sigmoid",
  sqrt: "Sqrt",
  abs: "Abs",
  sign: "Sign",
  floor: "Floor",
  ceil: "Ceil",
  round: "Round",
  erf: "Erf",
  isNaN: "IsNaN",
  stopGradient: "Identity",
  add: "Add",
  sub: "Sub",
  mul: "Mul",
  div: "Div",
  pow: "Pow",
  maximum: "Max",
  minimum: "Min",
  matmul: "MatMul",
};

const COMPARE: Record<PrimAttrs["compare"]["op"], string> = {
  equal: "Equal",
  notEqual: "Equal",
  less: "Less",
  lessEqual: "LessOrEqual",
  greater: "Greater",
  greaterEqual: "GreaterOrEqual",
};

/** ONNX ops that broadcast their inputs themselves (numpy style), so a grafo broadcastTo before them can go. */
export const BROADCASTING: ReadonlySet<PrimName> = new Set<PrimName>([
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "compare",
  "where",
]);

/** Largest int64 a JS number holds exactly: "to the end" for Slice (ONNX clamps it). */
const TO_END = Number.MAX_SAFE_INTEGER;

export function sameDim(a: Dim, b: Dim): boolean {
  return typeof a === "number" || typeof b === "number" ? a === b : a.batch === b.batch;
}

/**
 * Writes the ONNX nodes computing one grafo primitive and returns the name of
 * its result. `ins` are the primitive's inputs, `out` its result's dtype and shape.
 */
export function lowerPrim(
  b: OnnxGraphBuilder,
  node: PrimNode,
  ins: readonly OnnxValue[],
  out: Omit<OnnxValue, "name">,
): string {
  const names = ins.map((v) => v.name);
  const x = ins[0]!;
  const direct = DIRECT[node.op];
  if (direct) return b.node(direct, names);
  const unsupported = (why: string) =>
    new OnnxError(`exportOnnx: primitive ${node.op} (node %${node.id}) has no ONNX form: ${why}`);
  switch (node.op) {
    case "log1p":
      return b.node("Log", [b.node("Add", [x.name, b.scalar(1, x.dtype)])]);
    case "expm1":
      return b.node("Sub", [b.node("Exp", [x.name]), b.scalar(1, x.dtype)]);
    case "isFinite":
      return b.node("Not", [b.node("Or", [b.node("IsNaN", [x.name]), b.node("IsInf", [x.name])])]);
    case "logicalNot":
      return x.dtype === "bool" ? b.node("Not", [x.name]) : b.node("Equal", [x.name, b.scalar(0, x.dtype)]);
    case "cast":
      return b.node("Cast", [x.name], [attribute("to", onnxType(out.dtype))]);
    case "compare": {
      const { op } = node.attrs as PrimAttrs["compare"];
      const r = b.node(COMPARE[op], names);
      return op === "notEqual" ? b.node("Not", [r]) : r;
    }
    case "where": {
      const cond =
        ins[0]!.dtype === "bool" ? names[0]! : b.node("Cast", [names[0]!], [attribute("to", DataType.BOOL)]);
      return b.node("Where", [cond, names[1]!, names[2]!]);
    }
    case "sum": {
      const { axes } = node.attrs as PrimAttrs["sum"];
      if (axes.length === 0) return b.node("Identity", [x.name]);
      return b.node("ReduceSum", [x.name, b.ints(axes)], [attribute("keepdims", 0)]);
    }
    case "max":
    case "prod": {
      const { axes } = node.attrs as PrimAttrs["max"];
      if (axes.length === 0) return b.node("Identity", [x.name]);
      const op = node.op === "max" ? "ReduceMax" : "ReduceProd";
      return b.node(op, [x.name], [attribute("axes", axes), attribute("keepdims", 0)]);
    }
    case "argmax": {
      const { axis, min } = node.attrs as PrimAttrs["argmax"];
      const r = b.node(
        min ? "ArgMin" : "ArgMax",
        [x.name],
        [attribute("axis", axis), attribute("keepdims", 0)],
      );
      return b.node("Cast", [r], [attribute("to", onnxType(out.dtype))]);
    }
    case "cumsum": {
      const { axis, reverse } = node.attrs as PrimAttrs["cumsum"];
      return b.node("CumSum", [x.name, b.ints([axis], true)], [attribute("reverse", reverse ? 1 : 0)]);
    }
    case "reshape":
      return b.node("Reshape", [x.name, b.shape(out.dims, true)]);
    case "transpose":
      return b.node("Transpose", [x.name], [attribute("perm", (node.attrs as PrimAttrs["transpose"]).perm)]);
    case "broadcastTo":
      return b.node("Expand", [x.name, b.shape(out.dims, false)]);
    case "slice": {
      const { begin } = node.attrs as PrimAttrs["slice"];
      const axes: number[] = [];
      const starts: number[] = [];
      const ends: number[] = [];
      x.dims.forEach((d, i) => {
        const size = out.dims[i]!;
        if (begin[i] === 0 && sameDim(d, size)) return;
        if (typeof size !== "number")
          throw unsupported(
            "it slices part of the batch axis, which cannot be dynamic (export with dynamicBatch: false)",
          );
        axes.push(i);
        starts.push(begin[i]!);
        ends.push(begin[i]! + size);
      });
      if (axes.length === 0) return b.node("Identity", [x.name]);
      return b.node("Slice", [x.name, b.ints(starts), b.ints(ends), b.ints(axes)]);
    }
    case "pad": {
      const { lo, hi } = node.attrs as PrimAttrs["pad"];
      return b.node("Pad", [x.name, b.ints([...lo, ...hi])]);
    }
    case "flip": {
      const { axes } = node.attrs as PrimAttrs["flip"];
      if (axes.length === 0) return b.node("Identity", [x.name]);
      return b.node("Slice", [
        x.name,
        b.ints(axes.map(() => -1)),
        b.ints(axes.map(() => -TO_END)),
        b.ints(axes),
        b.ints(axes.map(() => -1)),
      ]);
    }
    case "concat":
      return b.node("Concat", names, [attribute("axis", (node.attrs as PrimAttrs["concat"]).axis)]);
    case "gather":
      return b.node("Gather", names, [attribute("axis", (node.attrs as PrimAttrs["gather"]).axis)]);
    case "im2col":
      return im2col(b, x, node.attrs as WindowAttrs, out.dims);
    case "scatterAdd":
    case "col2im":
      throw unsupported("it only appears in gradient graphs; export the forward function");
    case "randomUniform":
      throw unsupported("random draws are not exported; export the model in eval mode (no dropout)");
    default:
      throw unsupported("grafo does not map it to ONNX yet");
  }
}

/**
 * im2col as a convolution with a one-hot kernel: output channel
 * (c, ky, kx) copies input channel c at window offset (ky, kx), so the
 * columns come out exactly (each is 1·x plus zeros), then are flattened.
 * The exporter writes whole convolutions and poolings as Conv/MaxPool
 * directly; this covers any other use of the windows.
 */
function im2col(b: OnnxGraphBuilder, x: OnnxValue, attrs: WindowAttrs, outDims: readonly Dim[]): string {
  const c = x.dims[1] as number;
  const [kh, kw] = attrs.kernel;
  const rows = c * kh * kw;
  const kernel = eye(rows, rows, x.dtype === "float64" ? "float64" : "float32").reshape([rows, c, kh, kw]);
  const conv = b.node("Conv", [x.name, b.constant("im2col_kernel", kernel)], windowAttributes(attrs));
  return b.node("Reshape", [conv, b.shape(outDims, true)]);
}

/** Conv/MaxPool attributes of a window: ONNX pads are [top, left, bottom, right]. */
export function windowAttributes(attrs: WindowAttrs, dilations = true) {
  const [pt, pb, pl, pr] = attrs.pad;
  return [
    attribute("kernel_shape", attrs.kernel),
    attribute("strides", attrs.stride),
    ...(dilations ? [attribute("dilations", attrs.dilation)] : []),
    attribute("pads", [pt, pl, pb, pr]),
  ];
}
