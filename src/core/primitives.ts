import type { DType } from "./dtype.js";

/** What a primitive knows of a tensor without its values: the abstract value. */
export interface Aval {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type CompareOp = "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual";

/** Window geometry shared by im2col and its adjoint col2im (NCHW, padding already resolved). */
export interface WindowAttrs {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** [top, bottom, left, right] */
  readonly pad: readonly [number, number, number, number];
}

type None = Record<string, never>;

/**
 * Every primitive grafo has, with the attributes it takes. All other ops are
 * compositions of these. Tables typed over these keys (`{ [P in PrimName]: … }`)
 * make a missing rule a compile error.
 *
 * Conventions that keep the rules short: elementwise binary primitives take two
 * inputs of the same shape and dtype (the public ops broadcast and promote first),
 * and reductions drop the reduced axes (the public ops restore them for keepDims).
 */
export interface PrimAttrs {
  // elementwise, one input
  neg: None;
  exp: None;
  log: None;
  log1p: None;
  expm1: None;
  sin: None;
  cos: None;
  tanh: None;
  sigmoid: None;
  sqrt: None;
  abs: None;
  sign: None;
  floor: None;
  ceil: None;
  round: None;
  erf: None;
  isNaN: None;
  isFinite: None;
  logicalNot: None;
  cast: { readonly dtype: DType };
  stopGradient: None;
  // elementwise, two inputs (same shape and dtype)
  add: None;
  sub: None;
  mul: None;
  div: None;
  pow: None;
  maximum: None;
  minimum: None;
  compare: { readonly op: CompareOp };
  // elementwise, three inputs: where(cond, a, b)
  where: None;
  // reductions (reduced axes dropped)
  sum: { readonly axes: readonly number[] };
  max: { readonly axes: readonly number[] };
  prod: { readonly axes: readonly number[] };
  argmax: { readonly axis: number; readonly min: boolean };
  cumsum: { readonly axis: number; readonly reverse: boolean };
  // shape and data movement
  reshape: { readonly shape: readonly number[] };
  transpose: { readonly perm: readonly number[] };
  broadcastTo: { readonly shape: readonly number[] };
  slice: { readonly begin: readonly number[]; readonly size: readonly number[] };
  pad: { readonly lo: readonly number[]; readonly hi: readonly number[] };
  flip: { readonly axes: readonly number[] };
  concat: { readonly axis: number };
  gather: { readonly axis: number };
  scatterAdd: { readonly axis: number; readonly size: number };
  // randomness: uniform [0, 1) from key data (an int32 [2] tensor), so random draws can be traced
  randomUniform: { readonly shape: readonly number[]; readonly dtype: DType; readonly stream: number };
  // linear algebra and windows
  matmul: None;
  im2col: WindowAttrs;
  col2im: WindowAttrs & { readonly inputShape: readonly number[] };
}

export type PrimName = keyof PrimAttrs;
