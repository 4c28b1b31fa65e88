/**
 * TensorFlow.js 4.22 as a peer: its pure-JS `cpu` backend and its `wasm`
 * backend (XNNPACK). The workloads mirror impl-grafo.ts op for op; training
 * uses `tf.valueAndGrads` over the parameter list and an SGD update inside
 * `tf.tidy`, disposing the previous parameters (TF.js has no GC of tensors).
 */
import { availableParallelism } from "node:os";
import { importPeer, peerVersion, quietly, reason } from "./peer.js";
import {
  type Array32,
  CNN,
  type Implementation,
  type Inputs,
  MLP,
  MLP_PARAMS,
  type NotApplicable,
  type Runner,
  unavailable,
  type WorkloadId,
  XOR,
  XOR_PARAMS,
} from "./workloads.js";

/** The part of a tf.Tensor the benchmark uses. */
interface TfTensor {
  dataSync(): Float32Array;
  dispose(): void;
}

type Operand = TfTensor | number;

/** The part of the `@tensorflow/tfjs` module the benchmark uses. */
interface Tf {
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  tensor(values: Float32Array, shape: number[], dtype: "float32"): TfTensor;
  tidy<T extends TfTensor | TfTensor[]>(fn: () => T): T;
  dispose(x: TfTensor | TfTensor[]): void;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: Operand, b: Operand): TfTensor;
  sub(a: Operand, b: Operand): TfTensor;
  mul(a: Operand, b: Operand): TfTensor;
  neg(a: TfTensor): TfTensor;
  exp(a: TfTensor): TfTensor;
  square(a: TfTensor): TfTensor;
  relu(a: TfTensor): TfTensor;
  sigmoid(a: TfTensor): TfTensor;
  softmax(a: TfTensor): TfTensor;
  logSoftmax(a: TfTensor): TfTensor;
  sum(a: TfTensor, axis: number): TfTensor;
  conv2d(x: TfTensor, filter: TfTensor, strides: number, pad: "valid"): TfTensor;
  maxPool(x: TfTensor, size: number, strides: number, pad: "valid"): TfTensor;
  reshape(x: TfTensor, shape: number[]): TfTensor;
  mean(a: TfTensor): TfTensor;
  valueAndGrads(
    f: (...args: TfTensor[]) => TfTensor,
  ): (args: TfTensor[]) => { value: TfTensor; grads: TfTensor[] };
}

interface TfWasm {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/** `a` (row-major, shape `shape`) with its axes permuted: out axis i is input axis perm[i]. */
function permute(a: Array32, perm: readonly number[]): Array32 {
  const shape = perm.map((p) => a.shape[p]!);
  const inStrides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(a.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < shape.length; i++) src += idx[i]! * inStrides[perm[i]!]!;
    out[o] = a.data[src]!;
    for (let i = shape.length - 1; i >= 0 && ++idx[i]! === shape[i]; i--) idx[i] = 0;
  }
  return { data: out, shape };
}

/**
 * The CNN's inputs in TF.js's layouts: images NHWC, filters HWIO, and the first
 * dense layer's rows reordered from grafo's channel-major flatten (c, h, w) to
 * NHWC's (h, w, c), so the network computes the same function.
 */
function cnnForTf(inputs: Inputs): { x: Array32; params: Array32[] } {
  const p = inputs.cnnInit;
  const c = CNN.channels[2];
  const w3 = p.w3;
  const rows = permute({ data: w3.data, shape: [c, 5, 5, CNN.hidden] }, [1, 2, 0, 3]);
  return {
    x: permute(inputs.cnnX, [0, 2, 3, 1]),
    params: [
      permute(p.c1, [2, 3, 1, 0]),
      p.cb1,
      permute(p.c2, [2, 3, 1, 0]),
      p.cb2,
      { data: rows.data, shape: w3.shape },
      p.b3,
      p.w4,
      p.b4,
    ],
  };
}

function runners(tf: Tf, id: WorkloadId, inputs: Inputs): Runner {
  const owned: TfTensor[] = [];
  const t = (a: Array32): TfTensor => {
    const x = tf.tensor(a.data, [...a.shape], "float32");
    owned.push(x);
    return x;
  };
  const dispose = (): void => tf.dispose(owned);
  // Each call's intermediates are freed by tidy; the result is read back, then freed.
  const once = (f: () => TfTensor) => (): Float32Array => {
    const out = tf.tidy(f);
    const data = out.dataSync();
    out.dispose();
    return data;
  };

  function mlpLogits(x: TfTensor, [w1, b1, w2, b2, w3, b3]: TfTensor[]): TfTensor {
    const h1 = tf.relu(tf.add(tf.matMul(x, w1!), b1!));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2!), b2!));
    return tf.add(tf.matMul(h2, w3!), b3!);
  }
  function cnnLogits(x: TfTensor, [c1, cb1, c2, cb2, w3, b3, w4, b4]: TfTensor[]): TfTensor {
    const block = (h: TfTensor, w: TfTensor, b: TfTensor) =>
      tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w, 1, "valid"), b)), 2, 2, "valid");
    const h = block(block(x, c1!, cb1!), c2!, cb2!);
    const flat = tf.reshape(h, [-1, CNN.channels[2] * 5 * 5]);
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, w3!), b3!)), w4!), b4!);
  }

  switch (id) {
    case "matmul1024":
    case "matmul128": {
      const [a, b] =
        id === "matmul1024" ? [t(inputs.a1024), t(inputs.b1024)] : [t(inputs.a128), t(inputs.b128)];
      const f = once(() => tf.matMul(a, b));
      return { check: f, run: f, dispose };
    }
    case "mlpForward":
    case "mlpForward1":
    case "mlpForward1024": {
      const [w1, b1, w2, b2, w3, b3] = MLP_PARAMS.map((k) => t(inputs.mlpInit[k]));
      const x = t(
        { mlpForward: inputs.mlpX, mlpForward1: inputs.mlpX1, mlpForward1024: inputs.mlpX1024 }[id],
      );
      const f = once(() => tf.softmax(mlpLogits(x, [w1!, b1!, w2!, b2!, w3!, b3!])));
      return { check: f, run: f, dispose };
    }
    case "cnnForward": {
      const cnn = cnnForTf(inputs);
      const x = t(cnn.x);
      const params = cnn.params.map(t);
      const f = once(() => tf.softmax(cnnLogits(x, params)));
      return { check: f, run: f, dispose };
    }
    case "mlpTrain":
    case "cnnTrain": {
      const cnn = id === "cnnTrain" ? cnnForTf(inputs) : undefined;
      const x = t(cnn ? cnn.x : inputs.mlpX);
      const y = t(cnn ? inputs.cnnY : inputs.mlpY);
      const logits = cnn ? cnnLogits : mlpLogits;
      const lr = cnn ? CNN.lr : MLP.lr;
      const vg = tf.valueAndGrads((...p) =>
        tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits(x, p)), y), -1))),
      );
      // Returns [loss, ...new params]; the old params stay the caller's to dispose.
      const step = (p: TfTensor[]): TfTensor[] =>
        tf.tidy(() => {
          const { value, grads } = vg(p);
          return [value, ...p.map((w, i) => tf.sub(w, tf.mul(grads[i]!, lr)))];
        });
      const initial = cnn ? cnn.params : MLP_PARAMS.map((k) => inputs.mlpInit[k]);
      const init = (): TfTensor[] => initial.map((a) => tf.tensor(a.data, [...a.shape], "float32"));
      let p = init();
      return {
        check: () => {
          const p0 = init();
          const [l0, ...p1] = step(p0);
          const [l1, ...p2] = step(p1);
          const out = [l0!.dataSync()[0]!, l1!.dataSync()[0]!];
          tf.dispose([...p0, l0!, ...p1, l1!, ...p2]);
          return out;
        },
        run: () => {
          const [loss, ...next] = step(p);
          loss!.dataSync();
          for (const w of next) w.dataSync();
          tf.dispose([loss!, ...p]);
          p = next;
        },
        dispose: () => {
          tf.dispose(p);
          dispose();
        },
      };
    }
    case "xor": {
      const x = t(inputs.xorX);
      const y = t(inputs.xorY);
      const vg = tf.valueAndGrads((w1, b1, w2, b2) => {
        const h = tf.sigmoid(tf.add(tf.matMul(x, w1!), b1!));
        return tf.mean(tf.square(tf.sub(tf.sigmoid(tf.add(tf.matMul(h, w2!), b2!)), y)));
      });
      const train = (): number[] => {
        let p = XOR_PARAMS.map((k) =>
          tf.tensor(inputs.xorInit[k].data, [...inputs.xorInit[k].shape], "float32"),
        );
        let first = 0;
        let last = 0;
        for (let i = 0; i < XOR.steps; i++) {
          const [loss, ...next] = tf.tidy(() => {
            const { value, grads } = vg(p);
            return [value, ...p.map((w, j) => tf.sub(w, tf.mul(grads[j]!, XOR.lr)))];
          });
          // Only the first and last losses are read: reading every step would time the readback.
          if (i === 0) first = loss!.dataSync()[0]!;
          if (i === XOR.steps - 1) last = loss!.dataSync()[0]!;
          tf.dispose([loss!, ...p]);
          p = next;
        }
        for (const w of p) w.dataSync();
        tf.dispose(p);
        return [first, last];
      };
      return { check: train, run: train, dispose };
    }
    case "exp": {
      const x = t(inputs.expX);
      const f = once(() => tf.add(tf.mul(tf.exp(x), 2), 1));
      return { check: f, run: f, dispose };
    }
  }
}

/** The `tfjs cpu` and `tfjs wasm` rows (or n/a rows with the reason when they cannot load). */
export async function tfjsImplementations(): Promise<Implementation[]> {
  const version = peerVersion("@tensorflow/tfjs");
  let tf: Tf;
  let wasm: TfWasm;
  try {
    tf = await importPeer<Tf>("@tensorflow/tfjs");
    wasm = await importPeer<TfWasm>("@tensorflow/tfjs-backend-wasm");
  } catch (e) {
    const why = `cannot load @tensorflow/tfjs: ${reason(e)}`;
    return [unavailable("tfjs cpu", false, why), unavailable("tfjs wasm", false, why)];
  }
  // Must precede the backend's initialisation; the Node build of tfjs-wasm runs one thread regardless.
  wasm.setThreadsCount(availableParallelism());
  const rows: Implementation[] = [];
  for (const backend of ["cpu", "wasm"]) {
    let details = `@tensorflow/tfjs ${version}, backend ${backend}`;
    try {
      await quietly(async () => {
        await tf.setBackend(backend);
        await tf.ready();
        // The cpu backend prints a hint about tfjs-node on its first tensor: spend it here.
        tf.dispose(tf.tensor(Float32Array.of(0), [1], "float32"));
      });
      if (backend === "wasm") details += `, ${wasm.getThreadsCount()} thread(s) (XNNPACK)`;
    } catch (e) {
      rows.push(unavailable(`tfjs ${backend}`, false, reason(e)));
      continue;
    }
    rows.push({
      name: `tfjs ${backend}`,
      isGrafo: false,
      details,
      prepare: async (id: WorkloadId, inputs: Inputs): Promise<Runner | NotApplicable> => {
        if (backend === "wasm" && id === "cnnTrain")
          return { na: "tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel (the gradient of conv2d)" };
        await quietly(() => tf.setBackend(backend));
        return runners(tf, id, inputs);
      },
    });
  }
  return rows;
}
