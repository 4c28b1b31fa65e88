/**
 * Keras-style training: `fit` loops epochs and batches around the one pure
 * training step of step.ts, with validation, metrics, callbacks, progress
 * output and early, clear errors for bad data.
 */
import { zeros } from "../core/creation.js";
import { ArgumentError, DTypeError, GrafoError, NaNError, ShapeError } from "../core/errors.js";
import type { Aval } from "../core/primitives.js";
import { keyData, key as makeKey, type PRNGKey, split } from "../core/random.js";
import { Tensor } from "../core/tensor.js";
import { DataLoader, type Dataset, TensorDataset } from "../data/dataset.js";
import { compile } from "../graph/compile.js";
import { trace } from "../graph/trace.js";
import { getLoss, type LossFn, type LossName } from "../nn/losses.js";
import type { Module, ParamTree } from "../nn/module.js";
import { noGrad } from "../ops/dispatch.js";
import { concat, slice } from "../ops/shape.js";
import { adam, type Optimizer, type OptState, scaleLearningRate } from "../optim/optimizers.js";
import type { Callback, Logs, TrainContext } from "./callbacks.js";
import { History } from "./history.js";
import { getMetric, type Metric, type MetricName } from "./metrics.js";
import { progress } from "./progress.js";
import { makeTrainStep, type TrainStep } from "./step.js";

/** Training data: inputs (with targets passed beside them), a data set, or a ready DataLoader. */
export type FitInput = Tensor | Dataset | DataLoader;

export interface EvaluateOptions {
  loss: LossName | LossFn;
  metrics?: readonly (MetricName | Metric)[];
  /** Samples per forward pass (default 256). */
  batchSize?: number;
}

export interface FitOptions {
  /** A loss name ("mse", "crossEntropy", …) or function. */
  loss: LossName | LossFn;
  /** Default: adam with lr 1e-3. */
  optimizer?: Optimizer;
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle the training samples every epoch (default true; tensor data only). */
  shuffle?: boolean;
  /** Hold out this fraction of the samples (the last ones, as Keras) for validation. */
  validationSplit?: number;
  /** Validation data: `[x, y]` or a data set. */
  validationData?: readonly [Tensor, Tensor] | Dataset;
  /** Metrics logged beside the loss (and on validation data as val…). */
  metrics?: readonly (MetricName | Metric)[];
  callbacks?: readonly Callback[];
  /** Stops training (gracefully, after the current batch) when aborted. */
  signal?: AbortSignal;
  /** 0 silent, 1 progress bar on a terminal / one line per epoch otherwise (default), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Seed for shuffling and dropout (default 0): same seed, same run. */
  seed?: number;
  /**
   * Run the training step as one compiled graph (`compile` from src/graph):
   * traced once per batch shape, then executed as a plan (default true: the
   * same numbers as eager, dropout masks included, and faster). Falls back to
   * the eager step if tracing fails; `false` always trains eagerly.
   */
  compiled?: boolean;
  /**
   * Continue a run from where a checkpoint left it (`loadCheckpoint(path).state`,
   * or `ctx.trainState()`): training starts at epoch `resume.epoch` with its
   * optimizer state, keys and History, so the weights at the end equal, bit
   * for bit, those of a run never interrupted (same data, options and seed;
   * the model must hold the checkpoint's weights). `epochs` is the total.
   */
  resume?: TrainState;
}

/**
 * What fit carries from one epoch to the next besides the model's weights and
 * buffers: what a checkpoint saves so that a run can resume exactly.
 */
export interface TrainState {
  /** Epochs completed: the next epoch to run (0-based). */
  readonly epoch: number;
  readonly optState: OptState;
  /** The optimizer's name, for errors when a state meets another optimizer. */
  readonly optimizer: string;
  /** The key the next epoch's shuffle splits from (tensor data fit batches itself). */
  readonly dataKey: PRNGKey;
  /** The key the next batch's dropout key splits from. */
  readonly dropoutKey: PRNGKey;
  readonly history: History;
}

const lossName = (loss: LossName | LossFn): string | undefined =>
  typeof loss === "string" ? loss : undefined;

function positiveInt(v: number | undefined, dflt: number, what: string): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(`fit: ${what} must be a positive integer, got ${v}`);
  return n;
}

/** Samples [from, from + count) of a tensor data set. */
function sliceDataset(ds: TensorDataset, from: number, count: number, op: string): TensorDataset {
  const part = (t: Tensor) => slice(t, [from], [count]);
  return new TensorDataset(part(ds.x), ds.y && part(ds.y), op);
}

function asDataset(x: FitInput, y: Tensor | undefined, op: string): Dataset | DataLoader {
  if (x instanceof Tensor) {
    if (!y) throw new ArgumentError(`${op}: targets are missing: call ${op}(x, y, options)`);
    return new TensorDataset(x, y, op);
  }
  if (y) throw new ArgumentError(`${op}: pass targets inside the data set, not beside it`);
  if (x instanceof DataLoader || x instanceof TensorDataset || x?.kind === "stream") return x;
  throw new ArgumentError(`${op}: expected a Tensor, a Dataset or a DataLoader as data`);
}

/**
 * Catches bad data before the first step: traces the model on all of x
 * (input width, shapes) and runs the loss on every target (label ranges, ±1
 * labels, shapes), so the error names the data, not an op deep inside.
 */
function preflight(model: Module, ds: TensorDataset, loss: LossFn, op: string): void {
  try {
    const out = modelOutput(model, ds.x);
    noGrad(() => {
      if (ds.y) loss(zeros([ds.size, ...out.shape.slice(1)], out.dtype), ds.y);
    });
  } catch (e) {
    if (e instanceof GrafoError)
      e.message = `${op}: the data does not fit the model or the loss: ${e.message}`;
    throw e;
  }
}

/**
 * The shape and dtype of the model's output on `x`. Tracing computes no
 * values, so it checks the whole of x for the cost of one small batch, and a
 * shape error names the user's own shape ([10,3]), not a probe batch's.
 */
function modelOutput(model: Module, x: Tensor): Aval {
  try {
    const graph = trace(
      (p: ParamTree, xs: Tensor) => model.apply(p, xs, { training: false }),
      model.parameters(),
      x,
    );
    return graph.value(graph.outputs[0]!);
  } catch (e) {
    if (e instanceof ShapeError || e instanceof DTypeError || !(e instanceof GrafoError)) throw e;
    // A model that reads values while it runs cannot be traced: run it on its first samples.
    return noGrad(() =>
      model.apply(model.parameters(), slice(x, [0], [Math.min(x.shape[0]!, 2)]), { training: false }),
    );
  }
}

/** One training step as fit calls it, on a batch with the running statistics and a dropout key. */
type RunStep = (
  params: ParamTree,
  optState: OptState,
  x: Tensor,
  y: Tensor,
  buffers: ParamTree,
  key: PRNGKey,
) => ReturnType<TrainStep>;

/**
 * The step fit calls: the pure step of step.ts, eager or compiled. This is
 * the one seam between training and the graph compiler.
 */
function stepRunner(step: TrainStep, compiled: boolean): RunStep {
  const eager: RunStep = (params, optState, x, y, buffers, key) =>
    step(params, optState, x, y, { buffers, key });
  if (!compiled) return eager;
  // Everything the step reads is an argument (the dropout key as key data), so
  // one plan serves every batch of a shape and draws fresh masks each call.
  const fast = compile(
    (params: ParamTree, optState: OptState, x: Tensor, y: Tensor, buffers: ParamTree, key: Tensor) =>
      step(params, optState, x, y, { buffers, key }),
  );
  let failed = false;
  return (params, optState, x, y, buffers, key) => {
    if (failed) return eager(params, optState, x, y, buffers, key);
    try {
      return fast(params, optState, x, y, buffers, keyData(key));
    } catch (e) {
      // An op the tracer cannot take: train eagerly rather than not at all.
      failed = true;
      if (!(e instanceof GrafoError)) throw e;
      return eager(params, optState, x, y, buffers, key);
    }
  };
}

/** The optimizer state a resumed run starts from, checked against the state `optimizer` would make. */
function resumedOptState(optimizer: Optimizer, params: ParamTree, resume: TrainState, op: string): OptState {
  if (!Number.isInteger(resume.epoch) || resume.epoch < 0)
    throw new ArgumentError(`${op}: resume.epoch must be a non-negative integer, got ${resume.epoch}`);
  const fresh = optimizer.init(params);
  const mismatch = (what: string) =>
    new ArgumentError(
      `${op}: the resumed optimizer state (${resume.optimizer}) does not fit this ${optimizer.name} optimizer and model: ${what}`,
    );
  const want = Object.keys(fresh.slots).sort();
  const got = Object.keys(resume.optState.slots).sort();
  if (want.join() !== got.join())
    throw mismatch(`its slots are [${got.join(", ")}], this optimizer's [${want.join(", ")}]`);
  for (const s of want) {
    const a = fresh.slots[s]!;
    const b = resume.optState.slots[s]!;
    if (a.length !== b.length) throw mismatch(`${b.length} ${s} tensors for ${a.length} parameters`);
    a.forEach((t, i) => {
      if (t.shape.join() !== b[i]!.shape.join())
        throw mismatch(`${s} tensor ${i} has shape [${b[i]!.shape}], its parameter [${t.shape}]`);
    });
  }
  return resume.optState;
}

function copyHistory(h: History): History {
  const out = new History();
  out.epochs.push(...h.epochs);
  for (const [k, v] of Object.entries(h.history)) out.history[k] = [...v];
  return out;
}

/** Trains `model` in place and returns the History of its logs. `model.fit(...)` calls this. */
export async function fit(
  model: Module,
  input: FitInput,
  targets: Tensor | undefined,
  options: FitOptions,
): Promise<History> {
  const op = "fit";
  if (!options || options.loss === undefined) throw new ArgumentError(`${op}: options.loss is required`);
  const loss = getLoss(options.loss, op);
  const optimizer = options.optimizer ?? adam({ lr: 1e-3 });
  const epochs = positiveInt(options.epochs, 1, "epochs");
  const batchSize = positiveInt(options.batchSize, 32, "batchSize");
  const metrics = (options.metrics ?? []).map((m) => getMetric(m, lossName(options.loss)));
  const [seedDataKey, seedDropoutKey] = split(makeKey(options.seed ?? 0));
  const resume = options.resume;
  let dataKey = resume?.dataKey ?? seedDataKey!;

  let train = asDataset(input, targets, op);
  let validation: Dataset | undefined;
  if (options.validationSplit !== undefined) {
    const f = options.validationSplit;
    if (!(train instanceof TensorDataset))
      throw new ArgumentError(`${op}: validationSplit needs tensor data`);
    const nVal = Math.round(train.size * f);
    if (!(f > 0 && f < 1) || nVal < 1 || nVal >= train.size)
      throw new ArgumentError(
        `${op}: validationSplit ${f} of ${train.size} samples leaves no training or no validation samples`,
      );
    validation = sliceDataset(train, train.size - nVal, nVal, `${op} (validation)`);
    train = sliceDataset(train, 0, train.size - nVal, op);
  }
  if (options.validationData) {
    const v = options.validationData;
    validation = Array.isArray(v)
      ? new TensorDataset(v[0] as Tensor, v[1] as Tensor, `${op} (validationData)`)
      : (v as Dataset);
  }
  const trainDs = train instanceof DataLoader ? train.dataset : train;
  if (trainDs instanceof TensorDataset) preflight(model, trainDs, loss, op);
  if (validation instanceof TensorDataset) preflight(model, validation, loss, `${op} (validation)`);
  const loader =
    train instanceof DataLoader
      ? train
      : new DataLoader(train, {
          batchSize,
          shuffle: (options.shuffle ?? true) && train.kind === "tensors",
          key: dataKey,
        });

  const wasTraining = model.training;
  model.train();
  let params = model.parameters();
  let buffers = model.buffers();
  let optState = resume ? resumedOptState(optimizer, params, resume, op) : optimizer.init(params);
  const step = stepRunner(makeTrainStep(model, loss, optimizer), options.compiled ?? true);
  const history = resume ? copyHistory(resume.history) : new History();
  // The loader splits its key once per shuffled epoch; following it lets a checkpoint resume the same orders.
  const shuffles = !(train instanceof DataLoader) && loader.shuffle;
  let completed = resume?.epoch ?? 0;
  const ctx: TrainContext = {
    model,
    optimizer,
    epochs,
    batchesPerEpoch: loader.numBatches,
    stopTraining: false,
    learningRate: () => optimizer.learningRate(optState),
    scaleLearningRate: (factor) => {
      optState = scaleLearningRate(optState, factor);
    },
    trainState: () => ({
      epoch: completed,
      optState,
      optimizer: optimizer.name,
      dataKey,
      dropoutKey: key,
      history,
    }),
  };
  const callbacks = [progress(options.verbose ?? 1), ...(options.callbacks ?? [])];
  const signal = options.signal;
  let key = resume?.dropoutKey ?? seedDropoutKey!;
  let logs: Logs = {};

  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  try {
    for (let epoch = completed; epoch < epochs; epoch++) {
      if (signal?.aborted) {
        history.stopped = "aborted";
        break;
      }
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      const sums: Record<string, number> = { loss: 0 };
      let seen = 0;
      let batch = 0;
      for await (const { x, y } of loader) {
        if (!y) throw new ArgumentError(`${op}: the data set yields no targets (y)`);
        for (const cb of callbacks) await cb.onBatchBegin?.(batch, ctx);
        const [carry, use] = split(key);
        key = carry!;
        const [lossT, p, s, aux] = noGrad(() => step(params, optState, x, y, buffers, use!));
        const value = lossT.item();
        if (!Number.isFinite(value))
          throw new NaNError(
            `${op}: the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1}; try a lower learning rate, gradient clipping (clipNorm), or check the data for extreme values`,
          );
        [params, optState, buffers] = [p, s, aux.buffers];
        const n = x.shape[0] ?? 1;
        seen += n;
        sums.loss! += value * n;
        for (const m of metrics) sums[m.name] = (sums[m.name] ?? 0) + m.fn(aux.output, y) * n;
        const batchLogs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
        for (const cb of callbacks) await cb.onBatchEnd?.(batch, batchLogs, ctx);
        batch++;
        if (signal?.aborted) break;
      }
      model.setParameters(params);
      model.setBuffers(buffers);
      logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, seen)]));
      if (validation) {
        const v = await evaluate(model, validation, undefined, {
          loss: options.loss,
          metrics: options.metrics ?? [],
          batchSize: Math.max(batchSize, 256),
        });
        for (const [k, value] of Object.entries(v)) logs[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = value;
      }
      history.record(epoch, logs);
      completed = epoch + 1;
      if (shuffles) dataKey = split(dataKey)[0]!;
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
      // A callback may have loaded other weights (earlyStopping's restoreBestWeights).
      params = model.parameters();
      buffers = model.buffers();
      if (signal?.aborted) {
        history.stopped = "aborted";
        break;
      }
      if (ctx.stopTraining) {
        history.stopped = "callback";
        break;
      }
    }
  } finally {
    model.setParameters(params);
    model.setBuffers(buffers);
    model.train(wasTraining);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(logs, ctx);
  return history;
}

/** Mean loss and metrics over a data set, in eval mode (no dropout, running batchNorm statistics). */
export async function evaluate(
  model: Module,
  input: FitInput,
  targets: Tensor | undefined,
  options: EvaluateOptions,
): Promise<Record<string, number>> {
  const op = "evaluate";
  const loss = getLoss(options.loss, op);
  const metrics = (options.metrics ?? []).map((m) => getMetric(m, lossName(options.loss)));
  const ds = asDataset(input, targets, op);
  const loader = ds instanceof DataLoader ? ds : new DataLoader(ds, { batchSize: options.batchSize ?? 256 });
  const params = model.parameters();
  const sums: Record<string, number> = { loss: 0 };
  let seen = 0;
  for await (const { x, y } of loader) {
    if (!y) throw new ArgumentError(`${op}: the data set yields no targets (y)`);
    noGrad(() => {
      const out = model.apply(params, x, { training: false });
      const n = x.shape[0] ?? 1;
      seen += n;
      sums.loss! += loss(out, y).item() * n;
      for (const m of metrics) sums[m.name] = (sums[m.name] ?? 0) + m.fn(out, y) * n;
    });
  }
  if (seen === 0) throw new ArgumentError(`${op}: the data set is empty`);
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
}

/** The model's outputs on `x`, in eval mode, computed in batches without recording gradients. */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const batchSize = options.batchSize ?? 256;
  if (!(x instanceof Tensor) || x.rank === 0)
    throw new ArgumentError("predict: x must be a Tensor with a sample axis");
  const n = x.shape[0]!;
  if (n === 0) throw new ArgumentError("predict: x holds no samples");
  const params = model.parameters();
  return noGrad(() => {
    const outs: Tensor[] = [];
    for (let i = 0; i < n; i += batchSize)
      outs.push(model.apply(params, slice(x, [i], [Math.min(batchSize, n - i)]), { training: false }));
    return concat(outs, 0);
  });
}
