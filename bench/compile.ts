/**
 * Eager vs compiled: the same function run op by op (dispatch, tracing checks
 * and a fresh array per op) and as a compiled plan (one generated function,
 * fused kernels, reused buffers). Prints the median time of each and the ratio.
 *
 *   npx tsx bench/compile.ts            # all three workloads
 *   npx tsx bench/compile.ts xor exp    # some of them
 */

import { compile } from "../src/graph/index.js";
import { getBackend, random, type Tensor, tensor, valueAndGrad } from "../src/index.js";

type Params = { W1: Tensor; b1: Tensor; W2: Tensor; b2: Tensor; W3?: Tensor; b3?: Tensor };

/** p ← p − η·∇p for every parameter. */
const sgd = (params: Params, grads: Params, lr: number): Params =>
  Object.fromEntries(
    Object.entries(params).map(([k, p]) => [k, p.sub(grads[k as keyof Params]!.mul(lr))]),
  ) as unknown as Params;

// ---- XOR 2-8-1: sigmoid hidden layer, squared loss, SGD on the 4 points ----
function xorStep(params: Params, x: Tensor, y: Tensor): [Tensor, Params] {
  const loss = (p: Params) => {
    const h = x.matmul(p.W1).add(p.b1).sigmoid();
    return h.matmul(p.W2).add(p.b2).sub(y).square().mean();
  };
  const [l, g] = valueAndGrad(loss)(params);
  return [l, sgd(params, g, 0.5)];
}

// ---- y = exp(x)·2 + 1 on 1e6 floats ----
const expAffine = (x: Tensor): Tensor => x.exp().mul(2).add(1);

// ---- MLP 784-256-256-10, batch 128, ReLU, softmax cross-entropy, SGD ----
function mlpForward(p: Params, x: Tensor): Tensor {
  const h1 = x.matmul(p.W1).add(p.b1).relu();
  const h2 = h1.matmul(p.W2).add(p.b2).relu();
  return h2.matmul(p.W3!).add(p.b3!);
}
function mlpLoss(p: Params, x: Tensor, y: Tensor): Tensor {
  return mlpForward(p, x).logSoftmax(-1).mul(y).sum(-1).mean().neg();
}
function mlpStep(p: Params, x: Tensor, y: Tensor): [Tensor, Params] {
  const [l, g] = valueAndGrad(mlpLoss)(p, x, y);
  return [l, sgd(p, g, 0.01)];
}

/** Median milliseconds per call of `fn`, after a warm-up (JIT tiers, kernel generation, the first trace). */
function median(fn: () => unknown, warmup: number, reps: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

interface Row {
  name: string;
  eager: number;
  compiled: number;
}

function compare(name: string, eager: () => unknown, compiled: () => unknown, reps: number): Row {
  const warmup = Math.max(2, Math.ceil(reps / 10));
  return { name, eager: median(eager, warmup, reps), compiled: median(compiled, warmup, reps) };
}

function main(): void {
  const want = process.argv.slice(2);
  const run = (n: string) => want.length === 0 || want.includes(n);
  const rows: Row[] = [];
  if (run("xor")) {
    const k = random.key(0);
    const [k1, k2] = random.split(k);
    const params: Params = {
      W1: random.normal(k1!, [2, 8]),
      b1: tensor(new Float32Array(8)),
      W2: random.normal(k2!, [8, 1]),
      b2: tensor([0]),
    };
    const x = tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = tensor([[0], [1], [1], [0]]);
    const fast = compile(xorStep);
    rows.push(
      compare(
        "XOR 2-8-1 train step",
        () => xorStep(params, x, y),
        () => fast(params, x, y),
        300,
      ),
    );
  }
  if (run("exp")) {
    const x = random.uniform(random.key(1), [1_000_000]);
    const fast = compile(expAffine);
    rows.push(
      compare(
        "exp(x)*2+1, 1e6 floats",
        () => expAffine(x),
        () => fast(x),
        15,
      ),
    );
  }
  if (run("mlp")) {
    const ks = random.split(random.key(2), 4);
    const init = (k: (typeof ks)[number], i: number, o: number) =>
      random.normal(k, [i, o]).mul(Math.sqrt(2 / i));
    const p: Params = {
      W1: init(ks[0]!, 784, 256),
      b1: tensor(new Float32Array(256)),
      W2: init(ks[1]!, 256, 256),
      b2: tensor(new Float32Array(256)),
      W3: init(ks[2]!, 256, 10),
      b3: tensor(new Float32Array(10)),
    };
    const x = random.uniform(ks[3]!, [128, 784]);
    const labels = new Float32Array(128 * 10);
    for (let i = 0; i < 128; i++) labels[i * 10 + (i % 10)] = 1;
    const y = tensor(labels, [128, 10]);
    const fwd = compile(mlpForward);
    const step = compile(mlpStep);
    rows.push(
      compare(
        "MLP 784-256-256-10 forward, batch 128",
        () => mlpForward(p, x),
        () => fwd(p, x),
        5,
      ),
    );
    rows.push(
      compare(
        "MLP 784-256-256-10 train step, batch 128",
        () => mlpStep(p, x, y),
        () => step(p, x, y),
        5,
      ),
    );
  }
  console.log(`backend: ${getBackend()} (eager ops and compiled matmuls run on it)`);
  console.log(
    "workload".padEnd(44),
    "eager ms".padStart(10),
    "compiled ms".padStart(12),
    "speed-up".padStart(9),
  );
  for (const r of rows) {
    console.log(
      r.name.padEnd(44),
      r.eager.toFixed(3).padStart(10),
      r.compiled.toFixed(3).padStart(12),
      `${(r.eager / r.compiled).toFixed(1)}×`.padStart(9),
    );
  }
}

main();
