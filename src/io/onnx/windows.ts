import type { PrimAttrs, WindowAttrs } from "../../core/primitives.js";
import type { Graph } from "../../graph/graph.js";
import type { GraphNode } from "../../graph/ir.js";
import type { Dim, OnnxGraphBuilder } from "./builder.js";
import { type ChainMatch, type OnlyReader, onlyReader } from "./chain.js";
import { windowAttributes } from "./lower.js";
import { attribute } from "./proto.js";

/**
 * Convolutions and poolings of the graph (grafo composes them from im2col,
 * a matmul or reduction and reshapes), by the id of the node each replaces.
 */
export function matchWindows(graph: Graph): Map<number, ChainMatch> {
  const only = onlyReader(graph);
  const node = (id: number) => graph.node(id);
  const matches = new Map<number, ChainMatch>();
  for (const n of graph.nodes) {
    if (n.kind !== "prim" || n.op !== "im2col") continue;
    const attrs = n.attrs as WindowAttrs;
    const m = matchConv(n, attrs, graph, only, node) ?? matchPool(n, attrs, graph, only, node);
    if (m) matches.set(m.root, m.match);
  }
  return matches;
}

type Only = OnlyReader;
type NodeOf = (id: number) => GraphNode | undefined;
type Found = { root: number; match: ChainMatch } | undefined;

function shapeOf(graph: Graph, id: number): readonly number[] {
  return graph.value(id).shape;
}

/**
 * conv2d: `reshape(matmul(broadcast(reshape(W)), im2col(x)), [N, O, oh, ow])`
 * with W of shape [O, C, kh, kw].
 */
function matchConv(im: GraphNode, attrs: WindowAttrs, graph: Graph, only: Only, node: NodeOf): Found {
  const mm = only(im.id);
  if (mm?.op !== "matmul" || mm.inputs[1] !== im.id) return undefined;
  const out = only(mm.id);
  const x = im.inputs[0]!;
  const [n, c] = shapeOf(graph, x);
  if (out?.op !== "reshape") return undefined;
  // Walk back from the matmul's left operand through the reshapes and broadcast to the weights.
  const inner = [im.id, mm.id];
  let w = mm.inputs[0]!;
  for (let wn = node(w); wn && (wn.op === "reshape" || wn.op === "broadcastTo"); wn = node(w)) {
    if (!only(wn.id)) return undefined;
    inner.push(wn.id);
    w = wn.inputs[0]!;
  }
  const ws = shapeOf(graph, w);
  const [o, , kh, kw] = ws;
  if (ws.length !== 4 || ws[1] !== c || kh !== attrs.kernel[0] || kw !== attrs.kernel[1]) return undefined;
  const natural = [n!, o!, ...windowOut(attrs, shapeOf(graph, x))];
  return {
    root: out.id,
    match: {
      inner,
      inputs: [x, w],
      lower: (b, value, dims) => {
        const conv = b.node("Conv", [value(x).name, value(w).name], windowAttributes(attrs), "conv");
        return reshaped(b, conv, natural, out.shape, dims);
      },
    },
  };
}

/**
 * maxPool2d / avgPool2d: `reshape(x, [N·C, 1, H, W])`, im2col, a max (after
 * masking padding with −∞) or a sum (then divided by the count of real
 * entries) over the window axis, and a reshape to [N, C, oh, ow].
 */
function matchPool(im: GraphNode, attrs: WindowAttrs, graph: Graph, only: Only, node: NodeOf): Found {
  const cols = shapeOf(graph, im.inputs[0]!);
  if (cols[1] !== 1 || attrs.dilation.some((d) => d !== 1)) return undefined;
  // Pool the NCHW tensor the channels were folded from ([N, C, H, W] → [N·C, 1, H, W]) when
  // nothing else reads the fold; otherwise (the fold merged with an earlier reshape) the folded tensor.
  const flat = node(im.inputs[0]!);
  const source = flat?.op === "reshape" && only(flat.id) ? shapeOf(graph, flat.inputs[0]!) : [];
  const unfolds =
    source.length === 4 &&
    source[0]! * source[1]! === cols[0] &&
    source[2] === cols[2] &&
    source[3] === cols[3];
  const x = unfolds ? flat!.inputs[0]! : im.inputs[0]!;
  const xs = shapeOf(graph, x);
  const inner = unfolds ? [flat!.id, im.id] : [im.id];
  const isConst = (id: number) => {
    const v = node(id);
    return v?.kind === "const" || (v?.op === "broadcastTo" && node(v.inputs[0]!)?.kind === "const");
  };
  let cur = only(im.id);
  if (cur?.op === "where" && cur.inputs[1] === im.id && isConst(cur.inputs[0]!) && isConst(cur.inputs[2]!)) {
    inner.push(cur.id);
    cur = only(cur.id);
  }
  const axes = cur?.kind === "prim" ? (cur.attrs as PrimAttrs["sum"]).axes : undefined;
  if (!cur || (cur.op !== "max" && cur.op !== "sum") || axes?.length !== 1 || axes[0] !== 1) return undefined;
  const kind = cur.op === "max" ? "max" : "avg";
  inner.push(cur.id);
  cur = only(cur.id);
  if (kind === "avg") {
    if (cur?.op !== "div" || cur.inputs[0] !== inner[inner.length - 1] || !isConst(cur.inputs[1]!))
      return undefined;
    inner.push(cur.id);
    cur = only(cur.id);
  }
  if (cur?.op !== "reshape") return undefined;
  const root = cur;
  const op = kind === "max" ? "MaxPool" : "AveragePool";
  const window = windowAttributes(attrs, false);
  const natural = [xs[0]!, xs[1]!, ...windowOut(attrs, xs)];
  return {
    root: root.id,
    match: {
      inner,
      inputs: [x],
      lower: (b, value, dims) => {
        const attributes = kind === "avg" ? [...window, attribute("count_include_pad", 0)] : window;
        return reshaped(b, b.node(op, [value(x).name], attributes), natural, root.shape, dims);
      },
    },
  };
}

/** Output height and width of a window op on an NCHW shape. */
function windowOut(attrs: WindowAttrs, shape: readonly number[]): [number, number] {
  const [pt, pb, pl, pr] = attrs.pad;
  const size = (i: 0 | 1, extent: number) =>
    Math.floor((extent - attrs.dilation[i] * (attrs.kernel[i] - 1) - 1) / attrs.stride[i]) + 1;
  return [size(0, shape[2]! + pt + pb), size(1, shape[3]! + pl + pr)];
}

/**
 * The op's NCHW result, reshaped when the graph's reshape after the window
 * (which simplification may have merged with a flatten) wants another shape.
 */
function reshaped(
  b: OnnxGraphBuilder,
  name: string,
  natural: readonly number[],
  want: readonly number[],
  dims: readonly Dim[],
): string {
  if (natural.length === want.length && natural.every((d, i) => d === want[i])) return name;
  return b.node("Reshape", [name, b.shape(dims, true)]);
}
