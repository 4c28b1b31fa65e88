/**
 * grafo in the peer benchmark: every backend `backends()` reports available,
 * each eager and (when `src/index.ts` exports `compile`) compiled.
 *
 * The workloads are written once, functionally, as a JAX user would: a loss
 * over a params object, `valueAndGrad`, and an SGD update made of tensor ops.
 * The compiled rows wrap these very functions in `compile`.
 */
import * as grafo from "../src/index.js";
import {
  type BackendName,
  backends,
  conv2d,
  logSoftmax,
  matmul,
  maxPool2d,
  relu,
  setBackend,
  sigmoid,
  softmax,
  type Tensor,
  tensor,
  valueAndGrad,
} from "../src/index.js";
import { importPeer } from "./peer.js";
import {
  type Array32,
  CNN,
  type CnnParams,
  type Implementation,
  type Inputs,
  isMlpForward,
  MLP,
  type MlpParams,
  type NotApplicable,
  type Runner,
  unavailable,
  type WorkloadId,
  XOR,
  type XorParams,
} from "./workloads.js";

type Mlp = MlpParams<Tensor>;
type Cnn = CnnParams<Tensor>;
type Xor = XorParams<Tensor>;
type Params = Readonly<Record<string, Tensor>>;

/** p − lr·g, leaf by leaf. */
function sgd<P extends Params>(p: P, g: P, lr: number): P {
  const out: Record<string, Tensor> = {};
  for (const k of Object.keys(p)) out[k] = p[k]!.sub(g[k]!.mul(lr));
  return out as P;
}

function mlpLogits(p: Mlp, x: Tensor): Tensor {
  const h1 = relu(matmul(x, p.w1).add(p.b1));
  const h2 = relu(matmul(h1, p.w2).add(p.b2));
  return matmul(h2, p.w3).add(p.b3);
}

/** Mean softmax cross-entropy against one-hot labels. */
function mlpLoss(p: Mlp, x: Tensor, y: Tensor): Tensor {
  return logSoftmax(mlpLogits(p, x)).mul(y).sum(-1).mean().neg();
}

function mlpStep(p: Mlp, x: Tensor, y: Tensor): [Tensor, Mlp] {
  const [loss, g] = valueAndGrad(mlpLoss)(p, x, y);
  return [loss, sgd(p, g, MLP.lr)];
}

function mlpForward(p: Mlp, x: Tensor): Tensor {
  return softmax(mlpLogits(p, x));
}

/** One convolution layer: 3×3 'valid' convolution with its bias, ReLU, 2×2 max-pooling. */
function convBlock(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return maxPool2d(relu(conv2d(x, w, { bias: b })), { kernelSize: 2 });
}

function cnnLogits(p: Cnn, x: Tensor): Tensor {
  const h = convBlock(convBlock(x, p.c1, p.cb1), p.c2, p.cb2);
  const flat = h.reshape([h.shape[0]!, -1]);
  return matmul(relu(matmul(flat, p.w3).add(p.b3)), p.w4).add(p.b4);
}

function cnnLoss(p: Cnn, x: Tensor, y: Tensor): Tensor {
  return logSoftmax(cnnLogits(p, x)).mul(y).sum(-1).mean().neg();
}

function cnnStep(p: Cnn, x: Tensor, y: Tensor): [Tensor, Cnn] {
  const [loss, g] = valueAndGrad(cnnLoss)(p, x, y);
  return [loss, sgd(p, g, CNN.lr)];
}

function cnnForward(p: Cnn, x: Tensor): Tensor {
  return softmax(cnnLogits(p, x));
}

function xorLoss(p: Xor, x: Tensor, y: Tensor): Tensor {
  const h = sigmoid(matmul(x, p.w1).add(p.b1));
  return sigmoid(matmul(h, p.w2).add(p.b2)).sub(y).square().mean();
}

function xorStep(p: Xor, x: Tensor, y: Tensor): [Tensor, Xor] {
  const [loss, g] = valueAndGrad(xorLoss)(p, x, y);
  return [loss, sgd(p, g, XOR.lr)];
}

const gemm = (a: Tensor, b: Tensor): Tensor => matmul(a, b);
const expAffine = (x: Tensor): Tensor => x.exp().mul(2).add(1);

/** `compile` keeps the call signature of the function it compiles. */
type Compile = <F extends (...args: never[]) => unknown>(fn: F) => F;

/** grafo's `compile` when this version exports it (a graph compiler is being added). */
export function findCompile(): Compile | undefined {
  const c = (grafo as unknown as Record<string, unknown>).compile;
  return typeof c === "function" ? (c as Compile) : undefined;
}

const toTensor = (a: Array32): Tensor => tensor(a.data, a.shape);

function toParams<K extends string>(init: Record<K, Array32>): Record<K, Tensor> {
  const out = {} as Record<K, Tensor>;
  for (const k of Object.keys(init) as K[]) out[k] = toTensor(init[k]);
  return out;
}

/** Reads every leaf back into JS memory (a backend may keep results elsewhere), without copying what is already there. */
function readAll(p: Params): void {
  for (const k of Object.keys(p)) p[k]!.readonlyData();
}

/** A training step's runner: checks the loss at the initial weights and after one step; each run takes one step. */
function trainRunner<P extends Params>(
  step: (p: P, x: Tensor, y: Tensor) => [Tensor, P],
  init: () => P,
  xs: Array32,
  ys: Array32,
): Runner {
  const x = toTensor(xs);
  const y = toTensor(ys);
  let p = init();
  return {
    check: () => {
      const [l0, p1] = step(init(), x, y);
      const [l1] = step(p1, x, y);
      return [l0.item(), l1.item()];
    },
    run: () => {
      const [loss, next] = step(p, x, y);
      loss.readonlyData();
      readAll(next);
      p = next;
    },
  };
}

/** The runners of one (backend, mode) pair; `wrap` is identity for eager, `compile` for compiled. */
function runner(id: WorkloadId, inputs: Inputs, wrap: Compile): Runner {
  if (isMlpForward(id)) {
    const f = wrap(mlpForward);
    const p = toParams(inputs.mlpInit);
    const x = toTensor(
      { mlpForward: inputs.mlpX, mlpForward1: inputs.mlpX1, mlpForward1024: inputs.mlpX1024 }[id],
    );
    return { check: () => f(p, x).data(), run: () => f(p, x).readonlyData() };
  }
  switch (id) {
    case "matmul1024":
    case "matmul128": {
      const [a, b] = id === "matmul1024" ? [inputs.a1024, inputs.b1024] : [inputs.a128, inputs.b128];
      const f = wrap(gemm);
      const ta = toTensor(a);
      const tb = toTensor(b);
      return { check: () => f(ta, tb).data(), run: () => f(ta, tb).readonlyData() };
    }
    case "mlpTrain":
      return trainRunner(wrap(mlpStep), () => toParams(inputs.mlpInit), inputs.mlpX, inputs.mlpY);
    case "cnnTrain":
      return trainRunner(wrap(cnnStep), () => toParams(inputs.cnnInit), inputs.cnnX, inputs.cnnY);
    case "cnnForward": {
      const f = wrap(cnnForward);
      const p = toParams(inputs.cnnInit);
      const x = toTensor(inputs.cnnX);
      return { check: () => f(p, x).data(), run: () => f(p, x).readonlyData() };
    }
    case "xor": {
      const step = wrap(xorStep);
      const x = toTensor(inputs.xorX);
      const y = toTensor(inputs.xorY);
      const train = (): number[] => {
        let p = toParams(inputs.xorInit);
        let first = 0;
        let loss = tensor(0);
        for (let i = 0; i < XOR.steps; i++) {
          [loss, p] = step(p, x, y);
          if (i === 0) first = loss.item();
        }
        readAll(p);
        return [first, loss.item()];
      };
      return { check: train, run: train };
    }
    case "exp": {
      const f = wrap(expAffine);
      const x = toTensor(inputs.expX);
      return { check: () => f(x).data(), run: () => f(x).readonlyData() };
    }
  }
}

/** The wasm backend's thread pool controls (an internal module, so imported by name, untyped). */
interface WasmThreads {
  wasmThreadsReady(): Promise<number>;
}

/**
 * Starts grafo's Wasm worker pool, so the first timed call is already parallel,
 * and says how many threads its large kernels use ("" when there is no pool).
 */
async function wasmThreads(): Promise<string> {
  try {
    const wasm = await importPeer<WasmThreads>("../src/backends/wasm/index.js");
    return `, ${await wasm.wasmThreadsReady()} thread(s) for large kernels`;
  } catch {
    return "";
  }
}

/** One row per available backend and mode. */
export async function grafoImplementations(): Promise<Implementation[]> {
  const compile = findCompile();
  const identity: Compile = (fn) => fn;
  const rows: Implementation[] = [];
  // js first: it is the reference every other result is checked against.
  const available = backends().filter((b) => b.available);
  available.sort((a, b) => Number(b.name === "js") - Number(a.name === "js"));
  for (const b of available) {
    const name: BackendName = b.name;
    const threads = name === "wasm" ? await wasmThreads() : "";
    const row = (mode: string, wrap: Compile): Implementation => ({
      name: `grafo ${name} ${mode}`,
      isGrafo: true,
      details: `grafo (this checkout), backend ${name}${threads}, ${mode}`,
      prepare: async (id: WorkloadId, inputs: Inputs): Promise<Runner | NotApplicable> => {
        setBackend(name);
        const r = runner(id, inputs, wrap);
        // Every call re-selects the backend: another grafo row may have switched it meanwhile.
        return {
          check: () => {
            setBackend(name);
            return r.check();
          },
          run: () => {
            setBackend(name);
            return r.run();
          },
        };
      },
    });
    rows.push(row("eager", identity));
    rows.push(
      compile
        ? row("compiled", compile)
        : unavailable(`grafo ${name} compiled`, true, "compile is not exported by src/index.ts yet"),
    );
  }
  return rows;
}
