/**
 * Vectorised float32 transcendental functions, emitted inline as SIMD128 code.
 *
 * The algorithms are Cephes' single-precision ones (range reduction +
 * minimax polynomial), chosen because they reach ~1 ulp with plain mul/add:
 * no FMA is assumed, so results are identical on every engine. Special
 * values (±0, ±Inf, NaN, subnormals, overflow) are fixed up with masks rather
 * than branches, since lanes of one vector can disagree.
 *
 * Every emitter works on a group of independent vectors (the loop is
 * unrolled) and emits each step for all of them before the next step. The
 * polynomials are long dependency chains; interleaving the group gives the
 * CPU independent work to overlap, which V8 does not schedule for us.
 */
import type { FunctionBuilder, Local } from "./emitter.js";

const LOG2E = Math.LOG2E;
/** ln 2 split so that n·LN2_HI is exact in float32 for |n| <= 255 (Cody–Waite). */
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** 1.5·2^23: adding it rounds a float to an integer held in the low mantissa bits. */
const ROUND_MAGIC = 12582912;
const ROUND_MAGIC_BITS = 0x4b400000;
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

/** A value held as one v128 local per vector of the unrolled group. */
export type Group = readonly Local[];

/** Fresh temporaries, one per vector of the group. */
export function temps(f: FunctionBuilder, name: string, size: number): Local[] {
  return Array.from({ length: size }, (_, i) => f.local("v128", `${name}${i}`));
}

/** Runs `step` for each vector index; `step` must leave nothing on the stack. */
function each(size: number, step: (i: number) => void): void {
  for (let i = 0; i < size; i++) step(i);
}

const at = (g: Group, i: number): Local => g[i] as Local;

/** dst = c0·x^(n-1) + … + c(n-1), coefficient by coefficient across the group. */
function horner(f: FunctionBuilder, x: Group, coeffs: readonly number[], dst: Group): void {
  each(x.length, (i) => f.v128f32(coeffs[0] as number).set(at(dst, i)));
  for (const c of coeffs.slice(1)) {
    each(x.length, (i) =>
      f.get(at(dst, i)).get(at(x, i)).op("f32x4.mul").v128f32(c).op("f32x4.add").set(at(dst, i)),
    );
  }
}

/**
 * e^x. Clamping to [-104, 89] makes ±Inf, overflow and total underflow fall
 * out of the normal path; 2^n is applied as two factors 2^(n>>1)·2^(n-(n>>1))
 * so that results in the subnormal range are rounded once, correctly.
 */
export function emitExp(f: FunctionBuilder, x: Group, out: Group): void {
  const u = x.length;
  const xc = temps(f, "exp_x", u);
  const t = temps(f, "exp_t", u);
  const r = temps(f, "exp_r", u);
  const p = temps(f, "exp_p", u);
  const half = temps(f, "exp_h", u);
  // pmax/pmin with x first return x when x is NaN, so NaN survives the clamp.
  each(u, (i) => f.get(at(x, i)).v128f32(-104).op("f32x4.pmax").v128f32(89).op("f32x4.pmin").set(at(xc, i)));
  each(u, (i) =>
    f.get(at(xc, i)).v128f32(LOG2E).op("f32x4.mul").v128f32(ROUND_MAGIC).op("f32x4.add").set(at(t, i)),
  );
  // n = round(x·log2 e) as a float (r uses it) and as bits in t (the scale uses them)
  each(u, (i) => f.get(at(t, i)).v128f32(ROUND_MAGIC).op("f32x4.sub").set(at(half, i)));
  each(u, (i) => {
    f.get(at(xc, i)).get(at(half, i)).v128f32(LN2_HI).op("f32x4.mul").op("f32x4.sub");
    f.get(at(half, i)).v128f32(LN2_LO).op("f32x4.mul").op("f32x4.sub").set(at(r, i));
  });
  // y = 1 + r + r²·P(r)
  horner(f, r, EXP_POLY, p);
  each(u, (i) => {
    f.get(at(p, i)).get(at(r, i)).op("f32x4.mul").get(at(r, i)).op("f32x4.mul");
    f.get(at(r, i)).op("f32x4.add").v128f32(1).op("f32x4.add").set(at(p, i));
  });
  // n (integer) = bits(t) - bits(magic); scale by 2^(n>>1) then 2^(n - (n>>1))
  each(u, (i) => f.get(at(t, i)).v128i32(ROUND_MAGIC_BITS).op("i32x4.sub").set(at(t, i)));
  each(u, (i) => f.get(at(t, i)).i32(1).op("i32x4.shr_s").set(at(half, i)));
  each(u, (i) => {
    f.get(at(p, i)).get(at(half, i)).v128i32(127).op("i32x4.add").i32(23).op("i32x4.shl").op("f32x4.mul");
    f.get(at(t, i)).get(at(half, i)).op("i32x4.sub").v128i32(127).op("i32x4.add").i32(23).op("i32x4.shl");
    f.op("f32x4.mul").set(at(out, i));
  });
}

/**
 * ln x: x = m·2^e with m in [√½, √2), then a degree-9 polynomial in m-1.
 * Subnormal inputs are pre-scaled by 2^23 so their exponent field is usable.
 */
export function emitLog(f: FunctionBuilder, x: Group, out: Group): void {
  const u = x.length;
  const xs = temps(f, "log_x", u);
  const tiny = temps(f, "log_tiny", u);
  const e = temps(f, "log_e", u);
  const m = temps(f, "log_m", u);
  const z = temps(f, "log_z", u);
  const y = temps(f, "log_y", u);
  each(u, (i) => f.get(at(x, i)).v128f32(1.1754943508222875e-38).op("f32x4.lt").set(at(tiny, i)));
  each(u, (i) => {
    f.get(at(x, i)).v128f32(8388608).op("f32x4.mul").get(at(x, i)).get(at(tiny, i)).op("v128.bitselect");
    f.set(at(xs, i));
  });
  // exponent such that the mantissa scaled into [0.5, 1) times 2^e is x
  each(u, (i) => {
    f.get(at(xs, i)).i32(23).op("i32x4.shr_u").v128i32(126).op("i32x4.sub");
    f.get(at(tiny, i)).v128i32(23).op("v128.and").op("i32x4.sub").set(at(e, i));
  });
  each(u, (i) =>
    f.get(at(xs, i)).v128i32(0x807fffff).op("v128.and").v128i32(0x3f000000).op("v128.or").set(at(m, i)),
  );
  // if m < √½: e -= 1, m = 2m - 1 else m = m - 1 (tiny is reused as that mask)
  each(u, (i) => f.get(at(m, i)).v128f32(Math.SQRT1_2).op("f32x4.lt").set(at(tiny, i)));
  each(u, (i) => f.get(at(e, i)).get(at(tiny, i)).op("i32x4.add").op("f32x4.convert_i32x4_s").set(at(e, i)));
  each(u, (i) => {
    f.get(at(m, i)).v128f32(1).op("f32x4.sub").get(at(m, i)).get(at(tiny, i)).op("v128.and").op("f32x4.add");
    f.set(at(m, i));
  });
  each(u, (i) => f.get(at(m, i)).get(at(m, i)).op("f32x4.mul").set(at(z, i)));
  horner(f, m, LOG_POLY, y);
  each(u, (i) => {
    f.get(at(y, i)).get(at(m, i)).op("f32x4.mul").get(at(z, i)).op("f32x4.mul");
    f.get(at(e, i)).v128f32(LN2_LO).op("f32x4.mul").op("f32x4.add");
    f.get(at(z, i)).v128f32(-0.5).op("f32x4.mul").op("f32x4.add");
    f.get(at(m, i)).op("f32x4.add");
    f.get(at(e, i)).v128f32(LN2_HI).op("f32x4.mul").op("f32x4.add").set(at(y, i));
  });
  // Special values: log(NaN) = NaN, log(+Inf) = +Inf, log(x<0) = NaN, log(±0) = -Inf.
  each(u, (i) => {
    const xi = at(x, i);
    f.get(xi)
      .get(at(y, i))
      .get(xi)
      .get(xi)
      .op("f32x4.ne")
      .get(xi)
      .v128f32(Infinity)
      .op("f32x4.eq")
      .op("v128.or");
    f.op("v128.bitselect").set(at(y, i));
    f.v128f32(Number.NaN).get(at(y, i)).get(xi).v128f32(0).op("f32x4.lt").op("v128.bitselect").set(at(y, i));
    f.v128f32(-Infinity).get(at(y, i)).get(xi).v128f32(0).op("f32x4.eq").op("v128.bitselect").set(at(out, i));
  });
}

/**
 * tanh x: an odd polynomial for |x| < 0.625 (where 1 - 2/(e^2x+1) would
 * cancel), else 1 - 2/(e^{2|x|}+1) with x's sign; e^{2|x|} = Inf gives ±1.
 */
export function emitTanh(f: FunctionBuilder, x: Group, out: Group): void {
  const u = x.length;
  const ax = temps(f, "tanh_ax", u);
  const z = temps(f, "tanh_z", u);
  const small = temps(f, "tanh_small", u);
  each(u, (i) => f.get(at(x, i)).v128i32(ABS_MASK).op("v128.and").set(at(ax, i)));
  each(u, (i) => f.get(at(x, i)).get(at(x, i)).op("f32x4.mul").set(at(z, i)));
  horner(f, z, TANH_POLY, small);
  each(u, (i) => {
    f.get(at(small, i))
      .get(at(z, i))
      .op("f32x4.mul")
      .get(at(x, i))
      .op("f32x4.mul")
      .get(at(x, i))
      .op("f32x4.add");
    f.set(at(small, i));
  });
  each(u, (i) => f.get(at(ax, i)).get(at(ax, i)).op("f32x4.add").set(at(z, i)));
  emitExp(f, z, z);
  each(u, (i) => {
    f.v128f32(1).v128f32(2).get(at(z, i)).v128f32(1).op("f32x4.add").op("f32x4.div").op("f32x4.sub");
    f.set(at(z, i));
  });
  each(u, (i) => {
    f.get(at(small, i)).get(at(z, i)).get(at(ax, i)).v128f32(0.625).op("f32x4.lt").op("v128.bitselect");
    // |result| with x's sign: the large branch computed tanh|x|, and the small one loses -0
    f.v128i32(ABS_MASK).op("v128.and").get(at(x, i)).v128i32(SIGN_MASK).op("v128.and").op("v128.or");
    f.set(at(out, i));
  });
}

/**
 * σ(x) from e = e^{-|x|}, which never overflows: 1/(1+e) for x >= 0 and
 * e/(1+e) for x < 0, so tiny results keep their relative accuracy.
 */
export function emitSigmoid(f: FunctionBuilder, x: Group, out: Group): void {
  const u = x.length;
  const e = temps(f, "sigmoid_e", u);
  each(u, (i) => f.get(at(x, i)).v128i32(SIGN_MASK).op("v128.or").set(at(e, i)));
  emitExp(f, e, e);
  each(u, (i) => {
    f.get(at(e, i)).v128f32(1).get(at(x, i)).v128f32(0).op("f32x4.lt").op("v128.bitselect");
    f.get(at(e, i)).v128f32(1).op("f32x4.add").op("f32x4.div").set(at(out, i));
  });
}
