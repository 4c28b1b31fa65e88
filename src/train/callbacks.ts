/**
 * Callbacks: hooks into `fit` at the start and end of training, of each
 * epoch and of each batch, as in Keras. Each gets the training context, so it
 * can stop training, read or change the learning rate, or read the model.
 */

import type * as NodeFs from "node:fs/promises";
import { ArgumentError } from "../core/errors.js";
import { importNodeOnly } from "../core/node-only.js";
import type { Tensor } from "../core/tensor.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizers.js";
import type { TrainState } from "./fit.js";

/** Numbers logged by fit: loss, metrics, and their `val…` counterparts. */
export type Logs = Record<string, number>;

/** What a callback can see and steer. */
export interface TrainContext {
  readonly model: Module;
  readonly optimizer: Optimizer;
  /** Epochs asked for. */
  readonly epochs: number;
  /** Batches per epoch (undefined for streams). */
  readonly batchesPerEpoch: number | undefined;
  /** Set to stop after the current epoch. */
  stopTraining: boolean;
  /** The learning rate the next step will use. */
  learningRate(): number;
  /** Multiplies the learning rate by `factor` from the next step on. */
  scaleLearningRate(factor: number): void;
  /** What a checkpoint saves besides the model to resume this run exactly (`fit`'s `resume`). */
  trainState(): TrainState;
}

/** Hooks, all optional; each may return a promise, which fit awaits. */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(logs: Logs, ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onBatchBegin?(batch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
}

interface MonitorOptions {
  /** The log to watch (default "valLoss"). */
  monitor?: string;
  /** "min" for losses, "max" for accuracies; "auto" guesses from the name (default). */
  mode?: "min" | "max" | "auto";
  /** The smallest change that counts as an improvement. */
  minDelta?: number;
}

/** Tracks the best value of a log and whether the latest one improved on it. */
function monitorOf(options: MonitorOptions, who: string) {
  const monitor = options.monitor ?? "valLoss";
  const mode = options.mode ?? "auto";
  const maximize = mode === "max" || (mode === "auto" && /acc|auc|precision|recall/i.test(monitor));
  const minDelta = Math.abs(options.minDelta ?? 0);
  let best = maximize ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return {
    monitor,
    get best() {
      return best;
    },
    /** Whether `logs[monitor]` beats the best so far (and records it if so). */
    improved(logs: Logs): boolean {
      const v = logs[monitor];
      if (v === undefined)
        throw new ArgumentError(
          `${who}: monitored value "${monitor}" is not in the logs (${Object.keys(logs).join(", ")}); add validation data or monitor "loss"`,
        );
      const better = maximize ? v > best + minDelta : v < best - minDelta;
      if (better) best = v;
      return better;
    },
  };
}

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement to wait before stopping (default 0). */
  patience?: number;
  /** Put back the weights of the best epoch when stopping (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored value stops improving. */
export function earlyStopping(
  options: EarlyStoppingOptions = {},
): Callback & { stoppedEpoch: number | undefined } {
  const patience = options.patience ?? 0;
  let watch = monitorOf(options, "earlyStopping");
  let wait = 0;
  let bestWeights: Record<string, Tensor> | undefined;
  const cb = {
    stoppedEpoch: undefined as number | undefined,
    onTrainBegin() {
      watch = monitorOf(options, "earlyStopping");
      wait = 0;
      bestWeights = undefined;
      cb.stoppedEpoch = undefined;
    },
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext) {
      if (watch.improved(logs)) {
        wait = 0;
        if (options.restoreBestWeights) bestWeights = ctx.model.stateDict();
        return;
      }
      if (++wait > patience) {
        ctx.stopTraining = true;
        cb.stoppedEpoch = epoch;
        if (bestWeights) ctx.model.loadStateDict(bestWeights);
      }
    },
  };
  return cb;
}

export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** Multiply the learning rate by this (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Never go below this learning rate (default 0). */
  minLr?: number;
}

/** Lowers the learning rate when the monitored value stops improving. */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): Callback {
  const factor = options.factor ?? 0.1;
  if (!(factor > 0 && factor < 1))
    throw new ArgumentError(`reduceLROnPlateau: factor must be in (0, 1), got ${factor}`);
  const patience = options.patience ?? 10;
  const minLr = options.minLr ?? 0;
  let watch = monitorOf({ minDelta: 1e-4, ...options }, "reduceLROnPlateau");
  let wait = 0;
  return {
    onTrainBegin() {
      watch = monitorOf({ minDelta: 1e-4, ...options }, "reduceLROnPlateau");
      wait = 0;
    },
    onEpochEnd(_epoch, logs, ctx) {
      if (watch.improved(logs)) {
        wait = 0;
        return;
      }
      if (++wait > patience) {
        const lr = ctx.learningRate();
        const target = Math.max(lr * factor, minLr);
        if (target < lr) ctx.scaleLearningRate(target / lr);
        wait = 0;
      }
    },
  };
}

export interface ModelCheckpointOptions extends MonitorOptions {
  /**
   * Where to write; `{epoch}` is replaced by the epoch number (1-based). A
   * folder (or a `.safetensors` file, or `indexeddb://name`) receives a full
   * checkpoint (`saveCheckpoint`: model, optimizer state, keys, History) that
   * `loadCheckpoint` and `fit`'s `resume` continue from; a `.json` path
   * receives the state dict as JSON (`train.loadCheckpoint` reads it).
   */
  path: string;
  /** Only save when the monitored value improves (default false: every epoch). */
  saveBestOnly?: boolean;
  /** Save the model alone (`save`), without the training state (default false). */
  weightsOnly?: boolean;
}

/** A state dict as JSON: name → shape, dtype and values. */
export function stateDictToJson(dict: Readonly<Record<string, Tensor>>): string {
  const out: Record<string, { shape: readonly number[]; dtype: string; data: number[] }> = {};
  for (const [k, t] of Object.entries(dict))
    out[k] = { shape: t.shape, dtype: t.dtype, data: Array.from(t.data()) };
  return JSON.stringify(out);
}

/**
 * Saves a checkpoint after each epoch (or only on improvement), atomically.
 * src/io, a layer above training, is imported when the first one is written.
 */
export function modelCheckpoint(options: ModelCheckpointOptions): Callback {
  const watch = () => monitorOf(options, "modelCheckpoint");
  let w = watch();
  return {
    onTrainBegin() {
      w = watch();
    },
    async onEpochEnd(epoch, logs, ctx) {
      if (options.saveBestOnly && !w.improved(logs)) return;
      const path = options.path.replace("{epoch}", String(epoch + 1));
      if (/\.json$/i.test(path)) {
        const { writeFile } = await importNodeOnly<typeof NodeFs>("node:fs/promises", "modelCheckpoint");
        await writeFile(path, stateDictToJson(ctx.model.stateDict()));
        return;
      }
      const io = await import("../io/checkpoint.js");
      if (options.weightsOnly) await io.save(ctx.model, path);
      else await io.saveCheckpoint(ctx.model, ctx.trainState(), path);
    },
  };
}

/** Reads a checkpoint written by `modelCheckpoint`, as a state dict for `model.loadStateDict`. */
export async function loadCheckpoint(path: string): Promise<Record<string, Tensor>> {
  const [{ readFile }, { tensor }] = await Promise.all([
    importNodeOnly<typeof NodeFs>("node:fs/promises", "loadCheckpoint"),
    import("../core/creation.js"),
  ]);
  const raw = JSON.parse(await readFile(path, "utf8")) as Record<
    string,
    { shape: number[]; dtype: "float32" | "float64" | "int32" | "bool"; data: number[] }
  >;
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, tensor(v.data, v.shape, { dtype: v.dtype })]),
  );
}
