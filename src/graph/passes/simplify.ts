import type { PrimAttrs } from "../../core/primitives.js";
import { shapesEqual } from "../../core/shape.js";
import type { Graph } from "../graph.js";
import { type GraphNode, type PrimNode, primNode } from "../ir.js";
import { remapNode, withNodes } from "./util.js";

/** The value every element of `id` has, when it is a constant (possibly reshaped or broadcast) of one value. */
function splatValue(id: number, defs: ReadonlyMap<number, GraphNode>): number | undefined {
  const n = defs.get(id);
  if (!n) return undefined;
  if (n.kind === "const") {
    const data = n.value.data();
    const first = data[0];
    return first !== undefined && data.every((v) => v === first) ? first : undefined;
  }
  if (n.kind === "prim" && (n.op === "broadcastTo" || n.op === "reshape"))
    return splatValue(n.inputs[0]!, defs);
  return undefined;
}

/**
 * What node `n` simplifies to: the id of an existing value it equals, a new
 * node that replaces it, or undefined to keep it.
 */
function rewrite(n: PrimNode, defs: ReadonlyMap<number, GraphNode>, g: Graph): number | PrimNode | undefined {
  const [a, b] = n.inputs;
  const def = (id: number) => defs.get(id);
  const isSplat = (id: number | undefined, v: number) => id !== undefined && splatValue(id, defs) === v;
  const sameType = (id: number) => {
    const d = def(id) ?? g.value(id);
    return d.dtype === n.dtype && shapesEqual(d.shape, n.shape);
  };
  switch (n.op) {
    case "add":
      if (isSplat(b, 0) && sameType(a!)) return a; // x + 0
      if (isSplat(a, 0) && sameType(b!)) return b; // 0 + x
      return undefined;
    case "sub":
      return isSplat(b, 0) ? a : undefined; // x − 0
    case "mul":
      if (isSplat(b, 1) && sameType(a!)) return a; // x · 1
      if (isSplat(a, 1) && sameType(b!)) return b; // 1 · x
      return undefined;
    case "div":
    case "pow":
      return isSplat(b, 1) ? a : undefined; // x / 1, x ^ 1
    case "neg": {
      const inner = def(a!);
      return inner?.kind === "prim" && inner.op === "neg" ? inner.inputs[0] : undefined; // −(−x)
    }
    case "where":
      return n.inputs[1] === n.inputs[2] ? n.inputs[1] : undefined; // where(c, x, x)
    case "cast":
      return sameType(a!) ? a : undefined; // cast to the same dtype
    case "reshape":
    case "broadcastTo": {
      if (sameType(a!)) return a; // reshape/broadcast to the same shape
      const inner = def(a!);
      // reshape(reshape(x)) and broadcast(broadcast(x)): one step from x
      if (inner?.kind === "prim" && inner.op === n.op) {
        const x = inner.inputs[0]!;
        const xv = def(x) ?? g.value(x);
        if (n.op === "reshape" && shapesEqual(xv.shape, n.shape)) return x;
        return { ...n, inputs: [x] };
      }
      return undefined;
    }
    case "transpose": {
      const inner = def(a!);
      if (inner?.kind !== "prim" || inner.op !== "transpose") return undefined;
      // transpose(transpose(x, p), q) = transpose(x, p∘q); the identity when that is sorted
      const p = (inner.attrs as PrimAttrs["transpose"]).perm;
      const q = (n.attrs as PrimAttrs["transpose"]).perm;
      const perm = q.map((i) => p[i]!);
      if (perm.every((v, i) => v === i)) return inner.inputs[0];
      return primNode(n.id, "transpose", { perm }, [inner.inputs[0]!], n.shape, n.dtype);
    }
    case "sum":
    case "max":
    case "prod":
      return (n.attrs as PrimAttrs["sum"]).axes.length === 0 ? a : undefined; // reduce over no axes
    default:
      return undefined;
  }
}

/**
 * Algebraic simplification: x·1, 1·x, x+0, 0+x, x−0, x/1, x^1, −(−x),
 * where(c, x, x), casts to the same dtype, reshape/broadcast to the same
 * shape, reshape and broadcast chains, double transposes, empty reductions.
 * Nodes left unused are removed by DCE afterwards.
 */
export function simplify(g: Graph): Graph {
  const defs = new Map<number, GraphNode>();
  const replaced = new Map<number, number>();
  const sub = (id: number) => replaced.get(id) ?? id;
  const nodes: GraphNode[] = [];
  for (const old of g.nodes) {
    const n = remapNode(old, sub);
    const r = n.kind === "prim" ? rewrite(n, defs, g) : undefined;
    if (typeof r === "number") {
      replaced.set(n.id, r);
      continue;
    }
    if (typeof r === "object") {
      // The new node takes the old one's place and id, so readers need no renaming.
      defs.set(n.id, r);
      nodes.push(r);
      continue;
    }
    defs.set(n.id, n);
    nodes.push(n);
  }
  return withNodes(g, "simplify", nodes, g.outputs.map(sub));
}
