import { sizeOf } from "../../core/shape.js";
import type { Graph } from "../graph.js";
import { ELEMENTWISE, type FusedNode, type GraphNode, type PrimNode } from "../ir.js";
import { buildLoop } from "../kernel/loop.js";
import { dce } from "./dce.js";
import { withNodes } from "./util.js";

const REDUCTIONS = new Set(["sum", "max", "prod"]);

/**
 * Elementwise fusion: a chain of elementwise primitives, each read only by the
 * next, becomes one `fused` node that a compiled plan runs as a single loop
 * (one pass over memory, no intermediate arrays). Broadcasts and reshapes of
 * the chain's inputs become index arithmetic inside the loop, and a chain that
 * ends in a sum/max/prod over leading or trailing axes folds into the
 * reduction's loop. Values read elsewhere, or that are outputs, end a chain.
 */
export function fuse(g: Graph): Graph {
  const readers = new Map<number, Set<number>>();
  for (const n of g.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? new Set()).add(n.id));
  const outputs = new Set(g.outputs);
  const defs = new Map<number, PrimNode>();
  const order = new Map<number, number>();
  g.nodes.forEach((n, k) => {
    order.set(n.id, k);
    if (n.kind === "prim") defs.set(n.id, n);
  });
  const absorbed = new Set<number>();
  const fused = new Map<number, FusedNode>();

  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const root = g.nodes[k]!;
    if (root.kind !== "prim" || absorbed.has(root.id)) continue;
    if (!ELEMENTWISE.has(root.op) && !REDUCTIONS.has(root.op)) continue;
    const loopSize = sizeOf(REDUCTIONS.has(root.op) ? g.value(root.inputs[0]!).shape : root.shape);
    const group = new Set<number>([root.id]);
    const privateTo = (members: ReadonlySet<number>, id: number) =>
      !outputs.has(id) && [...(readers.get(id) ?? [])].every((r) => members.has(r));
    const private_ = (id: number) => privateTo(group, id);
    // A producer joins when only the group reads it and it fits the loop. Broadcasts
    // (and the reshapes under them) are index arithmetic, so they may join several
    // groups: each group recomputes them for free, and DCE drops them once unread.
    let grew = true;
    const grow = (id: number): void => {
      const p = defs.get(id);
      if (!p || absorbed.has(id) || group.has(id)) return;
      if (!private_(id) && p.op !== "broadcastTo") return;
      const fits =
        (ELEMENTWISE.has(p.op) && sizeOf(p.shape) === loopSize) ||
        (p.op === "reshape" && sizeOf(p.shape) === loopSize) ||
        p.op === "broadcastTo";
      if (!fits) return;
      group.add(id);
      grew = true;
      if (p.op === "broadcastTo") {
        const under = defs.get(p.inputs[0]!);
        if (under?.op === "reshape") group.add(under.id);
        return;
      }
      p.inputs.forEach(grow);
    };
    // Until nothing joins: a producer read twice inside the group (x·x) joins once both readers have.
    while (grew) {
      grew = false;
      for (const id of [...group]) defs.get(id)!.inputs.forEach(grow);
    }
    let body = [...group].sort((a, b) => order.get(a)! - order.get(b)!).map((id) => defs.get(id)!);
    if (!buildLoop(body, g)) {
      // Broadcasts that do not fit the loop's index split stay outside as ordinary nodes. A
      // broadcast scalar (ReLU's zero) always fits, so first only the others leave: a conv
      // bias [1,c,1,1] must not take the zero out with it.
      const isScalar = (n: PrimNode) => sizeOf(g.value(n.inputs[0]!).shape) === 1;
      const outside = (keep: (n: PrimNode) => boolean) => {
        const keptReshapes = new Set(
          body.filter((n) => n.op === "broadcastTo" && keep(n)).map((n) => n.inputs[0]!),
        );
        let kept = body.filter(
          (n) =>
            n === root || (n.op === "broadcastTo" ? keep(n) : n.op !== "reshape" || keptReshapes.has(n.id)),
        );
        // A producer read only through a broadcast that stayed outside is no longer the group's alone.
        for (let before = -1; before !== kept.length; ) {
          before = kept.length;
          const ids = new Set(kept.map((n) => n.id));
          kept = kept.filter((n) => n === root || privateTo(ids, n.id));
        }
        return kept;
      };
      body = outside(isScalar);
      if (!buildLoop(body, g)) body = outside(() => false);
      if (!buildLoop(body, g)) continue;
    }
    if (body.length < 2) continue;
    const inside = new Set(body.map((n) => n.id));
    const inputs = [...new Set(body.flatMap((n) => n.inputs.filter((i) => !inside.has(i))))];
    for (const n of body) if (n !== root && privateTo(inside, n.id)) absorbed.add(n.id);
    fused.set(root.id, {
      kind: "fused",
      op: "fused",
      id: root.id,
      inputs,
      shape: root.shape,
      dtype: root.dtype,
      body,
    });
  }
  const nodes: GraphNode[] = g.nodes.filter((n) => !absorbed.has(n.id)).map((n) => fused.get(n.id) ?? n);
  // Shared broadcasts that every reader took inside its kernel are now unread.
  return dce(withNodes(g, "fuse", nodes, g.outputs));
}
