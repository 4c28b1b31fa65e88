/**
 * The compiler, fuzzed: random programs of 2–30 ops (elementwise chains,
 * broadcasts, reductions, softmax, matmul, transposes and reshapes that undo
 * each other, x·1 and x+0, constants to fold, repeated subexpressions, dead
 * values), on inputs laid out as views, sometimes differentiated, give the
 * same values eager and compiled with every pass on, every pass off, and a
 * random subset of passes, on every backend that loads.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import type { DType, OptimizeOptions, Tensor } from "../../src/index.js";
import * as g from "../../src/index.js";
import { assertShape } from "../support/allclose.js";
import { withBackend } from "../support/backends.js";
import { rng } from "../support/rng.js";
import {
  ALL_PASSES_OFF,
  assertSameValues,
  BACKENDS,
  FUZZ_TIMEOUT,
  fuzzParams,
  LAYOUTS,
  type Layout,
  laidOut,
} from "./support.js";

/**
 * Values live in one broadcast family of a [B, N] base: [B,N], [B,1], [1,N],
 * [N] or [], so any two of them combine elementwise.
 */
type Op =
  | { kind: "unary"; fn: UnaryName; a: number }
  | { kind: "binary"; fn: BinaryName; a: number; b: number }
  | { kind: "scalar"; fn: "add" | "mul"; a: number; c: number }
  | { kind: "reduce"; fn: "sum" | "max" | "mean" | "logSumExp"; a: number; axis: 0 | 1 | undefined }
  | { kind: "softmax"; a: number }
  | { kind: "gram"; a: number }
  | { kind: "roundTrip"; via: "transpose" | "reshape"; a: number }
  | { kind: "folded"; a: number; c: number; d: number }
  | { kind: "repeat"; of: number };

const UNARY = [
  "neg",
  "exp",
  "tanh",
  "sigmoid",
  "relu",
  "abs",
  "square",
  "sin",
  "safeSqrt",
  "safeLog",
] as const;
type UnaryName = (typeof UNARY)[number];
const BINARY = ["add", "sub", "mul", "maximum", "minimum", "safeDiv", "select"] as const;
type BinaryName = (typeof BINARY)[number];

const unary: Record<UnaryName, (x: Tensor) => Tensor> = {
  neg: g.neg,
  exp: (x) => g.exp(g.tanh(x)),
  tanh: g.tanh,
  sigmoid: g.sigmoid,
  relu: g.relu,
  abs: g.abs,
  square: g.square,
  sin: g.sin,
  safeSqrt: (x) => g.sqrt(g.add(g.abs(x), 1)),
  safeLog: (x) => g.log(g.add(g.square(x), 1)),
};

const binary: Record<BinaryName, (x: Tensor, y: Tensor) => Tensor> = {
  add: g.add,
  sub: g.sub,
  mul: g.mul,
  maximum: g.maximum,
  minimum: g.minimum,
  safeDiv: (x, y) => g.div(x, g.add(g.square(y), 1)),
  select: (x, y) => g.where(g.greater(x, y), x, g.neg(y)),
};

type Reducer = (x: Tensor, axis: number | number[], keepDims: boolean) => Tensor;
const reducers: Record<"sum" | "max" | "mean" | "logSumExp", Reducer> = {
  sum: g.sum,
  max: g.max,
  mean: g.mean,
  logSumExp: g.logSumExp,
};

const index = fc.nat(1000);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("unary" as const), fn: fc.constantFrom(...UNARY), a: index }),
  fc.record({ kind: fc.constant("binary" as const), fn: fc.constantFrom(...BINARY), a: index, b: index }),
  fc.record({
    kind: fc.constant("scalar" as const),
    fn: fc.constantFrom("add" as const, "mul" as const),
    a: index,
    // 0 and 1 give simplify its x+0 and x·1
    c: fc.constantFrom(0, 1, -1, 0.5, 2),
  }),
  fc.record({
    kind: fc.constant("reduce" as const),
    fn: fc.constantFrom("sum" as const, "max" as const, "mean" as const, "logSumExp" as const),
    a: index,
    axis: fc.constantFrom(0 as const, 1 as const, undefined),
  }),
  fc.record({ kind: fc.constant("softmax" as const), a: index }),
  fc.record({ kind: fc.constant("gram" as const), a: index }),
  fc.record({
    kind: fc.constant("roundTrip" as const),
    via: fc.constantFrom("transpose" as const, "reshape" as const),
    a: index,
  }),
  fc.record({
    kind: fc.constant("folded" as const),
    a: index,
    c: fc.constantFrom(0.5, 2, 3),
    d: fc.constantFrom(1, -1),
  }),
  fc.record({ kind: fc.constant("repeat" as const), of: index }),
);

/** A value as a [B, N]-family tensor of rank 2 (rank-0 and rank-1 values broadcast up). */
const asMatrix = (x: Tensor, base: readonly number[]): Tensor =>
  x.rank === 2 ? x : g.broadcastTo(x, x.rank === 1 ? [base[0]!, x.shape[0]!] : [1, 1]);

/** Applies one op to the pool; `pool` holds the inputs first, then each op's result. */
function apply(op: Op, pool: Tensor[], ops: readonly Op[], base: readonly number[]): Tensor {
  const pick = (i: number) => pool[i % pool.length]!;
  switch (op.kind) {
    case "unary":
      return unary[op.fn](pick(op.a));
    case "binary":
      return binary[op.fn](pick(op.a), pick(op.b));
    case "scalar":
      return op.fn === "add" ? g.add(pick(op.a), op.c) : g.mul(pick(op.a), op.c);
    case "reduce": {
      // keepDims, so the result stays in the family ([1,N], [B,1] or [1,1])
      const x = asMatrix(pick(op.a), base);
      return reducers[op.fn](x, op.axis ?? [0, 1], true);
    }
    case "softmax":
      return g.softmax(asMatrix(pick(op.a), base), -1);
    case "gram": {
      // x·xᵀ is [B,B]; summing its rows brings it back to [B,1]
      const x = asMatrix(pick(op.a), base);
      return g.sum(g.matmul(x, g.transpose(x)), 1, true);
    }
    case "roundTrip": {
      const x = pick(op.a);
      if (op.via === "transpose") return g.transpose(g.transpose(x));
      return g.reshape(g.reshape(x, [-1]), [...x.shape]);
    }
    case "folded": {
      // a constant computed from constants: folding turns it into one
      const k = g.mul(g.tensor(op.c, [], { dtype: pick(op.a).dtype }), op.d);
      return g.add(g.mul(pick(op.a), k), g.sub(k, k));
    }
    case "repeat": {
      // the same op on the same operands again: CSE's work
      const earlier = ops[op.of % ops.length]!;
      return earlier.kind === "repeat" ? pick(op.of) : apply(earlier, pool, ops, base);
    }
  }
}

interface Program {
  readonly base: [number, number];
  readonly dtype: DType;
  /** Further inputs, each a shape of the family (see familyShape). */
  readonly extraInputs: number[];
  readonly ops: Op[];
  /** Also return the value computed `extra` ops from the end (several outputs, some shared). */
  readonly extra: number;
  /** Differentiate ⟨1, result⟩ with respect to the first input instead. */
  readonly differentiate: boolean;
  readonly passes: OptimizeOptions;
  /** How each input is laid out in memory. */
  readonly layouts: Layout[];
  readonly seed: number;
}

const familyShape = (base: readonly number[], pick: number): number[] =>
  [[...base], [base[0]!, 1], [1, base[1]!], [base[1]!], []][pick]!;

const programArb: fc.Arbitrary<Program> = fc.record({
  base: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 })),
  dtype: fc.constantFrom("float32" as DType, "float64" as DType),
  extraInputs: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
  ops: fc.array(opArb, { minLength: 2, maxLength: 30 }),
  extra: fc.nat(5),
  differentiate: fc.boolean(),
  passes: fc.record({
    dce: fc.boolean(),
    simplify: fc.boolean(),
    fold: fc.boolean(),
    cse: fc.boolean(),
    fuse: fc.boolean(),
  }),
  layouts: fc.array(fc.constantFrom(...LAYOUTS), { minLength: 3, maxLength: 3 }),
  seed: fc.nat(),
});

/** The program as a function of its inputs (the first always the full [B, N] shape). */
function programFn(p: Program): (...xs: Tensor[]) => Tensor | Tensor[] {
  const run = (...xs: Tensor[]): Tensor[] => {
    const pool = [...xs];
    for (const op of p.ops) pool.push(apply(op, pool, p.ops, p.base));
    const last = pool.at(-1)!;
    const other = pool[Math.max(0, pool.length - 1 - p.extra)]!;
    return [last, other];
  };
  if (!p.differentiate) return run;
  return (...xs: Tensor[]) =>
    g.grad((x0: Tensor) => {
      const [last, other] = run(x0, ...xs.slice(1));
      return g.add(g.sum(last!), g.sum(other!));
    })(xs[0]!);
}

/** The inputs, each laid out as its program says (contiguous, or a transposed, sliced, … view). */
function inputsOf(p: Program): Tensor[] {
  const r = rng(p.seed);
  const shapes = [[...p.base], ...p.extraInputs.map((k) => familyShape(p.base, k))];
  return shapes.map((s, i) => {
    const values = Array.from({ length: s.reduce((n, d) => n * d, 1) }, () => -2 + 4 * r());
    return laidOut(values, s, p.dtype, p.layouts[i % p.layouts.length]!, r).tensor;
  });
}

const outputs = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);

/** Reassociated float32 sums and SIMD exp/tanh differ in the last bits; chains of 30 ops amplify that. */
const TOLERANCE = { float32: { rtol: 1e-3, atol: 1e-4 }, float64: { rtol: 1e-9, atol: 1e-10 } } as const;

describe("the compiler on random programs of 2–30 ops", () => {
  it(
    "gives the eager values with every pass on, every pass off, and a random subset",
    () => {
      fc.assert(
        fc.property(programArb, (p) => {
          const f = programFn(p);
          const xs = inputsOf(p);
          const configs: [string, OptimizeOptions][] = [
            ["every pass on", {}],
            ["every pass off", ALL_PASSES_OFF],
            [`passes ${JSON.stringify(p.passes)}`, p.passes],
          ];
          for (const backend of BACKENDS) {
            const eager = withBackend(backend, () => outputs(f(...xs)));
            for (const [label, optimize] of configs) {
              const compiled = withBackend(backend, () => outputs(g.compile(f, { optimize })(...xs)));
              eager.forEach((want, k) => {
                const got = compiled[k]!;
                const what = `${backend}, ${label}, output ${k}`;
                assertShape(got.shape, want.shape, `${what}: shape`);
                if (got.dtype !== want.dtype)
                  throw new Error(`${what}: dtype ${got.dtype}, eager ${want.dtype}`);
                assertSameValues(got, want, TOLERANCE[p.dtype as "float32" | "float64"], what);
              });
            }
          }
        }),
        fuzzParams(25),
      );
    },
    FUZZ_TIMEOUT,
  );
});
