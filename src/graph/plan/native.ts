/**
 * Plan steps the native backend runs as single addon calls, and the rewrite
 * that makes them:
 * - `gemm`: a matrix product written straight into the plan's buffer, with a
 *   dense layer's bias add and ReLU applied to each tile of the product as it
 *   is finished (the epilogue), instead of a product and a second pass;
 * - `softmax`: the five loops of grafo's softmax (or log-softmax) over the
 *   last axis, as one pass over each row;
 * - `chain`: consecutive dense layers (each a `gemm` reading the last one's
 *   output and nothing else reading it), with the softmax after them, as one
 *   addon call that takes each block of rows through every layer: one thread
 *   hand-off for a whole MLP, and a block's activations stay in its cache.
 * Both compute exactly what the steps they replace compute, in float32 or
 * float64 as those do, so compiled results agree with eager ones.
 */
import {
  ACTIVATION,
  type FloatArray,
  loadNativeAddon,
  type NativeAddon,
  REDUCE,
} from "../../backends/native/addon.js";
import { mergeAxes } from "../../backends/native/kernels.js";
import type { DataArray } from "../../core/dtype.js";
import type { PrimAttrs } from "../../core/primitives.js";
import type { Graph } from "../graph.js";
import { reluOperand } from "../kernel/native.js";
import { formatExpr } from "../kernel/spec.js";
import type { MatmulOperand, Step } from "./lower.js";

/** A matrix product on the addon's GEMM: out = act(a·b + bias) with operands read in place (transposed or not). */
export interface NativeGemmStep {
  readonly kind: "gemm";
  readonly id: number;
  /** a, b, then the bias when there is one. */
  readonly reads: readonly number[];
  readonly a: MatmulOperand;
  readonly b: MatmulOperand;
  readonly dims: { readonly batch: number; readonly m: number; readonly k: number; readonly n: number };
  /** Operands read as one matrix for every batch item (a broadcast the plan no longer copies out). */
  readonly shared: { readonly a: boolean; readonly b: boolean };
  /** A row of n values added to every row of the product, or with `biasPerRow` one value per row (a conv's). */
  readonly bias: number | undefined;
  readonly biasPerRow: boolean;
  readonly relu: boolean;
}

/** Softmax or log-softmax along the rows of a rows×cols float32 value. */
export interface NativeSoftmaxStep {
  readonly kind: "softmax";
  readonly id: number;
  readonly reads: readonly [number];
  readonly rows: number;
  readonly cols: number;
  readonly log: boolean;
}

/** Dense layers over the same rows, then optionally a softmax: one addon call (see the addon's `chain`). */
export interface NativeChainStep {
  readonly kind: "chain";
  readonly id: number;
  /** The input x, then each layer's weight and (when it has one) bias. */
  readonly reads: readonly number[];
  /** Rows of x and of every layer's output. */
  readonly m: number;
  readonly layers: readonly {
    readonly b: MatmulOperand;
    readonly k: number;
    readonly n: number;
    readonly bias: number | undefined;
    readonly relu: boolean;
  }[];
  /** The softmax after the last layer, if any. */
  readonly softmax: "softmax" | "logSoftmax" | undefined;
  /** The steps it replaces, for the plan's listing. */
  readonly ids: readonly number[];
}

/**
 * im2col or col2im (conv and pooling windows) written into the plan's buffer,
 * or a sum/max over consecutive middle axes (pooling over im2col's window
 * rows): what would otherwise be backend kernel calls that allocate a fresh
 * array on every run.
 */
export interface NativeLayoutStep {
  readonly kind: "windows" | "reduceMiddle";
  readonly id: number;
  readonly reads: readonly [number];
  /** windows: the image n, c, h, w, then kernel, stride, dilation and padding; reduceMiddle: outer, mid, inner. */
  readonly dims: readonly number[];
  /** windows: col2im (columns added back into zeroed images); reduceMiddle: the reduction. */
  readonly op: "im2col" | "col2im" | "sum" | "max";
}

/** The most layers one chain takes (the addon's kMaxChain). */
const MAX_CHAIN = 16;

/**
 * Below this many flops the plan's own loops beat a call into the addon. Lower
 * than the eager kernel's limit: here the call also saves the epilogue's loop.
 */
const MIN_GEMM_FLOPS = 1024;

type LoopStep = Extract<Step, { kind: "loop" }>;
type CopyStep = Extract<Step, { kind: "copy" }>;

/** Whether a copy lays out its source exactly as the strided layout `shape`/`strides` would. */
function copiesAs(copy: CopyStep, shape: readonly number[], strides: readonly number[]): boolean {
  const got = mergeAxes(copy.shape, copy.strides);
  const want = mergeAxes(shape, strides);
  return (
    copy.offset === 0 &&
    got.shape.length === want.shape.length &&
    got.shape.every((d, i) => d === want.shape[i] && got.strides[i] === want.strides[i])
  );
}

function nativeAddon(): NativeAddon | undefined {
  const r = loadNativeAddon();
  return r.ok ? r.addon : undefined;
}

/**
 * Rewrites a native plan's steps: products become `gemm` steps, a bias add
 * and ReLU read only by nothing else move into the product before them, and
 * the loops of a softmax become one `softmax` step. Values that anything else
 * reads (an output, a backward pass) are never fused away.
 */
export function fuseNative(graph: Graph, steps: readonly Step[], root: ReadonlyMap<number, number>): Step[] {
  if (!nativeAddon()) return [...steps];
  const outputs = new Set(graph.outputs.map((id) => root.get(id)!));
  const readers = new Map<number, Step[]>();
  for (const s of steps)
    for (const r of new Set(s.reads.map((id) => root.get(id)!))) {
      const list = readers.get(r) ?? [];
      list.push(s);
      readers.set(r, list);
    }
  /** The single step that reads value `id`, when nothing else (nor the caller) does. */
  const soleReader = (id: number): Step | undefined => {
    const list = readers.get(id);
    return !outputs.has(id) && list?.length === 1 ? list[0] : undefined;
  };
  const replaced = new Map<Step, Step>();
  const dropped = new Set<Step>();
  const copyOf = new Map<number, CopyStep>();
  for (const s of steps) if (s.kind === "copy") copyOf.set(s.id, s);
  /** The copy that makes value `id`, dropped from the plan when `reader` was its only reader. */
  const takeCopy = (id: number, reader: Step): void => {
    const c = copyOf.get(id)!;
    if (soleReader(c.id) === reader) dropped.add(c);
  };

  for (const s of steps) {
    if (s.kind !== "matmul") continue;
    const { dtype } = graph.value(s.id);
    const { batch, m, k, n } = s.dims;
    if ((dtype !== "float32" && dtype !== "float64") || 2 * batch * m * k * n < MIN_GEMM_FLOPS) continue;
    // A matrix broadcast over the batch (a conv's weights) is read in place for every item, not copied out.
    const sharedSource = (op: MatmulOperand, rows: number, cols: number): number | undefined => {
      const c = op.transposed ? undefined : copyOf.get(root.get(op.id)!);
      return batch > 1 && c && copiesAs(c, [batch, rows * cols], [0, 1]) ? c.reads[0] : undefined;
    };
    const [sa, sb] = [sharedSource(s.a, m, k), sharedSource(s.b, k, n)];
    const gemm: NativeGemmStep = {
      kind: "gemm",
      id: s.id,
      reads: [sa ?? s.a.id, sb ?? s.b.id],
      a: sa === undefined ? s.a : { id: sa, transposed: false },
      b: sb === undefined ? s.b : { id: sb, transposed: false },
      dims: s.dims,
      shared: { a: sa !== undefined, b: sb !== undefined },
      bias: undefined,
      biasPerRow: false,
      relu: false,
    };
    const next = soleReader(s.id);
    const epilogue = next?.kind === "loop" ? epilogueOf(graph, next, s.id, root, copyOf, s.dims) : undefined;
    const final: NativeGemmStep =
      next && epilogue
        ? {
            ...gemm,
            id: next.id,
            reads: epilogue.bias === undefined ? gemm.reads : [...gemm.reads, epilogue.bias],
            bias: epilogue.bias,
            biasPerRow: epilogue.biasPerRow,
            relu: epilogue.relu,
          }
        : gemm;
    if (sa !== undefined) takeCopy(root.get(s.a.id)!, s);
    if (sb !== undefined) takeCopy(root.get(s.b.id)!, s);
    if (next && epilogue) {
      if (epilogue.biasPerRow) takeCopy(epilogue.biasCopy!, next);
      dropped.add(s);
      replaced.set(next, final);
    } else replaced.set(s, final);
  }

  for (const s of steps) {
    if (s.kind !== "call") continue;
    const layout = layoutStep(graph, s);
    if (layout) replaced.set(s, layout);
  }

  for (const s of steps) {
    if (s.kind !== "loop" || replaced.has(s) || dropped.has(s)) continue;
    const found = softmaxFrom(s, root, soleReader, readers, outputs);
    if (!found) continue;
    for (const d of found.dropped) dropped.add(d);
    replaced.set(found.last, found.step);
  }
  return chainLayers(
    graph,
    steps.filter((s) => !dropped.has(s)).map((s) => replaced.get(s) ?? s),
    root,
    outputs,
  );
}

/** A window or middle-axes reduction call as a native step into the plan's buffer, if the addon runs it. */
function layoutStep(graph: Graph, s: Extract<Step, { kind: "call" }>): NativeLayoutStep | undefined {
  const n = s.node;
  const x = graph.value(s.reads[0]!);
  if (n.kind !== "prim" || (x.dtype !== "float32" && x.dtype !== "float64") || n.dtype !== x.dtype)
    return undefined;
  if (n.op === "im2col" || n.op === "col2im") {
    const a = n.attrs as PrimAttrs["im2col"];
    const image = n.op === "im2col" ? x.shape : n.shape;
    if (image.length !== 4) return undefined;
    const dims = [...image, ...a.kernel, ...a.stride, ...a.dilation, ...a.pad];
    return { kind: "windows", id: n.id, reads: [s.reads[0]!], dims, op: n.op };
  }
  if ((n.op === "sum" || n.op === "max") && nativeAddon()?.reduceMiddle) {
    const axes = (n.attrs as PrimAttrs["sum"]).axes;
    if (axes.length === 0 || axes.some((a, i) => a !== axes[0]! + i)) return undefined;
    const size = (from: number, to: number) => x.shape.slice(from, to).reduce((p, d) => p * d, 1);
    const [lo, hi] = [axes[0]!, axes[0]! + axes.length];
    const dims = [size(0, lo), size(lo, hi), size(hi, x.shape.length)];
    return { kind: "reduceMiddle", id: n.id, reads: [s.reads[0]!], dims, op: n.op };
  }
  return undefined;
}

/**
 * Finds runs of float32 `gemm` steps where each reads the previous one's
 * output as its (untransposed, unbatched) left operand and is its only reader,
 * optionally closed by a `softmax` of the last, and makes each run one `chain`
 * step, placed where its last member was (every input it reads is ready by then).
 */
function chainLayers(
  graph: Graph,
  steps: readonly Step[],
  root: ReadonlyMap<number, number>,
  outputs: ReadonlySet<number>,
): Step[] {
  const readers = new Map<number, Step[]>();
  for (const s of steps)
    for (const r of new Set(s.reads.map((id) => root.get(id)!)))
      readers.set(r, [...(readers.get(r) ?? []), s]);
  const soleReader = (id: number): Step | undefined => {
    const list = readers.get(id);
    return !outputs.has(id) && list?.length === 1 ? list[0] : undefined;
  };
  const isLayer = (s: Step | undefined): s is NativeGemmStep =>
    s?.kind === "gemm" &&
    s.dims.batch === 1 &&
    !s.a.transposed &&
    !s.biasPerRow &&
    graph.value(s.id).dtype === "float32";
  const inChain = new Set<Step>();
  const chains = new Map<Step, NativeChainStep>();
  for (const first of steps) {
    if (!isLayer(first) || inChain.has(first)) continue;
    const run: NativeGemmStep[] = [first];
    for (let next = soleReader(first.id); run.length < MAX_CHAIN; next = soleReader(run.at(-1)!.id)) {
      const last = run.at(-1)!;
      if (!isLayer(next) || root.get(next.a.id) !== last.id || root.get(next.b.id) === last.id) break;
      // The same rows, read whole: not a reshape of the last output into other rows.
      if (next.dims.m !== first.dims.m || next.dims.k !== last.dims.n) break;
      if (next.bias !== undefined && root.get(next.bias) === last.id) break;
      run.push(next);
    }
    const after = soleReader(run.at(-1)!.id);
    const width = run.at(-1)!.dims.n;
    const softmax =
      after?.kind === "softmax" && after.rows === first.dims.m && after.cols === width ? after : undefined;
    if (run.length < 2 && !softmax) continue;
    const members: Step[] = softmax ? [...run, softmax] : run;
    for (const s of members) inChain.add(s);
    const lastStep = members.at(-1)!;
    chains.set(lastStep, {
      kind: "chain",
      id: lastStep.id,
      reads: [first.a.id, ...run.flatMap((g) => (g.bias === undefined ? [g.b.id] : [g.b.id, g.bias]))],
      m: first.dims.m,
      layers: run.map((g) => ({ b: g.b, k: g.dims.k, n: g.dims.n, bias: g.bias, relu: g.relu })),
      softmax: softmax ? (softmax.log ? "logSoftmax" : "softmax") : undefined,
      ids: members.map((s) => s.id),
    });
  }
  return steps.filter((s) => !inChain.has(s) || chains.has(s)).map((s) => chains.get(s) ?? s);
}

/**
 * The loop as a GEMM epilogue on product `product` (batch × m × n): bias + ReLU,
 * bias alone, or ReLU alone. The bias is a row of n values (a dense layer's),
 * or, read through a copy that broadcasts m values over the batch and the
 * columns, one value per row (a convolution's [1, c, 1, 1] bias).
 */
function epilogueOf(
  graph: Graph,
  loop: LoopStep,
  product: number,
  root: ReadonlyMap<number, number>,
  copyOf: ReadonlyMap<number, CopyStep>,
  dims: NativeGemmStep["dims"],
):
  | { bias: number | undefined; biasPerRow: boolean; biasCopy: number | undefined; relu: boolean }
  | undefined {
  const { spec, inputIds, outer, inner } = loop.loop;
  const { batch, m, n } = dims;
  const rows = batch * m;
  if (spec.reduce || spec.dtype !== graph.value(product).dtype || outer * inner !== rows * n)
    return undefined;
  const isProduct = (i: number) => root.get(inputIds[i]!) === product && spec.inputs[i]!.access === "full";
  // One row of n values; with a single row of output the loop reads it as a full operand.
  const isBias = (i: number) =>
    spec.inputs[i]!.dtype === spec.dtype &&
    ((inner === n && spec.inputs[i]!.access === "row") || (rows === 1 && spec.inputs[i]!.access === "full"));
  const rowBiasCopy = (i: number): CopyStep | undefined => {
    const c = spec.inputs[i]!.access === "full" ? copyOf.get(root.get(inputIds[i]!)!) : undefined;
    return c && spec.inputs[i]!.dtype === spec.dtype && copiesAs(c, [batch, m, n], [0, 1, 0]) ? c : undefined;
  };
  const relu = reluOperand(spec.expr);
  const body = relu ?? spec.expr;
  if (body.kind === "input")
    return relu && isProduct(body.index)
      ? { bias: undefined, biasPerRow: false, biasCopy: undefined, relu: true }
      : undefined;
  if (body.kind !== "op" || body.op !== "add") return undefined;
  const [x, y] = body.args;
  if (x?.kind !== "input" || y?.kind !== "input") return undefined;
  const [p, b] = isProduct(x.index) ? [x.index, y.index] : [y.index, x.index];
  if (!isProduct(p)) return undefined;
  if (isBias(b))
    return { bias: inputIds[b]!, biasPerRow: false, biasCopy: undefined, relu: relu !== undefined };
  const copy = rowBiasCopy(b);
  return copy
    ? { bias: copy.reads[0]!, biasPerRow: true, biasCopy: copy.id, relu: relu !== undefined }
    : undefined;
}

/**
 * grafo's softmax(z) over the last axis, as the loops it lowers to:
 *   m = max(z);  c = where(isFinite(m), m, 0);  s = Σ exp(z − c);  l = log(s) + c;
 *   out = exp(z − l)  (softmax)  or  z − l  (log-softmax),
 * found from the max loop `first`; every intermediate must be read only within the pattern.
 */
function softmaxFrom(
  first: LoopStep,
  root: ReadonlyMap<number, number>,
  soleReader: (id: number) => Step | undefined,
  readers: ReadonlyMap<number, Step[]>,
  outputs: ReadonlySet<number>,
): { step: NativeSoftmaxStep; last: Step; dropped: Step[] } | undefined {
  const f = first.loop;
  if (f.spec.reduce?.op !== "max" || f.spec.reduce.over !== "inner" || f.spec.dtype !== "float32")
    return undefined;
  if (f.spec.expr.kind !== "input" || f.spec.inputs[0]!.access !== "full") return undefined;
  const z = root.get(f.inputIds[0]!)!;
  const { outer: rows, inner: cols } = f;
  const names = (s: LoopStep, label: ReadonlyMap<number, string>) =>
    s.loop.inputIds.map((id) => label.get(root.get(id)!) ?? "?");
  const is = (s: Step | undefined, text: string, label: ReadonlyMap<number, string>): s is LoopStep =>
    s?.kind === "loop" && formatExpr(s.loop.spec.expr, names(s, label)) === text;
  /** A loop over the rows×cols block reading z in full and `col` once per row. */
  const overRows = (s: LoopStep, col: number) =>
    s.loop.outer === rows &&
    s.loop.inner === cols &&
    s.loop.inputIds.every((id, i) => {
      const access = s.loop.spec.inputs[i]!.access;
      if (root.get(id) === z) return access === "full";
      // One value a row: a single row's value is also read as a scalar.
      return root.get(id) === col && (access === "col" || (rows === 1 && access === "scalar"));
    });

  const m = first.id;
  const shift = soleReader(m);
  if (!is(shift, "where(isFinite(m), m, 0)", new Map([[m, "m"]])) || outputs.has(shift.id)) return undefined;
  const c = shift.id;
  const cReaders = readers.get(c) ?? [];
  if (cReaders.length !== 2) return undefined;
  const label = new Map([
    [z, "z"],
    [c, "c"],
  ]);
  const sum = cReaders.find((s) => is(s, "exp(sub(z, c))", label));
  if (sum?.kind !== "loop" || sum.loop.spec.reduce?.op !== "sum" || !overRows(sum, c)) return undefined;
  if (sum.loop.spec.reduce.over !== "inner") return undefined;
  const lse = soleReader(sum.id);
  if (!lse || !cReaders.includes(lse)) return undefined;
  if (!is(lse, "add(log(s), c)", new Map([...label, [sum.id, "s"]])) || outputs.has(lse.id)) return undefined;
  const last = soleReader(lse.id);
  const lastLabel = new Map([
    [z, "z"],
    [lse.id, "l"],
  ]);
  const log = is(last, "sub(z, l)", lastLabel);
  if (!log && !is(last, "exp(sub(z, l))", lastLabel)) return undefined;
  // A last loop that also reduces (softmax then a sum, fused) writes the reduction, not the softmax.
  if (
    last?.kind !== "loop" ||
    last.loop.spec.reduce ||
    !overRows(last, lse.id) ||
    last.loop.spec.dtype !== "float32"
  )
    return undefined;
  return {
    step: { kind: "softmax", id: last.id, reads: [z], rows, cols, log },
    last,
    dropped: [first, shift, sum, lse],
  };
}

/** The function a plan calls for a `gemm` step: (a, b[, bias], out) with offsets computed once. */
export function nativeGemm(step: NativeGemmStep): (...arrays: DataArray[]) => void {
  const addon = nativeAddon()!;
  const { batch, m, k, n } = step.dims;
  // Stored as [batch, rows, cols], or as [batch, cols, rows] when read transposed.
  const [rsA, csA] = step.a.transposed ? [1, m] : [k, 1];
  const [rsB, csB] = step.b.transposed ? [1, k] : [n, 1];
  // A shared operand is the same matrix for every item: offset 0 throughout.
  const offsets = (size: number) => Float64Array.from({ length: batch }, (_, p) => p * size);
  const offA = offsets(step.shared.a ? 0 : m * k);
  const offB = offsets(step.shared.b ? 0 : k * n);
  const offC = offsets(m * n);
  const act = step.relu ? ACTIVATION.relu : ACTIVATION.none;
  const withBias = step.bias !== undefined;
  const { biasPerRow } = step;
  return (...arrays) => {
    const [a, b] = arrays as FloatArray[];
    const bias = withBias ? (arrays[2] as FloatArray) : null;
    const out = arrays[withBias ? 3 : 2] as FloatArray;
    addon.gemm(
      a!,
      b!,
      out,
      offA,
      offB,
      offC,
      m,
      n,
      k,
      rsA,
      csA,
      rsB,
      csB,
      n,
      false,
      bias,
      0,
      act,
      biasPerRow,
    );
  };
}

/** The function a plan calls for a `windows` or `reduceMiddle` step: (x, out). */
export function nativeLayout(step: NativeLayoutStep): (x: DataArray, out: DataArray) => void {
  const addon = nativeAddon()!;
  if (step.kind === "windows") {
    const dims = Float64Array.from(step.dims);
    const adjoint = step.op === "col2im";
    return (x, out) => addon.windows(x as FloatArray, 0, out as FloatArray, 0, dims, adjoint);
  }
  const [outer, mid, inner] = step.dims as [number, number, number];
  const op = REDUCE[step.op as "sum" | "max"];
  return (x, out) => addon.reduceMiddle(op, x as FloatArray, 0, out as FloatArray, 0, outer, mid, inner);
}

/** The function a plan calls for a `softmax` step: (z, out). */
export function nativeSoftmax(step: NativeSoftmaxStep): (z: DataArray, out: DataArray) => void {
  const addon = nativeAddon()!;
  const { rows, cols, log } = step;
  return (z, out) => addon.softmax(z as Float32Array, 0, out as Float32Array, 0, rows, cols, log);
}

/** The function a plan calls for a `chain` step: (x, each layer's b and bias, out). */
export function nativeChain(step: NativeChainStep): (...arrays: DataArray[]) => void {
  const addon = nativeAddon()!;
  const spec = Float64Array.from(
    step.layers.flatMap((l) => [
      l.k,
      l.n,
      ...(l.b.transposed ? [1, l.k] : [l.n, 1]),
      l.relu ? ACTIVATION.relu : ACTIVATION.none,
      l.bias === undefined ? 0 : 1,
    ]),
  );
  const softmax = step.softmax === undefined ? -1 : step.softmax === "logSoftmax" ? 1 : 0;
  const hasBias = step.layers.map((l) => l.bias !== undefined);
  const weights = new Array<Float32Array | null>(2 * step.layers.length);
  return (...arrays) => {
    let next = 1;
    for (let l = 0; l < hasBias.length; l++) {
      weights[2 * l] = arrays[next++] as Float32Array;
      weights[2 * l + 1] = hasBias[l] ? (arrays[next++] as Float32Array) : null;
    }
    addon.chain(arrays[0] as Float32Array, arrays[next] as Float32Array, step.m, softmax, spec, ...weights);
  };
}
