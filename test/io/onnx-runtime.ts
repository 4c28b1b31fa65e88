import * as ort from "onnxruntime-web";
import { type DType, type Tensor, tensor } from "../../src/index.js";

// onnxruntime-web in Node: the single-threaded wasm backend (no worker threads to start).
ort.env.wasm.numThreads = 1;

const ORT_TYPE: Record<DType, "float32" | "float64" | "int32" | "bool"> = {
  float32: "float32",
  float64: "float64",
  int32: "int32",
  bool: "bool",
};

/** Runs ONNX bytes in onnxruntime-web on grafo tensors (inputs in the graph's order) and returns grafo tensors. */
export async function runOrt(bytes: Uint8Array, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const t = inputs[i]!;
    const data = t.dtype === "bool" ? Uint8Array.from(t.data(), (v) => (v ? 1 : 0)) : t.data();
    feeds[name] = new ort.Tensor(ORT_TYPE[t.dtype], data as Float32Array, [...t.shape]);
  });
  const results = await session.run(feeds);
  await session.release();
  return session.outputNames.map((name) => {
    const r = results[name]!;
    // int64 results (ArgMax, Shape) come back as int32, as grafo imports them.
    const dtype =
      r.type === "int64" ? "int32" : (Object.keys(ORT_TYPE) as DType[]).find((d) => ORT_TYPE[d] === r.type);
    if (!dtype) throw new Error(`onnxruntime returned a ${r.type} tensor`);
    const data = Array.from(r.data as ArrayLike<number | boolean | bigint>, Number);
    return tensor(data, [...r.dims], { dtype });
  });
}

/** Largest absolute difference of two tensors of the same shape. */
export function maxDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: [${a.shape}] vs [${b.shape}]`);
  const x = a.data();
  const y = b.data();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
