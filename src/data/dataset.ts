import { ArgumentError, GrafoError, ShapeError } from "../core/errors.js";
import { key as makeKey, type PRNGKey, permutation, split } from "../core/random.js";
import { fmtShape } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { gather, stack } from "../ops/shape.js";

/** A batch (or a sample): inputs and, for supervised data, targets. */
export interface Batch {
  readonly x: Tensor;
  readonly y?: Tensor;
}

/** A source of samples for training: tensors in memory or an async stream. */
export type Dataset = TensorDataset | StreamDataset;

/** Throws if a tensor holds NaN or ±Inf, naming the first bad sample. */
export function checkFinite(op: string, what: string, t: Tensor): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") return;
  const d = t.data();
  const per = t.shape[0] ? t.size / t.shape[0] : 1;
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i]!))
      throw new ArgumentError(
        `${op}: ${what} holds ${Number.isNaN(d[i]!) ? "NaN" : d[i]}` +
          (t.rank > 0 ? ` in sample ${Math.floor(i / per)}` : "") +
          `; clean or impute the data first`,
      );
}

/**
 * Samples held as tensors whose first axis is the sample axis. Construction
 * checks what would otherwise fail deep inside training: equal lengths, at
 * least one sample, no NaN or Inf.
 */
export class TensorDataset {
  readonly kind = "tensors";
  readonly x: Tensor;
  readonly y: Tensor | undefined;

  constructor(x: Tensor, y?: Tensor, op = "Dataset") {
    if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: x must be a Tensor`);
    if (x.rank === 0) throw new ShapeError(`${op}: x needs a sample axis, got a scalar`);
    if (x.shape[0] === 0)
      throw new ArgumentError(`${op}: the data set is empty (x has shape ${fmtShape(x.shape)})`);
    if (y !== undefined) {
      if (!(y instanceof Tensor)) throw new ArgumentError(`${op}: y must be a Tensor`);
      if (y.rank === 0 || y.shape[0] !== x.shape[0])
        throw new ShapeError(
          `${op}: x has ${x.shape[0]} samples ${fmtShape(x.shape)} but y has ${y.rank === 0 ? "none (a scalar)" : y.shape[0]} ${fmtShape(y.shape)}`,
        );
      checkFinite(op, "y", y);
    }
    checkFinite(op, "x", x);
    this.x = x;
    this.y = y;
  }

  /** Number of samples. */
  get size(): number {
    return this.x.shape[0]!;
  }

  /** The samples at `indices`, as one batch. */
  take(indices: Tensor): Batch {
    const x = gather(this.x, indices, 0);
    return this.y ? { x, y: gather(this.y, indices, 0) } : { x };
  }
}

/** Where a stream's samples come from: a function giving a fresh iterable per epoch, or a re-iterable. */
export type SampleSource =
  | (() => AsyncIterable<Batch> | Iterable<Batch>)
  | AsyncIterable<Batch>
  | Iterable<Batch>;

/**
 * Samples from an (async) iterable, batched as they arrive: for data that does
 * not fit in memory or is produced on the fly. Each sample is `{ x, y }`
 * without a batch axis.
 */
export class StreamDataset {
  readonly kind = "stream";
  constructor(readonly source: SampleSource) {}

  /** Unknown until iterated. */
  get size(): undefined {
    return undefined;
  }

  /** A fresh pass over the samples. */
  open(): AsyncIterable<Batch> | Iterable<Batch> {
    return typeof this.source === "function" ? this.source() : this.source;
  }
}

/** A data set over tensors: `fromTensors(x, y)`; the first axis counts samples. */
export function fromTensors(x: Tensor, y?: Tensor): TensorDataset {
  return new TensorDataset(x, y, "data.fromTensors");
}

/** A data set over samples from an (async) iterable or a function returning one per epoch. */
export function fromIterable(source: SampleSource): StreamDataset {
  return new StreamDataset(source);
}

export interface DataLoaderOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Shuffle every epoch (tensor data sets only), from `key` or `seed`. */
  shuffle?: boolean;
  key?: PRNGKey;
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
}

/**
 * Batches over a data set, as an async iterable: each pass is one epoch, with
 * a new order when shuffling (keys split from the loader's key, so the same
 * seed always gives the same sequence of batches).
 */
export class DataLoader implements AsyncIterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private key: PRNGKey;

  constructor(
    readonly dataset: Dataset,
    options: DataLoaderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new ArgumentError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.key = options.key ?? makeKey(options.seed ?? 0);
    if (this.shuffle && dataset.kind === "stream")
      throw new ArgumentError("DataLoader: cannot shuffle a stream data set; shuffle at the source");
  }

  /** Batches per epoch (undefined for streams). */
  get numBatches(): number | undefined {
    const n = this.dataset.size;
    if (n === undefined) return undefined;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The index order of the next epoch (tensor data sets). */
  private order(n: number): Int32Array {
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    const [next, use] = split(this.key);
    this.key = next!;
    return permutation(use!, n).data() as Int32Array;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const ds = this.dataset;
    if (ds.kind === "tensors") {
      const order = this.order(ds.size);
      const count = this.numBatches!;
      for (let b = 0; b < count; b++) {
        const idx = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
        yield ds.take(Tensor._fromData(Int32Array.from(idx), [idx.length], "int32"));
      }
      return;
    }
    let pending: Batch[] = [];
    let seen = 0;
    const flush = (): Batch => {
      const xs = stack(pending.map((s) => s.x));
      const ys = pending.every((s) => s.y) ? stack(pending.map((s) => s.y!)) : undefined;
      pending = [];
      return ys ? { x: xs, y: ys } : { x: xs };
    };
    for await (const sample of ds.open()) {
      seen++;
      if (!(sample?.x instanceof Tensor))
        throw new ArgumentError(
          `DataLoader: sample ${seen - 1} of the stream is not { x: Tensor, y?: Tensor }`,
        );
      pending.push(sample);
      if (pending.length === this.batchSize) yield flush();
    }
    if (seen === 0)
      throw new GrafoError(
        "DataLoader: the stream yielded no samples (an async generator runs only once: pass a function that returns a fresh one per epoch)",
      );
    if (pending.length > 0 && !this.dropLast) yield flush();
  }
}
