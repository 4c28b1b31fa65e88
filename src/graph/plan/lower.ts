import { activeBackend } from "../../backends/registry.js";
import type { Kernel } from "../../core/backend.js";
import { allocate, type DataArray } from "../../core/dtype.js";
import type { Aval, PrimAttrs } from "../../core/primitives.js";
import { contiguousStrides, sizeOf } from "../../core/shape.js";
import { Tensor } from "../../core/tensor.js";
import { primitiveTable } from "../../ops/table.js";
import type { Graph } from "../graph.js";
import { ELEMENTWISE, type GraphNode, type PrimNode, VIEW_OPS } from "../ir.js";
import { type BoundLoop, buildLoop } from "../kernel/loop.js";
import {
  fuseNative,
  type NativeChainStep,
  type NativeGemmStep,
  type NativeLayoutStep,
  type NativeSoftmaxStep,
} from "./native.js";

/** Below this many flops a matrix product is too small for a backend GEMM's setup (copies, packing) to pay. */
const BACKEND_GEMM_FLOPS = 2 * 32 * 32 * 32;

/** One operand of a matrix product: a value, read as stored or transposed in its last two axes. */
export interface MatmulOperand {
  readonly id: number;
  readonly transposed: boolean;
}

/**
 * One step of an executable plan. Every step writes one value (`id`) from
 * the values in `reads`:
 * - `loop`: a generated elementwise/reduction kernel (fused or single op);
 * - `matmul`: a batched matrix product whose operands may be read transposed
 *   (so the transposes of the backward pass cost nothing);
 * - `copy`: a strided view (transpose, broadcast, slice, flip) made contiguous;
 * - `call`: any other primitive, run on its backend kernel;
 * - `gemm` and `softmax`: on the native backend, a matrix product with its
 *   bias and ReLU fused in, and a whole softmax, as single addon calls;
 *   `chain`: a stack of such layers (and the softmax after them) as one call;
 *   `windows` and `reduceMiddle`: im2col/col2im and pooling's reduction into
 *   the plan's buffers (see ./native.ts).
 */
export type Step =
  | {
      readonly kind: "loop";
      readonly id: number;
      readonly reads: readonly number[];
      readonly loop: BoundLoop;
    }
  | {
      readonly kind: "matmul";
      readonly id: number;
      readonly reads: readonly number[];
      readonly a: MatmulOperand;
      readonly b: MatmulOperand;
      readonly dims: { readonly batch: number; readonly m: number; readonly k: number; readonly n: number };
      /** The backend's GEMM (or the js reference kernel) for large products, given strided views; absent: the plan's own loops. */
      readonly kernel: Kernel<"matmul"> | undefined;
    }
  | NativeGemmStep
  | NativeSoftmaxStep
  | NativeChainStep
  | NativeLayoutStep
  | {
      readonly kind: "copy";
      readonly id: number;
      readonly reads: readonly number[];
      readonly shape: readonly number[];
      readonly strides: readonly number[];
      readonly offset: number;
    }
  | {
      readonly kind: "call";
      readonly id: number;
      readonly reads: readonly number[];
      readonly node: GraphNode;
    };

/** A graph lowered to steps: which values are aliases of others (free reshapes) and which steps compute the rest. */
export interface Lowered {
  readonly graph: Graph;
  readonly steps: readonly Step[];
  /** Value id → the value whose memory it shares (itself for values with their own memory). */
  readonly root: ReadonlyMap<number, number>;
}

/** The layout a view primitive gives a contiguous input, found by running its (data-free) js kernel on one. */
function probeView(n: PrimNode, input: Aval): { strides: number[]; offset: number } {
  const empty: DataArray = allocate(input.dtype, 0);
  const probe = Tensor._fromData(empty, input.shape, input.dtype);
  const out = primitiveTable()[n.op].js([probe], n.attrs as never, n);
  return { strides: [...out._buf!.strides], offset: out._buf!.offset };
}

function isContiguousLayout(shape: readonly number[], strides: readonly number[], offset: number): boolean {
  const c = contiguousStrides(shape);
  return offset === 0 && strides.every((s, i) => s === c[i] || shape[i] === 1);
}

/** Whether `n` swaps exactly the last two axes (the matrix transpose a backward pass makes). */
function isMatrixTranspose(n: GraphNode | undefined): n is PrimNode {
  if (n?.kind !== "prim" || n.op !== "transpose") return false;
  const perm = (n.attrs as PrimAttrs["transpose"]).perm;
  const r = perm.length;
  return r >= 2 && perm.every((p, i) => (i < r - 2 ? p === i : p === (i === r - 2 ? r - 1 : r - 2)));
}

/** Lowers every node to a step (or an alias), then drops the steps no output needs. */
export function lower(graph: Graph): Lowered {
  const root = new Map<number, number>();
  for (const v of graph.inputs) root.set(v.id, v.id);
  const steps: Step[] = [];
  for (const n of graph.nodes) {
    if (n.kind === "const") {
      root.set(n.id, n.id);
      continue;
    }
    root.set(n.id, n.id);
    if (n.kind === "fused") {
      const loop = buildLoop(n.body, graph);
      steps.push(
        loop
          ? { kind: "loop", id: n.id, reads: loop.inputIds, loop }
          : { kind: "call", id: n.id, reads: n.inputs, node: n },
      );
      continue;
    }
    const input = n.inputs[0] === undefined ? undefined : graph.value(n.inputs[0]);
    if (VIEW_OPS.has(n.op) && input) {
      const { strides, offset } = probeView(n, input);
      if (isContiguousLayout(n.shape, strides, offset)) root.set(n.id, root.get(input.id)!);
      else steps.push({ kind: "copy", id: n.id, reads: [input.id], shape: n.shape, strides, offset });
      continue;
    }
    if (n.op === "matmul") {
      const operand = (id: number): MatmulOperand => {
        const def = graph.node(id);
        return isMatrixTranspose(def) ? { id: def.inputs[0]!, transposed: true } : { id, transposed: false };
      };
      const [a, b] = [operand(n.inputs[0]!), operand(n.inputs[1]!)];
      const sa = graph.value(n.inputs[0]!).shape;
      const m = sa[sa.length - 2]!;
      const k = sa[sa.length - 1]!;
      const nn = n.shape[n.shape.length - 1]!;
      const dims = { batch: sizeOf(sa.slice(0, -2)), m, k, n: nn };
      // Small products run on the plan's own loops into a reused buffer; large ones on the backend's GEMM
      // (or the js reference kernel): the same code eager evaluation runs.
      const large = 2 * dims.batch * m * k * nn >= BACKEND_GEMM_FLOPS;
      const kernel = large ? (activeBackend().kernels.matmul ?? primitiveTable().matmul.js) : undefined;
      steps.push({ kind: "matmul", id: n.id, reads: [a.id, b.id], a, b, dims, kernel });
      continue;
    }
    const loop =
      ELEMENTWISE.has(n.op) || ["sum", "max", "prod"].includes(n.op) ? buildLoop([n], graph) : undefined;
    steps.push(
      loop
        ? { kind: "loop", id: n.id, reads: loop.inputIds, loop }
        : { kind: "call", id: n.id, reads: n.inputs, node: n },
    );
  }
  // Keep only what the outputs need (a transpose read by matmul directly is no longer needed).
  const needed = new Set(graph.outputs.map((id) => root.get(id)!));
  const kept: Step[] = [];
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k]!;
    if (!needed.has(s.id)) continue;
    kept.push(s);
    for (const r of s.reads) needed.add(root.get(r)!);
  }
  kept.reverse();
  return { graph, steps: activeBackend().name === "native" ? fuseNative(graph, kept, root) : kept, root };
}
