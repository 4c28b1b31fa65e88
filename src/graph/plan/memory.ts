import { bytesPerElement, type DType } from "../../core/dtype.js";
import { sizeOf } from "../../core/shape.js";
import type { Graph } from "../graph.js";
import { type Lowered, lower } from "./lower.js";

/** Where a step's result lives. */
export type Placement =
  /** A buffer the plan allocates once and reuses across calls and across values whose lifetimes do not overlap. */
  | { readonly kind: "pool"; readonly buffer: number }
  /** A new array each call: results handed back to the caller, which must never change afterwards. */
  | { readonly kind: "fresh" }
  /** The array the backend kernel of a `call` step returns. */
  | { readonly kind: "kernel" };

/** Byte counts of a memory plan. */
export interface MemoryStats {
  /** Bytes if every computed value had its own array (what evaluating op by op allocates). */
  readonly bytesBefore: number;
  /** Bytes after planning: the reused pool plus the arrays handed back or made by fallback kernels. */
  readonly bytesAfter: number;
  /** Arrays in the reused pool. */
  readonly poolBuffers: number;
  /** Computing steps of the plan (kernels, matrix products, copies, fallback calls). */
  readonly steps: number;
}

/** A memory plan: each step's placement, and the pool's arrays. */
export interface MemoryPlan {
  readonly placement: ReadonlyMap<number, Placement>;
  readonly pool: readonly { readonly dtype: DType; readonly length: number }[];
  readonly stats: MemoryStats;
}

/**
 * Liveness analysis and buffer reuse. A value is live from the step that
 * writes it to the last step that reads it (or reads a view of it). Walking
 * the steps in order, each result takes the smallest free pool buffer of its
 * dtype that is large enough (or a new one), and buffers return to the pool
 * after their last reader, so a long chain of steps runs in a handful of arrays.
 */
export function planMemory(lowered: Lowered): MemoryPlan {
  const { graph, steps, root } = lowered;
  const lastUse = new Map<number, number>();
  steps.forEach((s, k) => {
    for (const r of s.reads) lastUse.set(root.get(r)!, k);
  });
  const outputs = new Set(graph.outputs.map((id) => root.get(id)!));
  const placement = new Map<number, Placement>();
  const pool: { dtype: DType; length: number }[] = [];
  const free: number[] = [];
  let bytesBefore = 0;
  let bytesAfter = 0;
  steps.forEach((s, k) => {
    const v = graph.value(s.id);
    const length = sizeOf(v.shape);
    const bytes = length * bytesPerElement(v.dtype);
    bytesBefore += bytes;
    const byKernel = s.kind === "call" || (s.kind === "matmul" && s.kernel !== undefined);
    if (byKernel || outputs.has(s.id)) {
      placement.set(s.id, byKernel ? { kind: "kernel" } : { kind: "fresh" });
      bytesAfter += bytes;
    } else {
      let best = -1;
      for (const b of free) {
        const buf = pool[b]!;
        if (buf.dtype === v.dtype && buf.length >= length && (best < 0 || buf.length < pool[best]!.length))
          best = b;
      }
      if (best < 0) {
        best = pool.length;
        pool.push({ dtype: v.dtype, length });
        bytesAfter += bytes;
      } else free.splice(free.indexOf(best), 1);
      placement.set(s.id, { kind: "pool", buffer: best });
    }
    // Buffers whose last reader is this step are free for the steps after it.
    for (const [id, last] of lastUse) {
      const p = placement.get(id);
      if (last === k && p?.kind === "pool") free.push(p.buffer);
    }
    // A pooled value no step reads is free at once.
    const own = placement.get(s.id);
    if (own?.kind === "pool" && !lastUse.has(s.id)) free.push(own.buffer);
  });
  return {
    placement,
    pool,
    stats: { bytesBefore, bytesAfter, poolBuffers: pool.length, steps: steps.length },
  };
}

/** The memory plan's byte counts for a graph (as `graph.stats().memory` reports them). */
export function memoryStats(graph: Graph): MemoryStats {
  return planMemory(lower(graph)).stats;
}
