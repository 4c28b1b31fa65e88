import { finiteRows } from "../../backends/js/loops.js";
import { mergeAxes, nativeCopy } from "../../backends/native/kernels.js";
import { activeBackend } from "../../backends/registry.js";
import { allocate, type DataArray } from "../../core/dtype.js";
import { registerMemoryReporter } from "../../core/memory.js";
import type { Aval } from "../../core/primitives.js";
import { contiguousStrides, sizeOf } from "../../core/shape.js";
import { Tensor } from "../../core/tensor.js";
import { primitiveTable } from "../../ops/table.js";
import { evalNode } from "../evaluate.js";
import type { Graph } from "../graph.js";
import type { GraphNode } from "../ir.js";
import { compileLoop } from "../kernel/select.js";
import { formatExpr } from "../kernel/spec.js";
import { type Lowered, lower, type MatmulOperand, type Step } from "./lower.js";
import { type MemoryStats, planMemory } from "./memory.js";
import { nativeChain, nativeGemm, nativeLayout, nativeSoftmax } from "./native.js";

/** Float64 scratch rows for the matrix product, grown as needed and reused. */
let scratch = new Float64Array(256);
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch;
}

/**
 * C = A·B for a batch of matrices, B read row by row: for each row of C, a
 * float64 accumulator row gathers a(i,q)·B(q,:) for q in order, as the js
 * reference kernel does (so results are identical), but with A read through
 * strides (a transposed A costs nothing) and C preallocated.
 */
function matmulRows(
  A: DataArray,
  B: DataArray,
  C: DataArray,
  batch: number,
  m: number,
  k: number,
  n: number,
  sAi: number,
  sAq: number,
): void {
  const acc = scratchOf(n);
  const finite = new Uint8Array(k);
  for (let p = 0; p < batch; p++) {
    const a0 = p * m * k;
    const b0 = p * k * n;
    finiteRows(B, b0, k, n, finite);
    for (let i = 0; i < m; i++) {
      acc.fill(0, 0, n);
      for (let q = 0; q < k; q++) {
        const av = A[a0 + i * sAi + q * sAq]!;
        if (av === 0 && finite[q]) continue;
        const row = b0 + q * n;
        for (let j = 0; j < n; j++) acc[j]! += av * B[row + j]!;
      }
      const c0 = (p * m + i) * n;
      for (let j = 0; j < n; j++) C[c0 + j] = acc[j]!;
    }
  }
}

/**
 * C = A·Bᵀ where B is stored as Bᵀ (the `x·Wᵀ` of a backward pass): each
 * entry is a dot product of two contiguous rows, summed in the same order as
 * `matmulRows`, so the two agree exactly.
 */
function matmulDots(
  A: DataArray,
  Bt: DataArray,
  C: DataArray,
  batch: number,
  m: number,
  k: number,
  n: number,
  sAi: number,
  sAq: number,
): void {
  for (let p = 0; p < batch; p++) {
    const a0 = p * m * k;
    const b0 = p * k * n;
    for (let i = 0; i < m; i++) {
      const c0 = (p * m + i) * n;
      for (let j = 0; j < n; j++) {
        const row = b0 + j * k;
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = A[a0 + i * sAi + q * sAq]!;
          if (av !== 0) s += av * Bt[row + q]!;
        }
        C[c0 + j] = s;
      }
    }
  }
}

/** Copies a strided view of `src` into the contiguous `out`. */
function copyStrided(
  src: DataArray,
  out: DataArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): void {
  const rank = shape.length;
  const n = out.length;
  if (rank === 0) {
    if (n > 0) out[0] = src[offset]!;
    return;
  }
  const last = rank - 1;
  const inner = shape[last]!;
  const innerStride = strides[last]!;
  const idx = new Array<number>(rank).fill(0);
  let base = offset;
  // Long runs of one value (a broadcast) or of contiguous values go to the typed-array builtins.
  const fill = innerStride === 0 && inner >= 16;
  const block = innerStride === 1 && inner >= 64;
  for (let w = 0; w < n; w += inner) {
    if (fill) out.fill(src[base]!, w, w + inner);
    else if (block) out.set(src.subarray(base, base + inner), w);
    else for (let j = 0; j < inner; j++) out[w + j] = src[base + j * innerStride]!;
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** A node run on its backend kernel (or primitive by primitive), arrays in and out. */
function callStep(graph: Graph, node: GraphNode): (...arrays: DataArray[]) => DataArray {
  const avals: Aval[] = node.inputs.map((i) => graph.value(i));
  const wrap = (arrays: readonly DataArray[]) =>
    arrays.map((a, k) => Tensor._fromData(a, avals[k]!.shape, avals[k]!.dtype));
  const data = (t: Tensor, inputs: readonly DataArray[]): DataArray => {
    const buf = t._buf!;
    const whole =
      buf.offset === 0 &&
      buf.data.length === t.size &&
      buf.strides.every((s, i) => s === contiguousStrides(t.shape)[i] || t.shape[i] === 1);
    // Never hand back an input's own array: plan results must not share memory with reused buffers.
    return whole && !inputs.includes(buf.data) ? buf.data : t.data();
  };
  if (node.kind === "prim") {
    const kernel = (activeBackend().kernels[node.op] ?? primitiveTable()[node.op].js) as (
      inputs: readonly Tensor[],
      attrs: unknown,
      out: Aval,
    ) => Tensor;
    return (...arrays) => data(kernel(wrap(arrays), node.attrs, node), arrays);
  }
  return (...arrays) => {
    const env = new Map(wrap(arrays).map((t, k) => [node.inputs[k]!, t]));
    return data(evalNode(node, env), arrays);
  };
}

/**
 * A matrix product on the backend's GEMM: operands go in as strided views
 * (a transposed operand is the same array with its last two strides swapped),
 * which the Wasm and native GEMMs read without copying.
 */
function backendMatmul(
  graph: Graph,
  s: Extract<Step, { kind: "matmul" }>,
): (a: DataArray, b: DataArray) => DataArray {
  const out = graph.value(s.id);
  const { m, k, n } = s.dims;
  const batchShape = out.shape.slice(0, -2);
  const viewOf = (op: { transposed: boolean }, rows: number, cols: number) => {
    // Stored as [batch, rows, cols], or as [batch, cols, rows] when read transposed.
    const strides = op.transposed ? [1, rows] : [cols, 1];
    const batchStrides = contiguousStrides(batchShape).map((st) => st * rows * cols);
    return { shape: [...batchShape, rows, cols], strides: [...batchStrides, ...strides] };
  };
  const va = viewOf(s.a, m, k);
  const vb = viewOf(s.b, k, n);
  const kernel = s.kernel!;
  return (a, b) => {
    const ta = new Tensor(va.shape, out.dtype, { data: a, strides: va.strides, offset: 0 });
    const tb = new Tensor(vb.shape, out.dtype, { data: b, strides: vb.strides, offset: 0 });
    const r = kernel([ta, tb], {}, out);
    const buf = r._buf!;
    return buf.offset === 0 && buf.data.length === r.size && buf.data !== a && buf.data !== b
      ? buf.data
      : r.data();
  };
}

/** Per-plan figures for `compile`'s debug view and reports. */
export interface PlanStats extends MemoryStats {
  readonly kernels: number;
}

/** Plans alive and the bytes of their buffer pools: a plan's pool lives exactly as long as the plan. */
const livePlans = { plans: 0, bytes: 0 };
let planGone: FinalizationRegistry<number> | undefined;
function notePlan(plan: Plan, bytes: number): void {
  if (!planGone) {
    planGone = new FinalizationRegistry((b) => {
      livePlans.plans--;
      livePlans.bytes -= b;
    });
    registerMemoryReporter("plans", () => ({ ...livePlans }));
  }
  livePlans.plans++;
  livePlans.bytes += bytes;
  planGone.register(plan, bytes);
}

/**
 * An executable plan: the graph's steps as one generated JS function that
 * calls the kernels on preallocated buffers, with no tracing, dispatch or
 * pytree walking per op. Results are fresh arrays; intermediates live in a
 * pool allocated once and reused on every call.
 */
export class Plan {
  readonly lowered: Lowered;
  /** The generated plan function. */
  readonly source: string;
  /** Sources of the distinct kernels the plan calls. */
  readonly kernelSources: readonly string[];
  readonly stats: PlanStats;
  private readonly fn: (...inputs: DataArray[]) => DataArray[];

  constructor(readonly graph: Graph) {
    this.lowered = lower(graph);
    const memory = planMemory(this.lowered);
    const { root, steps } = this.lowered;
    const names: string[] = [];
    const values: unknown[] = [];
    const bind = (name: string, value: unknown) => {
      names.push(name);
      values.push(value);
      return name;
    };
    const storage = new Map<number, string>();
    graph.inputs.forEach((v, k) => {
      storage.set(v.id, `x${k}`);
    });
    for (const n of graph.nodes) {
      if (n.kind === "const") {
        const t = n.value;
        storage.set(n.id, bind(`c${n.id}`, t.data()));
      }
    }
    const poolArrays = memory.pool.map((b) => allocate(b.dtype, b.length));
    const nameOf = (id: number) => storage.get(root.get(id)!)!;
    const kernelIds = new Map<string, string>();
    const sources: string[] = [];
    const lines: string[] = [];
    bind("matmulRows", matmulRows);
    bind("matmulDots", matmulDots);
    bind("copyStrided", copyStrided);
    for (const s of steps) {
      const v = graph.value(s.id);
      const size = sizeOf(v.shape);
      const place = memory.placement.get(s.id)!;
      let out: string;
      if (place.kind === "pool") out = bind(`b${s.id}`, poolArrays[place.buffer]!.subarray(0, size));
      else out = `v${s.id}`;
      storage.set(s.id, out);
      const alloc = place.kind === "fresh" ? `const ${out} = new ${arrayName(v.dtype)}(${size}); ` : "";
      lines.push(`  // %${s.id}: ${describeStep(s)}`);
      switch (s.kind) {
        case "loop": {
          const kernel = compileLoop(s.loop.spec);
          let kname = kernelIds.get(kernel.source);
          if (!kname) {
            kname = bind(`k${kernelIds.size}`, kernel.fn);
            kernelIds.set(kernel.source, kname);
            sources.push(`// ${kname}: ${formatExpr(s.loop.spec.expr)}\n${kernel.source}`);
          }
          const args = [...s.loop.inputIds.map(nameOf), out, s.loop.outer, s.loop.inner];
          lines.push(`  ${alloc}${kname}(${args.join(", ")});`);
          break;
        }
        case "matmul": {
          const { batch, m, k, n } = s.dims;
          if (s.kernel) {
            const fname = bind(`gemm${s.id}`, backendMatmul(graph, s));
            lines.push(`  const ${out} = ${fname}(${nameOf(s.a.id)}, ${nameOf(s.b.id)});`);
            break;
          }
          const [sAi, sAq] = s.a.transposed ? [1, m] : [k, 1];
          const fn = s.b.transposed ? "matmulDots" : "matmulRows";
          const args = [nameOf(s.a.id), nameOf(s.b.id), out, batch, m, k, n, sAi, sAq];
          lines.push(`  ${alloc}${fn}(${args.join(", ")});`);
          break;
        }
        case "copy": {
          // Merged axes make longer inner runs; on the native backend large copies run in C++.
          const merged = mergeAxes(s.shape, s.strides);
          const native =
            activeBackend().name === "native"
              ? nativeCopy(merged.shape, merged.strides, s.offset, v.dtype)
              : undefined;
          if (native) {
            const fname = bind(`copy${s.id}`, native);
            lines.push(`  ${alloc}${fname}(${nameOf(s.reads[0]!)}, ${out});`);
            break;
          }
          const layout = bind(`layout${s.id}`, merged);
          const args = [nameOf(s.reads[0]!), out, `${layout}.shape`, `${layout}.strides`, s.offset];
          lines.push(`  ${alloc}copyStrided(${args.join(", ")});`);
          break;
        }
        case "call": {
          const fname = bind(`call${s.id}`, callStep(graph, s.node));
          lines.push(`  const ${out} = ${fname}(${s.reads.map(nameOf).join(", ")});`);
          break;
        }
        case "gemm":
        case "softmax":
        case "chain":
        case "windows":
        case "reduceMiddle": {
          const fn =
            s.kind === "gemm"
              ? nativeGemm(s)
              : s.kind === "softmax"
                ? nativeSoftmax(s)
                : s.kind === "chain"
                  ? nativeChain(s)
                  : nativeLayout(s);
          const fname = bind(`${s.kind}${s.id}`, fn);
          lines.push(`  ${alloc}${fname}(${[...s.reads.map(nameOf), out].join(", ")});`);
          break;
        }
      }
    }
    const params = graph.inputs.map((_, k) => `x${k}`);
    this.source = [
      `function plan(${params.join(", ")}) {`,
      ...lines,
      `  return [${graph.outputs.map(nameOf).join(", ")}];`,
      "}",
    ].join("\n");
    this.fn = new Function(...names, `"use strict";\nreturn ${this.source};`)(...values);
    this.kernelSources = sources;
    this.stats = { ...memory.stats, kernels: sources.length };
    notePlan(
      this,
      poolArrays.reduce((n, a) => n + a.byteLength, 0),
    );
  }

  /** Runs the plan on concrete input tensors (as the graph's inputs flatten) and returns the output tensors. */
  execute(inputs: readonly Tensor[]): Tensor[] {
    const arrays = new Array<DataArray>(inputs.length);
    for (let k = 0; k < inputs.length; k++) arrays[k] = contiguousData(inputs[k]!);
    const outs = this.fn(...arrays);
    const ids = this.graph.outputs;
    const result = new Array<Tensor>(outs.length);
    for (let k = 0; k < outs.length; k++) {
      const v = this.graph.value(ids[k]!);
      result[k] = Tensor._fromData(outs[k]!, v.shape, v.dtype);
    }
    return result;
  }
}

/** The values of `t` as one row-major array, without copying when they already are. */
function contiguousData(t: Tensor): DataArray {
  const buf = t._concrete()._buf!;
  if (buf.offset === 0 && buf.data.length === t.size) {
    const c = contiguousStrides(t.shape);
    let ok = true;
    for (let i = 0; i < c.length; i++) if (buf.strides[i] !== c[i] && t.shape[i] !== 1) ok = false;
    if (ok) return buf.data;
  }
  return t.data();
}

function arrayName(dtype: string): string {
  return { float32: "Float32Array", float64: "Float64Array", int32: "Int32Array", bool: "Uint8Array" }[
    dtype
  ]!;
}

function describeStep(s: Step): string {
  switch (s.kind) {
    case "loop":
      return `loop ${formatExpr(
        s.loop.spec.expr,
        s.loop.inputIds.map((i) => `%${i}`),
      )}${s.loop.spec.reduce ? ` folded by ${s.loop.spec.reduce.op} over ${s.loop.spec.reduce.over}` : ""}`;
    case "matmul":
      return `matmul %${s.a.id}${s.a.transposed ? "ᵀ" : ""} · %${s.b.id}${s.b.transposed ? "ᵀ" : ""}`;
    case "copy":
      return `copy of a strided view of %${s.reads[0]}`;
    case "call":
      return `${s.node.op} on its backend kernel`;
    case "gemm": {
      const bias = s.bias === undefined ? "" : ` + %${s.bias}${s.biasPerRow ? " per row" : ""}`;
      const operand = (o: MatmulOperand, shared: boolean) =>
        `%${o.id}${o.transposed ? "ᵀ" : ""}${shared ? " (every item)" : ""}`;
      return `native gemm ${operand(s.a, s.shared.a)} · ${operand(s.b, s.shared.b)}${bias}${s.relu ? ", relu" : ""}`;
    }
    case "softmax":
      return `native ${s.log ? "log-softmax" : "softmax"} of %${s.reads[0]} over rows of ${s.cols}`;
    case "windows":
      return `native ${s.op} of %${s.reads[0]}`;
    case "reduceMiddle":
      return `native ${s.op} of %${s.reads[0]} over its middle axes`;
    case "chain": {
      const layers = s.layers.map(
        (l) =>
          `· %${l.b.id}${l.b.transposed ? "ᵀ" : ""}${l.bias === undefined ? "" : ` + %${l.bias}`}${l.relu ? ", relu" : ""}`,
      );
      return `native chain of %${s.reads[0]} ${layers.join(" ")}${s.softmax ? `, ${s.softmax}` : ""} (steps ${s.ids.map((i) => `%${i}`).join(", ")}) by row blocks`;
    }
  }
}
