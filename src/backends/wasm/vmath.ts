/**
 * Vectorised float32 transcendental functions, emitted inline as SIMD128 code.
 *
 * Each emitter reads its argument from a v128 local and leaves the result on
 * the stack. The algorithms are Cephes' single-precision ones (range
 * reduction + minimax polynomial), chosen because they reach ~1 ulp with
 * plain mul/add: no FMA is assumed, so results are identical on every engine.
 * Special values (±0, ±Inf, NaN, subnormals, overflow) are fixed up with
 * masks rather than branches, since lanes of one vector can disagree.
 */
import type { FunctionBuilder, Local } from "./emitter.js";

const LOG2E = 1.44269504088896341;
/** ln 2 split so that n·LN2_HI is exact in float32 for |n| <= 255 (Cody–Waite). */
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
];
const LOG_POLY = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
];
const TANH_POLY = [
  -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1,
];
const SIGN_MASK = -0x80000000;
const ABS_MASK = 0x7fffffff;

/** Horner: leaves c0·x^(n-1) + … + c(n-1) on the stack. */
function horner(f: FunctionBuilder, x: Local, coeffs: readonly number[]): void {
  f.v128f32(coeffs[0] as number);
  for (const c of coeffs.slice(1)) f.get(x).op("f32x4.mul").v128f32(c).op("f32x4.add");
}

/** A fresh v128 temporary named after the function that needs it. */
function tmp(f: FunctionBuilder, name: string): Local {
  return f.local("v128", name);
}

/**
 * e^x. Clamping to [-104, 89] makes ±Inf, overflow and total underflow fall
 * out of the normal path; 2^n is applied as two factors 2^(n>>1)·2^(n-(n>>1))
 * so that results down in the subnormal range are rounded once, correctly.
 */
export function emitExp(f: FunctionBuilder, x: Local): void {
  const xc = tmp(f, "exp_x");
  const n = tmp(f, "exp_n");
  const r = tmp(f, "exp_r");
  const ni = tmp(f, "exp_ni");
  const half = tmp(f, "exp_half");
  // pmax/pmin with x first return x when x is NaN, so NaN survives the clamp.
  f.get(x).v128f32(-104).op("f32x4.pmax").v128f32(89).op("f32x4.pmin").set(xc);
  f.get(xc).v128f32(LOG2E).op("f32x4.mul").op("f32x4.nearest").set(n);
  f.get(xc).get(n).v128f32(LN2_HI).op("f32x4.mul").op("f32x4.sub");
  f.get(n).v128f32(LN2_LO).op("f32x4.mul").op("f32x4.sub").set(r);
  // y = 1 + r + r²·P(r)
  horner(f, r, EXP_POLY);
  f.get(r).op("f32x4.mul").get(r).op("f32x4.mul").get(r).op("f32x4.add").v128f32(1).op("f32x4.add");
  f.get(n).op("i32x4.trunc_sat_f32x4_s").set(ni);
  f.get(ni).i32(1).op("i32x4.shr_s").set(half);
  f.get(half).v128i32(127).op("i32x4.add").i32(23).op("i32x4.shl").op("f32x4.mul");
  f.get(ni).get(half).op("i32x4.sub").v128i32(127).op("i32x4.add").i32(23).op("i32x4.shl").op("f32x4.mul");
}

/**
 * ln x: x = m·2^e with m in [√½, √2), then a degree-9 polynomial in m-1.
 * Subnormal inputs are pre-scaled by 2^23 so their exponent field is usable.
 */
export function emitLog(f: FunctionBuilder, x: Local): void {
  const xs = tmp(f, "log_x");
  const tiny = tmp(f, "log_tiny");
  const e = tmp(f, "log_e");
  const m = tmp(f, "log_m");
  const z = tmp(f, "log_z");
  const small = tmp(f, "log_lt_sqrth");
  f.get(x).v128f32(1.1754943508222875e-38).op("f32x4.lt").set(tiny);
  f.get(x).v128f32(8388608).op("f32x4.mul").get(x).get(tiny).op("v128.bitselect").set(xs);
  // exponent such that m = mantissa·2^-1 lies in [0.5, 1)
  f.get(xs).i32(23).op("i32x4.shr_u").v128i32(126).op("i32x4.sub");
  f.get(tiny).v128i32(23).op("v128.and").op("i32x4.sub").set(e);
  f.get(xs).v128i32(0x807fffff).op("v128.and").v128i32(0x3f000000).op("v128.or").set(m);
  // if m < √½: e -= 1, m = 2m - 1 else m = m - 1
  f.get(m).v128f32(0.707106781186547524).op("f32x4.lt").set(small);
  f.get(e).get(small).op("i32x4.add").op("f32x4.convert_i32x4_s").set(e);
  f.get(m).v128f32(1).op("f32x4.sub").get(m).get(small).op("v128.and").op("f32x4.add").set(m);
  f.get(m).get(m).op("f32x4.mul").set(z);
  horner(f, m, LOG_POLY);
  f.get(m).op("f32x4.mul").get(z).op("f32x4.mul");
  f.get(e).v128f32(LN2_LO).op("f32x4.mul").op("f32x4.add");
  f.get(z).v128f32(-0.5).op("f32x4.mul").op("f32x4.add");
  f.get(m).op("f32x4.add");
  f.get(e).v128f32(LN2_HI).op("f32x4.mul").op("f32x4.add").set(z);
  // Special values: log(NaN) = NaN, log(+Inf) = +Inf, log(x<0) = NaN, log(±0) = -Inf.
  f.get(x).get(z).get(x).get(x).op("f32x4.ne").get(x).v128f32(Infinity).op("f32x4.eq").op("v128.or");
  f.op("v128.bitselect").set(z);
  f.v128f32(Number.NaN).get(z).get(x).v128f32(0).op("f32x4.lt").op("v128.bitselect").set(z);
  f.v128f32(-Infinity).get(z).get(x).v128f32(0).op("f32x4.eq").op("v128.bitselect");
}

/**
 * tanh x: an odd polynomial for |x| < 0.625 (where 1 - 2/(e^2x+1) would
 * cancel), else 1 - 2/(e^{2|x|}+1) with x's sign; e^{2|x|} = Inf gives ±1.
 */
export function emitTanh(f: FunctionBuilder, x: Local): void {
  const ax = tmp(f, "tanh_ax");
  const z = tmp(f, "tanh_z");
  const small = tmp(f, "tanh_small");
  f.get(x).v128i32(ABS_MASK).op("v128.and").set(ax);
  f.get(x).get(x).op("f32x4.mul").set(z);
  horner(f, z, TANH_POLY);
  f.get(z).op("f32x4.mul").get(x).op("f32x4.mul").get(x).op("f32x4.add").set(small);
  f.get(ax).get(ax).op("f32x4.add").set(z);
  emitExp(f, z);
  f.v128f32(1).op("f32x4.add").set(z);
  f.v128f32(1).v128f32(2).get(z).op("f32x4.div").op("f32x4.sub");
  f.get(x).v128i32(SIGN_MASK).op("v128.and").op("v128.or");
  f.set(z);
  f.get(small).get(z).get(ax).v128f32(0.625).op("f32x4.lt").op("v128.bitselect");
}

/** σ(x) = 1/(1+e^-x); for x < -88.7 e^-x is Inf and the result underflows to 0 as it should. */
export function emitSigmoid(f: FunctionBuilder, x: Local): void {
  const nx = tmp(f, "sigmoid_nx");
  f.get(x).op("f32x4.neg").set(nx);
  f.v128f32(1);
  emitExp(f, nx);
  f.v128f32(1).op("f32x4.add").op("f32x4.div");
}
