/**
 * The op table the generic suite is driven from (DESIGN principle 2, after
 * PyTorch's OpInfo). Each entry is one public op (or one way of calling it)
 * with sample inputs, a float64 reference written independently in plain JS,
 * and what kind of derivative it has. `test/ops/generic.test.ts` turns every
 * entry into forward, first-order, dot-product, second-order or zero-gradient
 * tests, and a batching test (vmap against a loop over examples, in
 * test/support/vmap-check.ts), so adding an entry here adds its tests; the
 * coverage tests fail when a public op or a primitive has no entry.
 */
import type { PrimAttrs } from "../../src/core/primitives.js";
import type { DType, Tensor } from "../../src/index.js";
import * as g from "../../src/index.js";
import { bind } from "../../src/ops/dispatch.js";
import type { Tolerance } from "./allclose.js";
import type { Nd } from "./reference.js";
import * as R from "./reference.js";

/** How the inputs of a generated argument are drawn (all keep finite differences away from kinks). */
export type Domain =
  /** uniform in [−2, 2) */
  | "real"
  /** uniform in [0.5, 2.5): log, sqrt, the base of pow */
  | "positive"
  /** ±[0.3, 2): abs, relu, sign and the like stay away from their kink at 0 */
  | "nonzero"
  /** uniform in [−0.9, 0.9): log1p, tan */
  | "unit"
  /** k/2 + 0.1 for integer k in [−4, 3]: never equal to a "gridB" value, and ≥ 0.1 from ±0.5 */
  | "gridA"
  /** k/2 + 0.35: with "gridA", |a − b| ≥ 0.25, so maximum/minimum never tie */
  | "gridB"
  /** all elements distinct, ≥ 0.37 apart, with distinct absolute values: max, argmax, pooling */
  | "distinct"
  /** at least 0.1 from every integer and half-integer: floor, ceil, round */
  | "nonInteger"
  /** −1, 0 or 1, so comparisons see ties */
  | "smallInt"
  /** 0 or 1 (use with dtype bool) */
  | "bool";

/** One argument of a sample: generated from a domain, or given values. */
export interface ArgSpec {
  readonly shape: readonly number[];
  readonly domain?: Domain;
  /** Explicit row-major values (NaN, Inf, ties, …); overrides `domain`. */
  readonly values?: readonly number[];
  /** A fixed dtype (int32 indices, bool conditions); otherwise the dtype under test. */
  readonly dtype?: DType;
}

export interface Sample {
  readonly args: readonly ArgSpec[];
  /** Check the forward values only (extreme inputs where finite differences mean nothing). */
  readonly forwardOnly?: boolean;
}

/**
 * What derivative an op has, which decides the checks it gets:
 * - smooth: C² on its domain: forward, first order (vs finite differences), dot product, second order;
 * - piecewise: differentiable where its samples lie (they avoid kinks): the same checks as smooth;
 * - constant: float output, derivative zero almost everywhere (floor, sign, step, stopGradient): zero gradient;
 * - integer: int or bool output (argmax, comparisons, predicates): zero gradient through a cast;
 * - none: no float input (logical ops, oneHot): forward values only.
 */
export type Kind = "smooth" | "piecewise" | "constant" | "integer" | "none";

export interface OpInfo {
  /** Unique label of this entry, e.g. `sum(axis=-1, keepDims)`. */
  readonly name: string;
  /** The public op this entry exercises (`Tensor.T` for a method, `prim:col2im` for a bare primitive). */
  readonly op: string;
  readonly fn: (...xs: Tensor[]) => Tensor;
  /** The float64 reference, from the same inputs as plain arrays. */
  readonly ref: (...xs: Nd[]) => Nd;
  readonly samples: readonly Sample[];
  readonly kind: Kind;
  /** Dtypes the forward check runs in (args without a fixed dtype take it). Default float32 and float64. */
  readonly dtypes?: readonly DType[];
  /** Output dtype for an input dtype. Default: the same. */
  readonly outDtype?: (input: DType) => DType;
  /** Which arguments are differentiated. Default: those without a fixed dtype. */
  readonly diffArgs?: readonly number[];
  /** Looser forward tolerance where float32 accumulates (long sums, cancellation). */
  readonly tol?: { readonly float32?: Tolerance; readonly float64?: Tolerance };
  /** Finite-difference step, for ops whose output is rounded (casts to float32). */
  readonly fdEps?: number;
  /** Tolerance of derivative checks, for the same reason. */
  readonly gradTol?: Tolerance;
  /**
   * The derivative is zero by definition although the value moves (stopGradient),
   * so the zero-gradient check does not compare with finite differences.
   */
  readonly zeroByDefinition?: boolean;
}

// ---- sample builders ----

const arg = (shape: readonly number[], domain: Domain = "real"): ArgSpec => ({ shape, domain });
const vals = (
  values: readonly number[],
  shape: readonly number[] = [values.length],
  dtype?: DType,
): ArgSpec => (dtype ? { shape, values, dtype } : { shape, values });
const ints = (values: readonly number[], shape: readonly number[] = [values.length]): ArgSpec =>
  vals(values, shape, "int32");
const bools = (shape: readonly number[]): ArgSpec => ({ shape, domain: "bool", dtype: "bool" });
const one = (...args: ArgSpec[]): Sample => ({ args });
const forwardOnly = (...args: ArgSpec[]): Sample => ({ args, forwardOnly: true });

const UNARY_SHAPES: readonly (readonly number[])[] = [[], [3], [2, 3]];
/**
 * Smooth ops are also checked exactly at 0 and near it: random samples never
 * hit 0, where a stable formula built from kinks (max, abs) can lose derivatives.
 */
const AT_ZERO: Sample = one(vals([0, -0.25, 0.25]));
const includesZero = (d: Domain): boolean => d === "real" || d === "unit";
const unarySamples = (domain: Domain): Sample[] => UNARY_SHAPES.map((s) => one(arg(s, domain)));

/** Same shapes, trailing broadcast, both sides broadcast, scalar with tensor, rank-3 with rank-2. */
const BINARY_SHAPES: readonly [readonly number[], readonly number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [3, 1],
    [1, 4],
  ],
  [[], [2, 2]],
  [
    [2, 1, 3],
    [2, 1],
  ],
];
const binarySamples = (da: Domain, db: Domain): Sample[] =>
  BINARY_SHAPES.map(([a, b]) => one(arg(a, da), arg(b, db)));

const FLOATS: readonly DType[] = ["float32", "float64"];
const WITH_INT: readonly DType[] = ["float32", "float64", "int32"];
const toFloat = (d: DType): DType => (d === "float64" ? "float64" : "float32");
const toBool = (): DType => "bool";
const toInt = (): DType => "int32";

function unary(
  op: string,
  fn: (x: Tensor) => Tensor,
  f: (v: number) => number,
  kind: Kind,
  domain: Domain,
  extra: Partial<OpInfo> & { name?: string; extraSamples?: Sample[] } = {},
): OpInfo {
  const { extraSamples = [], ...rest } = extra;
  return {
    name: op,
    op,
    fn,
    ref: (x) => R.map(f, x!),
    samples: [
      ...unarySamples(domain),
      ...(kind === "smooth" && includesZero(domain) ? [AT_ZERO] : []),
      ...extraSamples,
    ],
    kind,
    ...rest,
  };
}

function binary(
  op: string,
  fn: (a: Tensor, b: Tensor) => Tensor,
  f: (a: number, b: number) => number,
  kind: Kind,
  domains: [Domain, Domain],
  extra: Partial<OpInfo> & { extraSamples?: Sample[] } = {},
): OpInfo {
  const { extraSamples = [], ...rest } = extra;
  return {
    name: op,
    op,
    fn,
    ref: (a, b) => R.map(f, a!, b!),
    samples: [...binarySamples(...domains), ...extraSamples],
    kind,
    ...rest,
  };
}

type Axis = number | readonly number[] | undefined;
const axisLabel = (axis: Axis, keepDims: boolean): string =>
  `(${axis === undefined ? "" : `axis=${JSON.stringify(axis)}`}${keepDims ? `${axis === undefined ? "" : ", "}keepDims` : ""})`;

/** Reductions are listed once per way of choosing axes: all, one, negative with keepDims, several. */
const REDUCE_CASES: readonly { axis: Axis; keepDims: boolean; shape: readonly number[] }[] = [
  { axis: undefined, keepDims: false, shape: [2, 3] },
  { axis: 0, keepDims: false, shape: [2, 3] },
  { axis: -1, keepDims: true, shape: [2, 3, 2] },
  { axis: [0, 2], keepDims: false, shape: [2, 3, 2] },
];

function reductions(
  op: string,
  fn: (x: Tensor, axis: Axis, keepDims: boolean) => Tensor,
  f: (values: number[]) => number,
  kind: Kind,
  domain: Domain,
  extra: Partial<OpInfo> = {},
  withScalar = true,
): OpInfo[] {
  return REDUCE_CASES.map(({ axis, keepDims, shape }) => ({
    name: `${op}${axisLabel(axis, keepDims)}`,
    op,
    fn: (x) => fn(x, axis, keepDims),
    ref: (x) => R.reduceWith(x!, axis, keepDims, f),
    samples: [one(arg(shape, domain)), ...(axis === undefined && withScalar ? [one(arg([], domain))] : [])],
    kind,
    ...extra,
  }));
}

// ---- references that need more than a line ----

const gelu = (v: number): number => 0.5 * v * (1 + R.erfSeries(v / Math.SQRT2));
const geluTanh = (v: number): number =>
  0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
const softplus = (v: number): number => (v > 30 ? v : v < -30 ? Math.exp(v) : Math.log(1 + Math.exp(v)));

function cumsumRef(x: Nd, axis: number, exclusive: boolean, reverse: boolean): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const n = x.shape[a]!;
  return R.build(x.shape, (idx) => {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const inRange = reverse
        ? k > idx[a]! || (!exclusive && k === idx[a])
        : k < idx[a]! || (!exclusive && k === idx[a]);
      if (inRange)
        s += R.at(
          x,
          idx.map((v, i) => (i === a ? k : v)),
        );
    }
    return s;
  });
}

/** Index of the first largest (or smallest) value along an axis; the flattened tensor when undefined. */
function argRef(x: Nd, axis: number | undefined, min: boolean): Nd {
  const t = axis === undefined ? R.reshape(x, [-1]) : x;
  const a = axis === undefined ? 0 : axis < 0 ? axis + x.shape.length : axis;
  return R.reduceWith(t, a, false, (v) => {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (min ? v[i]! < v[best]! : v[i]! > v[best]!) best = i;
    return best;
  });
}

function col2imRef(cols: Nd, attrs: PrimAttrs["col2im"]): Nd {
  const [n, c, h, w] = attrs.inputShape as [number, number, number, number];
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const [pt, , pl] = attrs.pad;
  const out = new Array<number>(n * c * h * w).fill(0);
  const ncols = cols.shape[2]!;
  const ow = Math.floor((w + attrs.pad[2] + attrs.pad[3] - dw * (kw - 1) - 1) / sw) + 1;
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < c; ci++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++)
          for (let col = 0; col < ncols; col++) {
            const iy = Math.floor(col / ow) * sh - pt + i * dh;
            const ix = (col % ow) * sw - pl + j * dw;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
              out[((b * c + ci) * h + iy) * w + ix]! += R.at(cols, [b, (ci * kh + i) * kw + j, col]);
          }
  return R.nd(out, attrs.inputShape);
}

const COL2IM: readonly { attrs: PrimAttrs["col2im"]; cols: number[] }[] = [
  {
    attrs: { kernel: [2, 2], stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0], inputShape: [1, 1, 3, 3] },
    cols: [1, 4, 4],
  },
  {
    attrs: { kernel: [2, 2], stride: [2, 2], dilation: [1, 1], pad: [0, 1, 0, 1], inputShape: [1, 2, 3, 3] },
    cols: [1, 8, 4],
  },
  {
    attrs: { kernel: [2, 1], stride: [1, 1], dilation: [2, 1], pad: [1, 1, 0, 0], inputShape: [2, 1, 3, 2] },
    cols: [2, 2, 6],
  },
];

// ---- the table ----

const COMPARISONS = [
  { op: "equal", fn: g.equal, f: (a: number, b: number) => a === b },
  { op: "notEqual", fn: g.notEqual, f: (a: number, b: number) => a !== b },
  { op: "less", fn: g.less, f: (a: number, b: number) => a < b },
  { op: "lessEqual", fn: g.lessEqual, f: (a: number, b: number) => a <= b },
  { op: "greater", fn: g.greater, f: (a: number, b: number) => a > b },
  { op: "greaterEqual", fn: g.greaterEqual, f: (a: number, b: number) => a >= b },
];

const NORMS: { ord: number; kind: Kind; domain: Domain; f: (v: number[]) => number }[] = [
  { ord: 2, kind: "smooth", domain: "nonzero", f: (v) => Math.sqrt(R.total(v.map((x) => x * x))) },
  { ord: 1, kind: "piecewise", domain: "nonzero", f: (v) => R.total(v.map(Math.abs)) },
  {
    ord: Number.POSITIVE_INFINITY,
    kind: "piecewise",
    domain: "distinct",
    f: (v) => Math.max(...v.map(Math.abs)),
  },
  { ord: 3, kind: "smooth", domain: "nonzero", f: (v) => R.total(v.map((x) => Math.abs(x) ** 3)) ** (1 / 3) },
];

const ARG_REDUCTIONS = [
  { op: "argmax", fn: g.argmax, min: false },
  { op: "argmin", fn: g.argmin, min: true },
];

const BOOL_REDUCTIONS = [
  { op: "any", fn: g.any, f: (v: number[]) => (v.some((x) => x !== 0) ? 1 : 0) },
  { op: "all", fn: g.all, f: (v: number[]) => (v.every((x) => x !== 0) ? 1 : 0) },
];

const CUMSUMS = [
  { axis: 0, exclusive: false, reverse: false },
  { axis: 1, exclusive: true, reverse: false },
  { axis: -1, exclusive: false, reverse: true },
  { axis: 1, exclusive: true, reverse: true },
];

const EINSUMS: { eq: string; shapes: number[][] }[] = [
  {
    eq: "ij,jk->ik",
    shapes: [
      [2, 3],
      [3, 4],
    ],
  },
  {
    eq: "bij,bjk->bik",
    shapes: [
      [2, 2, 3],
      [2, 3, 2],
    ],
  },
  { eq: "i,i->", shapes: [[4], [4]] },
  { eq: "ij->ji", shapes: [[2, 3]] },
  { eq: "ij->", shapes: [[2, 3]] },
  {
    eq: "ij,jk",
    shapes: [
      [2, 3],
      [3, 2],
    ],
  },
  {
    eq: "ij,kj->ki",
    shapes: [
      [2, 3],
      [4, 3],
    ],
  },
  {
    eq: "ij,jk,kl->il",
    shapes: [
      [2, 3],
      [3, 2],
      [2, 2],
    ],
  },
  { eq: "i,j->ij", shapes: [[2], [3]] },
];

const RESHAPES: { from: number[]; to: number[] }[] = [
  { from: [2, 3], to: [3, 2] },
  { from: [2, 3], to: [-1] },
  { from: [6], to: [1, 2, 3] },
  { from: [], to: [1, 1] },
];

const TRANSPOSES: { perm?: number[]; resolved?: number[] }[] = [
  {},
  { perm: [1, 0, 2], resolved: [1, 0, 2] },
  { perm: [2, 0, 1], resolved: [2, 0, 1] },
  { perm: [-1, 0, 1], resolved: [2, 0, 1] },
];

const BROADCASTS: { from: number[]; to: number[] }[] = [
  { from: [3], to: [2, 3] },
  { from: [2, 1], to: [2, 2, 3] },
  { from: [], to: [2, 2] },
  { from: [1, 3, 1], to: [2, 3, 2] },
];

const EXPAND_DIMS = [
  { axis: 0, to: [1, 2, 3] },
  { axis: -1, to: [2, 3, 1] },
  { axis: 1, to: [2, 1, 3] },
];

/** `begin`/`size` as the user passes them, and the resolved window the reference reads. */
const SLICES: {
  shape: number[];
  begin: number | number[];
  size?: number[];
  window: { begin: number[]; size: number[] };
}[] = [
  { shape: [3, 4], begin: [1, 1], size: [2, 2], window: { begin: [1, 1], size: [2, 2] } },
  { shape: [3, 4], begin: 1, window: { begin: [1, 0], size: [2, 4] } },
  { shape: [2, 3, 2], begin: [0, 1, 0], size: [-1, 2, 1], window: { begin: [0, 1, 0], size: [2, 2, 1] } },
  { shape: [4], begin: [3], size: [1], window: { begin: [3], size: [1] } },
];

/** numpy-like index specs, each with a reference written by index arithmetic. */
const INDEXES: { spec: g.IndexSpec[]; shape: number[]; ref: (x: Nd) => Nd }[] = [
  { spec: [1], shape: [3, 4], ref: (x) => R.build([4], ([j]) => R.at(x, [1, j!])) },
  { spec: [-1, "1:3"], shape: [3, 4], ref: (x) => R.build([2], ([j]) => R.at(x, [2, j! + 1])) },
  { spec: ["::-1", "1:"], shape: [3, 4], ref: (x) => R.build([3, 3], ([i, j]) => R.at(x, [2 - i!, j! + 1])) },
  { spec: ["...", 0], shape: [2, 3, 4], ref: (x) => R.build([2, 3], ([i, j]) => R.at(x, [i!, j!, 0])) },
  {
    spec: [null, "0:2", "::2"],
    shape: [3, 4],
    ref: (x) => R.build([1, 2, 2], ([, i, j]) => R.at(x, [i!, 2 * j!])),
  },
  { spec: ["::-2"], shape: [5], ref: (x) => R.build([3], ([i]) => R.at(x, [4 - 2 * i!])) },
];

const FLIPS: { axis?: number | number[] }[] = [{ axis: 0 }, {}, { axis: [0, 2] }];

const PADS: { paddings: [number, number][]; value: number }[] = [
  {
    paddings: [
      [1, 0],
      [0, 2],
    ],
    value: 0,
  },
  {
    paddings: [
      [2, 1],
      [1, 1],
    ],
    value: 1.5,
  },
];

const TILES: { shape: number[]; reps: number[] }[] = [
  { shape: [2, 3], reps: [2, 1] },
  { shape: [3], reps: [3] },
  { shape: [2, 1], reps: [1, 3] },
  { shape: [2, 2], reps: [0, 2] },
];

const CONCATS: { axis: number; shapes: number[][] }[] = [
  {
    axis: 0,
    shapes: [
      [2, 3],
      [1, 3],
    ],
  },
  {
    axis: 1,
    shapes: [
      [2, 1],
      [2, 3],
      [2, 2],
    ],
  },
  {
    axis: -1,
    shapes: [
      [2, 2, 1],
      [2, 2, 2],
    ],
  },
];

const STACKS: { axis: number; count: number; shape: number[] }[] = [
  { axis: 0, count: 2, shape: [2, 3] },
  { axis: 1, count: 3, shape: [3] },
  { axis: -1, count: 2, shape: [2, 2] },
];

/** One part of a split, and the window it must equal. */
const SPLITS: {
  sizes: number | number[];
  axis: number;
  part: number;
  shape: number[];
  begin: number[];
  size: number[];
}[] = [
  { sizes: 2, axis: 1, part: 0, shape: [2, 4], begin: [0, 0], size: [2, 2] },
  { sizes: 2, axis: 1, part: 1, shape: [2, 4], begin: [0, 2], size: [2, 2] },
  { sizes: [1, -1], axis: 0, part: 1, shape: [3, 4], begin: [1, 0], size: [2, 4] },
];

const GATHERS: { axis: number; shape: number[]; indices: number[]; indexShape: number[] }[] = [
  { axis: 0, shape: [4, 3], indices: [2, 0, 2], indexShape: [3] },
  { axis: 1, shape: [2, 3], indices: [0, 2, 1, 1], indexShape: [2, 2] },
  { axis: 0, shape: [3, 2], indices: [-1, 0], indexShape: [2] },
];

const SOFTMAXES = [
  { op: "softmax", fn: g.softmax, f: (row: number[], x: number) => Math.exp(x - R.logSumExp(row)) },
  { op: "logSoftmax", fn: g.logSoftmax, f: (row: number[], x: number) => x - R.logSumExp(row) },
];

/** conv2d options, with the per-side padding [top, bottom, left, right] they resolve to. */
const CONVS: {
  label: string;
  x: number[];
  w: number[];
  options: g.Conv2dOptions;
  stride: [number, number];
  pad: [number, number, number, number];
  dilation: [number, number];
}[] = [
  {
    label: "valid",
    x: [1, 2, 4, 4],
    w: [3, 2, 2, 2],
    options: {},
    stride: [1, 1],
    pad: [0, 0, 0, 0],
    dilation: [1, 1],
  },
  {
    label: "stride 2, same",
    x: [2, 1, 5, 5],
    w: [2, 1, 2, 2],
    options: { stride: 2, padding: "same" },
    stride: [2, 2],
    pad: [0, 1, 0, 1],
    dilation: [1, 1],
  },
  {
    label: "dilation 2, padding 1",
    x: [1, 1, 5, 5],
    w: [1, 1, 2, 2],
    options: { dilation: 2, padding: 1 },
    stride: [1, 1],
    pad: [1, 1, 1, 1],
    dilation: [2, 2],
  },
  {
    label: "stride [1,2], padding [0,1]",
    x: [1, 2, 3, 4],
    w: [2, 2, 2, 3],
    options: { stride: [1, 2], padding: [0, 1] },
    stride: [1, 2],
    pad: [0, 0, 1, 1],
    dilation: [1, 1],
  },
];

/** Pooling options, with the window geometry they resolve to. */
const POOLS: {
  label: string;
  options: g.Pool2dOptions;
  x: number[];
  kernel: [number, number];
  stride: [number, number];
  pad: [number, number, number, number];
}[] = [
  {
    label: "kernel 2",
    options: { kernelSize: 2 },
    x: [1, 2, 4, 4],
    kernel: [2, 2],
    stride: [2, 2],
    pad: [0, 0, 0, 0],
  },
  {
    label: "kernel 3, stride 1, same",
    options: { kernelSize: 3, stride: 1, padding: "same" },
    x: [1, 1, 3, 3],
    kernel: [3, 3],
    stride: [1, 1],
    pad: [1, 1, 1, 1],
  },
  {
    label: "kernel [2,1], stride 1",
    options: { kernelSize: [2, 1], stride: 1 },
    x: [2, 1, 3, 2],
    kernel: [2, 1],
    stride: [1, 1],
    pad: [0, 0, 0, 0],
  },
  {
    label: "kernel 2, stride 1, padding 1",
    options: { kernelSize: 2, stride: 1, padding: 1 },
    x: [1, 1, 3, 3],
    kernel: [2, 2],
    stride: [1, 1],
    pad: [1, 1, 1, 1],
  },
];

export const OPS: readonly OpInfo[] = [
  // elementwise, one input, smooth
  unary(
    "neg",
    (x) => g.neg(x),
    (v) => -v,
    "smooth",
    "real",
    { dtypes: WITH_INT },
  ),
  unary("exp", (x) => g.exp(x), Math.exp, "smooth", "real"),
  unary("log", (x) => g.log(x), Math.log, "smooth", "positive"),
  unary("log1p", (x) => g.log1p(x), Math.log1p, "smooth", "unit"),
  unary("expm1", (x) => g.expm1(x), Math.expm1, "smooth", "real"),
  unary("sin", (x) => g.sin(x), Math.sin, "smooth", "real"),
  unary("cos", (x) => g.cos(x), Math.cos, "smooth", "real"),
  unary("tan", (x) => g.tan(x), Math.tan, "smooth", "unit"),
  unary("tanh", (x) => g.tanh(x), Math.tanh, "smooth", "real"),
  unary("sigmoid", (x) => g.sigmoid(x), R.sigmoid, "smooth", "real", {
    extraSamples: [forwardOnly(vals([-800, -40, 0, 40, 800]))],
  }),
  unary("sqrt", (x) => g.sqrt(x), Math.sqrt, "smooth", "positive"),
  unary(
    "rsqrt",
    (x) => g.rsqrt(x),
    (v) => 1 / Math.sqrt(v),
    "smooth",
    "positive",
  ),
  unary(
    "reciprocal",
    (x) => g.reciprocal(x),
    (v) => 1 / v,
    "smooth",
    "nonzero",
  ),
  unary(
    "square",
    (x) => g.square(x),
    (v) => v * v,
    "smooth",
    "real",
    { dtypes: WITH_INT },
  ),
  unary("erf", (x) => g.erf(x), R.erfSeries, "smooth", "real", {
    extraSamples: [forwardOnly(vals([-3, -0.5, 0, 0.5, 1, 2.9]))],
  }),
  unary("softplus", (x) => g.softplus(x), softplus, "smooth", "real", {
    extraSamples: [forwardOnly(vals([-1000, -50, 0, 50, 1000]))],
  }),
  unary("gelu", (x) => g.gelu(x), gelu, "smooth", "real"),
  unary("gelu", (x) => g.gelu(x, true), geluTanh, "smooth", "real", { name: "gelu(approximate)" }),
  // elementwise, one input, piecewise (samples avoid the kink)
  unary("abs", (x) => g.abs(x), Math.abs, "piecewise", "nonzero", { dtypes: WITH_INT }),
  unary(
    "relu",
    (x) => g.relu(x),
    // where(x > 0, x, 0): NaN gives 0 (every backend's kernels agree)
    (v) => (Number.isNaN(v) ? 0 : Math.max(v, 0)),
    "piecewise",
    "nonzero",
    { dtypes: WITH_INT },
  ),
  unary(
    "leakyRelu",
    (x) => g.leakyRelu(x),
    (v) => (v > 0 ? v : 0.2 * v),
    "piecewise",
    "nonzero",
  ),
  unary(
    "leakyRelu",
    (x) => g.leakyRelu(x, 0.01),
    (v) => (v > 0 ? v : 0.01 * v),
    "piecewise",
    "nonzero",
    {
      name: "leakyRelu(alpha=0.01)",
    },
  ),
  unary(
    "elu",
    (x) => g.elu(x),
    (v) => (v > 0 ? v : Math.expm1(v)),
    "piecewise",
    "nonzero",
    {
      extraSamples: [forwardOnly(vals([-1000, 1000]))],
    },
  ),
  unary(
    "elu",
    (x) => g.elu(x, 0.5),
    (v) => (v > 0 ? v : 0.5 * Math.expm1(v)),
    "piecewise",
    "nonzero",
    {
      name: "elu(alpha=0.5)",
    },
  ),
  unary(
    "clip",
    (x) => g.clip(x, -0.5, 0.5),
    (v) => Math.min(Math.max(v, -0.5), 0.5),
    "piecewise",
    "gridA",
  ),
  // elementwise, one input, derivative zero
  unary("sign", (x) => g.sign(x), Math.sign, "constant", "nonzero", {
    dtypes: WITH_INT,
    extraSamples: [forwardOnly(vals([0, 2, -3, 0.5]))],
  }),
  unary("floor", (x) => g.floor(x), Math.floor, "constant", "nonInteger"),
  unary("ceil", (x) => g.ceil(x), Math.ceil, "constant", "nonInteger"),
  unary("round", (x) => g.round(x), R.roundHalfEven, "constant", "nonInteger", {
    // halves round to even, as numpy does
    extraSamples: [forwardOnly(vals([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6]))],
  }),
  unary(
    "step",
    (x) => g.step(x),
    (v) => (v >= 0 ? 1 : 0),
    "constant",
    "nonzero",
    {
      dtypes: WITH_INT,
      extraSamples: [forwardOnly(vals([0, -0.5, 0.5]))],
    },
  ),
  unary(
    "stopGradient",
    (x) => g.stopGradient(x),
    (v) => v,
    "constant",
    "real",
    { zeroByDefinition: true },
  ),
  // predicates
  {
    name: "isNaN",
    op: "isNaN",
    fn: (x) => g.isNaN(x!),
    ref: (x) => R.map((v) => (Number.isNaN(v) ? 1 : 0), x!),
    samples: [one(vals([Number.NaN, 1, Number.POSITIVE_INFINITY, -2, Number.NEGATIVE_INFINITY, 0], [2, 3]))],
    kind: "integer",
    outDtype: toBool,
  },
  {
    name: "isFinite",
    op: "isFinite",
    fn: (x) => g.isFinite(x!),
    ref: (x) => R.map((v) => (Number.isFinite(v) ? 1 : 0), x!),
    samples: [one(vals([Number.NaN, 1, Number.POSITIVE_INFINITY, -2, Number.NEGATIVE_INFINITY, 0], [2, 3]))],
    kind: "integer",
    outDtype: toBool,
  },
  {
    name: "logicalNot",
    op: "logicalNot",
    fn: (x) => g.logicalNot(x!),
    ref: (x) => R.map((v) => (v ? 0 : 1), x!),
    samples: [one(bools([2, 3])), one(bools([]))],
    kind: "none",
    outDtype: toBool,
  },
  // casts
  {
    name: "cast(float32)",
    op: "cast",
    fn: (x) => g.cast(x!, "float32"),
    ref: (x) => R.map(Math.fround, x!),
    samples: unarySamples("real"),
    kind: "smooth",
    outDtype: () => "float32",
    // the output is rounded to float32, so finite differences need a wide step
    fdEps: 1e-3,
    gradTol: { rtol: 1e-3, atol: 1e-3 },
  },
  {
    name: "cast(float64)",
    op: "cast",
    fn: (x) => g.cast(x!, "float64"),
    ref: (x) => x!,
    samples: unarySamples("real"),
    kind: "smooth",
    dtypes: ["float32", "int32"],
    outDtype: () => "float64",
  },
  {
    name: "cast(int32)",
    op: "cast",
    fn: (x) => g.cast(x!, "int32"),
    ref: (x) => R.map(Math.trunc, x!),
    samples: [...unarySamples("nonInteger"), forwardOnly(vals([-2.7, -0.5, 0, 0.5, 2.7]))],
    kind: "integer",
    outDtype: toInt,
  },
  {
    name: "cast(bool)",
    op: "cast",
    fn: (x) => g.cast(x!, "bool"),
    ref: (x) => R.map((v) => (v !== 0 ? 1 : 0), x!),
    samples: unarySamples("smallInt"),
    kind: "integer",
    dtypes: WITH_INT,
    outDtype: toBool,
  },
  {
    name: "cast(bool→float32)",
    op: "cast",
    fn: (x) => g.cast(x!, "float32"),
    ref: (x) => x!,
    samples: [one(bools([2, 3]))],
    kind: "none",
    outDtype: () => "float32",
  },

  // elementwise, two inputs
  binary(
    "add",
    (a, b) => g.add(a, b),
    (a, b) => a + b,
    "smooth",
    ["real", "real"],
    { dtypes: WITH_INT },
  ),
  binary(
    "sub",
    (a, b) => g.sub(a, b),
    (a, b) => a - b,
    "smooth",
    ["real", "real"],
    { dtypes: WITH_INT },
  ),
  binary(
    "mul",
    (a, b) => g.mul(a, b),
    (a, b) => a * b,
    "smooth",
    ["real", "real"],
    { dtypes: WITH_INT },
  ),
  binary(
    "div",
    (a, b) => g.div(a, b),
    (a, b) => a / b,
    "smooth",
    ["real", "nonzero"],
    {
      dtypes: WITH_INT,
      outDtype: toFloat,
    },
  ),
  binary("pow", (a, b) => g.pow(a, b), Math.pow, "smooth", ["positive", "real"], {
    // negative bases with integer exponents, and 0^0 = 1, are forward-only: d/db there is not real
    extraSamples: [forwardOnly(vals([-2, -2, 0, 4, 0]), vals([3, 2, 2, 0.5, 0]))],
  }),
  {
    // integer exponents, including 0 and 1, at base 0: where b·a^(b−1) is 0·∞ unless guarded
    name: "pow(x, [0, 1, 2, 3])",
    op: "pow",
    fn: (a) => g.pow(a!, g.tensor([0, 1, 2, 3], [4], { dtype: a!.dtype })),
    ref: (a) => R.map(Math.pow, a!, R.nd([0, 1, 2, 3])),
    samples: [one(vals([0, 0, 0, 0])), one(vals([-1.5, 0, 0.5, 2])), one(arg([2, 4]))],
    kind: "smooth",
  },
  binary("maximum", (a, b) => g.maximum(a, b), Math.max, "piecewise", ["gridA", "gridB"], {
    extraSamples: [forwardOnly(vals([1, Number.NaN, -1]), vals([Number.NaN, 2, 3]))],
  }),
  binary("minimum", (a, b) => g.minimum(a, b), Math.min, "piecewise", ["gridA", "gridB"]),
  ...COMPARISONS.map(({ op, fn, f }) =>
    binary(op, fn, (a, b) => (f(a, b) ? 1 : 0), "integer", ["smallInt", "smallInt"], {
      dtypes: WITH_INT,
      outDtype: toBool,
    }),
  ),
  {
    name: "logicalAnd",
    op: "logicalAnd",
    fn: (a, b) => g.logicalAnd(a!, b!),
    ref: (a, b) => R.map((x, y) => (x && y ? 1 : 0), a!, b!),
    samples: [one(bools([2, 3]), bools([3])), one(bools([]), bools([2, 2]))],
    kind: "none",
    outDtype: toBool,
  },
  {
    name: "logicalOr",
    op: "logicalOr",
    fn: (a, b) => g.logicalOr(a!, b!),
    ref: (a, b) => R.map((x, y) => (x || y ? 1 : 0), a!, b!),
    samples: [one(bools([2, 3]), bools([3])), one(bools([]), bools([2, 2]))],
    kind: "none",
    outDtype: toBool,
  },
  {
    name: "where",
    op: "where",
    fn: (c, a, b) => g.where(c!, a!, b!),
    ref: (c, a, b) => R.map((x, y, z) => (x ? y : z), c!, a!, b!),
    samples: [
      one(bools([2, 3]), arg([2, 3]), arg([2, 3])),
      one(bools([2, 3]), arg([3]), arg([])),
      one(bools([3, 1]), arg([1, 2]), arg([3, 2])),
    ],
    kind: "smooth",
    dtypes: WITH_INT,
  },

  // reductions
  ...reductions("sum", g.sum, R.total, "smooth", "real", { dtypes: WITH_INT }),
  ...reductions("mean", g.mean, R.average, "smooth", "real", { dtypes: WITH_INT, outDtype: toFloat }),
  ...reductions("prod", g.prod, R.product, "smooth", "real", { dtypes: WITH_INT }),
  {
    name: "prod(with zeros)",
    op: "prod",
    fn: (x) => g.prod(x!, 1),
    ref: (x) => R.reduceWith(x!, 1, false, R.product),
    // one zero in a row, two zeros in a row: the gradient must not divide by x
    samples: [one(vals([2, 0, 3, 0, 0, 1.5], [2, 3]))],
    kind: "smooth",
  },
  ...reductions("max", g.max, R.largest, "piecewise", "distinct"),
  ...reductions("min", g.min, R.smallest, "piecewise", "distinct"),
  ...reductions("logSumExp", g.logSumExp, R.logSumExp, "smooth", "real"),
  {
    name: "logSumExp(extreme)",
    op: "logSumExp",
    fn: (x) => g.logSumExp(x!, 1),
    ref: (x) => R.reduceWith(x!, 1, false, R.logSumExp),
    samples: [
      forwardOnly(vals([1000, 1001, 1002, -1000, -1001, -1002], [2, 3])),
      forwardOnly(vals([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 0], [2, 2])),
    ],
    kind: "smooth",
  },
  ...reductions("variance", g.variance, R.populationVariance, "smooth", "real"),
  // the std of one number is 0, where sqrt has no derivative: no scalar sample
  ...reductions("std", g.std, (v) => Math.sqrt(R.populationVariance(v)), "smooth", "distinct", {}, false),
  ...NORMS.flatMap(({ ord, kind, domain, f }) =>
    [undefined, 1].map(
      (axis): OpInfo => ({
        name: `norm(ord=${ord}${axis === undefined ? "" : `, axis=${axis}`})`,
        op: "norm",
        fn: (x) => g.norm(x!, ord, axis),
        ref: (x) => R.reduceWith(x!, axis, false, f),
        samples: [one(arg([2, 3], domain))],
        kind,
      }),
    ),
  ),
  ...ARG_REDUCTIONS.flatMap(({ op, fn, min }) =>
    [undefined, 1, -1].map(
      (axis): OpInfo => ({
        name: `${op}(${axis === undefined ? "" : `axis=${axis}`})`,
        op,
        fn: (x) => fn(x!, axis),
        ref: (x) => argRef(x!, axis, min),
        samples: [
          one(arg(axis === -1 ? [2, 3, 2] : [2, 3], "distinct")),
          // ties go to the first index, as in numpy
          ...(axis === -1 ? [] : [forwardOnly(vals([1, 3, 3, 0, 0, 0], [2, 3]))]),
        ],
        kind: "integer",
        outDtype: toInt,
      }),
    ),
  ),
  ...BOOL_REDUCTIONS.flatMap(({ op, fn, f }) =>
    [undefined, 1].map(
      (axis): OpInfo => ({
        name: `${op}(${axis === undefined ? "" : `axis=${axis}`})`,
        op,
        fn: (x) => fn(x!, axis),
        ref: (x) => R.reduceWith(x!, axis, false, f),
        samples: [one(bools([3, 4])), one(vals([1, 1, 1, 0, 0, 0], [2, 3], "bool"))],
        kind: "none",
        outDtype: toBool,
      }),
    ),
  ),
  ...CUMSUMS.map(
    ({ axis, exclusive, reverse }): OpInfo => ({
      name: `cumsum(axis=${axis}${exclusive ? ", exclusive" : ""}${reverse ? ", reverse" : ""})`,
      op: "cumsum",
      fn: (x) => g.cumsum(x!, axis, exclusive, reverse),
      ref: (x) => cumsumRef(x!, axis, exclusive, reverse),
      samples: [one(arg([3, 4]))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),

  // linear algebra
  {
    name: "matmul",
    op: "matmul",
    fn: (a, b) => g.matmul(a!, b!),
    ref: (a, b) => R.matmulNd(a!, b!),
    samples: [
      one(arg([2, 3]), arg([3, 4])),
      one(arg([2, 2, 3]), arg([3, 2])),
      one(arg([2, 1, 2, 3]), arg([3, 3, 2])),
      one(arg([2, 2, 3]), arg([2, 3, 1])),
      one(arg([3]), arg([3, 2])),
      one(arg([2, 3]), arg([3])),
      one(arg([3]), arg([3])),
      one(arg([2]), arg([2, 2, 3])),
    ],
    kind: "smooth",
    dtypes: WITH_INT,
  },
  {
    name: "dot",
    op: "dot",
    fn: (a, b) => g.dot(a!, b!),
    ref: (a, b) => R.matmulNd(a!, b!),
    samples: [one(arg([3]), arg([3])), one(arg([2, 3]), arg([3])), one(arg([2, 3]), arg([3, 2]))],
    kind: "smooth",
    dtypes: WITH_INT,
  },
  {
    name: "outer",
    op: "outer",
    fn: (a, b) => g.outer(a!, b!),
    ref: (a, b) => R.build([a!.shape[0]!, b!.shape[0]!], ([i, j]) => a!.data[i!]! * b!.data[j!]!),
    samples: [one(arg([3]), arg([2]))],
    kind: "smooth",
    dtypes: WITH_INT,
  },
  ...EINSUMS.map(
    ({ eq, shapes }): OpInfo => ({
      name: `einsum("${eq}")`,
      op: "einsum",
      fn: (...xs) => g.einsum(eq, ...xs),
      ref: (...xs) => R.einsumNd(eq, ...xs),
      samples: [one(...shapes.map((s) => arg(s)))],
      kind: "smooth",
    }),
  ),

  // shape and data movement
  ...RESHAPES.map(
    ({ from, to }): OpInfo => ({
      name: `reshape([${from}]→[${to}])`,
      op: "reshape",
      fn: (x) => g.reshape(x!, to),
      ref: (x) => R.reshape(x!, to),
      samples: [one(arg(from))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  {
    name: "reshape(of a transposed view)",
    op: "reshape",
    fn: (x) => g.reshape(g.transpose(x!), [6]),
    ref: (x) => R.reshape(R.transpose(x!), [6]),
    samples: [one(arg([2, 3]))],
    kind: "smooth",
  },
  {
    name: "Tensor.flatten",
    op: "Tensor.flatten",
    fn: (x) => x!.flatten(),
    ref: (x) => R.reshape(x!, [-1]),
    samples: [one(arg([2, 3, 2]))],
    kind: "smooth",
  },
  ...TRANSPOSES.map(
    ({ perm, resolved }): OpInfo => ({
      name: `transpose(${perm ? `[${perm}]` : ""})`,
      op: "transpose",
      fn: (x) => g.transpose(x!, perm),
      ref: (x) => R.transpose(x!, resolved),
      samples: [one(arg(perm ? [2, 3, 2] : [2, 3]))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  {
    name: "Tensor.T",
    op: "Tensor.T",
    fn: (x) => x!.T,
    ref: (x) => R.transpose(x!),
    samples: [one(arg([2, 3])), one(arg([2, 3, 4]))],
    kind: "smooth",
  },
  ...BROADCASTS.map(
    ({ from, to }): OpInfo => ({
      name: `broadcastTo([${from}]→[${to}])`,
      op: "broadcastTo",
      fn: (x) => g.broadcastTo(x!, to),
      ref: (x) => R.broadcastTo(x!, to),
      samples: [one(arg(from))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  {
    name: "squeeze",
    op: "squeeze",
    fn: (x) => g.squeeze(x!),
    ref: (x) => R.reshape(x!, [3]),
    samples: [one(arg([1, 3, 1]))],
    kind: "smooth",
  },
  {
    name: "squeeze(axis=0)",
    op: "squeeze",
    fn: (x) => g.squeeze(x!, 0),
    ref: (x) => R.reshape(x!, [3, 1]),
    samples: [one(arg([1, 3, 1]))],
    kind: "smooth",
  },
  ...EXPAND_DIMS.map(
    ({ axis, to }): OpInfo => ({
      name: `expandDims(axis=${axis})`,
      op: "expandDims",
      fn: (x) => g.expandDims(x!, axis),
      ref: (x) => R.reshape(x!, to),
      samples: [one(arg([2, 3]))],
      kind: "smooth",
    }),
  ),
  ...SLICES.map(
    ({ shape, begin, size, window }): OpInfo => ({
      name: `slice([${shape}], begin=${JSON.stringify(begin)}${size ? `, size=[${size}]` : ""})`,
      op: "slice",
      fn: (x) => g.slice(x!, begin, size),
      ref: (x) => R.sliceNd(x!, window.begin, window.size),
      samples: [one(arg(shape))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  ...INDEXES.map(
    ({ spec, shape, ref }): OpInfo => ({
      name: `index(${JSON.stringify(spec).slice(1, -1)})`,
      op: "index",
      fn: (x) => g.index(x!, ...spec),
      ref: (x) => ref(x!),
      samples: [one(arg(shape))],
      kind: "smooth",
    }),
  ),
  ...FLIPS.map(
    ({ axis }): OpInfo => ({
      name: `flip(${axis === undefined ? "" : `axis=${JSON.stringify(axis)}`})`,
      op: "flip",
      fn: (x) => g.flip(x!, axis),
      ref: (x) => {
        const axes = R.axesOf(axis, x!.shape.length);
        return R.build(x!.shape, (idx) =>
          R.at(
            x!,
            idx.map((v, i) => (axes.includes(i) ? x!.shape[i]! - 1 - v : v)),
          ),
        );
      },
      samples: [one(arg([2, 3, 2]))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  ...PADS.map(
    ({ paddings, value }): OpInfo => ({
      name: `pad(${JSON.stringify(paddings)}, value=${value})`,
      op: "pad",
      fn: (x) => g.pad(x!, paddings, value),
      ref: (x) =>
        R.build(
          x!.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]),
          (idx) => {
            const src = idx.map((v, i) => v - paddings[i]![0]);
            return src.every((v, i) => v >= 0 && v < x!.shape[i]!) ? R.at(x!, src) : value;
          },
        ),
      samples: [one(arg([2, 3]))],
      kind: "smooth",
      dtypes: value === 0 ? WITH_INT : FLOATS,
    }),
  ),
  ...TILES.map(
    ({ shape, reps }): OpInfo => ({
      name: `tile([${shape}], reps=[${reps}])`,
      op: "tile",
      fn: (x) => g.tile(x!, reps),
      ref: (x) =>
        R.build(
          shape.map((d, i) => d * reps[i]!),
          (idx) =>
            R.at(
              x!,
              idx.map((v, i) => v % shape[i]!),
            ),
        ),
      samples: [one(arg(shape))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  ...CONCATS.map(
    ({ axis, shapes }): OpInfo => ({
      name: `concat(${shapes.length} tensors, axis=${axis})`,
      op: "concat",
      fn: (...xs) => g.concat(xs, axis),
      ref: (...xs) => R.concatNd(xs, axis < 0 ? axis + shapes[0]!.length : axis),
      samples: [one(...shapes.map((s) => arg(s)))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  ...STACKS.map(
    ({ axis, count, shape }): OpInfo => ({
      name: `stack(${count} tensors, axis=${axis})`,
      op: "stack",
      fn: (...xs) => g.stack(xs, axis),
      ref: (...xs) => {
        const a = axis < 0 ? axis + shape.length + 1 : axis;
        const outShape = [...shape.slice(0, a), count, ...shape.slice(a)];
        return R.build(outShape, (idx) =>
          R.at(
            xs[idx[a]!]!,
            idx.filter((_, i) => i !== a),
          ),
        );
      },
      samples: [one(...Array.from({ length: count }, () => arg(shape)))],
      kind: "smooth",
    }),
  ),
  ...SPLITS.map(
    ({ sizes, axis, part, shape, begin, size }): OpInfo => ({
      name: `split(${JSON.stringify(sizes)}, axis=${axis})[${part}]`,
      op: "split",
      fn: (x) => g.split(x!, sizes, axis)[part]!,
      ref: (x) => R.sliceNd(x!, begin, size),
      samples: [one(arg(shape))],
      kind: "smooth",
    }),
  ),
  ...GATHERS.map(
    ({ axis, shape, indices, indexShape }): OpInfo => ({
      name: `gather(axis=${axis}, indices=${JSON.stringify(indices)})`,
      op: "gather",
      fn: (x, i) => g.gather(x!, i!, axis),
      ref: (x, i) => R.gatherNd(x!, i!, axis),
      samples: [one(arg(shape), ints(indices, indexShape))],
      kind: "smooth",
      dtypes: WITH_INT,
    }),
  ),
  {
    name: "scatterAdd",
    op: "scatterAdd",
    fn: (x, i, u) => g.scatterAdd(x!, i!, u!),
    ref: (x, i, u) =>
      R.build(x!.shape, ([r, c]) => {
        let s = R.at(x!, [r!, c!]);
        i!.data.forEach((k, j) => {
          if (k === r) s += R.at(u!, [j, c!]);
        });
        return s;
      }),
    // a repeated index: both updates add up
    samples: [one(arg([4, 2]), ints([1, 1, 3]), arg([3, 2]))],
    kind: "smooth",
    dtypes: WITH_INT,
  },
  {
    name: "scatterAdd(axis=1)",
    op: "scatterAdd",
    fn: (x, i, u) => g.scatterAdd(x!, i!, u!, 1),
    ref: (x, i, u) =>
      R.build(x!.shape, ([r, c]) => {
        let s = R.at(x!, [r!, c!]);
        i!.data.forEach((k, j) => {
          if (k === c) s += R.at(u!, [r!, j]);
        });
        return s;
      }),
    samples: [one(arg([2, 3]), ints([2, 0, 2, 2]), arg([2, 4]))],
    kind: "smooth",
  },
  {
    name: "oneHot",
    op: "oneHot",
    fn: (i) => g.oneHot(i!, 4),
    ref: (i) => R.build([...i!.shape, 4], (idx) => (R.at(i!, idx.slice(0, -1)) === idx.at(-1) ? 1 : 0)),
    samples: [one(ints([0, 3, 1])), one(ints([2, 2, 0, 1], [2, 2]))],
    kind: "none",
    outDtype: () => "float32",
  },

  // randomness: the traceable draw from key data; stream 0 is `random.uniform` of that key
  ...[0, 3].map(
    (stream): OpInfo => ({
      name: `randomUniform(shape=[3,4], stream=${stream})`,
      op: "randomUniform",
      fn: (k) => g.randomUniform(k!, [3, 4], { stream }),
      ref: (k) => {
        const key = g.random.keyFromData(k!.data);
        // Stream s is the same key's counter stream 1 + s: stream 0 must equal the eager sampler.
        const u =
          stream === 0
            ? g.random.uniform(key, [3, 4]).data()
            : g.random.unitUniform(key, 12, "float32", stream);
        return R.nd(Array.from(u, Number), [3, 4]);
      },
      samples: [one(ints([0, 42])), one(ints([-7, 123456789]))],
      kind: "none",
      outDtype: () => "float32",
    }),
  ),

  // neural-net building blocks
  ...[-1, 0].flatMap((axis) =>
    SOFTMAXES.map(
      ({ op, fn, f }): OpInfo => ({
        name: `${op}(axis=${axis})`,
        op,
        fn: (x) => fn(x!, axis),
        ref: (x) => {
          const a = axis < 0 ? axis + x!.shape.length : axis;
          return R.build(x!.shape, (idx) => {
            const row = Array.from({ length: x!.shape[a]! }, (_, k) =>
              R.at(
                x!,
                idx.map((v, i) => (i === a ? k : v)),
              ),
            );
            return f(row, R.at(x!, idx));
          });
        },
        samples: [
          one(arg([2, 3])),
          one(arg([4])),
          forwardOnly(vals([1000, 1001, 1002, -1000, -1001, -1002], [2, 3])),
        ],
        kind: "smooth",
      }),
    ),
  ),
  ...CONVS.map(
    ({ label, x, w, options, stride, pad, dilation }): OpInfo => ({
      name: `conv2d(${label})`,
      op: "conv2d",
      fn: (xt, wt) => g.conv2d(xt!, wt!, options),
      ref: (xn, wn) => R.conv2dNd(xn!, wn!, stride, pad, dilation),
      samples: [one(arg(x), arg(w))],
      kind: "smooth",
    }),
  ),
  {
    name: "conv2d(bias)",
    op: "conv2d",
    fn: (x, w, b) => g.conv2d(x!, w!, { bias: b! }),
    ref: (x, w, b) => {
      const y = R.conv2dNd(x!, w!, [1, 1], [0, 0, 0, 0]);
      return R.build(y.shape, (idx) => R.at(y, idx) + b!.data[idx[1]!]!);
    },
    samples: [one(arg([1, 2, 3, 3]), arg([2, 2, 2, 2]), arg([2]))],
    kind: "smooth",
  },
  ...POOLS.map(
    ({ label, options, x, kernel, stride, pad }): OpInfo => ({
      name: `maxPool2d(${label})`,
      op: "maxPool2d",
      fn: (xt) => g.maxPool2d(xt!, options),
      ref: (xn) => R.pool2dNd(xn!, kernel, stride, pad, R.largest),
      samples: [one(arg(x, "distinct"))],
      kind: "piecewise",
    }),
  ),
  ...POOLS.map(
    ({ label, options, x, kernel, stride, pad }): OpInfo => ({
      name: `avgPool2d(${label})`,
      op: "avgPool2d",
      fn: (xt) => g.avgPool2d(xt!, options),
      // only real (non-padding) entries count, as TF does for 'same'
      ref: (xn) => R.pool2dNd(xn!, kernel, stride, pad, R.average),
      samples: [one(arg(x))],
      kind: "smooth",
    }),
  ),

  // a primitive no public op calls directly: col2im appears only in conv's gradient
  ...COL2IM.map(
    ({ attrs, cols }): OpInfo => ({
      name: `prim:col2im(kernel=[${attrs.kernel}], stride=[${attrs.stride}], dilation=[${attrs.dilation}], pad=[${attrs.pad}])`,
      op: "prim:col2im",
      fn: (c) => bind("col2im", [c!], attrs),
      ref: (c) => col2imRef(c!, attrs),
      samples: [one(arg(cols))],
      kind: "smooth",
    }),
  ),
];

/** Public exports of src/ops that are not ops on tensors, and are tested in test/autodiff instead. */
export const NOT_OPS: readonly string[] = ["backward", "zeroGrad", "noGrad"];

/** The entries whose derivatives the generic suite checks (first and second order). */
export const isDifferentiable = (info: OpInfo): boolean =>
  info.kind === "smooth" || info.kind === "piecewise";
