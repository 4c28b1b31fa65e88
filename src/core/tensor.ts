import type { Conv2dOptions, Pool2dOptions } from "../ops/index.js";
import * as ops from "../ops/index.js";
import { allocate, type DataArray, type DType } from "./dtype.js";
import { GrafoError } from "./errors.js";
import { formatTensor } from "./format.js";
import { noteTensor } from "./memory.js";
import type { Aval } from "./primitives.js";
import { contiguousStrides, sizeOf } from "./shape.js";
import type { Tracer } from "./trace.js";

/** Nested JS arrays of numbers or booleans, as `toArray()` returns and `tensor()` takes. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Anything an op accepts where a tensor goes: a Tensor, a JS scalar or a nested array. */
export type TensorLike = Tensor | number | boolean | readonly NestedArray[];

/** Row-major or strided view onto a typed array. */
export interface Buffer {
  readonly data: DataArray;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** The record PyTorch-style `backward()` walks: which primitive made a tensor from what. */
export interface GradFn {
  /** What made the tensor, for messages and debugging. */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Cotangents of `inputs` from the output's cotangent (null = zero). */
  readonly vjp: (ct: Tensor) => readonly (Tensor | null)[];
}

/**
 * An n-dimensional array (slide L12). Immutable: every op returns a new tensor.
 * On the CPU backends its data is an ordinary typed array, so it is garbage
 * collected like any JS object; nothing needs disposing.
 *
 * Inside a transformation (grad, jvp, trace) a Tensor may be a tracer that
 * stands for a value; the same methods work on both.
 */
export class Tensor implements Aval {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal concrete storage, or undefined for a tracer */
  readonly _buf: Buffer | undefined;
  /** @internal set when this tensor stands for a value inside a transformation */
  readonly _tracer: Tracer | undefined;
  /** PyTorch-style: whether `backward()` should fill `grad` for this tensor. */
  requiresGrad = false;
  /** PyTorch-style: the gradient `backward()` accumulated here. */
  grad: Tensor | undefined = undefined;
  /** @internal how this tensor was made, when it depends on a tensor that requires grad */
  _gradFn: GradFn | undefined = undefined;

  /** @internal use `tensor()` and the other creation functions. */
  constructor(shape: readonly number[], dtype: DType, buf: Buffer | undefined, tracer?: Tracer) {
    this.shape = shape;
    this.dtype = dtype;
    this._buf = buf;
    this._tracer = tracer;
    if (buf !== undefined) noteTensor(this, buf.data);
  }

  /** @internal a fresh contiguous tensor over `data`. */
  static _fromData(data: DataArray, shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(shape, dtype, { data, strides: contiguousStrides(shape), offset: 0 });
  }

  /** @internal a tracer tensor of the given abstract value. */
  static _traced(aval: Aval, tracer: Tracer): Tensor {
    return new Tensor(aval.shape, aval.dtype, undefined, tracer);
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** @internal the concrete tensor behind this one (itself, or a tracer's primal). */
  _concrete(): Tensor {
    if (this._buf) return this;
    const c = this._tracer?.concrete();
    if (!c) {
      throw new GrafoError(
        "cannot read the values of a tensor here: inside trace/compile a tensor has only a shape (run the graph with graph.run(...)), and inside vmap it stands for a whole batch (return it, and read it outside)",
      );
    }
    return c._concrete();
  }

  /** A copy of the values in row-major order, as a typed array of this dtype (see `readonlyData()` for none). */
  data(): DataArray {
    const t = this._concrete();
    const { data, strides, offset } = t._buf!;
    const n = t.size;
    const shape = t.shape;
    const contiguous = contiguousStrides(shape);
    if (strides.every((s, i) => s === contiguous[i] || shape[i] === 1)) {
      return data.slice(offset, offset + n) as DataArray;
    }
    // Walk the outer axes like an odometer and copy each innermost row at once,
    // so broadcast and sliced views (unit inner stride) copy at memcpy speed.
    const out = allocate(t.dtype, n);
    const rank = shape.length;
    const len = shape[rank - 1]!;
    const step = strides[rank - 1]!;
    const idx = new Array<number>(rank).fill(0);
    let src = offset;
    for (let row = 0; row < n; row += len) {
      if (step === 1) out.set(data.subarray(src, src + len), row);
      else for (let j = 0; j < len; j++) out[row + j] = data[src + j * step]!;
      for (let d = rank - 2; d >= 0; d--) {
        idx[d]!++;
        src += strides[d]!;
        if (idx[d]! < shape[d]!) break;
        src -= strides[d]! * shape[d]!;
        idx[d] = 0;
      }
    }
    return out;
  }

  /**
   * The values in row-major order without a copy where they are stored that
   * way: the tensor's own array (or a subarray of it), else a fresh copy as
   * `data()` makes. The array is shared with the tensor (and with its views),
   * so it is read-only by contract: grafo assumes a tensor's values never
   * change, and the type rejects indexed writes. Use it to read results
   * (to draw them, to send them on) at no cost; use `data()` for an array of
   * your own to modify.
   */
  readonlyData(): Readonly<DataArray> {
    const t = this._concrete();
    const { data, strides, offset } = t._buf!;
    const n = t.size;
    const shape = t.shape;
    const contiguous = contiguousStrides(shape);
    if (!strides.every((s, i) => s === contiguous[i] || shape[i] === 1)) return t.data();
    return offset === 0 && data.length === n ? data : (data.subarray(offset, offset + n) as DataArray);
  }

  /** The values as nested JS arrays (numbers; booleans for dtype bool). */
  toArray(): NestedArray {
    const flat = this.data();
    const asJs = (i: number): number | boolean => (this.dtype === "bool" ? flat[i] !== 0 : flat[i]!);
    if (this.rank === 0) return asJs(0);
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const inner = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.rank - 1 ? asJs(offset + i) : build(dim + 1, offset + i * inner));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new GrafoError(
        `item: tensor has ${this.size} elements, shape [${this.shape}]; item() needs exactly one`,
      );
    return this.data()[0]!;
  }

  /** numpy-like printing; large tensors are summarised. */
  toString(): string {
    if (!this._buf && !this._tracer?.concrete())
      return `Tensor(traced, shape=[${this.shape}], dtype=${this.dtype})`;
    return formatTensor(this.data(), this.shape, this.dtype);
  }

  /**
   * PyTorch-style: the same values (shared, not copied) without `requiresGrad`
   * or recorded history, so `backward()` stops here and nothing it would walk
   * is kept alive through this tensor.
   */
  detach(): Tensor {
    const c = this._concrete();
    return new Tensor(c.shape, c.dtype, c._buf);
  }

  /** PyTorch-style reverse mode: fills `.grad` of every tensor with `requiresGrad` this one depends on. */
  backward(gradient?: Tensor): void {
    ops.backward(this, gradient);
  }

  // ---- elementwise ----
  add(b: TensorLike): Tensor {
    return ops.add(this, b);
  }
  sub(b: TensorLike): Tensor {
    return ops.sub(this, b);
  }
  mul(b: TensorLike): Tensor {
    return ops.mul(this, b);
  }
  div(b: TensorLike): Tensor {
    return ops.div(this, b);
  }
  pow(b: TensorLike): Tensor {
    return ops.pow(this, b);
  }
  maximum(b: TensorLike): Tensor {
    return ops.maximum(this, b);
  }
  minimum(b: TensorLike): Tensor {
    return ops.minimum(this, b);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  log1p(): Tensor {
    return ops.log1p(this);
  }
  expm1(): Tensor {
    return ops.expm1(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  sin(): Tensor {
    return ops.sin(this);
  }
  cos(): Tensor {
    return ops.cos(this);
  }
  tan(): Tensor {
    return ops.tan(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  leakyRelu(alpha?: number): Tensor {
    return ops.leakyRelu(this, alpha);
  }
  elu(alpha?: number): Tensor {
    return ops.elu(this, alpha);
  }
  gelu(approximate?: boolean): Tensor {
    return ops.gelu(this, approximate);
  }
  softplus(): Tensor {
    return ops.softplus(this);
  }
  step(): Tensor {
    return ops.step(this);
  }
  erf(): Tensor {
    return ops.erf(this);
  }
  floor(): Tensor {
    return ops.floor(this);
  }
  ceil(): Tensor {
    return ops.ceil(this);
  }
  round(): Tensor {
    return ops.round(this);
  }
  clip(min: number, max: number): Tensor {
    return ops.clip(this, min, max);
  }
  equal(b: TensorLike): Tensor {
    return ops.equal(this, b);
  }
  notEqual(b: TensorLike): Tensor {
    return ops.notEqual(this, b);
  }
  less(b: TensorLike): Tensor {
    return ops.less(this, b);
  }
  lessEqual(b: TensorLike): Tensor {
    return ops.lessEqual(this, b);
  }
  greater(b: TensorLike): Tensor {
    return ops.greater(this, b);
  }
  greaterEqual(b: TensorLike): Tensor {
    return ops.greaterEqual(this, b);
  }
  logicalAnd(b: TensorLike): Tensor {
    return ops.logicalAnd(this, b);
  }
  logicalOr(b: TensorLike): Tensor {
    return ops.logicalOr(this, b);
  }
  logicalNot(): Tensor {
    return ops.logicalNot(this);
  }
  isNaN(): Tensor {
    return ops.isNaN(this);
  }
  isFinite(): Tensor {
    return ops.isFinite(this);
  }
  cast(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }
  stopGradient(): Tensor {
    return ops.stopGradient(this);
  }

  // ---- reductions ----
  sum(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.sum(this, axis, keepDims);
  }
  mean(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.mean(this, axis, keepDims);
  }
  prod(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.prod(this, axis, keepDims);
  }
  max(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.max(this, axis, keepDims);
  }
  min(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.min(this, axis, keepDims);
  }
  argmax(axis?: number): Tensor {
    return ops.argmax(this, axis);
  }
  argmin(axis?: number): Tensor {
    return ops.argmin(this, axis);
  }
  logSumExp(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.logSumExp(this, axis, keepDims);
  }
  variance(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.variance(this, axis, keepDims);
  }
  std(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.std(this, axis, keepDims);
  }
  norm(ord?: number, axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.norm(this, ord, axis, keepDims);
  }
  all(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.all(this, axis, keepDims);
  }
  any(axis?: number | readonly number[], keepDims?: boolean): Tensor {
    return ops.any(this, axis, keepDims);
  }
  cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor {
    return ops.cumsum(this, axis, exclusive, reverse);
  }

  // ---- linear algebra ----
  matmul(b: TensorLike): Tensor {
    return ops.matmul(this, b);
  }
  dot(b: TensorLike): Tensor {
    return ops.dot(this, b);
  }
  outer(b: TensorLike): Tensor {
    return ops.outer(this, b);
  }

  // ---- shape ----
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  flatten(): Tensor {
    return ops.reshape(this, [-1]);
  }
  transpose(perm?: readonly number[]): Tensor {
    return ops.transpose(this, perm);
  }
  /** The transpose with all axes reversed (numpy's `.T`): a matrix's transpose. */
  get T(): Tensor {
    return ops.transpose(this);
  }
  squeeze(axis?: number | readonly number[]): Tensor {
    return ops.squeeze(this, axis);
  }
  expandDims(axis?: number): Tensor {
    return ops.expandDims(this, axis);
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return ops.broadcastTo(this, shape);
  }
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor {
    return ops.slice(this, begin, size);
  }
  index(...spec: ops.IndexSpec[]): Tensor {
    return ops.index(this, ...spec);
  }
  flip(axis?: number | readonly number[]): Tensor {
    return ops.flip(this, axis);
  }
  pad(paddings: readonly (readonly [number, number])[], value?: number): Tensor {
    return ops.pad(this, paddings, value);
  }
  tile(reps: readonly number[]): Tensor {
    return ops.tile(this, reps);
  }
  gather(indices: TensorLike, axis?: number): Tensor {
    return ops.gather(this, indices, axis);
  }
  split(sizes: number | readonly number[], axis?: number): Tensor[] {
    return ops.split(this, sizes, axis);
  }
  oneHot(depth: number): Tensor {
    return ops.oneHot(this, depth);
  }

  // ---- nn building blocks ----
  softmax(axis?: number): Tensor {
    return ops.softmax(this, axis);
  }
  logSoftmax(axis?: number): Tensor {
    return ops.logSoftmax(this, axis);
  }
  conv2d(w: Tensor, options?: Conv2dOptions): Tensor {
    return ops.conv2d(this, w, options);
  }
  maxPool2d(options: Pool2dOptions): Tensor {
    return ops.maxPool2d(this, options);
  }
  avgPool2d(options: Pool2dOptions): Tensor {
    return ops.avgPool2d(this, options);
  }
}
