/**
 * Each ONNX operator importOnnx reads, checked against onnxruntime on a
 * one-node model built here with the protobuf classes directly (not with
 * grafo's exporter), so the import is checked against the ONNX semantics
 * onnxruntime implements, attributes and edge cases included.
 */
import pkg from "onnx-proto";
import { describe, expect, test } from "vitest";
import { greater, importOnnx, random, type Tensor, tensor } from "../../src/index.js";
import { maxDiff, runOrt } from "./onnx-runtime.js";

const { onnx } = pkg;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
type Attr = NonNullable<Parameters<typeof onnx.AttributeProto.create>[0]>;

const key = random.key(3);
let draws = 0;
const normal = (...shape: number[]) => random.normal(random.split(key, ++draws + 1)[draws]!, shape);

const ints = (name: string, values: number[]): Attr => ({ name, type: A.INTS, ints: values });
const int = (name: string, i: number): Attr => ({ name, type: A.INT, i });
const float = (name: string, f: number): Attr => ({ name, type: A.FLOAT, f });
const str = (name: string, s: string): Attr => ({ name, type: A.STRING, s: new TextEncoder().encode(s) });

/** A constant input: int64 (shapes, axes, indices) from a number list, or a grafo tensor. */
type Const = number[] | { int64Scalar: number } | Tensor;

const elem = (t: Tensor) => ({ float32: T.FLOAT, float64: T.DOUBLE, int32: T.INT32, bool: T.BOOL })[t.dtype];

function initializer(name: string, c: Const) {
  if (Array.isArray(c)) return { name, dims: [c.length], dataType: T.INT64, int64Data: c };
  if ("int64Scalar" in c) return { name, dims: [], dataType: T.INT64, int64Data: [c.int64Scalar] };
  const data = c.data();
  if (c.dtype === "float32")
    return { name, dims: [...c.shape], dataType: T.FLOAT, floatData: Array.from(data) };
  return { name, dims: [...c.shape], dataType: elem(c), int32Data: Array.from(data) };
}

/** A model of one node: data inputs fed at run time, then constant inputs ("" skips an optional one). */
function oneNode(op: string, data: Tensor[], consts: (Const | "")[], attrs: Attr[] = [], opset = 17) {
  const inputs = data.map((t, i) => ({
    name: `x${i}`,
    type: { tensorType: { elemType: elem(t), shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
  }));
  const constNames = consts.map((c, i) => (c === "" ? "" : `c${i}`));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: op,
      node: [
        {
          opType: op,
          name: `the_${op}`,
          input: [...inputs.map((v) => v.name), ...constNames],
          output: ["y"],
          attribute: attrs,
        },
      ],
      initializer: consts.flatMap((c, i) => (c === "" ? [] : [initializer(`c${i}`, c)])),
      input: inputs,
      output: [{ name: "y" }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const pos = (...shape: number[]) =>
  normal(...shape)
    .abs()
    .add(0.1);

const cases: [string, string, Tensor[], (Const | "")[], Attr[]][] = [
  [
    "Gemm transB, alpha, beta",
    "Gemm",
    [normal(3, 4)],
    [normal(5, 4), normal(5)],
    [int("transB", 1), float("alpha", 0.5), float("beta", 2)],
  ],
  ["Gemm transA", "Gemm", [normal(4, 3)], [normal(4, 5)], [int("transA", 1)]],
  ["MatMul batched", "MatMul", [normal(2, 3, 4)], [normal(2, 4, 5)], []],
  [
    "Conv, stride 2, asymmetric pads, bias",
    "Conv",
    [normal(2, 2, 7, 7)],
    [normal(3, 2, 3, 3), normal(3)],
    [ints("strides", [2, 2]), ints("pads", [1, 0, 2, 1])],
  ],
  [
    "Conv, dilation 2",
    "Conv",
    [normal(1, 2, 8, 8)],
    [normal(2, 2, 3, 3)],
    [ints("dilations", [2, 2]), ints("pads", [1, 1, 1, 1])],
  ],
  [
    "Conv, auto_pad SAME_UPPER",
    "Conv",
    [normal(1, 2, 6, 6)],
    [normal(2, 2, 3, 3)],
    [str("auto_pad", "SAME_UPPER"), ints("strides", [2, 2])],
  ],
  [
    "MaxPool, pads, stride 2",
    "MaxPool",
    [normal(2, 3, 7, 7)],
    [],
    [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), ints("pads", [1, 1, 1, 1])],
  ],
  [
    "MaxPool, asymmetric pads, default stride 1",
    "MaxPool",
    [normal(1, 2, 5, 5)],
    [],
    [ints("kernel_shape", [2, 2]), ints("pads", [0, 0, 1, 1])],
  ],
  [
    "AveragePool, padding not counted",
    "AveragePool",
    [normal(2, 3, 7, 7)],
    [],
    [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), ints("pads", [1, 1, 1, 1])],
  ],
  [
    "AveragePool, count_include_pad",
    "AveragePool",
    [normal(1, 2, 6, 6)],
    [],
    [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1]), int("count_include_pad", 1)],
  ],
  ["GlobalAveragePool", "GlobalAveragePool", [normal(2, 3, 4, 5)], [], []],
  ["GlobalMaxPool", "GlobalMaxPool", [normal(2, 3, 4, 5)], [], []],
  [
    "BatchNormalization",
    "BatchNormalization",
    [normal(2, 3, 4, 4)],
    [normal(3), normal(3), normal(3), pos(3)],
    [float("epsilon", 1e-3)],
  ],
  ["Flatten axis 2", "Flatten", [normal(2, 3, 4, 5)], [], [int("axis", 2)]],
  ["Reshape with 0 and -1", "Reshape", [normal(2, 3, 4)], [[0, -1, 2]], []],
  ["Transpose", "Transpose", [normal(2, 3, 4)], [], [ints("perm", [2, 0, 1])]],
  ["Transpose, default reverses", "Transpose", [normal(2, 3, 4)], [], []],
  ["Concat", "Concat", [normal(2, 3), normal(2, 2)], [], [int("axis", -1)]],
  [
    "Slice, negative indices and steps",
    "Slice",
    [normal(5, 7)],
    [
      [1, -1],
      [4, -8],
      [0, 1],
      [1, -2],
    ],
    [],
  ],
  ["Slice, ends past the end", "Slice", [normal(5, 7)], [[2], [1000000], [1]], []],
  ["Pad, constant value", "Pad", [normal(2, 3)], [[0, 1, 2, 0], tensor(0.5)], []],
  ["Squeeze", "Squeeze", [normal(2, 1, 3, 1)], [[1, -1]], []],
  ["Unsqueeze", "Unsqueeze", [normal(2, 3)], [[0, 3]], []],
  ["Expand", "Expand", [normal(3, 1)], [[2, 3, 4]], []],
  ["Gather", "Gather", [normal(3, 5)], [[4, 0, -1]], [int("axis", 1)]],
  ["Tile", "Tile", [normal(2, 3)], [[2, 1]], []],
  ["ReduceSum, axes input, keepdims 0", "ReduceSum", [normal(2, 3, 4)], [[0, 2]], [int("keepdims", 0)]],
  ["ReduceMean, axes attribute", "ReduceMean", [normal(2, 3, 4)], [], [ints("axes", [1])]],
  ["ReduceMax, all axes", "ReduceMax", [normal(2, 3, 4)], [], []],
  ["ReduceMin", "ReduceMin", [normal(2, 3, 4)], [], [ints("axes", [-1]), int("keepdims", 0)]],
  ["ReduceProd", "ReduceProd", [normal(2, 3)], [], [ints("axes", [1])]],
  ["ArgMax keepdims", "ArgMax", [normal(3, 4)], [], [int("axis", 1)]],
  ["ArgMin", "ArgMin", [normal(3, 4)], [], [int("axis", 0), int("keepdims", 0)]],
  ["CumSum reverse", "CumSum", [normal(3, 4)], [{ int64Scalar: 1 }], [int("reverse", 1)]],
  ["Softmax axis 1", "Softmax", [normal(2, 3, 4)], [], [int("axis", 1)]],
  ["LogSoftmax", "LogSoftmax", [normal(2, 5)], [], []],
  ["Clip with min and max inputs", "Clip", [normal(3, 4)], [tensor(-0.5), tensor(0.7)], []],
  ["Where", "Where", [greater(normal(3, 4), 0), normal(3, 4), normal(1, 4)], [], []],
  ["Cast to double", "Cast", [normal(3, 4)], [], [int("to", T.DOUBLE)]],
  ["Cast to int32 truncates", "Cast", [normal(3, 4).mul(3)], [], [int("to", T.INT32)]],
  ["Add broadcasting", "Add", [normal(2, 3, 4), normal(3, 1)], [], []],
  ["Sub", "Sub", [normal(3, 4), normal(4)], [], []],
  ["Mul", "Mul", [normal(3, 4), normal(3, 1)], [], []],
  ["Div", "Div", [normal(3, 4), pos(3, 4)], [], []],
  ["Pow", "Pow", [pos(3, 4), normal(3, 4)], [], []],
  ["Max, three inputs", "Max", [normal(3, 4), normal(3, 4), normal(4)], [], []],
  ["Equal", "Equal", [normal(3, 4).round(), normal(3, 4).round()], [], []],
  ["LessOrEqual", "LessOrEqual", [normal(3, 4), normal(3, 4)], [], []],
  ["Relu", "Relu", [normal(3, 4)], [], []],
  ["LeakyRelu", "LeakyRelu", [normal(3, 4)], [], [float("alpha", 0.1)]],
  ["Elu", "Elu", [normal(3, 4)], [], [float("alpha", 0.7)]],
  ["Sigmoid", "Sigmoid", [normal(3, 4)], [], []],
  ["Tanh", "Tanh", [normal(3, 4)], [], []],
  ["Exp", "Exp", [normal(3, 4)], [], []],
  ["Log", "Log", [pos(3, 4)], [], []],
  ["Sqrt", "Sqrt", [pos(3, 4)], [], []],
  ["Erf", "Erf", [normal(3, 4)], [], []],
  ["Neg", "Neg", [normal(3, 4)], [], []],
  ["Abs", "Abs", [normal(3, 4)], [], []],
  ["Reciprocal", "Reciprocal", [pos(3, 4)], [], []],
  ["Softplus", "Softplus", [normal(3, 4)], [], []],
  ["Round (half to even)", "Round", [tensor([0.5, 1.5, 2.5, -0.5, -1.5, 0.49])], [], []],
  ["Identity", "Identity", [normal(3, 4)], [], []],
  ["Shape with start and end", "Shape", [normal(2, 3, 4, 5)], [], [int("start", 1), int("end", -1)]],
  [
    "ConstantOfShape",
    "ConstantOfShape",
    [],
    [[2, 3]],
    [{ name: "value", type: A.TENSOR, t: { dims: [1], dataType: T.FLOAT, floatData: [2.5] } }],
  ],
  [
    "Constant (value_floats)",
    "Constant",
    [],
    [],
    [{ name: "value_floats", type: A.FLOATS, floats: [1.5, -2, 3] }],
  ],
  ["Sum, three inputs", "Sum", [normal(3, 4), normal(3, 4), normal(1, 4)], [], []],
  ["Min", "Min", [normal(3, 4), normal(3, 4)], [], []],
  ["Greater", "Greater", [normal(3, 4), normal(3, 4)], [], []],
  ["Less", "Less", [normal(3, 4), normal(4)], [], []],
  ["GreaterOrEqual", "GreaterOrEqual", [normal(3, 4).round(), normal(3, 4).round()], [], []],
  ["And", "And", [greater(normal(3, 4), 0), greater(normal(3, 4), 0)], [], []],
  ["Or", "Or", [greater(normal(3, 4), 0), greater(normal(3, 4), 0)], [], []],
  ["Not", "Not", [greater(normal(3, 4), 0)], [], []],
  ["IsNaN", "IsNaN", [tensor([0, Number.NaN, Number.POSITIVE_INFINITY, -1])], [], []],
  ["IsInf", "IsInf", [tensor([0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])], [], []],
  ["Sign", "Sign", [tensor([-2, 0, 3])], [], []],
  ["Floor", "Floor", [normal(3, 4).mul(3)], [], []],
  ["Ceil", "Ceil", [normal(3, 4).mul(3)], [], []],
  ["Sin", "Sin", [normal(3, 4)], [], []],
  ["Cos", "Cos", [normal(3, 4)], [], []],
  ["Tan", "Tan", [normal(3, 4)], [], []],
  ["Dropout (inference)", "Dropout", [normal(3, 4)], [], []],
];

describe("importOnnx agrees with onnxruntime op by op", () => {
  for (const [name, op, data, consts, attrs] of cases) {
    test(name, async () => {
      const bytes = oneNode(op, data, consts, attrs);
      const [want] = await runOrt(bytes, data);
      const got = importOnnx(bytes).runAll(data)[0]!;
      expect(got.dtype).toBe(want!.dtype);
      expect(maxDiff(got, want!)).toBeLessThan(1e-5);
    });
  }

  test("Softmax before opset 13 works on the input flattened at its axis", async () => {
    const x = normal(2, 3, 4);
    const bytes = oneNode("Softmax", [x], [], [int("axis", 1)], 11);
    const [want] = await runOrt(bytes, [x]);
    expect(maxDiff(importOnnx(bytes).runAll([x])[0]!, want!)).toBeLessThan(1e-6);
  });
});
