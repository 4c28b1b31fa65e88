import type { PrimAttrs } from "../../core/primitives.js";
import type { Graph } from "../../graph/graph.js";
import type { GraphNode } from "../../graph/ir.js";
import { type ChainMatch, onlyReader } from "./chain.js";
import { attribute } from "./proto.js";

/**
 * Linear layers as Gemm, the way PyTorch writes them: grafo's
 * `matmul(x, transpose(W)) + b` with x a matrix and W stored `[out, in]`
 * becomes `Gemm(x, W, b, transB=1)` (the bias optional). `taken` are nodes
 * already in another chain, left alone.
 */
export function matchGemms(graph: Graph, taken: ReadonlySet<number>): Map<number, ChainMatch> {
  const only = onlyReader(graph);
  const node = (id: number) => graph.node(id);
  const matches = new Map<number, ChainMatch>();
  for (const mm of graph.nodes) {
    if (mm.op !== "matmul" || mm.shape.length !== 2 || taken.has(mm.id)) continue;
    if (mm.dtype !== "float32" && mm.dtype !== "float64") continue;
    const [x, wt] = mm.inputs as [number, number];
    const t = node(wt);
    if (t?.kind !== "prim" || t.op !== "transpose" || only(t.id) !== mm) continue;
    if (String((t.attrs as PrimAttrs["transpose"]).perm) !== "1,0") continue;
    const w = t.inputs[0]!;
    const inner = [t.id];
    let root: GraphNode = mm;
    let bias: number | undefined;
    const add = only(mm.id);
    if (add?.op === "add") {
      // The bias, without the broadcast of a row grafo adds first: Gemm broadcasts C itself.
      const other = add.inputs[0] === mm.id ? add.inputs[1]! : add.inputs[0]!;
      const bn = node(other);
      const viaBroadcast = bn?.op === "broadcastTo" && only(bn.id) === add;
      const b = viaBroadcast ? bn.inputs[0]! : other;
      const bs = graph.value(b).shape;
      const row = bs.length <= 2 && bs[bs.length - 1] === mm.shape[1] && (bs.length < 2 || bs[0] === 1);
      if (other !== mm.id && row) {
        if (viaBroadcast) inner.push(bn.id);
        inner.push(mm.id);
        root = add;
        bias = b;
      }
    }
    if ([root.id, ...inner].some((id) => taken.has(id))) continue;
    const inputs = bias === undefined ? [x, w] : [x, w, bias];
    matches.set(root.id, {
      inner,
      inputs,
      lower: (b, value) =>
        b.node(
          "Gemm",
          inputs.map((id) => value(id).name),
          [attribute("transB", 1)],
          "gemm",
        ),
    });
  }
  return matches;
}
