/**
 * Every entry of the op table (test/support/opinfo.ts), fuzzed with
 * fast-check on every backend that loads, eager and compiled (every pass on,
 * fusion included, and all passes off). Elementwise entries get random shapes
 * (size-0 and size-1 dimensions, broadcasting, scalars), other entries that
 * follow their inputs' shapes get their samples' shapes resized (sizes 0–4);
 * every entry gets random values from its domain, each of its dtypes and
 * inputs laid out as non-contiguous views (transposed, sliced, strided,
 * expanded). A shape the op rejects must be rejected (with a GrafoError) on
 * every backend and plan alike. Two properties:
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
import { ELEMENTWISE } from "../../src/graph/ir.js";
import type { DType, Tensor } from "../../src/index.js";
import * as g from "../../src/index.js";
import { GrafoError } from "../../src/index.js";
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

/** Primitives that act element by element, and the broadcasts and reshapes public ops wrap them in. */
const ELEMENTWISE_OR_BROADCAST: ReadonlySet<PrimName> = new Set<PrimName>([
  ...ELEMENTWISE,
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
    return [...primitivesUsed(info.fn, args)].every((p) => ELEMENTWISE_OR_BROADCAST.has(p));
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

/**
 * The sample's shapes with each distinct dimension size mapped to a new one
 * in 0..4, the same old size always to the same new size (so matmul's inner
 * dimensions, conv's channels and concat's other axes still agree): size-0
 * and size-1 dimensions for ops that are not elementwise. Given values
 * (indices) keep their shape.
 */
function resized(info: OpInfo, sample: number): fc.Arbitrary<(readonly number[])[]> {
  const specs = info.samples[sample]!.args;
  const sizes = [...new Set(specs.flatMap((a) => (a.values ? [] : a.shape)))];
  return fc
    .array(fc.integer({ min: 0, max: 4 }), { minLength: sizes.length, maxLength: sizes.length })
    .map((to) => specs.map((a) => (a.values ? a.shape : a.shape.map((d) => to[sizes.indexOf(d)]!))));
}

/**
 * Whether the entry's op and reference both follow their inputs' shapes (a
 * reduction does; a slice with a fixed window, or a reference that builds a
 * fixed shape, does not): probed with every size one larger, two larger, and 1.
 */
function followsShapes(info: OpInfo, sample: number): boolean {
  const specs = info.samples[sample]!.args;
  const dtype = dtypesFor(info, sample)[0]!;
  const probe = (size: (d: number) => number): boolean => {
    try {
      const r = rng(2);
      const args = specs.map((a) => makeArg(a.values ? a : { ...a, shape: a.shape.map(size) }, dtype, r));
      const out = info.fn(...args);
      const ref = info.ref(...args.map(fromTensor));
      return out.shape.length === ref.shape.length && out.shape.every((d, k) => d === ref.shape[k]);
    } catch {
      return false;
    }
  };
  return probe((d) => d + 1) && probe((d) => d + 2) && probe(() => 1);
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
      : fc.integer({ min: 0, max: info.samples.length - 1 }).chain((sample) => {
          const given = fc.constant(info.samples[sample]!.args.map((a) => a.shape));
          return (followsShapes(info, sample) ? fc.oneof(given, resized(info, sample)) : given).map(
            (shapes) => ({ shapes, sample }),
          );
        });
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
      values = sprinkle(values, c.edgeRate, r, isFloat(dtype) ? edgesFor(info) : INT_EDGES);
    const { tensor, values: held } = laidOut(values, shape, dtype, c.layouts[i]!, r);
    args.push(tensor);
    nds.push(fromTensor(g.tensor(held, [...shape], { dtype })));
  });
  return { args, nds };
}

/**
 * Edge values for an entry: all of them for elementwise entries; for entries
 * that sum or multiply many values, all but the large magnitudes. Sums of
 * products near 1e36 cancel to different residues in float32 (native, wasm)
 * and float64 (js) accumulators, and may overflow in one and not the other:
 * backends may rightly differ there. ±0, ±Inf, NaN and subnormals stay.
 */
function edgesFor(info: OpInfo): readonly number[] {
  return elementwise.get(info.name) ? EDGE_VALUES : SMALL_EDGES;
}
const SMALL_EDGES = EDGE_VALUES.filter((v) => !Number.isFinite(v) || Math.abs(v) < 1);

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

/**
 * The entry on every backend and in every mode, js eager first; undefined
 * when js eager rejects the inputs with a GrafoError (a resized shape the op
 * does not take), after checking that every backend and plan rejects them too.
 * Any other error is a bug and propagates.
 */
function everywhere(
  info: OpInfo,
  c: Case,
  args: readonly Tensor[],
): { what: string; out: Tensor }[] | undefined {
  const results: { what: string; out: Tensor | GrafoError }[] = [];
  for (const backend of BACKENDS)
    for (const mode of MODES) {
      const what = label(info, c, backend, mode);
      try {
        results.push({ what, out: evaluate(info.fn, args, backend, mode) });
      } catch (e) {
        if (!(e instanceof GrafoError)) throw e;
        results.push({ what, out: e });
      }
    }
  const rejected = results.filter((r) => r.out instanceof GrafoError);
  if (rejected.length === 0) return results as { what: string; out: Tensor }[];
  if (rejected.length < results.length) {
    const ok = results.find((r) => !(r.out instanceof GrafoError))!;
    throw new Error(
      `${ok.what} gives a result, but ${rejected[0]!.what} throws: ${(rejected[0]!.out as Error).message}`,
    );
  }
  return undefined;
}

/** The float64 reference, or undefined where it cannot take the (resized) inputs. */
function reference(info: OpInfo, nds: Nd[]): Nd | undefined {
  try {
    return info.ref(...nds);
  } catch {
    return undefined;
  }
}

describe("every op-table entry, fuzzed on every backend, eager and compiled", () => {
  for (const info of OPS) {
    const ew = elementwise.get(info.name)!;
    it(
      `${info.name}: matches the float64 reference${ew ? " on random broadcast shapes" : ""}`,
      () => {
        fc.assert(
          fc.property(caseArb(info, ew, false), (c) => {
            const { args, nds } = build(info, c);
            const results = everywhere(info, c, args);
            const ref = results && reference(info, nds);
            if (!results || !ref) return;
            const outDtype = (info.outDtype ?? ((d: DType) => d))(c.dtype);
            for (const { what, out } of results) {
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
            const results = everywhere(info, c, args);
            if (!results) return;
            const expected = results[0]!.out;
            // float→int casts of NaN, ±Inf and out-of-range values are backend-defined (as in C and numpy)
            const ref =
              ew && isFloat(c.dtype) && expected.dtype !== "int32" ? reference(info, nds) : undefined;
            if (ref)
              assertSameValues(
                expected,
                rounded(ref, expected.dtype),
                toleranceOf(info, expected.dtype),
                label(info, c, "js", "eager vs reference"),
              );
            for (const { what, out } of results.slice(1)) {
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
