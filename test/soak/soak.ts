/**
 * The soak run: trains the 2-32-32-1 ReLU MLP on 256 moons and the
 * MNIST CNN (on random images of MNIST's shape) for many steps, through a
 * hand-written loop and through `fit`, eager and compiled, on every backend
 * that loads; then loops the transformations (grad of grad, jvp, hessian,
 * trace) and creates and drops compiled functions. After warm-up it samples
 * heapUsed, arrayBuffers and RSS after a full garbage collection and reports
 * how much each grew over the second half of the run.
 *
 *   node --expose-gc --import tsx test/soak/soak.ts [--steps 20000] [--only mlp] [--json]
 *
 * `npm run soak` runs it at full length and prints the curves; the short run
 * in `npm test` (soak.test.ts) asserts that nothing grows.
 */
import {
  type BackendName,
  backends,
  compile,
  data,
  grad,
  hessian,
  jvp,
  memory,
  nn,
  optim,
  random,
  setBackend,
  type Tensor,
  tensor,
  trace,
  valueAndGrad,
} from "../../src/index.js";

type Params = nn.ParamTree;

/** One memory reading after a full collection. */
interface Sample {
  step: number;
  heapUsed: number;
  arrayBuffers: number;
  rss: number;
}

export interface ScenarioResult {
  name: string;
  steps: number;
  samples: Sample[];
  /** Growth over the second half of the run, in bytes (least-squares slope × half the steps). */
  growth: { heapUsed: number; arrayBuffers: number; rss: number };
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("soak: run node with --expose-gc");

async function collect(): Promise<void> {
  // Collect until three readings in a row agree. Garbage does not leave in
  // one collection: FinalizationRegistry callbacks run on a later turn, and a
  // dropped compiled plan's buffers stay reachable for a few milliseconds
  // more (seen leaving after the third round, whether the rounds were
  // setImmediate or 10 ms apart, as if held by V8's background compiler).
  // Two fixed rounds read that garbage as growth.
  let last = -1;
  let same = 0;
  for (let round = 0; round < 16 && same < 2; round++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = process.memoryUsage().arrayBuffers;
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

async function sample(step: number): Promise<Sample> {
  await collect();
  const m = process.memoryUsage();
  return { step, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/** Least-squares slope of `key` over the second half of the samples, times the steps that half spans. */
function growthOver(samples: readonly Sample[], key: "heapUsed" | "arrayBuffers" | "rss"): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  const n = half.length;
  if (n < 2) return 0;
  const mx = half.reduce((s, p) => s + p.step, 0) / n;
  const my = half.reduce((s, p) => s + p[key], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of half) {
    sxy += (p.step - mx) * (p[key] - my);
    sxx += (p.step - mx) ** 2;
  }
  return (sxy / sxx) * (half[n - 1]!.step - half[0]!.step);
}

/** A workload: `run(n)` does n more steps (awaiting is allowed: fit is async). */
interface Workload {
  run(n: number): Promise<void> | void;
}

async function soak(name: string, steps: number, readings: number, w: Workload): Promise<ScenarioResult> {
  const chunk = Math.max(1, Math.floor(steps / readings));
  // Warm-up: compile plans, grow the arenas, start the pools, let V8's young generation reach its size.
  await w.run(2 * chunk);
  const samples: Sample[] = [];
  for (let done = 0; done < steps; done += chunk) {
    await w.run(chunk);
    samples.push(await sample(done + chunk));
  }
  return {
    name,
    steps,
    samples,
    growth: {
      heapUsed: growthOver(samples, "heapUsed"),
      arrayBuffers: growthOver(samples, "arrayBuffers"),
      rss: growthOver(samples, "rss"),
    },
  };
}

// ---- the models ---------------------------------------------------------

const moons = data.moons({ n: 256, noise: 0.1, seed: 0 });
const mlpX = moons.x;
const mlpY = moons.y.reshape([-1, 1]);
const mlp = () =>
  nn.sequential(
    nn.linear(2, 32, { key: random.key(1) }),
    nn.relu(),
    nn.linear(32, 32, { key: random.key(2) }),
    nn.relu(),
    nn.linear(32, 1, { key: random.key(3) }),
  );

const cnnBatch = 8;
const cnnX = random.uniform(random.key(4), [cnnBatch, 1, 28, 28]);
const cnnY = random.randint(random.key(5), [cnnBatch], 0, 10);
const cnn = () =>
  nn.sequential(
    nn.conv2d(1, 16, 3, { key: random.key(6) }),
    nn.relu(),
    nn.maxPool2d(2),
    nn.conv2d(16, 32, 3, { key: random.key(7) }),
    nn.relu(),
    nn.maxPool2d(2),
    nn.flatten(),
    nn.linear(32 * 5 * 5, 64, { key: random.key(8) }),
    nn.relu(),
    nn.dropout(0.3),
    nn.linear(64, 10, { key: random.key(9) }),
  );

type Loss = (out: Tensor, y: Tensor) => Tensor;
const bce: Loss = (out, y) => nn.binaryCrossEntropyWithLogits(out, y);
const ce: Loss = (out, y) => nn.crossEntropy(out, y);

/** The loop: valueAndGrad, then the optimizer's update (or p − lr·g by hand), eager or compiled. */
function loop(
  model: nn.Module,
  x: Tensor,
  y: Tensor,
  loss: Loss,
  how: "adam" | "sgd-by-hand" | "compiled",
): Workload {
  const opt = optim.adam({ lr: 1e-3 });
  let p: Params = model.parameters();
  let s = opt.init(p);
  const lossOf = (params: Params) => loss(model.apply(params, x, { training: true }), y);
  const byHand = (a: Params, g: Params): Params =>
    Object.fromEntries(
      Object.entries(a).map(([k, v]) => {
        const gk = g[k]!;
        return [k, "shape" in v ? (v as Tensor).sub((gk as Tensor).mul(0.01)) : byHand(v, gk as Params)];
      }),
    );
  const step = compile((params: Params, state: optim.OptState) => {
    const [l, g] = valueAndGrad(lossOf)(params);
    const next = opt.update(g, state, params);
    return [l, next.params, next.state] as const;
  });
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        if (how === "compiled") {
          const [, np, ns] = step(p, s);
          p = np;
          s = ns;
        } else {
          const [, g] = valueAndGrad(lossOf)(p);
          if (how === "sgd-by-hand") p = byHand(p, g);
          else ({ params: p, state: s } = opt.update(g, s, p));
        }
      }
    },
  };
}

/** `model.fit` for n batches at a time (one epoch of n batches), eager or compiled. */
function fitting(
  model: nn.Module,
  x: Tensor,
  y: Tensor,
  loss: "binaryCrossEntropyWithLogits" | "crossEntropy",
  compiled: boolean,
  batch: number,
): Workload {
  const optimizer = optim.adam({ lr: 1e-3 });
  return {
    async run(n) {
      for (let i = 0; i < n; i += 1) {
        await model.fit(x, y, {
          loss,
          optimizer,
          epochs: 1,
          batchSize: batch,
          verbose: 0,
          compiled,
          shuffle: false,
        });
      }
    },
  };
}

/** grad of grad, jvp, hessian and trace, each called in a loop. */
function transforms(): Workload {
  const f = (w: Tensor) => w.mul(w).sin().sum();
  const w = tensor([0.3, -1.2, 2.5]);
  const g2 = grad((v: Tensor) => grad(f)(v).sum());
  const h = hessian(f);
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        g2(w);
        jvp(f, [w], [tensor([1, 0, 0])]);
        h(w);
        trace(f, w).toString();
      }
    },
  };
}

/** Creates a compiled function, runs it once, drops it. */
function compiledFunctions(): Workload {
  const x = random.normal(random.key(10), [64]);
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        const c = compile((v: Tensor) =>
          v
            .mul(i % 7)
            .exp()
            .add(1)
            .sum(),
        );
        c(x);
      }
    },
  };
}

// ---- the run --------------------------------------------------------------

interface RunOptions {
  steps: number;
  only?: string;
  json: boolean;
  /** Fewer readings, for the run inside `npm test`. */
  short: boolean;
}

function parseArgs(argv: readonly string[]): RunOptions {
  const opts: RunOptions = { steps: 20_000, json: false, short: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--steps") opts.steps = Number(argv[++i]);
    else if (a === "--only") opts.only = argv[++i];
    else if (a === "--json") opts.json = true;
    else if (a === "--short") opts.short = true;
    else throw new Error(`soak: unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.steps) || opts.steps < 8)
    throw new Error("soak: --steps must be an integer ≥ 8");
  return opts;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MB`;

function sparkline(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bars = "▁▂▃▄▅▆▇█";
  return values.map((v) => bars[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * 7)]).join("");
}

export async function main(argv: readonly string[]): Promise<ScenarioResult[]> {
  const o = parseArgs(argv);
  const results: ScenarioResult[] = [];
  const readings = o.short ? 8 : 16;
  const names: BackendName[] = backends()
    .filter((b) => b.available)
    .map((b) => b.name);
  // Steps per scenario: the MLP at full length; the CNN, ~50× dearer a step, at a tenth (fit counts epochs of 4 batches).
  const plan: [string, number, () => Workload][] = [];
  for (const b of names) {
    // Workloads of several backends interleave (the warm-up pass below), so each run selects its own.
    const on = (make: () => Workload) => (): Workload => {
      setBackend(b);
      const w = make();
      return {
        run(n) {
          setBackend(b);
          return w.run(n);
        },
      };
    };
    plan.push(
      [`${b} mlp loop adam`, o.steps, on(() => loop(mlp(), mlpX, mlpY, bce, "adam"))],
      [`${b} mlp loop sgd-by-hand`, o.steps, on(() => loop(mlp(), mlpX, mlpY, bce, "sgd-by-hand"))],
      [`${b} mlp loop compiled`, o.steps, on(() => loop(mlp(), mlpX, mlpY, bce, "compiled"))],
      [
        `${b} mlp fit eager`,
        Math.ceil(o.steps / 8),
        on(() => fitting(mlp(), mlpX, mlpY, "binaryCrossEntropyWithLogits", false, 32)),
      ],
      [
        `${b} mlp fit compiled`,
        Math.ceil(o.steps / 8),
        on(() => fitting(mlp(), mlpX, mlpY, "binaryCrossEntropyWithLogits", true, 32)),
      ],
      [`${b} cnn loop adam`, Math.ceil(o.steps / 10), on(() => loop(cnn(), cnnX, cnnY, ce, "adam"))],
      [`${b} cnn loop compiled`, Math.ceil(o.steps / 10), on(() => loop(cnn(), cnnX, cnnY, ce, "compiled"))],
      [
        `${b} cnn fit eager`,
        Math.max(readings, Math.ceil(o.steps / 40)),
        on(() => fitting(cnn(), cnnX, cnnY, "crossEntropy", false, 2)),
      ],
      [
        `${b} cnn fit compiled`,
        Math.max(readings, Math.ceil(o.steps / 40)),
        on(() => fitting(cnn(), cnnX, cnnY, "crossEntropy", true, 2)),
      ],
    );
  }
  plan.push(["transforms (grad of grad, jvp, hessian, trace)", Math.ceil(o.steps / 4), transforms]);
  plan.push([
    "compiled functions created and dropped",
    Math.max(1000, Math.ceil(o.steps / 10)),
    compiledFunctions,
  ]);
  const chosen = plan
    .filter(([name]) => !o.only || name.includes(o.only))
    .map(([name, steps, make]) => ({ name, steps, w: make() }));
  // Every workload runs a little before any is measured: what the process pays
  // once (JIT tiers, kernels, arenas, the allocator's arenas) is then paid
  // before the first reading, not inside some later workload's measured half.
  for (const { steps, w } of chosen) await w.run(Math.max(1, Math.floor(steps / readings)));
  for (const { name, steps, w } of chosen) {
    const t0 = performance.now();
    const r = await soak(name, steps, readings, w);
    results.push(r);
    const seconds = (performance.now() - t0) / 1000;
    if (!o.json) {
      const g = r.growth;
      console.log(
        `${name.padEnd(48)} ${String(steps).padStart(6)} steps ${seconds.toFixed(1).padStart(6)} s  growth over 2nd half: heap ${mb(g.heapUsed)}, arrayBuffers ${mb(g.arrayBuffers)}, rss ${mb(g.rss)}`,
      );
      console.log(
        `${"".padEnd(48)} heap ${sparkline(r.samples.map((s) => s.heapUsed))} ${mb(r.samples.at(-1)!.heapUsed)}  rss ${sparkline(r.samples.map((s) => s.rss))} ${mb(r.samples.at(-1)!.rss)}`,
      );
    }
  }
  if (o.json) console.log(JSON.stringify({ results, memory: memory() }));
  else console.log("pools:", JSON.stringify(memory().pools));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
