/**
 * GEMM entry points: validate, copy operands into the arena, split the work
 * across threads, run the generated blocked kernel, copy C out.
 */
import { getArena, Layout } from "./arena.js";
import { wasmFeatures } from "./features.js";
import { buildGemmModule, GEMM_PARAMS, type GemmConfig, type GemmDType } from "./gemm-codegen.js";
import { availableParts, instantiateKernel, type KernelCall, type KernelModule, runParts } from "./pool.js";

/** A 2-D view into a typed array: element (i, j) is data[offset + i·rowStride + j·colStride]. */
export interface MatrixView<T extends Float32Array | Float64Array> {
  readonly data: T;
  /** Default 0. */
  readonly offset?: number;
  /** Default: the number of columns (dense row-major). */
  readonly rowStride?: number;
  /** Default 1. A transposed operand is the same data with the two strides swapped. */
  readonly colStride?: number;
}

/** A view of a stack of matrices; matrix b starts batchStride elements after matrix b-1. */
export interface BatchedMatrixView<T extends Float32Array | Float64Array> extends MatrixView<T> {
  /** Default: rows·cols (dense). 0 broadcasts one matrix to every batch entry (not allowed for C). */
  readonly batchStride?: number;
}

export interface GemmParams<T extends Float32Array | Float64Array> {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** m×k */
  readonly a: MatrixView<T>;
  /** k×n */
  readonly b: MatrixView<T>;
  /** m×n output; a fresh dense row-major array when absent. */
  readonly c?: MatrixView<T>;
  /** Default 1. */
  readonly alpha?: number;
  /** C = alpha·A·B + beta·C. Default 0 (C is overwritten, even if it held NaN); 1 accumulates. */
  readonly beta?: number;
}

export interface GemmBatchedParams<T extends Float32Array | Float64Array> {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: BatchedMatrixView<T>;
  readonly b: BatchedMatrixView<T>;
  readonly c?: BatchedMatrixView<T>;
  readonly alpha?: number;
  readonly beta?: number;
}

/**
 * Block sizes. 4×8 f32 won a sweep of 4×8 … 8×8 / 3×16 on V8 x64: its 8
 * accumulators + 2 B vectors + 1 splat leave V8's register allocator slack,
 * the bigger tiles spill. KC·NR·4 = 16 KiB keeps a B micro-panel in a 32–48 KiB
 * L1 beside the streamed A panel; MC·KC·4 = 256 KiB of packed A sits in a
 * 1–2 MiB L2 with room for C; NC bounds the packed B slab (L3-resident).
 */
const BLOCKING: Readonly<Record<GemmDType, Omit<GemmConfig, "fma" | "dtype">>> = {
  f32: { mr: 4, nr: 8, kc: 512, mc: 128, nc: 2048 },
  f64: { mr: 4, nr: 4, kc: 256, mc: 128, nc: 2048 },
};

/** Below this many flops a job stays on the calling thread: a worker round trip costs ~0.1 ms. */
const PARALLEL_MIN_FLOPS = 1 << 24;

const modules = new Map<string, KernelModule>();

/** The compiled GEMM for a dtype (FMA variant where relaxed SIMD exists unless `fma` says otherwise). */
export function gemmKernel(dtype: GemmDType, fma = wasmFeatures().relaxedSimd): KernelModule {
  const key = `${dtype}:${fma}`;
  let mod = modules.get(key);
  if (!mod) {
    const cfg: GemmConfig = { dtype, fma, ...BLOCKING[dtype] };
    mod = instantiateKernel(buildGemmModule(getArena().importDecl, cfg).toBytes());
    modules.set(key, mod);
  }
  return mod;
}

/** The WAT text of a GEMM kernel, for debugging. */
export function gemmKernelSource(dtype: GemmDType, fma = wasmFeatures().relaxedSimd): string {
  const cfg: GemmConfig = { dtype, fma, ...BLOCKING[dtype] };
  return buildGemmModule(getArena().importDecl, cfg).toText();
}

type Float = Float32Array | Float64Array;

interface Resolved {
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
  readonly bs: number;
}

/** Fills view defaults and checks every addressed element lies inside data. */
function resolveView(
  kernel: string,
  name: string,
  v: BatchedMatrixView<Float>,
  batch: number,
  rows: number,
  cols: number,
): Resolved {
  const r: Resolved = {
    offset: v.offset ?? 0,
    rs: v.rowStride ?? cols,
    cs: v.colStride ?? 1,
    bs: v.batchStride ?? rows * cols,
  };
  for (const [what, x] of Object.entries(r)) {
    if (!Number.isSafeInteger(x))
      throw new RangeError(`${kernel}: ${name}.${what} must be an integer, got ${x}`);
  }
  const [lo, hi] = span(r, batch, rows, cols);
  if (lo < 0 || hi >= v.data.length) {
    throw new RangeError(
      `${kernel}: ${name} is ${batch > 1 ? `${batch}×` : ""}${rows}×${cols} at offset ${r.offset} with strides ` +
        `(row ${r.rs}, col ${r.cs}${batch > 1 ? `, batch ${r.bs}` : ""}), which addresses elements ${lo}..${hi}, ` +
        `but ${name} has ${v.data.length} elements`,
    );
  }
  return r;
}

/** The lowest and highest element index a view touches. */
function span(r: Resolved, batch: number, rows: number, cols: number): [number, number] {
  let lo = r.offset;
  let hi = r.offset;
  for (const [count, stride] of [
    [batch, r.bs],
    [rows, r.rs],
    [cols, r.cs],
  ] as const) {
    if (stride < 0) lo += (count - 1) * stride;
    else hi += (count - 1) * stride;
  }
  return [lo, hi];
}

function checkDims(kernel: string, dims: Record<string, number>): void {
  for (const [name, x] of Object.entries(dims)) {
    if (!Number.isInteger(x) || x < 1)
      throw new RangeError(`${kernel}: ${name} must be an integer >= 1, got ${x}`);
  }
}

/** Shared driver for sgemm/dgemm and their batched forms. */
export function gemm<T extends Float>(
  kernel: string,
  dtype: GemmDType,
  p: GemmBatchedParams<T>,
  alloc: (n: number) => T,
): T {
  const { batch, m, n, k } = p;
  checkDims(kernel, { batch, m, n, k });
  const alpha = p.alpha ?? 1;
  const beta = p.beta ?? 0;
  if (beta !== 0 && !p.c) throw new RangeError(`${kernel}: beta = ${beta} needs an input C (params.c)`);
  const ra = resolveView(kernel, "A", p.a, batch, m, k);
  const rb = resolveView(kernel, "B", p.b, batch, k, n);
  const cView: BatchedMatrixView<T> = p.c ?? { data: alloc(batch * m * n) };
  const rc = resolveView(kernel, "C", cView, batch, m, n);
  if (batch > 1 && rc.bs === 0) throw new RangeError(`${kernel}: C cannot be broadcast (batchStride 0)`);

  const es = dtype === "f32" ? 4 : 8;
  const cfg = BLOCKING[dtype];
  const flops = 2 * batch * m * n * k;
  const parts = flops >= PARALLEL_MIN_FLOPS ? availableParts() : 1;

  const arena = getArena();
  const layout = new Layout();
  const [aLo, aHi] = span(ra, batch, m, k);
  const [bLo, bHi] = span(rb, batch, k, n);
  const aPtr = layout.alloc((aHi - aLo + 1) * es);
  const bPtr = layout.alloc((bHi - bLo + 1) * es);
  const cPtr = layout.alloc(batch * m * n * es);
  const ncMax = Math.min(cfg.nc, Math.ceil(n / cfg.nr) * cfg.nr);
  const buffers = Array.from({ length: parts }, () => ({
    ap: layout.alloc(cfg.mc * cfg.kc * es),
    bp: layout.alloc(cfg.kc * ncMax * es),
    scratch: layout.alloc(cfg.mr * cfg.nr * es),
  }));
  arena.ensure(layout.size, kernel);

  const heap = (dtype === "f32" ? arena.f32() : arena.f64()) as T;
  heap.set(p.a.data.subarray(aLo, aHi + 1), aPtr / es);
  heap.set(p.b.data.subarray(bLo, bHi + 1), bPtr / es);
  if (beta !== 0) copyC(cView.data, rc, heap, cPtr / es, batch, m, n, "in", beta);

  const base: Record<(typeof GEMM_PARAMS)[number], number> = {
    m,
    n,
    k,
    a: 0,
    rsa: ra.rs,
    csa: ra.cs,
    b: 0,
    rsb: rb.rs,
    csb: rb.cs,
    c: 0,
    ldc: n,
    alpha,
    overwrite: beta === 0 ? 1 : 0,
    ap: 0,
    bp: 0,
    scratch: 0,
    i0: 0,
    i1: m,
    j0: 0,
    j1: n,
  };
  const call = (bi: number, part: number, range: Partial<typeof base>): KernelCall => {
    const buf = buffers[part] ?? buffers[0]!;
    const args = {
      ...base,
      ...buf,
      ...range,
      a: aPtr + (ra.offset - aLo + bi * ra.bs) * es,
      b: bPtr + (rb.offset - bLo + bi * rb.bs) * es,
      c: cPtr + bi * m * n * es,
    };
    return ["gemm", GEMM_PARAMS.map((name) => args[name])];
  };
  runParts(gemmKernel(dtype), splitWork(batch, m, n, parts, cfg, call));
  copyC(cView.data, rc, heap, cPtr / es, batch, m, n, "out", 1);
  return cView.data;
}

/**
 * Splits the job into `parts` call lists: whole batch entries when there are
 * enough of them, else the larger of M and N in micro-tile-aligned slices
 * (each thread packs its own panels, so slices share nothing but read-only data).
 */
function splitWork(
  batch: number,
  m: number,
  n: number,
  parts: number,
  cfg: Omit<GemmConfig, "fma" | "dtype">,
  call: (
    bi: number,
    part: number,
    range: { i0?: number; i1?: number; j0?: number; j1?: number },
  ) => KernelCall,
): KernelCall[][] {
  const out: KernelCall[][] = Array.from({ length: parts }, () => []);
  if (parts === 1 || batch >= parts) {
    for (let bi = 0; bi < batch; bi++)
      out[Math.floor((bi * parts) / batch)]?.push(call(bi, Math.floor((bi * parts) / batch), {}));
    return out;
  }
  const byN = n >= m;
  const extent = byN ? n : m;
  const unit = byN ? cfg.nr : cfg.mr;
  const units = Math.ceil(extent / unit);
  for (let bi = 0; bi < batch; bi++) {
    for (let t = 0; t < parts; t++) {
      const lo = Math.min(extent, Math.floor((t * units) / parts) * unit);
      const hi = Math.min(extent, Math.floor(((t + 1) * units) / parts) * unit);
      if (lo >= hi) continue;
      out[t]?.push(call(bi, t, byN ? { j0: lo, j1: hi } : { i0: lo, i1: hi }));
    }
  }
  return out.filter((calls, t) => t === 0 || calls.length > 0);
}

/** Moves C between the caller's (possibly strided) view and the dense arena copy. */
function copyC(
  data: Float,
  r: Resolved,
  heap: Float,
  at: number,
  batch: number,
  m: number,
  n: number,
  dir: "in" | "out",
  scale: number,
): void {
  const dense = r.cs === 1 && r.rs === n && (batch === 1 || r.bs === m * n);
  if (dense && scale === 1) {
    if (dir === "in") heap.set(data.subarray(r.offset, r.offset + batch * m * n), at);
    else data.set(heap.subarray(at, at + batch * m * n), r.offset);
    return;
  }
  let h = at;
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      let d = r.offset + bi * r.bs + i * r.rs;
      for (let j = 0; j < n; j++, h++, d += r.cs) {
        if (dir === "in") heap[h] = scale * (data[d] as number);
        else data[d] = heap[h] as number;
      }
    }
  }
}
