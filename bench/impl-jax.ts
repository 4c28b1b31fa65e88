/**
 * jax-js 0.1.25 as a peer, on its `wasm` device: eager, and with `jit` (which
 * fuses and caches kernels). jax-js frees memory by reference counting: every
 * function consumes its array arguments, so an array used again later is
 * passed as `x.ref`, and `dataSync()` consumes the array it reads.
 */
import { importPeer, peerVersion, reason } from "./peer.js";
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

/** The part of a jax-js Array the benchmark uses. */
interface JArray {
  /** Adds one reference and returns the same array. */
  readonly ref: JArray;
  add(o: JArray | number): JArray;
  sub(o: JArray | number): JArray;
  mul(o: JArray | number): JArray;
  neg(): JArray;
  reshape(shape: number[]): JArray;
  dataSync(): Float32Array;
  dispose(): void;
}

type Fn = (...args: never[]) => unknown;

/** The part of the `@jax-js/jax` module the benchmark uses. */
interface Jax {
  init(...devices: string[]): Promise<string[]>;
  defaultDevice(device?: string): string;
  numpy: {
    array(values: Float32Array): JArray;
    matmul(a: JArray, b: JArray): JArray;
    exp(a: JArray): JArray;
    square(a: JArray): JArray;
    sum(a: JArray, axis?: number): JArray;
    mean(a: JArray): JArray;
    max(a: JArray): JArray;
  };
  lax: {
    conv(lhs: JArray, rhs: JArray, windowStrides: number[], padding: "VALID"): JArray;
    reduceWindow(x: JArray, f: (window: JArray) => JArray, dims: number[], strides: number[]): JArray;
  };
  nn: {
    relu(a: JArray): JArray;
    sigmoid(a: JArray): JArray;
    softmax(a: JArray, axis?: number): JArray;
    logSoftmax(a: JArray, axis?: number): JArray;
  };
  valueAndGrad<P, A extends unknown[]>(f: (p: P, ...rest: A) => JArray): (p: P, ...rest: A) => [JArray, P];
  jit<F extends Fn>(f: F): F & { dispose(): void };
  tree: { ref<T>(t: T): T; dispose(t: unknown): void };
  blockUntilReady<T>(t: T): Promise<T>;
}

type Mlp = MlpParams<JArray>;
type Cnn = CnnParams<JArray>;
type Xor = XorParams<JArray>;
type Params = Readonly<Record<string, JArray>>;

function workloads(jax: Jax) {
  const { numpy: np, nn } = jax;
  // p − lr·g; consumes p and g, as jax-js functions do.
  const sgd = <P extends Params>(p: P, g: P, lr: number): P => {
    const out: Record<string, JArray> = {};
    for (const k of Object.keys(p)) out[k] = p[k]!.sub(g[k]!.mul(lr));
    return out as P;
  };
  const logits = (p: Mlp, x: JArray): JArray => {
    const h1 = nn.relu(np.matmul(x, p.w1).add(p.b1));
    const h2 = nn.relu(np.matmul(h1, p.w2).add(p.b2));
    return np.matmul(h2, p.w3).add(p.b3);
  };
  const mlpLoss = (p: Mlp, x: JArray, y: JArray): JArray =>
    np.mean(np.sum(nn.logSoftmax(logits(p, x), -1).mul(y), -1)).neg();
  // 3×3 'valid' convolution (NCHW, OIHW) with its bias, ReLU, 2×2 max-pooling.
  const convBlock = (x: JArray, w: JArray, b: JArray, channels: number): JArray => {
    const h = nn.relu(jax.lax.conv(x, w, [1, 1], "VALID").add(b.reshape([1, channels, 1, 1])));
    return jax.lax.reduceWindow(h, (win) => np.max(win), [1, 1, 2, 2], [1, 1, 2, 2]);
  };
  const cnnLogits = (p: Cnn, x: JArray): JArray => {
    const [, c1, c2] = CNN.channels;
    const h = convBlock(convBlock(x, p.c1, p.cb1, c1), p.c2, p.cb2, c2).reshape([CNN.batch, c2 * 5 * 5]);
    return np.matmul(nn.relu(np.matmul(h, p.w3).add(p.b3)), p.w4).add(p.b4);
  };
  const cnnLoss = (p: Cnn, x: JArray, y: JArray): JArray =>
    np.mean(np.sum(nn.logSoftmax(cnnLogits(p, x), -1).mul(y), -1)).neg();
  const xorLoss = (p: Xor, x: JArray, y: JArray): JArray => {
    const h = nn.sigmoid(np.matmul(x, p.w1).add(p.b1));
    return np.mean(np.square(nn.sigmoid(np.matmul(h, p.w2).add(p.b2)).sub(y)));
  };
  return {
    gemm: (a: JArray, b: JArray): JArray => np.matmul(a, b),
    expAffine: (x: JArray): JArray => np.exp(x).mul(2).add(1),
    mlpForward: (p: Mlp, x: JArray): JArray => nn.softmax(logits(p, x), -1),
    cnnForward: (p: Cnn, x: JArray): JArray => nn.softmax(cnnLogits(p, x), -1),
    cnnStep: (p: Cnn, x: JArray, y: JArray): [JArray, Cnn] => {
      const [loss, g] = jax.valueAndGrad(cnnLoss)(jax.tree.ref(p), x, y);
      return [loss, sgd(p, g, CNN.lr)];
    },
    // The params are used twice (loss and update), hence one extra reference each.
    mlpStep: (p: Mlp, x: JArray, y: JArray): [JArray, Mlp] => {
      const [loss, g] = jax.valueAndGrad(mlpLoss)(jax.tree.ref(p), x, y);
      return [loss, sgd(p, g, MLP.lr)];
    },
    xorStep: (p: Xor, x: JArray, y: JArray): [JArray, Xor] => {
      const [loss, g] = jax.valueAndGrad(xorLoss)(jax.tree.ref(p), x, y);
      return [loss, sgd(p, g, XOR.lr)];
    },
  };
}

function runners(jax: Jax, jit: boolean, id: WorkloadId, inputs: Inputs): Runner {
  const w = workloads(jax);
  const owned: unknown[] = [];
  const wrap = <F extends Fn>(f: F): F => {
    if (!jit) return f;
    const j = jax.jit(f);
    owned.push({ dispose: () => j.dispose() });
    return j;
  };
  const arr = (a: Array32): JArray => jax.numpy.array(a.data).reshape([...a.shape]);
  const keep = (a: Array32): JArray => {
    const x = arr(a);
    owned.push(x);
    return x;
  };
  const params = <K extends string>(init: Record<K, Array32>): Record<K, JArray> => {
    const out = {} as Record<K, JArray>;
    for (const k of Object.keys(init) as K[]) out[k] = arr(init[k]);
    return out;
  };
  // Reads each leaf without giving up the caller's reference.
  const readAll = (p: Params): void => {
    for (const k of Object.keys(p)) p[k]!.ref.dataSync();
  };
  const dispose = (): void => {
    for (const o of owned) (o as { dispose(): void }).dispose();
  };

  /** A training step's runner: checks the loss at the initial weights and after one step. */
  function train<P extends Params>(
    step: (p: P, x: JArray, y: JArray) => [JArray, P],
    init: () => P,
    x: JArray,
    y: JArray,
  ): Runner {
    let p = init();
    return {
      check: () => {
        const [l0, p1] = step(init(), x.ref, y.ref);
        const [l1, p2] = step(p1, x.ref, y.ref);
        jax.tree.dispose(p2);
        return [l0.dataSync()[0]!, l1.dataSync()[0]!];
      },
      run: () => {
        const [loss, next] = step(p, x.ref, y.ref);
        loss.dataSync();
        readAll(next);
        p = next;
      },
      dispose: () => {
        jax.tree.dispose(p);
        dispose();
      },
    };
  }

  if (isMlpForward(id)) {
    const f = wrap(w.mlpForward);
    const p = params(inputs.mlpInit);
    owned.push(...Object.values(p));
    const x = keep(
      { mlpForward: inputs.mlpX, mlpForward1: inputs.mlpX1, mlpForward1024: inputs.mlpX1024 }[id],
    );
    const once = (): Float32Array => f(jax.tree.ref(p), x.ref).dataSync();
    return { check: once, run: once, dispose };
  }
  switch (id) {
    case "matmul1024":
    case "matmul128": {
      const f = wrap(w.gemm);
      const [a, b] =
        id === "matmul1024"
          ? [keep(inputs.a1024), keep(inputs.b1024)]
          : [keep(inputs.a128), keep(inputs.b128)];
      const once = (): Float32Array => f(a.ref, b.ref).dataSync();
      return { check: once, run: once, dispose };
    }
    case "cnnForward": {
      const f = wrap(w.cnnForward);
      const p = params(inputs.cnnInit);
      owned.push(...Object.values(p));
      const x = keep(inputs.cnnX);
      const once = (): Float32Array => f(jax.tree.ref(p), x.ref).dataSync();
      return { check: once, run: once, dispose };
    }
    case "mlpTrain":
      return train(wrap(w.mlpStep), () => params(inputs.mlpInit), keep(inputs.mlpX), keep(inputs.mlpY));
    case "cnnTrain":
      return train(wrap(w.cnnStep), () => params(inputs.cnnInit), keep(inputs.cnnX), keep(inputs.cnnY));
    case "xor": {
      const step = wrap(w.xorStep);
      const x = keep(inputs.xorX);
      const y = keep(inputs.xorY);
      const train = async (): Promise<number[]> => {
        let p = params(inputs.xorInit);
        let first = 0;
        let last = 0;
        for (let i = 0; i < XOR.steps; i++) {
          const [loss, next] = step(p, x.ref, y.ref);
          p = next;
          if (i === 0) first = loss.dataSync()[0]!;
          else if (i === XOR.steps - 1) last = loss.dataSync()[0]!;
          else loss.dispose();
          // jax-js is lazy: unforced, each step's pending expressions pile onto the
          // last and the loop slows down quadratically; its docs advise this wait.
          await jax.blockUntilReady(p);
        }
        readAll(p);
        jax.tree.dispose(p);
        return [first, last];
      };
      return { check: train, run: train, dispose };
    }
    case "exp": {
      const f = wrap(w.expAffine);
      const x = keep(inputs.expX);
      const once = (): Float32Array => f(x.ref).dataSync();
      return { check: once, run: once, dispose };
    }
  }
}

/** The `jax-js eager` and `jax-js jit` rows, on the wasm device. */
export async function jaxImplementations(): Promise<Implementation[]> {
  let jax: Jax;
  try {
    jax = await importPeer<Jax>("@jax-js/jax");
    // Only wasm: jax-js probes WebGPU through `navigator`, which Node lacks.
    await jax.init("wasm");
    jax.defaultDevice("wasm");
  } catch (e) {
    const why = `cannot load @jax-js/jax: ${reason(e)}`;
    return [unavailable("jax-js eager", false, why), unavailable("jax-js jit", false, why)];
  }
  // jax-js starts Wasm worker threads only where both SharedArrayBuffer and a global Worker exist.
  const threads = typeof (globalThis as { Worker?: unknown }).Worker === "function" ? "threaded" : "1 thread";
  const details = (mode: string) =>
    `@jax-js/jax ${peerVersion("@jax-js/jax")}, device wasm (${threads}), ${mode}`;
  return [false, true].map((jit) => ({
    name: `jax-js ${jit ? "jit" : "eager"}`,
    isGrafo: false,
    details: details(jit ? "jit" : "eager"),
    prepare: async (id: WorkloadId, inputs: Inputs): Promise<Runner | NotApplicable> =>
      runners(jax, jit, id, inputs),
  }));
}
