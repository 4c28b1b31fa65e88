import type { PrimName } from "../../core/primitives.js";
import { shapesEqual, sizeOf } from "../../core/shape.js";
import type { Graph } from "../graph.js";
import { ELEMENTWISE, type GraphValue, type PrimNode } from "../ir.js";
import type { Access, KernelExpr, LoopSpec } from "./spec.js";

/** A loop kernel bound to a graph: its spec, which value feeds each input, and the loop sizes. */
export interface BoundLoop {
  readonly spec: LoopSpec;
  /** The graph value read by each kernel input. */
  readonly inputIds: readonly number[];
  readonly outer: number;
  readonly inner: number;
}

const REDUCTIONS: ReadonlySet<PrimName> = new Set<PrimName>(["sum", "max", "prod"]);

/** Whether a primitive node can be part of a loop kernel (as computation or as an index mapping). */
export function isLoopable(op: PrimName): boolean {
  return ELEMENTWISE.has(op) || op === "broadcastTo" || op === "reshape" || REDUCTIONS.has(op);
}

/** Right-aligns `s` to rank r with leading ones. */
function align(s: readonly number[], r: number): number[] {
  return [...new Array<number>(r - s.length).fill(1), ...s];
}

/** How a broadcast operand of shape `s` is read in a loop over `loop` split at axis k, if it can be. */
function classify(s: readonly number[], loop: readonly number[], k: number): Access | undefined {
  const a = align(s, loop.length);
  const ones = (lo: number, hi: number) => a.slice(lo, hi).every((d) => d === 1);
  const same = (lo: number, hi: number) => a.slice(lo, hi).every((d, i) => d === loop[lo + i]);
  if (ones(0, loop.length)) return "scalar";
  if (same(0, loop.length)) return "full";
  if (ones(0, k) && same(k, loop.length)) return "row";
  if (same(0, k) && ones(k, loop.length)) return "col";
  return undefined;
}

/** The value of a one-element constant, which a kernel bakes in as a literal. */
function constantScalar(graph: Graph, id: number): number | undefined {
  const n = graph.node(id);
  return n?.kind === "const" && n.value.size === 1 ? n.value.data()[0] : undefined;
}

/**
 * Lowers a chain of primitive nodes (elementwise ops, broadcasts and reshapes
 * of inputs, and at most one reduction, last) to a loop kernel, or returns
 * undefined when the chain does not fit the loop shape (then it is not fused).
 */
export function buildLoop(body: readonly PrimNode[], graph: Graph): BoundLoop | undefined {
  const inBody = new Map(body.map((n) => [n.id, n]));
  const root = body[body.length - 1]!;
  let loop: readonly number[];
  let exprRoot: number;
  let reduce: LoopSpec["reduce"];
  let fixedK: number | undefined;
  if (REDUCTIONS.has(root.op)) {
    exprRoot = root.inputs[0]!;
    loop = (inBody.get(exprRoot) ?? graph.value(exprRoot)).shape;
    const axes = (root.attrs as { axes: readonly number[] }).axes;
    const r = loop.length;
    const leading = axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === r - axes.length + i);
    if (trailing) {
      fixedK = r - axes.length;
      reduce = { op: root.op as "sum", over: "inner" };
    } else if (leading) {
      fixedK = axes.length;
      reduce = { op: root.op as "sum", over: "outer" };
    } else return undefined;
  } else {
    exprRoot = root.id;
    loop = root.shape;
  }
  const n = sizeOf(loop);
  const leaves: { id: number; shape: readonly number[] | undefined }[] = [];
  const leafIndex = new Map<string, number>();
  const leaf = (id: number, shape: readonly number[] | undefined, dtype: GraphValue["dtype"]): KernelExpr => {
    const key = `${id}:${shape?.join(",") ?? "full"}`;
    let index = leafIndex.get(key);
    if (index === undefined) {
      index = leaves.length;
      leaves.push({ id, shape });
      leafIndex.set(key, index);
    }
    return { kind: "input", index, dtype };
  };
  /** The external value a chain of reshapes of an input starts from. */
  const source = (id: number): number | undefined => {
    const b = inBody.get(id);
    if (!b) return id;
    return b.op === "reshape" ? source(b.inputs[0]!) : undefined;
  };
  let ok = true;
  // One expression object per value, so a value read twice is computed once in the kernel.
  const memo = new Map<number, KernelExpr>();
  const build = (id: number): KernelExpr => {
    let e = memo.get(id);
    if (!e) {
      e = buildOnce(id);
      memo.set(id, e);
    }
    return e;
  };
  const buildOnce = (id: number): KernelExpr => {
    const b = inBody.get(id);
    if (!b) {
      const v = graph.value(id);
      const c = constantScalar(graph, id);
      if (c !== undefined) return { kind: "const", value: c, dtype: v.dtype };
      const size = sizeOf(v.shape);
      if (size !== n && size !== 1) ok = false;
      return leaf(id, size === 1 ? [] : undefined, v.dtype);
    }
    if (b.op === "reshape" || b.op === "stopGradient") {
      if (sizeOf(b.shape) !== n) ok = false;
      return build(b.inputs[0]!);
    }
    if (b.op === "broadcastTo") {
      const src = source(b.inputs[0]!);
      const operand = inBody.get(b.inputs[0]!) ?? graph.value(b.inputs[0]!);
      if (src === undefined || !shapesEqual(b.shape, loop)) {
        ok = false;
        return { kind: "const", value: 0, dtype: b.dtype };
      }
      const c = constantScalar(graph, src);
      if (c !== undefined) return { kind: "const", value: c, dtype: b.dtype };
      return leaf(src, operand.shape, b.dtype);
    }
    if (!ELEMENTWISE.has(b.op) || sizeOf(b.shape) !== n) {
      ok = false;
      return { kind: "const", value: 0, dtype: b.dtype };
    }
    return { kind: "op", op: b.op, attrs: b.attrs, args: b.inputs.map(build), dtype: b.dtype };
  };
  const expr = build(exprRoot);
  if (!ok) return undefined;
  const candidates = fixedK !== undefined ? [fixedK] : Array.from({ length: loop.length + 1 }, (_, k) => k);
  for (const k of candidates) {
    const access = leaves.map((l) => (l.shape === undefined ? "full" : classify(l.shape, loop, k)));
    if (access.some((a) => a === undefined)) continue;
    const spec: LoopSpec = {
      expr,
      inputs: leaves.map((l, i) => ({ dtype: graph.value(l.id).dtype, access: access[i]! })),
      dtype: root.dtype,
      ...(reduce ? { reduce } : {}),
    };
    return {
      spec,
      inputIds: leaves.map((l) => l.id),
      outer: sizeOf(loop.slice(0, k)),
      inner: sizeOf(loop.slice(k)),
    };
  }
  return undefined;
}
