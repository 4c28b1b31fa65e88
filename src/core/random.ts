import { allocate, type DType, isFloat } from "./dtype.js";
import { ArgumentError } from "./errors.js";
import { checkShape, sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * A splittable PRNG key, as in JAX: the same key always gives the same numbers,
 * and `split` derives independent keys, so randomness is reproducible and
 * never shared by accident. Keys are values; nothing mutates them.
 */
export class PRNGKey {
  constructor(
    readonly hi: number,
    readonly lo: number,
  ) {}
  toString(): string {
    return `PRNGKey(${this.hi}, ${this.lo})`;
  }
}

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];

/** Threefry-2x32 with 20 rounds (Salmon et al. 2011), the counter-based generator JAX uses. */
function threefry(key: PRNGKey, c0: number, c1: number, out: Uint32Array, at: number): void {
  const ks0 = key.hi >>> 0;
  const ks1 = key.lo >>> 0;
  const ks = [ks0, ks1, (ks0 ^ ks1 ^ 0x1bd11bda) >>> 0];
  let x0 = (c0 + ks0) >>> 0;
  let x1 = (c1 + ks1) >>> 0;
  for (let r = 0; r < 20; r++) {
    x0 = (x0 + x1) >>> 0;
    const s = ROTATIONS[r % 8]!;
    x1 = ((x1 << s) | (x1 >>> (32 - s))) >>> 0;
    x1 = (x1 ^ x0) >>> 0;
    if (r % 4 === 3) {
      const i = (r + 1) / 4;
      x0 = (x0 + ks[i % 3]!) >>> 0;
      x1 = (x1 + ks[(i + 1) % 3]! + i) >>> 0;
    }
  }
  out[at] = x0;
  out[at + 1] = x1;
}

/**
 * `n` random 32-bit words from a key in counter mode. Counter word 1 picks the
 * stream: 0 is for splitting, 1 + s for draws on stream s (`random.uniform` and
 * friends use stream 0; the traceable `randomUniform` op takes any).
 */
function bits(key: PRNGKey, n: number, stream = 0): Uint32Array {
  const out = new Uint32Array(n + (n % 2));
  for (let j = 0; j < out.length / 2; j++) threefry(key, j, 1 + stream, out, 2 * j);
  return out.subarray(0, n);
}

/** A key's two words as an int32 [2] tensor: the form the traceable `randomUniform` op takes. */
export function keyData(k: PRNGKey): Tensor {
  return Tensor._fromData(Int32Array.of(k.hi | 0, k.lo | 0), [2], "int32");
}

/** The key stored in key data (the inverse of `keyData`). */
export function keyFromData(data: ArrayLike<number>): PRNGKey {
  return new PRNGKey(data[0]! >>> 0, data[1]! >>> 0);
}

/** A key from an integer seed. */
export function key(seed: number): PRNGKey {
  if (!Number.isInteger(seed)) throw new ArgumentError(`random.key: seed must be an integer, got ${seed}`);
  return new PRNGKey(Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0);
}

/** `n` new independent keys derived from `k` (default 2). */
export function split(k: PRNGKey, n = 2): PRNGKey[] {
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(`random.split: n must be a positive integer, got ${n}`);
  const words = new Uint32Array(2);
  return Array.from({ length: n }, (_, i) => {
    threefry(k, i, 0, words, 0);
    return new PRNGKey(words[0]!, words[1]!);
  });
}

let globalKey = key(0);

/** Seeds the global key that random functions use when they are not given one. */
export function setSeed(seed: number): void {
  globalKey = key(seed);
}

/** A fresh key from the global stream (for code that does not pass keys). */
export function nextKey(): PRNGKey {
  const [next, use] = split(globalKey);
  globalKey = next!;
  return use!;
}

type KeyOrShape = PRNGKey | readonly number[];

function keyAndShape(op: string, a: KeyOrShape, b: unknown): [PRNGKey, number[], boolean] {
  if (a instanceof PRNGKey) return [a, checkShape(op, (b as readonly number[] | undefined) ?? []), true];
  return [nextKey(), checkShape(op, a), false];
}

function floatDType(op: string, dtype: DType): DType {
  if (!isFloat(dtype)) throw new ArgumentError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return dtype;
}

/** @internal Uniform [0, 1) doubles from the words: 32 bits each, or 53 when float64 is asked for. */
export function unitUniform(k: PRNGKey, n: number, dtype: DType, stream = 0): Float64Array {
  const out = new Float64Array(n);
  if (dtype === "float64") {
    const w = bits(k, 2 * n, stream);
    for (let i = 0; i < n; i++)
      out[i] = ((w[2 * i]! >>> 5) * 67108864 + (w[2 * i + 1]! >>> 6)) / 9007199254740992;
  } else {
    const w = bits(k, n, stream);
    for (let i = 0; i < n; i++) out[i] = (w[i]! >>> 8) / 16777216;
  }
  return out;
}

export interface UniformOptions {
  minval?: number;
  maxval?: number;
  dtype?: DType;
}

/** Uniform samples in [minval, maxval): `uniform(key, shape, opts)` or `uniform(shape, opts)` with the global key. */
export function uniform(k: PRNGKey, shape: readonly number[], options?: UniformOptions): Tensor;
export function uniform(shape: readonly number[], options?: UniformOptions): Tensor;
export function uniform(a: KeyOrShape, b?: readonly number[] | UniformOptions, c?: UniformOptions): Tensor {
  const [k, shape, keyed] = keyAndShape("random.uniform", a, b);
  const { minval = 0, maxval = 1, dtype = "float32" } = (keyed ? c : (b as UniformOptions | undefined)) ?? {};
  if (!(minval < maxval))
    throw new ArgumentError(`random.uniform: minval ${minval} must be below maxval ${maxval}`);
  const u = unitUniform(k, sizeOf(shape), floatDType("random.uniform", dtype));
  const data = allocate(dtype, u.length);
  for (let i = 0; i < u.length; i++) data[i] = minval + (maxval - minval) * u[i]!;
  return Tensor._fromData(data, shape, dtype);
}

export interface NormalOptions {
  mean?: number;
  stddev?: number;
  dtype?: DType;
}

/** Normal samples (Box–Muller): `normal(key, shape, opts)` or `normal(shape, opts)`. */
export function normal(k: PRNGKey, shape: readonly number[], options?: NormalOptions): Tensor;
export function normal(shape: readonly number[], options?: NormalOptions): Tensor;
export function normal(a: KeyOrShape, b?: readonly number[] | NormalOptions, c?: NormalOptions): Tensor {
  const [k, shape, keyed] = keyAndShape("random.normal", a, b);
  const { mean = 0, stddev = 1, dtype = "float32" } = (keyed ? c : (b as NormalOptions | undefined)) ?? {};
  const n = sizeOf(shape);
  const u = unitUniform(k, 2 * Math.ceil(n / 2), floatDType("random.normal", dtype));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]!));
    const theta = 2 * Math.PI * u[i + 1]!;
    data[i] = mean + stddev * r * Math.cos(theta);
    if (i + 1 < n) data[i + 1] = mean + stddev * r * Math.sin(theta);
  }
  return Tensor._fromData(data, shape, dtype);
}

/** Bool samples, true with probability p. */
export function bernoulli(k: PRNGKey, p: number, shape: readonly number[]): Tensor;
export function bernoulli(p: number, shape: readonly number[]): Tensor;
export function bernoulli(a: PRNGKey | number, b: number | readonly number[], c?: readonly number[]): Tensor {
  const [k, p, s] = a instanceof PRNGKey ? [a, b as number, c ?? []] : [nextKey(), a, b as readonly number[]];
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`random.bernoulli: p must be in [0, 1], got ${p}`);
  const shape = checkShape("random.bernoulli", s);
  const u = unitUniform(k, sizeOf(shape), "float64");
  const data = new Uint8Array(u.length);
  for (let i = 0; i < u.length; i++) data[i] = u[i]! < p ? 1 : 0;
  return Tensor._fromData(data, shape, "bool");
}

/** A random permutation of 0..n−1 (int32), by Fisher–Yates. */
export function permutation(k: PRNGKey, n: number): Tensor;
export function permutation(n: number): Tensor;
export function permutation(a: PRNGKey | number, b?: number): Tensor {
  const [k, n] = a instanceof PRNGKey ? [a, b!] : [nextKey(), a];
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`random.permutation: n must be a non-negative integer, got ${n}`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const u = unitUniform(k, n, "float64");
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return Tensor._fromData(perm, [n], "int32");
}

/** Integers uniform in [minval, maxval) (int32). */
export function randint(k: PRNGKey, shape: readonly number[], minval: number, maxval: number): Tensor {
  if (!Number.isInteger(minval) || !Number.isInteger(maxval) || minval >= maxval) {
    throw new ArgumentError(`random.randint: need integers minval < maxval, got ${minval}, ${maxval}`);
  }
  const s = checkShape("random.randint", shape);
  const u = unitUniform(k, sizeOf(s), "float64");
  const data = new Int32Array(u.length);
  for (let i = 0; i < u.length; i++) data[i] = minval + Math.floor(u[i]! * (maxval - minval));
  return Tensor._fromData(data, s, "int32");
}
