/**
 * Row reductions over the last axis of a contiguous [rows, cols] float32
 * array: the building blocks of softmax, log-sum-exp, normalisation, losses.
 */
import { getArena, Layout } from "./arena.js";
import type { FunctionBuilder, Local, PlainOp } from "./emitter.js";
import { ModuleBuilder } from "./emitter.js";
import { availableParts, instantiateKernel, type KernelCall, type KernelModule, runParts } from "./pool.js";

export type ReduceOp = "sum" | "max";

interface ReduceOps {
  readonly init: number;
  readonly vop: PlainOp;
  readonly sop: PlainOp;
}

const OPS: Readonly<Record<ReduceOp, ReduceOps>> = {
  sum: { init: 0, vop: "f32x4.add", sop: "f32.add" },
  // NaN-propagating max: a row holding NaN reduces to NaN, like Math.max.
  max: { init: -Infinity, vop: "f32x4.max", sop: "f32.max" },
};

/** Independent accumulators per row: hides the add latency and sums in 16 interleaved partials. */
const ACCS = 4;

/**
 * `reduce(rows, cols, src, dst)`: dst[r] = op over src[r*cols .. r*cols+cols).
 * Rows start at any 4-byte alignment (cols need not be a multiple of 4).
 */
function buildModule(op: ReduceOp): ModuleBuilder {
  const o = OPS[op];
  const m = new ModuleBuilder(getArena().importDecl);
  const f = m.func("reduce", [
    ["rows", "i32"],
    ["cols", "i32"],
    ["src", "i32"],
    ["dst", "i32"],
  ]);
  f.hoistConstants = true;
  const [rows, cols, src, dst] = f.params as [Local, Local, Local, Local];
  const r = f.local("i32", "r");
  const p = f.local("i32", "p");
  const end = f.local("i32", "end");
  const acc = Array.from({ length: ACCS }, (_, i) => f.local("v128", `acc${i}`));
  const s = f.local("f32", "s");
  f.forRange(r, 0, rows, 1, () => {
    acc.forEach((a) => {
      f.v128f32(o.init).set(a);
    });
    f.get(src).get(r).get(cols).op("i32.mul").i32(2).op("i32.shl").op("i32.add").set(p);
    f.get(p).get(cols).i32(2).op("i32.shl").op("i32.add").set(end);
    // blocks of 4 vectors, then single vectors, then scalars
    blockLoop(f, p, end, 16 * ACCS, () => {
      acc.forEach((a, i) => {
        f.get(a)
          .get(p)
          .load("v128.load", 16 * i)
          .op(o.vop)
          .set(a);
      });
    });
    blockLoop(f, p, end, 16, () => {
      f.get(acc[0] as Local)
        .get(p)
        .load("v128.load")
        .op(o.vop)
        .set(acc[0] as Local);
    });
    f.get(acc[0] as Local)
      .get(acc[1] as Local)
      .op(o.vop)
      .get(acc[2] as Local)
      .get(acc[3] as Local);
    f.op(o.vop)
      .op(o.vop)
      .set(acc[0] as Local);
    f.get(acc[0] as Local).lane("f32x4.extract_lane", 0);
    for (let l = 1; l < 4; l++)
      f.get(acc[0] as Local)
        .lane("f32x4.extract_lane", l)
        .op(o.sop);
    f.set(s);
    blockLoop(f, p, end, 4, () => {
      f.get(s).get(p).load("f32.load").op(o.sop).set(s);
    });
    f.get(dst).get(r).i32(2).op("i32.shl").op("i32.add").get(s).store("f32.store");
  });
  return m;
}

/** While at least `step` bytes of the row remain before `end`, run body and advance p. */
function blockLoop(f: FunctionBuilder, p: Local, end: Local, step: number, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(p).i32(step).op("i32.add").get(end).op("i32.gt_u").brIf(1);
      body();
      f.get(p).i32(step).op("i32.add").set(p).br(0);
    }),
  );
}

const modules = new Map<ReduceOp, KernelModule>();

function kernel(op: ReduceOp): KernelModule {
  let mod = modules.get(op);
  if (!mod) {
    mod = instantiateKernel(buildModule(op).toBytes());
    modules.set(op, mod);
  }
  return mod;
}

const PARALLEL_MIN_ELEMENTS = 1 << 22;

/** out[r] = op(x[r, :]) for a contiguous row-major [rows, cols] array. */
export function reduceLastAxis(
  op: ReduceOp,
  x: Float32Array,
  rows: number,
  cols: number,
  out?: Float32Array,
): Float32Array {
  const name = `${op}LastAxis`;
  for (const [what, v] of [
    ["rows", rows],
    ["cols", cols],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`${name}: ${what} must be an integer >= 1, got ${v}`);
  }
  if (x.length !== rows * cols) {
    throw new RangeError(
      `${name}: x has ${x.length} elements, but rows×cols = ${rows}×${cols} = ${rows * cols}`,
    );
  }
  const result = out ?? new Float32Array(rows);
  if (result.length !== rows)
    throw new RangeError(`${name}: out has ${result.length} elements, expected ${rows}`);
  const layout = new Layout();
  const src = layout.alloc(x.length * 4);
  const dst = layout.alloc(rows * 4);
  const arena = getArena();
  arena.ensure(layout.size, name);
  const heap = arena.f32();
  heap.set(x, src / 4);
  const parts = Math.min(rows, x.length >= PARALLEL_MIN_ELEMENTS ? availableParts() : 1);
  const calls: KernelCall[][] = [];
  for (let t = 0; t < parts; t++) {
    const lo = Math.floor((t * rows) / parts);
    const hi = Math.floor(((t + 1) * rows) / parts);
    calls.push([["reduce", [hi - lo, cols, src + lo * cols * 4, dst + lo * 4]]]);
  }
  runParts(kernel(op), calls);
  result.set(heap.subarray(dst / 4, dst / 4 + rows));
  return result;
}
