/**
 * The workloads of the peer benchmark, their shared inputs, and the
 * contract every implementation (grafo on each backend, each peer) fulfils.
 *
 * Every implementation starts from the same float32 inputs and initial
 * weights (made once here, from grafo's seeded PRNG), so their results can be
 * compared number for number.
 */
import { random } from "../src/index.js";
import type { MeasureOptions } from "./measure.js";

/** The workloads, in the order of the table. */
export const WORKLOAD_IDS = [
  "matmul1024",
  "matmul128",
  "mlpTrain",
  "mlpForward",
  "mlpForward1",
  "mlpForward1024",
  "cnnForward",
  "cnnTrain",
  "xor",
  "exp",
] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** What one workload measures and how its figure is reported. */
export interface Workload {
  readonly id: WorkloadId;
  /** Column header. */
  readonly title: string;
  /** One line for the README and results.md. */
  readonly description: string;
  /** GFLOP/s workloads report `flops / time`; the others report milliseconds. */
  readonly unit: "GFLOP/s" | "ms";
  readonly flops?: number;
  /** Largest accepted `relativeError` against the reference implementation. */
  readonly tolerance: number;
  readonly budget: MeasureOptions;
}

/** MLP sizes and the learning rate shared by every implementation. */
export const MLP = { batch: 128, sizes: [784, 256, 256, 10], lr: 0.1 } as const;
/** The MLP forward pass is also timed on a single example and on a large batch. */
export const MLP_BATCHES = { mlpForward: MLP.batch, mlpForward1: 1, mlpForward1024: 1024 } as const;
export type MlpForwardId = keyof typeof MLP_BATCHES;
export const isMlpForward = (id: WorkloadId): id is MlpForwardId => id in MLP_BATCHES;
/**
 * The MNIST CNN of examples/digits/mnist-cnn.ts without its dropout (so every
 * implementation computes the same numbers): 28×28 → conv 3×3 16, ReLU, max-pool
 * 2 → conv 3×3 32, ReLU, max-pool 2 → flatten (32·5·5, channel-major) → dense 64,
 * ReLU → dense 10. Images NCHW, convolution weights [out, in, 3, 3].
 */
export const CNN = { batch: 64, channels: [1, 16, 32], hidden: 64, classes: 10, lr: 0.05 } as const;
/** XOR network sizes, learning rate and number of full-batch steps. */
export const XOR = { sizes: [2, 8, 1], lr: 1, steps: 2000 } as const;
/** Length of the elementwise workload's input. */
export const EXP_N = 1_000_000;

export const WORKLOADS: Record<WorkloadId, Workload> = {
  matmul1024: {
    id: "matmul1024",
    title: "matmul 1024²",
    description: "C = A·B, A and B 1024×1024 float32; GFLOP/s = 2·1024³ / time (higher is better).",
    unit: "GFLOP/s",
    flops: 2 * 1024 ** 3,
    tolerance: 1e-4,
    budget: { warmup: 1, minReps: 3, maxMs: 2000 },
  },
  matmul128: {
    id: "matmul128",
    title: "matmul 128²",
    description: "C = A·B, A and B 128×128 float32; GFLOP/s (higher is better).",
    unit: "GFLOP/s",
    flops: 2 * 128 ** 3,
    tolerance: 1e-4,
    budget: { warmup: 10, minReps: 20, maxMs: 1000 },
  },
  mlpTrain: {
    id: "mlpTrain",
    title: "MLP train step",
    description:
      "MLP 784-256-256-10, ReLU, batch 128: softmax cross-entropy, gradients of all six parameters, SGD update (lr 0.1); ms per step, loss and new weights read back.",
    unit: "ms",
    tolerance: 1e-3,
    budget: { warmup: 3, minReps: 5, maxMs: 1500 },
  },
  mlpForward: {
    id: "mlpForward",
    title: "MLP forward",
    description: "The same MLP, forward only: softmax probabilities of the batch (128×10); ms.",
    unit: "ms",
    tolerance: 1e-4,
    budget: { warmup: 3, minReps: 10, maxMs: 1000 },
  },
  mlpForward1: {
    id: "mlpForward1",
    title: "MLP forward, batch 1",
    description: "The same MLP forward pass on one example (1×784 → 1×10 probabilities); ms.",
    unit: "ms",
    tolerance: 1e-4,
    budget: { warmup: 20, minReps: 50, maxMs: 700 },
  },
  mlpForward1024: {
    id: "mlpForward1024",
    title: "MLP forward, batch 1024",
    description: "The same MLP forward pass on 1024 examples (1024×10 probabilities); ms.",
    unit: "ms",
    tolerance: 1e-4,
    budget: { warmup: 2, minReps: 5, maxMs: 1000 },
  },
  cnnForward: {
    id: "cnnForward",
    title: "CNN forward",
    description:
      "The MNIST CNN (conv 3×3·16, ReLU, max-pool 2, conv 3×3·32, ReLU, max-pool 2, dense 64, ReLU, dense 10), no dropout, forward on 64 images 28×28: softmax probabilities; ms.",
    unit: "ms",
    tolerance: 1e-4,
    budget: { warmup: 2, minReps: 5, maxMs: 1000 },
  },
  cnnTrain: {
    id: "cnnTrain",
    title: "CNN train step",
    description:
      "The same CNN, batch 64: softmax cross-entropy, gradients of all eight parameters, SGD update (lr 0.05); ms per step, loss and new weights read back.",
    unit: "ms",
    tolerance: 1e-3,
    budget: { warmup: 2, minReps: 5, maxMs: 1500 },
  },
  xor: {
    id: "xor",
    title: "XOR 2000 steps",
    description:
      "XOR network 2-8-1, sigmoid hidden and output units, mean squared loss, 2000 full-batch SGD steps (lr 1) on the 4 points; ms for all 2000 steps, final weights read back.",
    unit: "ms",
    tolerance: 1e-3,
    budget: { warmup: 0, minReps: 3, maxMs: 2000 },
  },
  exp: {
    id: "exp",
    title: "exp(x)·2+1",
    description: "y = exp(x)·2 + 1 elementwise over 10⁶ float32 values in [-5, 5); ms.",
    unit: "ms",
    tolerance: 1e-5,
    budget: { warmup: 3, minReps: 10, maxMs: 1000 },
  },
};

/** A dense float32 array with its shape (row-major). */
export interface Array32 {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Names of the MLP's parameters, in layer order. */
export const MLP_PARAMS = ["w1", "b1", "w2", "b2", "w3", "b3"] as const;
export type MlpParams<T> = Record<(typeof MLP_PARAMS)[number], T>;
/** Names of the CNN's parameters: two convolutions (weights, bias), two dense layers. */
export const CNN_PARAMS = ["c1", "cb1", "c2", "cb2", "w3", "b3", "w4", "b4"] as const;
export type CnnParams<T> = Record<(typeof CNN_PARAMS)[number], T>;
/** Names of the XOR network's parameters. */
export const XOR_PARAMS = ["w1", "b1", "w2", "b2"] as const;
export type XorParams<T> = Record<(typeof XOR_PARAMS)[number], T>;

/** Everything the workloads read; made once per run. */
export interface Inputs {
  readonly a1024: Array32;
  readonly b1024: Array32;
  readonly a128: Array32;
  readonly b128: Array32;
  /** A batch of 128 "images" in [0, 1). */
  readonly mlpX: Array32;
  /** One-hot labels, 128×10. */
  readonly mlpY: Array32;
  readonly mlpInit: MlpParams<Array32>;
  /** Inputs of the forward pass at batch 1 and 1024. */
  readonly mlpX1: Array32;
  readonly mlpX1024: Array32;
  /** A batch of CNN.batch 1×28×28 images in [0, 1), NCHW. */
  readonly cnnX: Array32;
  /** One-hot labels, CNN.batch × 10. */
  readonly cnnY: Array32;
  readonly cnnInit: CnnParams<Array32>;
  readonly xorX: Array32;
  readonly xorY: Array32;
  readonly xorInit: XorParams<Array32>;
  readonly expX: Array32;
}

function array32(data: ArrayLike<number>, shape: readonly number[]): Array32 {
  return { data: Float32Array.from(data), shape };
}

function normal(seed: number, shape: readonly number[], stddev: number): Array32 {
  return array32(random.normal(random.key(seed), shape, { stddev }).data(), shape);
}

function uniform(seed: number, shape: readonly number[], minval: number, maxval: number): Array32 {
  return array32(random.uniform(random.key(seed), shape, { minval, maxval }).data(), shape);
}

function zeros(shape: readonly number[]): Array32 {
  return array32(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
}

function oneHot(seed: number, batch: number, classes: number): Array32 {
  const labels = random.randint(random.key(seed), [batch], 0, classes).data();
  const onehot = new Float32Array(batch * classes);
  labels.forEach((c, i) => {
    onehot[i * classes + Number(c)] = 1;
  });
  return array32(onehot, [batch, classes]);
}

/** He-normal weights of the given shape and fan-in. */
const he = (seed: number, shape: readonly number[], fanIn: number) =>
  normal(seed, shape, Math.sqrt(2 / fanIn));

/** Deterministic inputs: He-initialised MLP and CNN weights, N(0, 1) XOR weights, zero biases. */
export function makeInputs(): Inputs {
  const [d0, d1, d2, d3] = MLP.sizes;
  const [c0, c1, c2] = CNN.channels;
  const flat = c2 * 5 * 5;
  const [x0, x1, x2] = XOR.sizes;
  return {
    a1024: normal(1, [1024, 1024], 1),
    b1024: normal(2, [1024, 1024], 1),
    a128: normal(3, [128, 128], 1),
    b128: normal(4, [128, 128], 1),
    mlpX: uniform(10, [MLP.batch, d0], 0, 1),
    mlpY: oneHot(11, MLP.batch, d3),
    mlpInit: {
      w1: he(12, [d0, d1], d0),
      b1: zeros([d1]),
      w2: he(13, [d1, d2], d1),
      b2: zeros([d2]),
      w3: he(14, [d2, d3], d2),
      b3: zeros([d3]),
    },
    mlpX1: uniform(15, [1, d0], 0, 1),
    mlpX1024: uniform(16, [1024, d0], 0, 1),
    cnnX: uniform(40, [CNN.batch, c0, 28, 28], 0, 1),
    cnnY: oneHot(41, CNN.batch, CNN.classes),
    cnnInit: {
      c1: he(42, [c1, c0, 3, 3], c0 * 9),
      cb1: zeros([c1]),
      c2: he(43, [c2, c1, 3, 3], c1 * 9),
      cb2: zeros([c2]),
      w3: he(44, [flat, CNN.hidden], flat),
      b3: zeros([CNN.hidden]),
      w4: he(45, [CNN.hidden, CNN.classes], CNN.hidden),
      b4: zeros([CNN.classes]),
    },
    xorX: array32([0, 0, 0, 1, 1, 0, 1, 1], [4, x0]),
    xorY: array32([0, 1, 1, 0], [4, x2]),
    xorInit: {
      w1: normal(20, [x0, x1], 1),
      b1: zeros([x1]),
      w2: normal(21, [x1, x2], 1),
      b2: zeros([x2]),
    },
    expX: uniform(30, [EXP_N], -5, 5),
  };
}

/**
 * One workload prepared on one implementation.
 */
export interface Runner {
  /**
   * Runs the workload once from the initial state and returns the numbers
   * compared across implementations (it is also the first warm-up):
   * - matmul: the product, row-major;
   * - mlpTrain: [loss at the initial weights, loss after one SGD step from them];
   * - mlpForward, mlpForward1, mlpForward1024: the batch×10 probabilities;
   * - cnnForward: the 64×10 probabilities;
   * - cnnTrain: [loss at the initial weights, loss after one SGD step from them];
   * - xor: [loss at the first step, loss at the last step] of the 2000 steps;
   * - exp: y.
   */
  check(): Promise<ArrayLike<number>> | ArrayLike<number>;
  /** The timed call; it reads its results back into JS memory so lazy implementations do all their work. */
  run(): unknown;
  /** Frees device or Wasm memory the runner holds. */
  dispose?(): void;
}

/** Why an implementation does not take part in a workload (shown as "n/a" in the table). */
export interface NotApplicable {
  readonly na: string;
}

/** grafo on one backend and mode, or one peer. */
export interface Implementation {
  /** Row label, e.g. "grafo js eager" or "tfjs wasm". */
  readonly name: string;
  readonly isGrafo: boolean;
  /** Version and settings shown under the table (threads, opset, …). */
  readonly details: string;
  prepare(id: WorkloadId, inputs: Inputs): Promise<Runner | NotApplicable>;
  /** Releases the implementation's global state (e.g. switches a backend back). */
  close?(): Promise<void> | void;
}

/** Type guard for `prepare`'s result. */
export function isNotApplicable(r: Runner | NotApplicable): r is NotApplicable {
  return "na" in r;
}

/** A result of an implementation that failed to load: every workload is n/a with the reason. */
export function unavailable(name: string, isGrafo: boolean, reason: string): Implementation {
  return { name, isGrafo, details: `not run: ${reason}`, prepare: async () => ({ na: reason }) };
}
