import { full, onesLike, tensor } from "../../core/creation.js";
import { broadcastShapes, sizeOf } from "../../core/shape.js";
import type { Tensor } from "../../core/tensor.js";
import {
  abs,
  add,
  argmax,
  argmin,
  avgPool2d,
  broadcastTo,
  cast,
  ceil,
  concat,
  conv2d,
  cos,
  cumsum,
  div,
  elu,
  equal,
  erf,
  exp,
  expandDims,
  floor,
  gather,
  greater,
  greaterEqual,
  isFinite,
  isNaN,
  leakyRelu,
  less,
  lessEqual,
  log,
  logicalAnd,
  logicalNot,
  logicalOr,
  logSoftmax,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  min,
  minimum,
  mul,
  neg,
  pad,
  pow,
  prod,
  reciprocal,
  relu,
  reshape,
  round,
  sigmoid,
  sign,
  sin,
  slice,
  softmax,
  softplus,
  sqrt,
  squeeze,
  sub,
  sum,
  tan,
  tanh,
  tile,
  transpose,
  where,
} from "../../ops/index.js";
import { OnnxError } from "./errors.js";
import { type AttributeSpec, type NodeSpec, toNumber } from "./proto.js";
import { grafoType, tensorFromProto } from "./tensors.js";

/** Most elements a node may create from sizes written in the file (2²⁸: 1 GiB of float32). */
const MAX_CREATED = 2 ** 28;

/** What an op implementation knows of its node: attributes, the opset, and where to point errors. */
export class NodeContext {
  private readonly attrs: Map<string, AttributeSpec>;
  constructor(
    readonly node: NodeSpec,
    readonly opset: number,
    /** `node "name" (OpType)` for error messages. */
    readonly where: string,
  ) {
    this.attrs = new Map((node.attribute ?? []).map((a) => [a.name ?? "", a]));
  }

  error(message: string): OnnxError {
    return new OnnxError(`importOnnx: ${this.where}: ${message}`);
  }

  has(name: string): boolean {
    return this.attrs.has(name);
  }
  int(name: string, fallback: number): number {
    const a = this.attrs.get(name);
    return a ? toNumber(a.i) : fallback;
  }
  float(name: string, fallback: number): number {
    const a = this.attrs.get(name);
    return a ? (a.f ?? 0) : fallback;
  }
  ints(name: string): number[] | undefined {
    return this.attrs.get(name)?.ints?.map(toNumber);
  }
  string(name: string, fallback: string): string {
    const s = this.attrs.get(name)?.s;
    return s ? new TextDecoder().decode(s) : fallback;
  }
  attribute(name: string): AttributeSpec | undefined {
    return this.attrs.get(name);
  }

  /** Integer values of an input that must be known when the graph runs (a shape, axes, pads). */
  values(t: Tensor | undefined, what: string): number[] {
    if (!t) throw this.error(`input "${what}" is missing`);
    if (t._tracer)
      throw this.error(`input "${what}" must be a constant (it is computed from the inputs' values)`);
    if (t.rank > 1) throw this.error(`input "${what}" must be a list of integers, got shape [${t.shape}]`);
    return Array.from(t.data(), Number);
  }

  /**
   * A shape the file asks a node to create (Expand, Tile, ConstantOfShape):
   * its size comes from numbers in the file, not from bytes present, so it is
   * checked before anything of that size exists.
   */
  creates(shape: readonly number[]): readonly number[] {
    let size = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw this.error(`invalid dimension ${d} in shape [${shape}]`);
      size *= d;
    }
    if (size > MAX_CREATED)
      throw this.error(
        `shape [${shape}] has ${size} elements, more than grafo creates from a file (${MAX_CREATED})`,
      );
    return shape;
  }

  /** An input that must be present. */
  need(t: Tensor | undefined, what: string): Tensor {
    if (!t) throw this.error(`input "${what}" is missing`);
    return t;
  }
}

type Inputs = readonly (Tensor | undefined)[];
/** One ONNX operator in terms of grafo ops. */
export type OnnxOp = (inputs: Inputs, ctx: NodeContext) => Tensor | readonly Tensor[];

const unary =
  (f: (x: Tensor) => Tensor): OnnxOp =>
  ([x], c) =>
    f(c.need(x, "X"));
const binary =
  (f: (a: Tensor, b: Tensor) => Tensor): OnnxOp =>
  ([a, b], c) =>
    f(c.need(a, "A"), c.need(b, "B"));
const variadic =
  (f: (a: Tensor, b: Tensor) => Tensor): OnnxOp =>
  (ins, c) => {
    const ts = ins.filter((t): t is Tensor => t !== undefined);
    if (ts.length === 0) throw c.error("needs at least one input");
    return ts.reduce((acc, t) => f(acc, t));
  };

/** Resolves a possibly negative axis of a rank-`rank` tensor, naming the node when it is out of range. */
function axisOf(c: NodeContext, axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw c.error(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Axes of a reduction: the attribute (before opset 18, except ReduceSum) or the second input. */
function reduction(f: (x: Tensor, axes: number[], keep: boolean) => Tensor): OnnxOp {
  return ([x, axesIn], c) => {
    const t = c.need(x, "data");
    const given = c.ints("axes") ?? (axesIn ? c.values(axesIn, "axes") : []);
    const keep = c.int("keepdims", 1) === 1;
    if (given.length === 0 && c.int("noop_with_empty_axes", 0) === 1) return t;
    const axes = given.length === 0 ? [...t.shape.keys()] : given.map((a) => axisOf(c, a, t.rank));
    return f(t, axes, keep);
  };
}

/** Softmax-like ops: opset 13 works along one axis; before, on the input flattened to 2-D at `axis`. */
function softmaxLike(f: (x: Tensor, axis: number) => Tensor): OnnxOp {
  return ([x], c) => {
    const t = c.need(x, "input");
    if (c.opset >= 13) return f(t, axisOf(c, c.int("axis", -1), t.rank));
    const axis = axisOf(c, c.int("axis", 1), t.rank);
    const flat = reshape(t, [sizeOf(t.shape.slice(0, axis)), sizeOf(t.shape.slice(axis))]);
    return reshape(f(flat, 1), t.shape);
  };
}

/** Explicit [top, left, bottom, right] pads of a window op, from `pads` or `auto_pad`. */
function windowPads(
  c: NodeContext,
  x: Tensor,
  kernel: number[],
  stride: number[],
  dilation: number[],
): number[] {
  const auto = c.string("auto_pad", "NOTSET");
  if (auto === "NOTSET") {
    const pads = c.ints("pads") ?? [0, 0, 0, 0];
    if (pads.length !== 4 || pads.some((p) => p < 0))
      throw c.error(`pads [${pads}] must be 4 non-negative numbers`);
    return pads;
  }
  if (auto === "VALID") return [0, 0, 0, 0];
  if (auto !== "SAME_UPPER" && auto !== "SAME_LOWER") throw c.error(`auto_pad ${auto} is not supported`);
  const total = [0, 1].map((i) => {
    const size = x.shape[2 + i]!;
    const out = Math.ceil(size / stride[i]!);
    return Math.max(0, (out - 1) * stride[i]! + (kernel[i]! - 1) * dilation[i]! + 1 - size);
  });
  const small = total.map((t) => Math.floor(t / 2));
  const big = total.map((t, i) => t - small[i]!);
  return auto === "SAME_UPPER"
    ? [small[0]!, small[1]!, big[0]!, big[1]!]
    : [big[0]!, big[1]!, small[0]!, small[1]!];
}

/** 2-D window geometry of a Conv or pooling node on NCHW input. */
function window(c: NodeContext, x: Tensor, kernel: number[] | undefined) {
  if (x.rank !== 4)
    throw c.error(`only 2-D windows on NCHW input are supported, got input of shape [${x.shape}]`);
  if (kernel?.length !== 2) throw c.error(`kernel_shape [${kernel ?? ""}] must have 2 entries`);
  const stride = c.ints("strides") ?? [1, 1];
  const dilation = c.ints("dilations") ?? [1, 1];
  if (stride.length !== 2 || dilation.length !== 2)
    throw c.error("strides and dilations must have 2 entries");
  if (c.int("ceil_mode", 0) !== 0) throw c.error("ceil_mode 1 is not supported");
  const [pt, pl, pb, pr] = windowPads(c, x, kernel, stride, dilation) as [number, number, number, number];
  return { kernel, stride, dilation, pt, pl, pb, pr, symmetric: pt === pb && pl === pr };
}

/** Pads spatial axes explicitly (for asymmetric pads grafo's window ops do not take). */
function padSpatial(x: Tensor, pt: number, pl: number, pb: number, pr: number, value = 0): Tensor {
  return pad(
    x,
    [
      [0, 0],
      [0, 0],
      [pt, pb],
      [pl, pr],
    ],
    value,
  );
}

const pair = (v: number[]): [number, number] => [v[0]!, v[1]!];

function conv([x, w, b]: Inputs, c: NodeContext): Tensor {
  const input = c.need(x, "X");
  const weight = c.need(w, "W");
  if (c.int("group", 1) !== 1) throw c.error(`group ${c.int("group", 1)} is not supported (only 1)`);
  const g = window(c, input, c.ints("kernel_shape") ?? weight.shape.slice(2));
  const xp = g.symmetric ? input : padSpatial(input, g.pt, g.pl, g.pb, g.pr, 0);
  return conv2d(xp, weight, {
    stride: pair(g.stride),
    dilation: pair(g.dilation),
    padding: g.symmetric ? [g.pt, g.pl] : 0,
    ...(b && { bias: b }),
  });
}

function maxPool([x]: Inputs, c: NodeContext): Tensor {
  const input = c.need(x, "X");
  if (c.node.output && c.node.output.length > 1 && c.node.output[1])
    throw c.error("the Indices output is not supported");
  const g = window(c, input, c.ints("kernel_shape"));
  if (g.dilation.some((d) => d !== 1)) throw c.error("dilated pooling is not supported");
  // Padding never wins: padded entries are −∞ (chosen by a mask, as pad's fill arithmetic would make NaN of −∞).
  const real = () => greater(padSpatial(onesLike(input), g.pt, g.pl, g.pb, g.pr), 0);
  const xp = g.symmetric
    ? input
    : where(real(), padSpatial(input, g.pt, g.pl, g.pb, g.pr), Number.NEGATIVE_INFINITY);
  return maxPool2d(xp, {
    kernelSize: pair(g.kernel),
    stride: pair(g.stride),
    padding: g.symmetric ? [g.pt, g.pl] : 0,
  });
}

function averagePool([x]: Inputs, c: NodeContext): Tensor {
  const input = c.need(x, "X");
  const g = window(c, input, c.ints("kernel_shape"));
  if (g.dilation.some((d) => d !== 1)) throw c.error("dilated pooling is not supported");
  const includePad = c.int("count_include_pad", 0) === 1;
  const padded = !g.symmetric || includePad;
  if (!g.symmetric && !includePad)
    throw c.error("asymmetric pads that do not count towards the average are not supported");
  const xp = padded ? padSpatial(input, g.pt, g.pl, g.pb, g.pr, 0) : input;
  return avgPool2d(xp, {
    kernelSize: pair(g.kernel),
    stride: pair(g.stride),
    padding: padded ? 0 : [g.pt, g.pl],
  });
}

function gemm([a, b, cIn]: Inputs, c: NodeContext): Tensor {
  let x = c.need(a, "A");
  let y = c.need(b, "B");
  if (x.rank !== 2 || y.rank !== 2)
    throw c.error(`A and B must be matrices, got [${x.shape}] and [${y.shape}]`);
  if (c.int("transA", 0)) x = transpose(x);
  if (c.int("transB", 0)) y = transpose(y);
  const alpha = c.float("alpha", 1);
  const beta = c.float("beta", 1);
  let r = matmul(x, y);
  if (alpha !== 1) r = mul(r, alpha);
  if (cIn) r = add(r, beta === 1 ? cIn : mul(cIn, beta));
  return r;
}

function batchNorm([x, scale, bias, m, v]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "X");
  if (c.int("training_mode", 0) !== 0)
    throw c.error("training_mode 1 is not supported (export in eval mode)");
  const shape = t.shape.map((d, i) => (i === 1 ? d : 1));
  const per = (u: Tensor | undefined, what: string) => reshape(c.need(u, what), shape);
  const eps = c.float("epsilon", 1e-5);
  const normalized = div(sub(t, per(m, "input_mean")), sqrt(add(per(v, "input_var"), eps)));
  return add(mul(normalized, per(scale, "scale")), per(bias, "B"));
}

function reshapeOp([x, s]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "data");
  const allowZero = c.int("allowzero", 0) === 1;
  const shape = c.values(s, "shape").map((d, i) => {
    if (d !== 0 || allowZero) return d;
    if (i >= t.rank) throw c.error(`shape entry ${i} copies an axis the input [${t.shape}] does not have`);
    return t.shape[i]!;
  });
  return reshape(t, shape);
}

function sliceOp([x, s, e, a, st]: Inputs, c: NodeContext): Tensor {
  let t = c.need(x, "data");
  const starts = c.values(s, "starts");
  const ends = c.values(e, "ends");
  const axes = a ? c.values(a, "axes") : starts.map((_, i) => i);
  const steps = st ? c.values(st, "steps") : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
    throw c.error("starts, ends, axes and steps must have the same length");
  axes.forEach((ax, i) => {
    const axis = axisOf(c, ax, t.rank);
    const n = t.shape[axis]!;
    const step = steps[i]!;
    if (step === 0) throw c.error("a step of 0 is not allowed");
    const clampIndex = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + n : v));
    const idx: number[] = [];
    if (step > 0) {
      const from = clampIndex(starts[i]!, 0, n);
      const to = clampIndex(ends[i]!, 0, n);
      for (let k = from; k < to; k += step) idx.push(k);
    } else {
      const from = clampIndex(starts[i]!, -1, n - 1);
      const to = clampIndex(ends[i]!, -1, n - 1);
      for (let k = from; k > to; k += step) idx.push(k);
    }
    t =
      step === 1 || idx.length === 0
        ? slice(
            t,
            t.shape.map((_, j) => (j === axis ? (idx[0] ?? 0) : 0)),
            t.shape.map((d, j) => (j === axis ? idx.length : d)),
          )
        : gather(t, fromList(idx), axis);
  });
  return t;
}

/** A small int32 tensor of integers (indices). */
function fromList(values: readonly number[]): Tensor {
  return tensor(Int32Array.from(values));
}

function padOp([x, p, v, a]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "data");
  const mode = c.string("mode", "constant");
  if (mode !== "constant") throw c.error(`pad mode ${mode} is not supported (only constant)`);
  const pads = c.ints("pads") ?? c.values(p, "pads");
  const axes = a ? c.values(a, "axes").map((ax) => axisOf(c, ax, t.rank)) : [...t.shape.keys()];
  if (pads.length !== 2 * axes.length || pads.some((q) => q < 0))
    throw c.error(`pads [${pads}] must be ${2 * axes.length} non-negative numbers`);
  const value = v ? (c.values(v, "constant_value")[0] ?? 0) : c.float("value", 0);
  const widths = t.shape.map((): [number, number] => [0, 0]);
  axes.forEach((ax, i) => {
    widths[ax] = [pads[i]!, pads[i + axes.length]!];
  });
  return pad(t, widths, value);
}

function castOp([x]: Inputs, c: NodeContext): Tensor {
  return cast(c.need(x, "input"), grafoType(c.int("to", 0), `importOnnx: ${c.where}`));
}

/** Constant nodes' tensors, decoded once per node rather than on every run. */
const constantValues = new WeakMap<NodeSpec, Tensor>();

function constantOp(_: Inputs, c: NodeContext): Tensor {
  let value = constantValues.get(c.node);
  if (!value) {
    value = constantValue(c);
    constantValues.set(c.node, value);
  }
  return value;
}

function constantValue(c: NodeContext): Tensor {
  const t = c.attribute("value")?.t;
  if (t) return tensorFromProto(t, `importOnnx: ${c.where}`);
  if (c.has("value_float")) return full([], c.float("value_float", 0));
  if (c.has("value_int")) return full([], c.int("value_int", 0), "int32");
  const floats = c.attribute("value_floats")?.floats;
  if (floats) return tensor(Float32Array.from(floats));
  const ints = c.ints("value_ints");
  if (ints) return fromList(ints);
  throw c.error("has no value grafo reads (value, value_float(s), value_int(s))");
}

function squeezeOp([x, a]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "data");
  const axes = c.ints("axes") ?? (a ? c.values(a, "axes") : undefined);
  return squeeze(
    t,
    axes?.map((ax) => axisOf(c, ax, t.rank)),
  );
}

function unsqueezeOp([x, a]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "data");
  const given = c.ints("axes") ?? c.values(a, "axes");
  const rank = t.rank + given.length;
  const axes = given.map((ax) => axisOf(c, ax, rank)).sort((p, q) => p - q);
  return axes.reduce((acc, ax) => expandDims(acc, ax), t);
}

function expandOp([x, s]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "input");
  return broadcastTo(t, c.creates(broadcastShapes("Expand", t.shape, c.values(s, "shape"))));
}

function shapeOp([x]: Inputs, c: NodeContext): Tensor {
  const t = c.need(x, "data");
  const clamp = (v: number) => Math.max(0, Math.min(t.rank, v < 0 ? v + t.rank : v));
  const dims = t.shape.slice(clamp(c.int("start", 0)), clamp(c.int("end", t.rank)));
  return fromList(dims);
}

function argOp(f: (x: Tensor, axis: number) => Tensor): OnnxOp {
  return ([x], c) => {
    const t = c.need(x, "data");
    if (c.int("select_last_index", 0) !== 0) throw c.error("select_last_index 1 is not supported");
    const axis = axisOf(c, c.int("axis", 0), t.rank);
    const r = f(t, axis);
    return c.int("keepdims", 1) === 1 ? expandDims(r, axis) : r;
  };
}

function clipOp([x, lo, hi]: Inputs, c: NodeContext): Tensor {
  let t = c.need(x, "input");
  const low = lo ?? (c.has("min") ? c.float("min", 0) : undefined);
  const high = hi ?? (c.has("max") ? c.float("max", 0) : undefined);
  if (low !== undefined) t = maximum(t, low);
  if (high !== undefined) t = minimum(t, high);
  return t;
}

/** Every ONNX operator grafo imports, by op type. */
export const ONNX_OPS: Readonly<Record<string, OnnxOp>> = {
  Identity: unary((x) => x),
  Dropout: ([x], c) => c.need(x, "data"),
  Neg: unary(neg),
  Abs: unary(abs),
  Sign: unary(sign),
  Exp: unary(exp),
  Log: unary(log),
  Sqrt: unary(sqrt),
  Reciprocal: unary(reciprocal),
  Floor: unary(floor),
  Ceil: unary(ceil),
  Round: unary(round),
  Erf: unary(erf),
  Sin: unary(sin),
  Cos: unary(cos),
  Tan: unary(tan),
  Tanh: unary(tanh),
  Sigmoid: unary(sigmoid),
  Relu: unary(relu),
  Softplus: unary(softplus),
  LeakyRelu: ([x], c) => leakyRelu(c.need(x, "X"), c.float("alpha", 0.01)),
  Elu: ([x], c) => elu(c.need(x, "X"), c.float("alpha", 1)),
  IsNaN: unary(isNaN),
  IsInf: unary((x) => logicalAnd(logicalNot(isFinite(x)), logicalNot(isNaN(x)))),
  Not: unary(logicalNot),
  Add: binary(add),
  Sub: binary(sub),
  Mul: binary(mul),
  Div: binary(div),
  Pow: binary(pow),
  And: binary(logicalAnd),
  Or: binary(logicalOr),
  Equal: binary(equal),
  Less: binary(less),
  LessOrEqual: binary(lessEqual),
  Greater: binary(greater),
  GreaterOrEqual: binary(greaterEqual),
  Max: variadic(maximum),
  Min: variadic(minimum),
  Sum: variadic(add),
  Where: ([cond, a, b], c) => where(c.need(cond, "condition"), c.need(a, "X"), c.need(b, "Y")),
  Clip: clipOp,
  Cast: castOp,
  Softmax: softmaxLike(softmax),
  LogSoftmax: softmaxLike(logSoftmax),
  MatMul: binary(matmul),
  Gemm: gemm,
  Conv: conv,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: unary((x) => mean(x, [...x.shape.keys()].slice(2), true)),
  GlobalMaxPool: unary((x) => max(x, [...x.shape.keys()].slice(2), true)),
  BatchNormalization: batchNorm,
  Flatten: ([x], c) => {
    const t = c.need(x, "input");
    const axis = c.int("axis", 1);
    const a = axis < 0 ? axis + t.rank : axis;
    if (a < 0 || a > t.rank) throw c.error(`axis ${axis} is out of range for rank ${t.rank}`);
    return reshape(t, [sizeOf(t.shape.slice(0, a)), sizeOf(t.shape.slice(a))]);
  },
  Reshape: reshapeOp,
  Transpose: ([x], c) => {
    const t = c.need(x, "data");
    return transpose(
      t,
      c.ints("perm")?.map((p) => axisOf(c, p, t.rank)),
    );
  },
  Concat: (ins, c) => {
    const ts = ins.filter((t): t is Tensor => t !== undefined);
    if (ts.length === 0) throw c.error("needs at least one input");
    return concat(ts, axisOf(c, c.int("axis", 0), ts[0]!.rank));
  },
  Squeeze: squeezeOp,
  Unsqueeze: unsqueezeOp,
  Expand: expandOp,
  Shape: shapeOp,
  Gather: ([x, i], c) => {
    const t = c.need(x, "data");
    return gather(t, c.need(i, "indices"), axisOf(c, c.int("axis", 0), t.rank));
  },
  Slice: sliceOp,
  Pad: padOp,
  Tile: ([x, r], c) => {
    const t = c.need(x, "input");
    const reps = c.values(r, "repeats");
    c.creates(t.shape.map((d, i) => d * (reps[i] ?? 1)));
    return tile(t, reps);
  },
  Constant: constantOp,
  ConstantOfShape: ([s], c) => {
    const value = c.attribute("value")?.t;
    const v = value ? tensorFromProto(value, `importOnnx: ${c.where}`) : full([1], 0);
    return broadcastTo(reshape(v, []), c.creates(c.values(s, "input")));
  },
  ReduceSum: reduction(sum),
  ReduceMean: reduction(mean),
  ReduceMax: reduction(max),
  ReduceMin: reduction(min),
  ReduceProd: reduction(prod),
  ArgMax: argOp(argmax),
  ArgMin: argOp(argmin),
  CumSum: ([x, a], c) => {
    const t = c.need(x, "x");
    const axis = axisOf(c, c.values(a, "axis")[0] ?? 0, t.rank);
    return cumsum(t, axis, c.int("exclusive", 0) === 1, c.int("reverse", 0) === 1);
  },
};
