import type { DType } from "../core/dtype.js";
import type { PrimAttrs, PrimName } from "../core/primitives.js";
import type { Tensor } from "../core/tensor.js";

/** One value of a graph: an input or a node's result. Ids are unique within a graph. */
export interface GraphValue {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

interface NodeBase extends GraphValue {
  /** Ids of the values this node reads, in the primitive's argument order: the graph's edges. */
  readonly inputs: readonly number[];
}

/** A primitive applied to earlier values: `%id = op[attrs] %in… : dtype[shape]`. */
export interface PrimNode extends NodeBase {
  readonly kind: "prim";
  readonly op: PrimName;
  readonly attrs: PrimAttrs[PrimName];
}

/** A concrete tensor the function closed over (a weight, the `2` in `x·2`). */
export interface ConstNode extends NodeBase {
  readonly kind: "const";
  readonly op: "const";
  readonly inputs: readonly [];
  readonly value: Tensor;
}

/**
 * Several elementwise primitives (and at most one trailing reduction) merged
 * by the fusion pass into one kernel. `body` keeps the primitive nodes it
 * replaces, so the node can still be run primitive by primitive (to
 * differentiate or trace it) and printed; its result is the last body node's.
 * Body nodes read `inputs` (by their ids) or earlier body nodes.
 */
export interface FusedNode extends NodeBase {
  readonly kind: "fused";
  readonly op: "fused";
  readonly body: readonly PrimNode[];
}

/** A node of the graph: a primitive, a constant, or a fused kernel. */
export type GraphNode = PrimNode | ConstNode | FusedNode;

/** What a graph pass did, for `graph.stats()`. */
export interface PassRecord {
  readonly pass: string;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
}

/** Makes a primitive node (attrs typed by the primitive). */
export function primNode<P extends PrimName>(
  id: number,
  op: P,
  attrs: PrimAttrs[P],
  inputs: readonly number[],
  shape: readonly number[],
  dtype: DType,
): PrimNode {
  return { kind: "prim", id, op, attrs, inputs, shape, dtype };
}

/** Primitives that map each element on its own (same shape in and out): the ones fusion merges. */
export const ELEMENTWISE: ReadonlySet<PrimName> = new Set<PrimName>([
  "neg",
  "exp",
  "log",
  "log1p",
  "expm1",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "sqrt",
  "abs",
  "sign",
  "floor",
  "ceil",
  "round",
  "erf",
  "isNaN",
  "isFinite",
  "logicalNot",
  "cast",
  "stopGradient",
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "compare",
  "where",
]);

/** Primitives whose js kernel only re-describes the input's memory (a view), never computing. */
export const VIEW_OPS: ReadonlySet<PrimName> = new Set<PrimName>([
  "reshape",
  "transpose",
  "broadcastTo",
  "slice",
  "flip",
  "stopGradient",
]);

/** Formats attributes compactly: `axes=[0,1], op=less`. */
export function formatAttrs(attrs: object): string {
  return Object.entries(attrs)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

/** `float32[2,3]`, the type of a value as the printed IR shows it. */
export function formatType(v: { readonly shape: readonly number[]; readonly dtype: DType }): string {
  return `${v.dtype}[${v.shape.join(",")}]`;
}
