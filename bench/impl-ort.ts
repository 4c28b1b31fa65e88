/**
 * onnxruntime-node as a peer, on its CPU execution provider with 2 intra-op
 * threads. It runs inference graphs only (no autodiff), so it takes part in
 * the matmuls, the MLP forward passes and the elementwise workload, each a
 * model written by onnx-model.ts.
 */
import { ONNX_IR_VERSION, ONNX_OPSET, type OnnxGraph, onnxModel } from "./onnx-model.js";
import { importPeer, peerVersion, reason } from "./peer.js";
import {
  type Array32,
  CNN,
  CNN_PARAMS,
  EXP_N,
  type Implementation,
  type Inputs,
  MLP,
  MLP_PARAMS,
  type NotApplicable,
  type Runner,
  unavailable,
  type WorkloadId,
} from "./workloads.js";

/** The part of an ort.Tensor the benchmark uses. */
interface OrtTensor {
  readonly data: Float32Array;
}

interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The part of the `onnxruntime-node` module the benchmark uses. */
interface Ort {
  InferenceSession: {
    create(
      model: Uint8Array,
      options: { intraOpNumThreads: number; interOpNumThreads: number; graphOptimizationLevel: "all" },
    ): Promise<OrtSession>;
  };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** Intra-op threads: the cores of the machine the README's figures come from. */
const THREADS = 2;

const value = (name: string, shape: readonly number[]) => ({ name, shape });

/** The ONNX graph of a workload, with the arrays to feed each run; undefined where ONNX does not apply. */
function graphFor(
  id: WorkloadId,
  inputs: Inputs,
): { graph: OnnxGraph; feeds: Record<string, Array32> } | undefined {
  switch (id) {
    case "matmul1024":
    case "matmul128": {
      const [a, b] = id === "matmul1024" ? [inputs.a1024, inputs.b1024] : [inputs.a128, inputs.b128];
      const m = a.shape[0]!;
      const n = b.shape[1]!;
      return {
        graph: {
          name: id,
          nodes: [{ op: "MatMul", inputs: ["A", "B"], outputs: ["C"] }],
          inputs: [value("A", a.shape), value("B", b.shape)],
          outputs: [value("C", [m, n])],
        },
        feeds: { A: a, B: b },
      };
    }
    case "mlpForward":
    case "mlpForward1":
    case "mlpForward1024": {
      const x = { mlpForward: inputs.mlpX, mlpForward1: inputs.mlpX1, mlpForward1024: inputs.mlpX1024 }[id];
      const layer = (i: number, input: string, act: "Relu" | "Softmax") => [
        { op: "MatMul", inputs: [input, `w${i}`], outputs: [`z${i}`] },
        { op: "Add", inputs: [`z${i}`, `b${i}`], outputs: [`a${i}`] },
        act === "Relu"
          ? { op: "Relu", inputs: [`a${i}`], outputs: [`h${i}`] }
          : { op: "Softmax", inputs: [`a${i}`], outputs: ["probs"], attributes: { axis: -1 } },
      ];
      return {
        graph: {
          name: "mlp_forward",
          nodes: [...layer(1, "x", "Relu"), ...layer(2, "h1", "Relu"), ...layer(3, "h2", "Softmax")],
          inputs: [value("x", x.shape)],
          outputs: [value("probs", [x.shape[0]!, MLP.sizes[3]])],
          initializers: MLP_PARAMS.map((k) => ({ name: k, ...inputs.mlpInit[k] })),
        },
        feeds: { x },
      };
    }
    case "cnnForward": {
      const x = inputs.cnnX;
      const n = x.shape[0]!;
      const block = (i: number, input: string, out: string) => [
        { op: "Conv", inputs: [input, `c${i}`, `cb${i}`], outputs: [`conv${i}`] },
        { op: "Relu", inputs: [`conv${i}`], outputs: [`relu${i}`] },
        {
          op: "MaxPool",
          inputs: [`relu${i}`],
          outputs: [out],
          attributes: { kernel_shape: [2, 2], strides: [2, 2] },
        },
      ];
      return {
        graph: {
          name: "cnn_forward",
          nodes: [
            ...block(1, "x", "p1"),
            ...block(2, "p1", "p2"),
            { op: "Reshape", inputs: ["p2", "flat_shape"], outputs: ["flat"] },
            { op: "MatMul", inputs: ["flat", "w3"], outputs: ["z3"] },
            { op: "Add", inputs: ["z3", "b3"], outputs: ["a3"] },
            { op: "Relu", inputs: ["a3"], outputs: ["h3"] },
            { op: "MatMul", inputs: ["h3", "w4"], outputs: ["z4"] },
            { op: "Add", inputs: ["z4", "b4"], outputs: ["a4"] },
            { op: "Softmax", inputs: ["a4"], outputs: ["probs"], attributes: { axis: -1 } },
          ],
          inputs: [value("x", x.shape)],
          outputs: [value("probs", [n, CNN.classes])],
          initializers: CNN_PARAMS.map((k) => ({ name: k, ...inputs.cnnInit[k] })),
          int64Initializers: [{ name: "flat_shape", data: [n, -1] }],
        },
        feeds: { x },
      };
    }
    case "exp":
      return {
        graph: {
          name: "exp_affine",
          nodes: [
            { op: "Exp", inputs: ["x"], outputs: ["e"] },
            { op: "Mul", inputs: ["e", "two"], outputs: ["m"] },
            { op: "Add", inputs: ["m", "one"], outputs: ["y"] },
          ],
          inputs: [value("x", [EXP_N])],
          outputs: [value("y", [EXP_N])],
          initializers: [
            { name: "two", shape: [], data: Float32Array.of(2) },
            { name: "one", shape: [], data: Float32Array.of(1) },
          ],
        },
        feeds: { x: inputs.expX },
      };
    default:
      return undefined;
  }
}

/** The `onnxruntime` row. */
export async function ortImplementations(): Promise<Implementation[]> {
  let ort: Ort;
  try {
    ort = await importPeer<Ort>("onnxruntime-node");
  } catch (e) {
    return [unavailable("onnxruntime", false, `cannot load onnxruntime-node: ${reason(e)}`)];
  }
  const details = `onnxruntime-node ${peerVersion("onnxruntime-node")}, CPU provider, ${THREADS} intra-op threads, models written by onnx-model.ts (IR ${ONNX_IR_VERSION}, opset ${ONNX_OPSET})`;
  return [
    {
      name: "onnxruntime",
      isGrafo: false,
      details,
      prepare: async (id: WorkloadId, inputs: Inputs): Promise<Runner | NotApplicable> => {
        const spec = graphFor(id, inputs);
        if (!spec) return { na: "inference only: onnxruntime-node has no autodiff" };
        const session = await ort.InferenceSession.create(onnxModel(spec.graph), {
          intraOpNumThreads: THREADS,
          interOpNumThreads: 1,
          graphOptimizationLevel: "all",
        });
        const feeds: Record<string, OrtTensor> = {};
        for (const [k, a] of Object.entries(spec.feeds))
          feeds[k] = new ort.Tensor("float32", a.data, a.shape);
        const output = spec.graph.outputs[0]!.name;
        // The output tensor's data is already a Float32Array in JS memory: reading it is the readback.
        const once = async (): Promise<Float32Array> => (await session.run(feeds))[output]!.data;
        return { check: once, run: once, dispose: () => void session.release() };
      },
    },
  ];
}
