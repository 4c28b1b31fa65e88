import { ArgumentError } from "../../core/errors.js";
import type { Aval } from "../../core/primitives.js";
import { Tensor } from "../../core/tensor.js";
import { Graph } from "../../graph/graph.js";
import type { GraphNode } from "../../graph/ir.js";
import { traceAbstract } from "../../graph/trace.js";
import { flattenTree } from "../../graph/treedef.js";
import { Module, type ParamTree } from "../../nn/module.js";
import { writeFileAtomic } from "../storage.js";
import { type Dim, dimName, OnnxGraphBuilder, type OnnxValue } from "./builder.js";
import type { ChainMatch } from "./chain.js";
import { OnnxError } from "./errors.js";
import { matchGemms } from "./gemm.js";
import { BROADCASTING, lowerPrim, sameDim } from "./lower.js";
import { encodeModel, onnxType, valueInfo } from "./proto.js";
import { matchWindows } from "./windows.js";

/** What `exportOnnx` writes: a model, a function of tensors, or a traced graph. */
export type Exportable = Module | Graph | ((...inputs: Tensor[]) => Tensor | readonly Tensor[]);

export interface ExportOnnxOptions {
  /**
   * Make axis 0 of every input (and whatever follows from it) a symbolic
   * `batch` dimension, so the file runs on any batch size. Default: on for
   * models and functions whose inputs all have the same axis-0 size, off for
   * a Graph (whose shapes are fixed).
   */
  dynamicBatch?: boolean;
  /** Graph input names (default `input`, or `input_0`, `input_1`, …). */
  inputNames?: readonly string[];
  /** Graph output names (default `output`, or `output_0`, …). */
  outputNames?: readonly string[];
}

/**
 * Traces a model or function and writes it as a standard ONNX model (IR 8,
 * opset 17): weights become initializers (named as `namedParameters()` names
 * them), primitives become ONNX operators, convolutions and poolings become
 * Conv/MaxPool/AveragePool. Models run in eval mode (no dropout, batchNorm on
 * running statistics). With `path`, the file is written atomically (a
 * temporary file in the same folder, then renamed; Node only). Returns the
 * bytes either way.
 *
 * ```ts
 * const bytes = await exportOnnx(model, zeros([1, 784]));        // runs in onnxruntime with any batch size
 * await exportOnnx((a, b) => a.mul(b).sum(1), [x, y], "f.onnx");
 * ```
 */
export async function exportOnnx(
  model: Exportable,
  exampleInputs: Tensor | readonly Tensor[],
  path?: string,
  options: ExportOnnxOptions = {},
): Promise<Uint8Array> {
  const bytes = onnxBytes(model, exampleInputs, options);
  if (path !== undefined) await writeFileAtomic(path, [bytes], "exportOnnx");
  return bytes;
}

/**
 * The traced graph with each value's shape in terms of the batch size. The
 * first `weights.length` graph inputs are the model's parameters and buffers
 * (written as initializers under their names), the rest the data inputs.
 */
interface Traced {
  graph: Graph;
  dims: Map<number, readonly Dim[]>;
  weights: readonly [string, Tensor, "params" | "buffers"][];
  dynamic: boolean;
}

/** `exportOnnx` without the file: the ONNX bytes of a model or function. */
export function onnxBytes(
  model: Exportable,
  exampleInputs: Tensor | readonly Tensor[],
  options: ExportOnnxOptions = {},
): Uint8Array {
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  if (inputs.length === 0 || !inputs.every((t) => t instanceof Tensor))
    throw new ArgumentError("exportOnnx: exampleInputs must be a tensor or a non-empty list of tensors");
  const { graph, dims, weights, dynamic } = traceForExport(model, inputs, options);
  const dataInputs = graph.inputs.slice(weights.length);
  const inputNames = valueNames(options.inputNames, dataInputs.length, "input");
  const outputNames = valueNames(options.outputNames, graph.outputs.length, "output");
  const b = new OnnxGraphBuilder(dynamic ? inputNames[0] : undefined);
  const values = new Map<number, OnnxValue>();
  const value = (id: number) => values.get(id)!;
  dataInputs.forEach((v, i) => {
    values.set(v.id, { name: b.fresh(inputNames[i]!), dtype: v.dtype, dims: dims.get(v.id)! });
  });
  const chains = matchWindows(graph);
  const taken = new Set([...chains].flatMap(([root, m]) => [root, ...m.inner]));
  for (const [root, m] of matchGemms(graph, taken)) chains.set(root, m);
  const elided = elidableBroadcasts(graph, dims);
  const live = liveNodes(graph, chains, elided);
  graph.inputs.slice(0, weights.length).forEach((v, i) => {
    const [name, t, kind] = weights[i]!;
    if (!live.has(v.id)) return;
    // Parameters are initializers (what an importer trains); running statistics are fixed constants.
    const onnxName = kind === "params" ? b.initializer(name, t) : b.constant(name, t);
    values.set(v.id, { name: onnxName, dtype: t.dtype, dims: t.shape });
  });
  for (const node of graph.nodes) {
    if (!live.has(node.id)) continue;
    const out = { dtype: node.dtype, dims: dims.get(node.id)! };
    if (elided.has(node.id)) {
      values.set(node.id, value(node.inputs[0]!));
      continue;
    }
    let name: string;
    if (node.kind === "const") {
      if (out.dims.some((d) => typeof d !== "number"))
        throw new OnnxError(
          `exportOnnx: constant %${node.id} has a shape that depends on the batch size; export with { dynamicBatch: false }`,
        );
      name = b.constant(`const_${node.id}`, node.value);
    } else if (node.kind === "fused")
      // traceForExport traces without the fusion pass (a Graph through its run, which unfuses).
      throw new OnnxError(`exportOnnx: fused node %${node.id} in a graph traced without fusion`);
    else {
      const chain = chains.get(node.id);
      name = chain
        ? chain.lower(b, value, out.dims)
        : lowerPrim(
            b,
            node,
            node.inputs.map((id) => value(id)),
            out,
          );
    }
    values.set(node.id, { name, ...out });
  }
  const outputs = graph.outputs.map((id, i) => {
    const v = value(id);
    const name = b.node("Identity", [v.name], [], outputNames[i]);
    return valueInfo(name, onnxType(v.dtype), v.dims.map(dimName));
  });
  return encodeModel({
    name: model instanceof Module ? model.typeName : "grafo",
    node: b.nodes,
    initializer: b.initializers,
    input: dataInputs.map((v) => {
      const d = value(v.id);
      return valueInfo(d.name, onnxType(d.dtype), d.dims.map(dimName));
    }),
    output: outputs,
  });
}

/**
 * The values the ONNX graph needs, walking back from the outputs: a matched
 * chain (a convolution, a pooling, a linear layer) reads only its own
 * inputs, so the nodes inside it (and weight reshapes only they read) are
 * not written.
 */
function liveNodes(graph: Graph, chains: Map<number, ChainMatch>, elided: Set<number>): Set<number> {
  const live = new Set<number>();
  const stack = [...graph.outputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    const n = graph.node(id);
    if (!n) continue;
    const chain = chains.get(id);
    stack.push(...(chain ? chain.inputs : elided.has(id) ? [n.inputs[0]!] : n.inputs));
  }
  return live;
}

function valueNames(given: readonly string[] | undefined, n: number, base: string): string[] {
  if (given) {
    if (given.length !== n || new Set(given).size !== n || given.some((s) => !s))
      throw new ArgumentError(
        `exportOnnx: ${base}Names must be ${n} distinct non-empty names, got [${given}]`,
      );
    return [...given];
  }
  return n === 1 ? [base] : Array.from({ length: n }, (_, i) => `${base}_${i}`);
}

/** `[dotted.name, tensor]` for every leaf of a parameter tree, in the order `flattenTree` takes them (sorted keys). */
function leaves(tree: ParamTree, prefix = ""): [string, Tensor][] {
  return Object.keys(tree)
    .sort()
    .flatMap((k): [string, Tensor][] => {
      const v = tree[k]!;
      const name = prefix ? `${prefix}.${k}` : k;
      return v instanceof Tensor ? [[name, v]] : leaves(v, name);
    });
}

/**
 * Traces at batch sizes 2 and 3 (not 1, where broadcasting can take other
 * paths) when the batch axis is dynamic: an axis whose size differs between
 * the two is `k·batch`. Both traces must be the same graph up to shapes.
 */
function traceForExport(model: Exportable, inputs: Tensor[], options: ExportOnnxOptions): Traced {
  // A model is traced as a function of its weights too, so they keep their
  // names and PyTorch layouts ([out, in]) in the file instead of being baked
  // into constants by the ops on them (a transpose, a reshape).
  let fn: (...args: never[]) => unknown;
  let weights: [string, Tensor, "params" | "buffers"][] = [];
  let args: unknown[] = inputs;
  if (model instanceof Module) {
    if (inputs.length !== 1)
      throw new ArgumentError(`exportOnnx: a Module takes one input, got ${inputs.length} example inputs`);
    const state = { params: model.parameters(), buffers: model.buffers() };
    weights = leaves({ buffers: state.buffers, params: state.params }).map(([k, t]) => [
      k.slice(k.indexOf(".") + 1),
      t,
      k.startsWith("params.") ? "params" : "buffers",
    ]);
    args = [state, inputs[0]];
    fn = ((s: typeof state, x: Tensor) =>
      model.apply(s.params, x, { training: false, buffers: s.buffers })) as (...args: never[]) => unknown;
  } else if (model instanceof Graph) fn = model.run as (...args: never[]) => unknown;
  else if (typeof model === "function") fn = model as (...args: never[]) => unknown;
  else throw new ArgumentError("exportOnnx: expected a Module, a Graph or a function of tensors");

  const batch = inputs[0]!.shape[0];
  const canBeDynamic = inputs.every((t) => t.rank >= 1 && t.shape[0] === batch);
  const dynamic = options.dynamicBatch ?? (!(model instanceof Graph) && canBeDynamic);
  if (dynamic && !canBeDynamic)
    throw new ArgumentError(
      `exportOnnx: dynamicBatch needs every input to have the same axis-0 size; got shapes ${inputs.map((t) => `[${t.shape}]`).join(", ")}`,
    );
  const [leafTensors, inTree] = flattenTree(args, false, "exportOnnx");
  const at = (n: number | undefined): Graph => {
    const avals: Aval[] = leafTensors.map((t, i) => ({
      shape: n === undefined || i < weights.length ? t.shape : [n, ...t.shape.slice(1)],
      dtype: t.dtype,
    }));
    return traceAbstract(fn, inTree, avals).optimize({ fold: false, fuse: false });
  };
  if (!dynamic) {
    const graph = at(undefined);
    const dims = new Map<number, readonly Dim[]>();
    for (const v of [...graph.inputs, ...graph.nodes]) dims.set(v.id, v.shape);
    return { graph, dims, weights, dynamic };
  }
  let graph: Graph;
  let other: Graph;
  try {
    graph = at(2);
    other = at(3);
  } catch (e) {
    throw new OnnxError(
      `exportOnnx: the function does not trace with another batch size (${(e as Error).message.split("\n")[0]}); export with { dynamicBatch: false }`,
    );
  }
  return { graph, dims: batchDims(graph, other), weights, dynamic };
}

/** Each value's dims, with axes that scale with the batch size as `{ batch: k }`. */
function batchDims(g2: Graph, g3: Graph): Map<number, readonly Dim[]> {
  const differ = (why: string) =>
    new OnnxError(
      `exportOnnx: the graph changes with the batch size (${why}); export with { dynamicBatch: false }`,
    );
  if (g2.nodes.length !== g3.nodes.length || g2.inputs.length !== g3.inputs.length)
    throw differ(`${g2.nodes.length} nodes at batch 2, ${g3.nodes.length} at batch 3`);
  const dims = new Map<number, readonly Dim[]>();
  const pairs: [{ id: number; shape: readonly number[] }, { id: number; shape: readonly number[] }][] = [
    ...g2.inputs.map((v, i) => [v, g3.inputs[i]!] as [typeof v, typeof v]),
    ...g2.nodes.map((n, i) => [n, g3.nodes[i]!] as [GraphNode, GraphNode]),
  ];
  for (const [a, b] of pairs) {
    const na = a as Partial<GraphNode>;
    const nb = b as Partial<GraphNode>;
    if (a.id !== b.id || na.op !== nb.op || String(na.inputs) !== String(nb.inputs))
      throw differ(
        `node %${a.id} is ${na.op ?? "an input"} at batch 2 but ${nb.op ?? "an input"} at batch 3`,
      );
    if (a.shape.length !== b.shape.length) throw differ(`%${a.id} changes rank`);
    dims.set(
      a.id,
      a.shape.map((d, i) => {
        const e = b.shape[i]!;
        if (d === e) return d;
        if (d % 2 !== 0 || (d / 2) * 3 !== e)
          throw differ(`axis ${i} of %${a.id} is ${d} at batch 2 and ${e} at batch 3`);
        return { batch: d / 2 };
      }),
    );
  }
  return dims;
}

/**
 * broadcastTo nodes ONNX does not need: read only by ops that broadcast
 * themselves, each of which has another operand already of the result's
 * shape. Dropping them spares Expand and the run-time shape it would need.
 */
function elidableBroadcasts(graph: Graph, dims: Map<number, readonly Dim[]>): Set<number> {
  const readers = new Map<number, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs);
  const out = new Set<number>();
  const isBroadcast = (id: number) => graph.node(id)?.op === "broadcastTo";
  for (const n of graph.nodes) {
    if (n.op !== "broadcastTo" || outputs.has(n.id)) continue;
    const rs = readers.get(n.id) ?? [];
    const ok = rs.every((r) => {
      if (r.kind !== "prim" || !BROADCASTING.has(r.op)) return false;
      const full = dims.get(r.id)!;
      return r.inputs.some((i) => {
        const d = dims.get(i)!;
        return !isBroadcast(i) && d.length === full.length && d.every((x, k) => sameDim(x, full[k]!));
      });
    });
    if (ok && rs.length > 0) out.add(n.id);
  }
  return out;
}
