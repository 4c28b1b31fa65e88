/**
 * Every entry of the op table (test/support/opinfo.ts), fuzzed with
 * fast-check on every backend that loads, eager and compiled (every pass on,
 * fusion included, and all passes off). Elementwise entries get random shapes
 * (size-0 and size-1 dimensions, broadcasting, scalars); every entry gets
 * random values from its domain, each of its dtypes and inputs laid out as
 * non-contiguous views (transposed, sliced, strided, expanded). Two properties:
 *
 * - domain values: the result matches the float64 reference within the
 *   entry's forward tolerance;
 * - edge values (±0, ±Inf, NaN, subnormals, magnitudes near overflow):
 *   every backend and plan puts NaN and ±Inf where the js backend's eager
 *   result has them, and agrees with it elsewhere; elementwise entries also
 *   agree with the reference rounded to the output dtype.
 *
 * A new entry in the table is fuzzed here without a line of change.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { isFloat } from "../../src/core/dtype.js";
import type { PrimName } from "../../src/core/primitives.js";
import type { DType, Tensor } from "../../src/index.js";
import * as g from "../../src/index.js";
import { assertShape, type Tolerance } from "../support/allclose.js";
import { primitivesUsed } from "../support/backends.js";
import { FORWARD_TOL, makeArg } from "../support/checks.js";
import type { ArgSpec, OpInfo } from "../support/opinfo.js";
import { OPS } from "../support/opinfo.js";
import { broadcastShape, fromTensor, type Nd } from "../support/reference.js";
import { rng } from "../support/rng.js";
import {
  assertSameValues,
  BACKENDS,
  EDGE_VALUES,
  evaluate,
  FUZZ_TIMEOUT,
  fuzzParams,
  INT_EDGES,
  LAYOUTS,
  type Layout,
  laidOut,
  MODES,
  sprinkle,
} from "./support.js";

/** Primitives that act element by element (after the public op has broadcast its inputs). */
const ELEMENTWISE: ReadonlySet<PrimName> = new Set<PrimName>([
  "neg",
  "exp",
  "log",
  "log1p",
  "expm1",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "sqrt",
  "abs",
  "sign",
  "floor",
  "ceil",
  "round",
  "erf",
  "isNaN",
  "isFinite",
  "logicalNot",
  "cast",
  "stopGradient",
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "compare",
  "where",
  "broadcastTo",
  "reshape",
]);

/** Probe shapes per argument position: together they broadcast to [2, 4, 3]. */
const PROBE: readonly (readonly number[])[] = [
  [2, 1, 3],
  [4, 1],
  [1, 4, 3],
];

/**
 * The first sample's arguments, with explicit float values (isNaN's NaN and
 * infinities) made domain draws: random shapes cannot keep given values, and
 * the edge-value property puts those values back.
 */
function randomizable(info: OpInfo): ArgSpec[] {
  return info.samples[0]!.args.map((a) =>
    a.values !== undefined && a.dtype === undefined ? { shape: a.shape, domain: "real" } : a,
  );
}

/**
 * Whether the entry is elementwise over any broadcastable shapes: its op and
 * reference both take the probe shapes, give their broadcast, and the op is
 * made of elementwise primitives only. Those entries get random shapes.
 */
function isElementwise(info: OpInfo): boolean {
  const specs = randomizable(info);
  if (specs.length > PROBE.length || specs.some((s) => s.values !== undefined)) return false;
  const dtype = (info.dtypes ?? ["float64"])[0]!;
  try {
    const r = rng(1);
    const args = specs.map((s, i) => makeArg({ ...s, shape: PROBE[i]! }, dtype, r));
    const out = info.fn(...args);
    const ref = info.ref(...args.map(fromTensor));
    const outShape = broadcastShape(...specs.map((_, i) => PROBE[i]!));
    const same = (s: readonly number[]) =>
      s.length === outShape.length && s.every((d, i) => d === outShape[i]);
    if (!same(out.shape) || !same(ref.shape)) return false;
    return [...primitivesUsed(info.fn, args)].every((p) => ELEMENTWISE.has(p));
  } catch {
    return false;
  }
}

// ---- generated cases ----

interface Case {
  readonly shapes: readonly (readonly number[])[];
  readonly dtype: DType;
  readonly layouts: readonly Layout[];
  readonly seed: number;
  /** Share of domain values replaced by edge values (0 for the reference property). */
  readonly edgeRate: number;
}

const dim = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 1, max: 4 }));
const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });

/**
 * Shapes for `arity` arguments that broadcast to one output shape: each is a
 * trailing part of it with some dimensions set to 1 (a size-0 dimension
 * broadcasts only with 0 or 1).
 */
function broadcastShapes(arity: number): fc.Arbitrary<number[][]> {
  return shapeArb.chain((out) =>
    fc
      .tuple(
        ...Array.from({ length: arity }, () =>
          fc.tuple(
            fc.integer({ min: 0, max: out.length }),
            fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
          ),
        ),
      )
      .map((parts) =>
        parts.map(([drop, ones]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(arity > 1 ? drop : 0)),
      ),
  );
}

/** Int and bool runs skip samples with explicit fractional values (as the generic suite does). */
function dtypesFor(info: OpInfo, sampleIndex: number): DType[] {
  const sample = info.samples[sampleIndex]!;
  return (info.dtypes ?? ["float32", "float64"]).filter(
    (d) =>
      isFloat(d) ||
      sample.args.every((a) => a.dtype !== undefined || !a.values || a.values.every(Number.isInteger)),
  );
}

function caseArb(
  info: OpInfo,
  elementwise: boolean,
  withEdges: boolean,
): fc.Arbitrary<Case & { sample: number }> {
  const arity = info.samples[0]!.args.length;
  const shapesAndSample: fc.Arbitrary<{ shapes: readonly (readonly number[])[]; sample: number }> =
    elementwise
      ? broadcastShapes(arity).map((shapes) => ({ shapes, sample: 0 }))
      : fc
          .integer({ min: 0, max: info.samples.length - 1 })
          .map((sample) => ({ shapes: info.samples[sample]!.args.map((a) => a.shape), sample }));
  return shapesAndSample.chain(({ shapes, sample }) =>
    fc.record({
      shapes: fc.constant(shapes),
      sample: fc.constant(sample),
      dtype: fc.constantFrom(...dtypesFor(info, sample)),
      layouts: fc.array(fc.constantFrom(...LAYOUTS), { minLength: shapes.length, maxLength: shapes.length }),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
      edgeRate: withEdges ? fc.constantFrom(0.1, 0.4, 1) : fc.constant(0),
    }),
  );
}

interface Built {
  readonly args: Tensor[];
  /** The same inputs as contiguous row-major values, for the reference. */
  readonly nds: Nd[];
}

/** The arguments of a case: domain values (with edge values sprinkled in) laid out as asked. */
function build(info: OpInfo, c: Case & { sample: number }): Built {
  const r = rng(c.seed);
  const specs = elementwise.get(info.name) ? randomizable(info) : info.samples[c.sample]!.args;
  const args: Tensor[] = [];
  const nds: Nd[] = [];
  specs.forEach((spec: ArgSpec, i) => {
    const shape = c.shapes[i]!;
    const dtype = spec.dtype ?? c.dtype;
    const drawn = makeArg({ ...spec, shape }, c.dtype, r);
    let values = Array.from(drawn.data(), Number);
    if (c.edgeRate > 0 && spec.values === undefined && spec.dtype === undefined)
      values = sprinkle(values, c.edgeRate, r, isFloat(dtype) ? EDGE_VALUES : INT_EDGES);
    const { tensor, values: held } = laidOut(values, shape, dtype, c.layouts[i]!, r);
    args.push(tensor);
    nds.push(fromTensor(g.tensor(held, [...shape], { dtype })));
  });
  return { args, nds };
}

const toleranceOf = (info: OpInfo, out: DType): Tolerance =>
  info.tol?.[out as "float32" | "float64"] ?? FORWARD_TOL[out];

/** The reference rounded to the output dtype, as the kernels must round it. */
function rounded(ref: Nd, dtype: DType): Float64Array {
  const data = Float64Array.from(ref.data);
  if (dtype === "float32") return data.map(Math.fround);
  return data;
}

const label = (info: OpInfo, c: Case, backend: string, mode: string): string =>
  `${info.name} on ${backend} (${mode}), ${c.dtype}, shapes ${JSON.stringify(c.shapes)}, layouts [${c.layouts}]`;

const elementwise = new Map(OPS.map((info) => [info.name, isElementwise(info)]));

describe("every op-table entry, fuzzed on every backend, eager and compiled", () => {
  for (const info of OPS) {
    const ew = elementwise.get(info.name)!;
    it(
      `${info.name}: matches the float64 reference${ew ? " on random broadcast shapes" : ""}`,
      () => {
        fc.assert(
          fc.property(caseArb(info, ew, false), (c) => {
            const { args, nds } = build(info, c);
            const ref = info.ref(...nds);
            const outDtype = (info.outDtype ?? ((d: DType) => d))(c.dtype);
            for (const backend of BACKENDS)
              for (const mode of MODES) {
                const what = label(info, c, backend, mode);
                const out = evaluate(info.fn, args, backend, mode);
                if (out.dtype !== outDtype)
                  throw new Error(`${what}: dtype ${out.dtype}, expected ${outDtype}`);
                assertShape(out.shape, ref.shape, `${what}: shape`);
                assertSameValues(out, rounded(ref, outDtype), toleranceOf(info, outDtype), what);
              }
          }),
          fuzzParams(3),
        );
      },
      FUZZ_TIMEOUT,
    );

    it(
      `${info.name}: edge values land in the same places on every backend and plan`,
      () => {
        fc.assert(
          fc.property(caseArb(info, ew, true), (c) => {
            const { args, nds } = build(info, c);
            const expected = evaluate(info.fn, args, "js", "eager");
            // float→int casts of NaN, ±Inf and out-of-range values are backend-defined (as in C and numpy)
            if (ew && isFloat(c.dtype) && expected.dtype !== "int32") {
              const ref = info.ref(...nds);
              assertSameValues(
                expected,
                rounded(ref, expected.dtype),
                toleranceOf(info, expected.dtype),
                label(info, c, "js", "eager vs reference"),
              );
            }
            for (const backend of BACKENDS)
              for (const mode of MODES) {
                if (backend === "js" && mode === "eager") continue;
                const what = label(info, c, backend, mode);
                const out = evaluate(info.fn, args, backend, mode);
                assertShape(out.shape, expected.shape, `${what}: shape`);
                assertSameValues(out, expected, toleranceOf(info, out.dtype), what);
              }
          }),
          fuzzParams(3),
        );
      },
      FUZZ_TIMEOUT,
    );
  }

  it("classifies the elementwise entries (random shapes) by probing them", () => {
    // guards the probe itself: these must be found elementwise, these must not
    for (const name of ["add", "exp", "where", "maximum", "isNaN", "cast(float32)"])
      if (!elementwise.get(name)) throw new Error(`${name} should be elementwise`);
    for (const name of ["sum()", "softmax(axis=-1)", "matmul", "cumsum(axis=0)", "pow(x, [0, 1, 2, 3])"])
      if (elementwise.get(name) !== false) throw new Error(`${name} should not be elementwise`);
    const count = [...elementwise.values()].filter(Boolean).length;
    if (count < 40) throw new Error(`only ${count} entries found elementwise`);
  });
});
