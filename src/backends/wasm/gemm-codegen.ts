/**
 * Code generation for the blocked GEMM (the BLIS/GotoBLAS scheme).
 *
 * C += A·B is cut into KC-deep slabs; each slab of B (KC×NC) is packed once
 * into NR-wide micro-panels that stay in L2/L1, each block of A (MC×KC) into
 * MR-tall micro-panels that stay in L2, and a register-blocked micro-kernel
 * computes an MR×NR tile of C with v128 accumulators that never leave
 * registers during the KC loop. Packing reads A and B through arbitrary
 * (row, column) strides, so a transposed operand costs nothing extra: the
 * packed layout the micro-kernel sees is the same either way.
 *
 * The whole loop nest lives in Wasm so a worker thread needs nothing but the
 * module, the shared memory and a list of arguments.
 */
import type { FunctionBuilder, Local, MemOp, MemoryImport, PlainOp, ValType } from "./emitter.js";
import { ModuleBuilder } from "./emitter.js";

export type GemmDType = "f32" | "f64";

export interface GemmConfig {
  readonly dtype: GemmDType;
  /** Micro-tile rows (rows of A per micro-panel). */
  readonly mr: number;
  /** Micro-tile columns; a multiple of the SIMD lane count. */
  readonly nr: number;
  readonly kc: number;
  /** A multiple of mr. */
  readonly mc: number;
  /** A multiple of nr. */
  readonly nc: number;
  /** Use relaxed_madd (one fused op) instead of mul + add in the micro-kernel. */
  readonly fma: boolean;
}

interface DTypeOps {
  readonly es: number;
  readonly lanes: number;
  readonly scalar: ValType;
  readonly load: MemOp;
  readonly store: MemOp;
  readonly splatLoad: MemOp;
  readonly mul: PlainOp;
  readonly add: PlainOp;
  readonly smul: PlainOp;
  readonly sadd: PlainOp;
  readonly splat: PlainOp;
  readonly madd: PlainOp;
}

const OPS: Readonly<Record<GemmDType, DTypeOps>> = {
  f32: {
    es: 4,
    lanes: 4,
    scalar: "f32",
    load: "f32.load",
    store: "f32.store",
    splatLoad: "v128.load32_splat",
    mul: "f32x4.mul",
    add: "f32x4.add",
    smul: "f32.mul",
    sadd: "f32.add",
    splat: "f32x4.splat",
    madd: "f32x4.relaxed_madd",
  },
  f64: {
    es: 8,
    lanes: 2,
    scalar: "f64",
    load: "f64.load",
    store: "f64.store",
    splatLoad: "v128.load64_splat",
    mul: "f64x2.mul",
    add: "f64x2.add",
    smul: "f64.mul",
    sadd: "f64.add",
    splat: "f64x2.splat",
    madd: "f64x2.relaxed_madd",
  },
};

/** Argument order of the exported `gemm` function (pointers in bytes, strides in elements). */
export const GEMM_PARAMS = [
  "m",
  "n",
  "k",
  "a",
  "rsa",
  "csa",
  "b",
  "rsb",
  "csb",
  "c",
  "ldc",
  "alpha",
  "overwrite",
  "ap",
  "bp",
  "scratch",
  "i0",
  "i1",
  "j0",
  "j1",
] as const;

function i32Params(names: readonly string[]): [string, ValType][] {
  return names.map((n) => [n, "i32"]);
}

/** `dst = min(a, b)` on i32 locals. */
function min(f: FunctionBuilder, dst: Local, a: Local, b: Local): void {
  f.get(a).get(b).get(a).get(b).op("i32.lt_s").op("select").set(dst);
}

/** Emits `do { body } while (--counter != 0)`; the caller guarantees counter >= 1. */
function doWhile(f: FunctionBuilder, counter: Local, body: () => void): void {
  f.loop(() => {
    body();
    f.get(counter).i32(1).op("i32.sub").tee(counter).brIf(0);
  });
}

/** `ptr += bytes` */
function bump(f: FunctionBuilder, ptr: Local, bytes: number | Local): void {
  f.get(ptr).push(bytes).op("i32.add").set(ptr);
}

export function buildGemmModule(memory: MemoryImport, cfg: GemmConfig): ModuleBuilder {
  const m = new ModuleBuilder(memory);
  const micro = buildMicroKernel(m, cfg);
  const microEdge = buildMicroEdge(m, cfg, micro);
  const packA = buildPackA(m, cfg);
  const packB = buildPackB(m, cfg);
  const macro = buildMacroKernel(m, cfg, micro, microEdge);
  buildGemm(m, cfg, packA, packB, macro);
  return m;
}

/**
 * The MR×NR register tile: acc[i][v] += splat(A[p][i]) * B[p][v*lanes..].
 * B vectors are loaded once per p and A values are splat-loaded per row, so
 * the live set is MR·NR/lanes accumulators + NR/lanes B vectors + 1.
 */
function buildMicroKernel(m: ModuleBuilder, cfg: GemmConfig): FunctionBuilder {
  const o = OPS[cfg.dtype];
  const nv = cfg.nr / o.lanes;
  const f = m.func("micro", i32Params(["kc", "a", "b", "c", "ldcb", "overwrite"]), [], { exported: false });
  const [kc, a, b, c, ldcb, overwrite] = f.params as [Local, Local, Local, Local, Local, Local];
  const acc: Local[][] = [];
  for (let i = 0; i < cfg.mr; i++) {
    acc.push([]);
    for (let v = 0; v < nv; v++) {
      const l = f.local("v128", `acc${i}_${v}`);
      acc[i]?.push(l);
      f.v128i32(0).set(l);
    }
  }
  const bv = Array.from({ length: nv }, (_, v) => f.local("v128", `b${v}`));
  const av = f.local("v128", "a_splat");
  doWhile(f, kc, () => {
    for (let v = 0; v < nv; v++)
      f.get(b)
        .load("v128.load", v * 16)
        .set(bv[v] as Local);
    for (let i = 0; i < cfg.mr; i++) {
      f.get(a)
        .load(o.splatLoad, i * o.es)
        .set(av);
      for (let v = 0; v < nv; v++) {
        const accum = acc[i]?.[v] as Local;
        const bl = bv[v] as Local;
        if (cfg.fma) f.get(av).get(bl).get(accum).op(o.madd).set(accum);
        else f.get(accum).get(av).get(bl).op(o.mul).op(o.add).set(accum);
      }
    }
    bump(f, a, cfg.mr * o.es);
    bump(f, b, cfg.nr * o.es);
  });
  const storeTile = (accumulate: boolean) => {
    const row = f.local("i32", accumulate ? "crow_acc" : "crow");
    f.get(c).set(row);
    for (let i = 0; i < cfg.mr; i++) {
      for (let v = 0; v < nv; v++) {
        f.get(row);
        if (accumulate) f.get(row).load("v128.load", v * 16);
        f.get(acc[i]?.[v] as Local);
        if (accumulate) f.op(o.add);
        f.store("v128.store", v * 16);
      }
      if (i + 1 < cfg.mr) bump(f, row, ldcb);
    }
  };
  f.get(overwrite).if(
    () => storeTile(false),
    () => storeTile(true),
  );
  return f;
}

/** A partial tile at the right/bottom edge: full tile into scratch, then copy the valid mr×nr part. */
function buildMicroEdge(m: ModuleBuilder, cfg: GemmConfig, micro: FunctionBuilder): FunctionBuilder {
  const o = OPS[cfg.dtype];
  const names = ["kc", "a", "b", "c", "ldcb", "overwrite", "mr", "nr", "scratch"];
  const f = m.func("micro_edge", i32Params(names), [], { exported: false });
  const [kc, a, b, c, ldcb, overwrite, mr, nr, scratch] = f.params as Local[] as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  f.get(kc)
    .get(a)
    .get(b)
    .get(scratch)
    .i32(cfg.nr * o.es)
    .i32(1)
    .call(micro);
  const i = f.local("i32", "i");
  const j = f.local("i32", "j");
  const src = f.local("i32", "src");
  const dst = f.local("i32", "dst");
  const val = f.local(o.scalar, "val");
  f.forRange(i, 0, mr, 1, () => {
    f.get(scratch)
      .get(i)
      .i32(cfg.nr * o.es)
      .op("i32.mul")
      .op("i32.add")
      .set(src);
    f.get(c).get(i).get(ldcb).op("i32.mul").op("i32.add").set(dst);
    f.forRange(j, 0, nr, 1, () => {
      f.get(src).load(o.load).set(val);
      f.get(overwrite)
        .op("i32.eqz")
        .if(() => f.get(val).get(dst).load(o.load).op(o.sadd).set(val));
      f.get(dst).get(val).store(o.store);
      bump(f, src, o.es);
      bump(f, dst, o.es);
    });
  });
  return f;
}

/**
 * Packs an mc×kc block of A (read through strides rsa, csa) into MR-row
 * micro-panels laid out p-major, zero-padding the last panel's missing rows.
 */
function buildPackA(m: ModuleBuilder, cfg: GemmConfig): FunctionBuilder {
  const o = OPS[cfg.dtype];
  const f = m.func("pack_a", i32Params(["src", "rs", "cs", "mc", "kc", "dst"]), [], { exported: false });
  const [src, rs, cs, mc, kc, dst] = f.params as [Local, Local, Local, Local, Local, Local];
  const rsb = f.local("i32", "rsb");
  const csb = f.local("i32", "csb");
  const i0 = f.local("i32", "i0");
  const s = f.local("i32", "s");
  const t = f.local("i32", "t");
  const p = f.local("i32", "p");
  const full = f.local("i32", "full_rows");
  f.get(rs).i32(o.es).op("i32.mul").set(rsb);
  f.get(cs).i32(o.es).op("i32.mul").set(csb);
  f.get(mc).get(mc).i32(cfg.mr).op("i32.rem_u").op("i32.sub").set(full);
  f.forRange(i0, 0, full, cfg.mr, () => {
    f.get(src).get(i0).get(rsb).op("i32.mul").op("i32.add").set(s);
    f.get(kc).set(p);
    doWhile(f, p, () => {
      f.get(s).set(t);
      for (let i = 0; i < cfg.mr; i++) {
        f.get(dst)
          .get(t)
          .load(o.load)
          .store(o.store, i * o.es);
        if (i + 1 < cfg.mr) bump(f, t, rsb);
      }
      bump(f, dst, cfg.mr * o.es);
      bump(f, s, csb);
    });
  });
  // Edge panel: rows full..mc-1 are real, the rest of the MR rows are zeros.
  const rem = f.local("i32", "rem");
  const i = f.local("i32", "i");
  f.get(mc)
    .get(full)
    .op("i32.sub")
    .tee(rem)
    .if(() => {
      f.get(src).get(full).get(rsb).op("i32.mul").op("i32.add").set(s);
      f.forRange(p, 0, kc, 1, () => {
        f.get(s).set(t);
        f.forRange(i, 0, cfg.mr, 1, () => {
          f.get(i)
            .get(rem)
            .op("i32.lt_s")
            .if(
              () => f.get(dst).get(t).load(o.load).store(o.store),
              () => zero(f.get(dst), o).store(o.store),
            );
          bump(f, t, rsb);
          bump(f, dst, o.es);
        });
        bump(f, s, csb);
      });
    });
  return f;
}

/** Pushes a scalar zero of the element type: padding must be written, old arena bytes may be NaN. */
function zero(f: FunctionBuilder, o: DTypeOps): FunctionBuilder {
  return o.scalar === "f32" ? f.f32(0) : f.f64(0);
}

/**
 * Packs a kc×nc slab of B into NR-column micro-panels laid out p-major and
 * scales it by alpha (B is packed once per slab, so this is the cheap place).
 */
function buildPackB(m: ModuleBuilder, cfg: GemmConfig): FunctionBuilder {
  const o = OPS[cfg.dtype];
  const nv = cfg.nr / o.lanes;
  const params: [string, ValType][] = [
    ...i32Params(["src", "rs", "cs", "kc", "nc", "dst"]),
    ["alpha", o.scalar],
  ];
  const f = m.func("pack_b", params, [], { exported: false });
  const [src, rs, cs, kc, nc, dst, alpha] = f.params as [Local, Local, Local, Local, Local, Local, Local];
  const rsb = f.local("i32", "rsb");
  const csb = f.local("i32", "csb");
  const j0 = f.local("i32", "j0");
  const s = f.local("i32", "s");
  const t = f.local("i32", "t");
  const p = f.local("i32", "p");
  const full = f.local("i32", "full_cols");
  const valpha = f.local("v128", "valpha");
  f.get(alpha).op(o.splat).set(valpha);
  f.get(rs).i32(o.es).op("i32.mul").set(rsb);
  f.get(cs).i32(o.es).op("i32.mul").set(csb);
  f.get(nc).get(nc).i32(cfg.nr).op("i32.rem_u").op("i32.sub").set(full);
  f.forRange(j0, 0, full, cfg.nr, () => {
    f.get(src).get(j0).get(csb).op("i32.mul").op("i32.add").set(s);
    f.get(kc).set(p);
    f.get(cs)
      .i32(1)
      .op("i32.eq")
      .if(
        // Unit column stride: each row of the panel is NR contiguous values.
        () =>
          doWhile(f, p, () => {
            for (let v = 0; v < nv; v++) {
              f.get(dst)
                .get(s)
                .load("v128.load", v * 16)
                .get(valpha)
                .op(o.mul)
                .store("v128.store", v * 16);
            }
            bump(f, dst, cfg.nr * o.es);
            bump(f, s, rsb);
          }),
        // Strided columns (e.g. B transposed): gather NR values one by one.
        () =>
          doWhile(f, p, () => {
            f.get(s).set(t);
            for (let j = 0; j < cfg.nr; j++) {
              f.get(dst)
                .get(t)
                .load(o.load)
                .get(alpha)
                .op(o.smul)
                .store(o.store, j * o.es);
              if (j + 1 < cfg.nr) bump(f, t, csb);
            }
            bump(f, dst, cfg.nr * o.es);
            bump(f, s, rsb);
          }),
      );
  });
  const rem = f.local("i32", "rem");
  const j = f.local("i32", "j");
  f.get(nc)
    .get(full)
    .op("i32.sub")
    .tee(rem)
    .if(() => {
      f.get(src).get(full).get(csb).op("i32.mul").op("i32.add").set(s);
      f.forRange(p, 0, kc, 1, () => {
        f.get(s).set(t);
        f.forRange(j, 0, cfg.nr, 1, () => {
          f.get(j)
            .get(rem)
            .op("i32.lt_s")
            .if(
              () => f.get(dst).get(t).load(o.load).get(alpha).op(o.smul).store(o.store),
              () => zero(f.get(dst), o).store(o.store),
            );
          bump(f, t, csb);
          bump(f, dst, o.es);
        });
        bump(f, s, rsb);
      });
    });
  return f;
}

/** Loops micro-tiles over one packed (mc×kc)·(kc×nc) block; jr outer so a B micro-panel stays in L1. */
function buildMacroKernel(
  m: ModuleBuilder,
  cfg: GemmConfig,
  micro: FunctionBuilder,
  microEdge: FunctionBuilder,
): FunctionBuilder {
  const o = OPS[cfg.dtype];
  const names = ["mc", "nc", "kc", "ap", "bp", "c", "ldcb", "overwrite", "scratch"];
  const f = m.func("macro", i32Params(names), [], { exported: false });
  const [mc, nc, kc, ap, bp, c, ldcb, overwrite, scratch] = f.params as Local[] as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const jr = f.local("i32", "jr");
  const ir = f.local("i32", "ir");
  const nr = f.local("i32", "nr");
  const mr = f.local("i32", "mr");
  const aPtr = f.local("i32", "a_ptr");
  const bPtr = f.local("i32", "b_ptr");
  const cPtr = f.local("i32", "c_ptr");
  const tmp = f.local("i32", "tmp");
  f.forRange(jr, 0, nc, cfg.nr, () => {
    f.get(nc).get(jr).op("i32.sub").set(tmp);
    f.i32(cfg.nr).set(nr);
    min(f, nr, nr, tmp);
    f.get(bp).get(jr).get(kc).op("i32.mul").i32(o.es).op("i32.mul").op("i32.add").set(bPtr);
    f.forRange(ir, 0, mc, cfg.mr, () => {
      f.get(mc).get(ir).op("i32.sub").set(tmp);
      f.i32(cfg.mr).set(mr);
      min(f, mr, mr, tmp);
      f.get(ap).get(ir).get(kc).op("i32.mul").i32(o.es).op("i32.mul").op("i32.add").set(aPtr);
      f.get(c).get(ir).get(ldcb).op("i32.mul").op("i32.add").get(jr).i32(o.es).op("i32.mul").op("i32.add");
      f.set(cPtr);
      f.get(mr).i32(cfg.mr).op("i32.eq").get(nr).i32(cfg.nr).op("i32.eq").op("i32.and");
      f.if(
        () => f.get(kc).get(aPtr).get(bPtr).get(cPtr).get(ldcb).get(overwrite).call(micro),
        () => {
          f.get(kc).get(aPtr).get(bPtr).get(cPtr).get(ldcb).get(overwrite);
          f.get(mr).get(nr).get(scratch).call(microEdge);
        },
      );
    });
  });
  return f;
}

/** The exported driver: C[i0:i1, j0:j1] (+)= alpha·A·B with KC/MC/NC blocking. */
function buildGemm(
  m: ModuleBuilder,
  cfg: GemmConfig,
  packA: FunctionBuilder,
  packB: FunctionBuilder,
  macro: FunctionBuilder,
): void {
  const o = OPS[cfg.dtype];
  const params = GEMM_PARAMS.map((n): [string, ValType] => [n, n === "alpha" ? o.scalar : "i32"]);
  const f = m.func("gemm", params);
  const P = (n: (typeof GEMM_PARAMS)[number]) => f.param(n);
  const jc = f.local("i32", "jc");
  const pc = f.local("i32", "pc");
  const ic = f.local("i32", "ic");
  const nc = f.local("i32", "nc");
  const kc = f.local("i32", "kc");
  const mc = f.local("i32", "mc");
  const ow = f.local("i32", "ow");
  const tmp = f.local("i32", "tmp");
  const blockMin = (dst: Local, limit: number, end: Local, start: Local) => {
    f.get(end).get(start).op("i32.sub").set(tmp);
    f.i32(limit).set(dst);
    min(f, dst, dst, tmp);
  };
  // offset in bytes of element (r, c) of a strided operand
  const addr = (base: Local, r: Local, rs: Local, col: Local, cs: Local) => {
    f.get(base).get(r).get(rs).op("i32.mul").get(col).get(cs).op("i32.mul").op("i32.add");
    f.i32(o.es).op("i32.mul").op("i32.add");
  };
  f.forRange(jc, P("j0"), P("j1"), cfg.nc, () => {
    blockMin(nc, cfg.nc, P("j1"), jc);
    f.forRange(pc, 0, P("k"), cfg.kc, () => {
      blockMin(kc, cfg.kc, P("k"), pc);
      addr(P("b"), pc, P("rsb"), jc, P("csb"));
      f.get(P("rsb")).get(P("csb")).get(kc).get(nc).get(P("bp")).get(P("alpha")).call(packB);
      f.get(P("overwrite")).get(pc).op("i32.eqz").op("i32.and").set(ow);
      f.forRange(ic, P("i0"), P("i1"), cfg.mc, () => {
        blockMin(mc, cfg.mc, P("i1"), ic);
        addr(P("a"), ic, P("rsa"), pc, P("csa"));
        f.get(P("rsa")).get(P("csa")).get(mc).get(kc).get(P("ap")).call(packA);
        f.get(mc).get(nc).get(kc).get(P("ap")).get(P("bp"));
        // &C[ic][jc] and the row pitch in bytes
        f.get(P("c")).get(ic).get(P("ldc")).op("i32.mul").get(jc).op("i32.add").i32(o.es).op("i32.mul");
        f.op("i32.add");
        f.get(P("ldc")).i32(o.es).op("i32.mul");
        f.get(ow).get(P("scratch")).call(macro);
      });
    });
  });
}
