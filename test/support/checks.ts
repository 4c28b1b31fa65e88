/**
 * The generic checks every OpInfo entry goes through. Each takes a backend
 * name (default js) so a future backend-agreement suite can run the very same
 * checks on its kernels. They throw an Error naming the entry, the sample and
 * the first mismatch; they do not depend on the test framework.
 */

import { isFloat } from "../../src/core/dtype.js";
import {
  cast,
  checkGrad,
  type DType,
  grad,
  jvp,
  mul,
  sum,
  type Tensor,
  tensor,
  vjp,
} from "../../src/index.js";
import { assertClose, assertShape, type Tolerance } from "./allclose.js";
import { DEFAULT_BACKEND, withBackend } from "./backends.js";
import {
  concatValues,
  directional,
  inner,
  jacobianTimes,
  jacobianTransposeTimes,
  numericJacobian,
} from "./fd.js";
import type { ArgSpec, Domain, OpInfo, Sample } from "./opinfo.js";
import { fromTensor, sizeOf } from "./reference.js";
import { type Rng, rng, seedOf, shuffled } from "./rng.js";

/** Forward tolerance by output dtype: float32 kernels round at every step; ints and bools are exact. */
export const FORWARD_TOL: Readonly<Record<DType, Tolerance>> = {
  float32: { rtol: 2e-5, atol: 2e-5 },
  float64: { rtol: 1e-10, atol: 1e-10 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/** Derivatives (float64) against central differences with ε = 1e-6. */
export const GRAD_TOL: Tolerance = { rtol: 1e-6, atol: 1e-6 };
/** Second derivatives against differences of the (exact) gradient with ε = 1e-5. */
export const SECOND_TOL: Tolerance = { rtol: 1e-5, atol: 1e-5 };

// ---- inputs ----

function floatValue(domain: Domain, r: Rng, i: number, n: number, order: readonly number[]): number {
  switch (domain) {
    case "real":
      return -2 + 4 * r();
    case "positive":
      return 0.5 + 2 * r();
    case "nonzero":
      return (r() < 0.5 ? -1 : 1) * (0.3 + 1.7 * r());
    case "unit":
      return -0.9 + 1.8 * r();
    case "gridA":
      return Math.floor(r() * 8 - 4) / 2 + 0.1;
    case "gridB":
      return Math.floor(r() * 8 - 4) / 2 + 0.35;
    case "distinct":
      return (order[i]! - n / 2) * 0.37 + 0.05;
    case "nonInteger": {
      const frac = r() < 0.5 ? 0.1 + 0.3 * r() : 0.6 + 0.3 * r();
      return Math.floor(r() * 6 - 3) + frac;
    }
    case "smallInt":
      return Math.floor(r() * 3) - 1;
    case "bool":
      return r() < 0.5 ? 0 : 1;
  }
}

function intValue(domain: Domain, r: Rng, i: number, n: number, order: readonly number[]): number {
  switch (domain) {
    case "real":
      return Math.floor(r() * 7) - 3;
    case "positive":
      return 1 + Math.floor(r() * 4);
    case "nonzero":
      return (r() < 0.5 ? -1 : 1) * (1 + Math.floor(r() * 3));
    case "distinct":
      return order[i]! - Math.floor(n / 2);
    case "smallInt":
      return Math.floor(r() * 3) - 1;
    case "bool":
      return r() < 0.5 ? 0 : 1;
    default:
      throw new Error(`domain "${domain}" has no int32 version; leave int32 out of the entry's dtypes`);
  }
}

export function makeArg(spec: ArgSpec, dtype: DType, r: Rng): Tensor {
  const d = spec.dtype ?? dtype;
  if (spec.values) return tensor([...spec.values], spec.shape, { dtype: d });
  const n = sizeOf(spec.shape);
  const domain = spec.domain ?? "real";
  const order = shuffled(r, n);
  const make = d === "int32" || d === "bool" ? intValue : floatValue;
  const values = Array.from({ length: n }, (_, i) => make(domain, r, i, n, order));
  return tensor(values, spec.shape, { dtype: d });
}

/** The arguments of sample `index` in `dtype` (arguments with a fixed dtype keep it). Deterministic. */
export function sampleArgs(info: OpInfo, index: number, dtype: DType): Tensor[] {
  const r = rng(seedOf(`${info.name}#${index}`));
  return info.samples[index]!.args.map((spec) => makeArg(spec, dtype, r));
}

/** Explicit non-integer values (0.5, NaN, …) are float samples: int32 and bool runs skip them. */
function fitsDType(sample: Sample, dtype: DType): boolean {
  if (isFloat(dtype)) return true;
  return sample.args.every((a) => a.dtype !== undefined || !a.values || a.values.every(Number.isInteger));
}

/** Arguments the derivative checks differentiate: the entry's choice, or those without a fixed dtype. */
export function diffArgsOf(info: OpInfo, index: number): number[] {
  if (info.diffArgs) return [...info.diffArgs];
  return info.samples[index]!.args.flatMap((a, i) => (a.dtype === undefined ? [i] : []));
}

/** Random float64 tensors of the given shapes (cotangents and tangents of the checks). */
function randomLike(shapes: readonly (readonly number[])[], r: Rng, dtype: DType = "float64"): Tensor[] {
  return shapes.map((s) =>
    tensor(
      Array.from({ length: sizeOf(s) }, () => -1 + 2 * r()),
      s,
      { dtype },
    ),
  );
}

const label = (info: OpInfo, i: number, extra = ""): string => `${info.name} sample ${i}${extra}`;

/** The entry as a function of its differentiated arguments only (the others fixed at their sample values). */
function restrict(info: OpInfo, args: readonly Tensor[], diff: readonly number[]): (xs: Tensor[]) => Tensor {
  return (xs) => info.fn(...args.map((a, i) => (diff.includes(i) ? xs[diff.indexOf(i)]! : a)));
}

/** Samples on which derivatives are checked (forward-only ones are skipped). */
function derivativeSamples(info: OpInfo): number[] {
  return info.samples.flatMap((s, i) => (s.forwardOnly ? [] : [i]));
}

interface Setup {
  xs: Tensor[];
  f: (xs: Tensor[]) => Tensor;
  out: Tensor;
  u: Tensor;
  vs: Tensor[];
  all: number[];
}

function setup(info: OpInfo, i: number): Setup {
  const args = sampleArgs(info, i, "float64");
  const diff = diffArgsOf(info, i);
  const f = restrict(info, args, diff);
  const xs = diff.map((k) => args[k]!);
  const out = f(xs);
  const r = rng(seedOf(`${info.name}#${i}:directions`));
  const [u] = randomLike([out.shape], r, isFloat(out.dtype) ? out.dtype : "float64");
  const vs = randomLike(
    xs.map((x) => x.shape),
    r,
  );
  return { xs, f, out, u: u!, vs, all: xs.map((_, k) => k) };
}

/** ⟨u, f(xs)⟩: a scalar whose gradient is the vjp of f at u. */
const against =
  (f: (xs: Tensor[]) => Tensor, u: Tensor) =>
  (...xs: Tensor[]): Tensor =>
    sum(mul(f(xs), u));

// ---- the checks ----

/** 1. Forward values, dtype and shape against the float64 reference, in every dtype the entry lists. */
export function checkForward(info: OpInfo, backend: string = DEFAULT_BACKEND): void {
  const dtypes = info.dtypes ?? ["float32", "float64"];
  info.samples.forEach((sample, i) => {
    for (const dtype of dtypes) {
      if (!fitsDType(sample, dtype)) continue;
      const args = sampleArgs(info, i, dtype);
      const what = label(info, i, ` (${dtype})`);
      const out = withBackend(backend, () => info.fn(...args));
      const expected = info.ref(...args.map(fromTensor));
      const outDtype = (info.outDtype ?? ((d: DType) => d))(dtype);
      if (out.dtype !== outDtype) throw new Error(`${what}: dtype ${out.dtype}, expected ${outDtype}`);
      assertShape(out.shape, expected.shape, `${what}: shape`);
      const tol = info.tol?.[out.dtype as "float32" | "float64"] ?? FORWARD_TOL[out.dtype];
      assertClose(out, expected.data, tol, `${what}: values`);
    }
  });
}

/**
 * 2. First derivatives against central differences in float64: the vjp
 * (Jᵀu), grad of ⟨u, f⟩ (also through `checkGrad`), and the jvp (J·v), for
 * random u and v. The primal results of vjp and jvp must equal the forward value.
 */
export function checkFirstOrder(info: OpInfo, backend: string = DEFAULT_BACKEND): void {
  const eps = info.fdEps ?? 1e-6;
  const tol = info.gradTol ?? GRAD_TOL;
  withBackend(backend, () => {
    for (const i of derivativeSamples(info)) {
      const { xs, f, out, u, vs, all } = setup(info, i);
      const columns = numericJacobian(f, xs, eps);
      const JTu = jacobianTransposeTimes(columns, u.data());
      const Jv = jacobianTimes(columns, concatValues(vs), out.size);

      const [vjpOut, back] = vjp((...ys: Tensor[]) => f(ys), ...xs);
      assertClose(vjpOut, out, FORWARD_TOL.float64, `${label(info, i)}: vjp primal`);
      assertClose(concatValues(back(u)), JTu, tol, `${label(info, i)}: vjp vs finite differences`);

      const g = grad(against(f, u), all)(...xs) as Tensor[];
      assertClose(concatValues(g), JTu, tol, `${label(info, i)}: grad vs finite differences`);
      const err = checkGrad(against(f, u), xs, { eps });
      if (!(err <= (tol.rtol ?? 0) + (tol.atol ?? 0)))
        throw new Error(`${label(info, i)}: checkGrad error ${err}`);

      const [jvpOut, tangent] = jvp((...ys: Tensor[]) => f(ys), xs, vs);
      assertClose(jvpOut, out, FORWARD_TOL.float64, `${label(info, i)}: jvp primal`);
      assertShape(tangent.shape, out.shape, `${label(info, i)}: jvp tangent shape`);
      assertClose(tangent, Jv, tol, `${label(info, i)}: jvp vs finite differences`);

      // One argument at a time, the others plain constants: the rules' zero (null) tangent and cotangent paths.
      if (xs.length > 1) {
        let column = 0;
        xs.forEach((x, k) => {
          const only = (y: Tensor) => f(xs.map((z, j) => (j === k ? y : z)));
          const mine = columns.slice(column, column + x.size);
          column += x.size;
          const what = `${label(info, i)}: argument ${k} alone`;
          const [, t] = jvp(only, [x], [vs[k]!]);
          assertClose(t, jacobianTimes(mine, vs[k]!.data(), out.size), tol, `${what}: jvp`);
          const gk = grad((y: Tensor) => sum(mul(only(y), u)))(x);
          assertClose(gk, jacobianTransposeTimes(mine, u.data()), tol, `${what}: grad`);
        });
      }
    }
  });
}

/** 3. The dot-product test: ⟨u, J·v⟩ from jvp equals ⟨Jᵀ·u, v⟩ from vjp, to rounding. */
export function checkDotProduct(info: OpInfo, backend: string = DEFAULT_BACKEND): void {
  withBackend(backend, () => {
    for (const i of derivativeSamples(info)) {
      const { xs, f, u, vs } = setup(info, i);
      const [, tangent] = jvp((...ys: Tensor[]) => f(ys), xs, vs);
      const [, back] = vjp((...ys: Tensor[]) => f(ys), ...xs);
      const lhs = inner(u.data(), tangent.data());
      const rhs = inner(concatValues(back(u)), concatValues(vs));
      // exact up to rounding: float64 rounding, or float32 where the output is rounded to it
      const rounding = tangent.dtype === "float32" ? 1e-6 : 1e-10;
      if (!(Math.abs(lhs - rhs) <= rounding * Math.max(1, Math.abs(lhs))))
        throw new Error(`${label(info, i)}: dot-product test ⟨u, Jv⟩ = ${lhs} but ⟨Jᵀu, v⟩ = ${rhs}`);
    }
  });
}

/**
 * 4. Second derivatives. With h(x) = ⟨u, f(x)⟩, the Hessian-vector product H·v
 * is computed four ways (forward over reverse, reverse over reverse, reverse
 * over forward, and vᵀHv by forward over forward) and each is compared with
 * central differences of the gradient along v.
 */
export function checkSecondOrder(info: OpInfo, backend: string = DEFAULT_BACKEND): void {
  const tol = info.gradTol ?? SECOND_TOL;
  withBackend(backend, () => {
    for (const i of derivativeSamples(info)) {
      const { xs, f, u, vs, all } = setup(info, i);
      const h = against(f, u);
      const gradH = (ys: Tensor[]): Tensor[] => grad(h, all)(...ys) as Tensor[];
      const expected = directional(gradH, xs, vs, info.fdEps ?? 1e-5);
      const what = (how: string) => `${label(info, i)}: Hessian·v by ${how} vs differences of the gradient`;

      const [, fwdRev] = jvp((...ys: Tensor[]) => gradH(ys), xs, vs);
      assertClose(concatValues(fwdRev), expected, tol, what("jvp of grad"));

      const revRev = grad(
        (...ys: Tensor[]) =>
          gradH(ys)
            .map((gy, k) => sum(mul(gy, vs[k]!)))
            .reduce((a, b) => a.add(b)),
        all,
      )(...xs) as Tensor[];
      assertClose(concatValues(revRev), expected, tol, what("grad of grad"));

      const revFwd = grad((...ys: Tensor[]) => jvp(h, ys, vs)[1], all)(...xs) as Tensor[];
      assertClose(concatValues(revFwd), expected, tol, what("grad of jvp"));

      const [, vHv] = jvp((...ys: Tensor[]) => jvp(h, ys, vs)[1], xs, vs);
      assertClose(vHv, inner(expected, concatValues(vs)), tol, `${label(info, i)}: vᵀHv by jvp of jvp`);
    }
  });
}

/**
 * 5. Ops without a derivative give exactly zero: grad, vjp and jvp through
 * them (through a cast to float64 when the output is int or bool). For
 * piecewise-constant float ops, finite differences on the samples are zero too.
 */
export function checkZeroGradient(info: OpInfo, backend: string = DEFAULT_BACKEND): void {
  withBackend(backend, () => {
    info.samples.forEach((sample, i) => {
      const { xs, f, out, u, vs, all } = setup(info, i);
      const asFloat = (ys: Tensor[]): Tensor => {
        const o = f(ys);
        return isFloat(o.dtype) ? o : cast(o, "float64");
      };
      const zeros = new Float64Array(xs.reduce((n, x) => n + x.size, 0));
      const g = grad(against(asFloat, u), all)(...xs) as Tensor[];
      assertClose(concatValues(g), zeros, { rtol: 0, atol: 0 }, `${label(info, i)}: grad`);
      const [, back] = vjp((...ys: Tensor[]) => asFloat(ys), ...xs);
      assertClose(concatValues(back(u)), zeros, { rtol: 0, atol: 0 }, `${label(info, i)}: vjp`);
      const [, tangent] = jvp((...ys: Tensor[]) => f(ys), xs, vs);
      assertClose(
        tangent,
        new Float64Array(out.size),
        { rtol: 0, atol: 0 },
        `${label(info, i)}: jvp tangent`,
      );
      if (info.kind === "constant" && !sample.forwardOnly && !info.zeroByDefinition) {
        const fd = directional((ys) => [f(ys)], xs, vs);
        assertClose(
          fd,
          new Float64Array(out.size),
          { rtol: 0, atol: 0 },
          `${label(info, i)}: finite differences`,
        );
      }
    });
  });
}

/**
 * Forward agreement of `backend` with `reference` (the js backend) on every
 * sample and dtype: what a new backend's suite calls, beside the checks above.
 */
export function checkBackendAgreement(
  info: OpInfo,
  backend: string,
  reference: string = DEFAULT_BACKEND,
  tol: Partial<Record<DType, Tolerance>> = {},
): void {
  const dtypes = info.dtypes ?? ["float32", "float64"];
  info.samples.forEach((sample, i) => {
    for (const dtype of dtypes) {
      if (!fitsDType(sample, dtype)) continue;
      const args = sampleArgs(info, i, dtype);
      const want = withBackend(reference, () => info.fn(...args));
      const got = withBackend(backend, () => info.fn(...args));
      const what = label(info, i, ` (${dtype}) on ${backend} vs ${reference}`);
      if (got.dtype !== want.dtype) throw new Error(`${what}: dtype ${got.dtype} vs ${want.dtype}`);
      assertShape(got.shape, want.shape, `${what}: shape`);
      assertClose(got, want, tol[got.dtype] ?? FORWARD_TOL[got.dtype], `${what}: values`);
    }
  });
}
