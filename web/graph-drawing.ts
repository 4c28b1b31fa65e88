/**
 * A traced graph drawn as SVG, leaves on the left and the root on the right,
 * with the lines each view asks for on every node and a label on every edge.
 * Drawn here rather than by Graphviz so that stepping through backprop only
 * restyles nodes instead of laying the drawing out again.
 */
import type { Graph, Tensor } from "../src/index.js";

export interface NodeLabel {
  title: string;
  lines: string[];
  /** "current": the step being shown; "done": reached already; "idle": not yet. */
  mark: "idle" | "done" | "current";
}

const W = 176;
const H = 64;
/** Between a node and its readers (room for the edge's label), and between nodes side by side. */
const GAP_DEEP = 70;
const GAP_SIDE = 20;
const SVG = "http://www.w3.org/2000/svg";

/** A tensor's numbers, short: `9`, `[6, 12]`, `[0.12, −0.3, … 8 numbers]`. */
export function shortValue(t: Tensor | undefined): string {
  if (!t) return "";
  const d = Array.from(t.data() as ArrayLike<number>, (v) => Number(v));
  // Scalars keep 4 significant digits (12.25), elements of vectors 3, so a node's line fits its box.
  const digits = d.length === 1 ? 4 : 3;
  const fmt = (v: number) =>
    String(Math.abs(v) >= 1e4 || v === Math.round(v) ? v : Number(v.toPrecision(digits))).replace("-", "−");
  if (t.shape.length === 0) return fmt(d[0]!);
  if (d.length <= 3) return `[${d.map(fmt).join(", ")}]`;
  return `[${d.slice(0, 2).map(fmt).join(", ")}, … ${d.length}]`;
}

/**
 * Where every value goes: its depth is one past its deepest input (constants
 * sit just before their first reader), leaves to root left to right, or top
 * to bottom when `vertical` (narrow screens).
 */
function layout(g: Graph, vertical: boolean): Map<number, { x: number; y: number }> {
  const depth = new Map<number, number>(g.inputs.map((v) => [v.id, 0]));
  for (const n of g.nodes)
    depth.set(n.id, n.inputs.length ? 1 + Math.max(...n.inputs.map((i) => depth.get(i)!)) : 0);
  for (const n of g.nodes)
    for (const i of n.inputs)
      if (g.node(i)?.kind === "const") depth.set(i, Math.max(depth.get(i)!, depth.get(n.id)! - 1));
  const columns = new Map<number, number[]>();
  for (const [id, d] of depth) columns.set(d, [...(columns.get(d) ?? []), id]);
  const row = new Map<number, number>();
  const pos = new Map<number, { x: number; y: number }>();
  for (const d of [...columns.keys()].sort((a, b) => a - b)) {
    const ids = columns.get(d)!;
    // Order a column by where its inputs sit, which keeps edges from crossing in these small graphs.
    const key = (id: number) => {
      const ins = g.node(id)?.inputs.filter((i) => row.has(i)) ?? [];
      return ins.length ? ins.reduce((s, i) => s + row.get(i)!, 0) / ins.length : id;
    };
    ids.sort((a, b) => key(a) - key(b));
    ids.forEach((id, k) => {
      row.set(id, k);
      const deep = d * ((vertical ? H : W) + GAP_DEEP);
      const side = k * ((vertical ? W : H) + GAP_SIDE);
      pos.set(id, vertical ? { x: 10 + side, y: 10 + deep } : { x: 10 + deep, y: 10 + side });
    });
  }
  return pos;
}

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * Draws `g` into `svg`; `label(id)` gives each value's text, `edgeLabel(from, to)`
 * each edge's. Laid out left to right, or top to bottom where that does not fit
 * the width of the svg's parent.
 */
export function drawGraph(
  svg: SVGSVGElement,
  g: Graph,
  label: (id: number) => NodeLabel,
  edgeLabel: (from: number, to: number) => string,
): void {
  const room = svg.parentElement?.clientWidth ?? Number.POSITIVE_INFINITY;
  let pos = layout(g, false);
  const wide = Math.max(...[...pos.values()].map((p) => p.x + W + 10));
  const vertical = wide > room && room > 0;
  if (vertical) pos = layout(g, true);
  let width = 0;
  let height = 0;
  for (const p of pos.values()) {
    width = Math.max(width, p.x + W + 10);
    height = Math.max(height, p.y + H + 10);
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  const edges = el("g", {});
  const nodes = el("g", {});
  for (const n of g.nodes)
    for (const i of new Set(n.inputs)) {
      const a = pos.get(i)!;
      const b = pos.get(n.id)!;
      const [x0, y0, x1, y1] = vertical
        ? [a.x + W / 2, a.y + H, b.x + W / 2, b.y]
        : [a.x + W, a.y + H / 2, b.x, b.y + H / 2];
      const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
      const curve = vertical ? `C${x0},${my} ${x1},${my}` : `C${mx},${y0} ${mx},${y1}`;
      edges.append(el("path", { d: `M${x0},${y0} ${curve} ${x1},${y1}`, fill: "none", stroke: "#9aa3ad" }));
      const text = el("text", {
        x: mx,
        y: my - 4,
        "text-anchor": "middle",
        "font-size": 11,
        fill: "#7c3aed",
        "data-edge": `${i}>${n.id}`,
      });
      text.textContent = edgeLabel(i, n.id);
      edges.append(text);
    }
  for (const [id, p] of pos) {
    const l = label(id);
    const g1 = el("g", { transform: `translate(${p.x},${p.y})`, "data-node": id, class: `node ${l.mark}` });
    const fill = l.mark === "current" ? "#fff7d6" : l.mark === "done" ? "#eef6fc" : "#fff";
    const stroke = l.mark === "current" ? "#d97706" : "#9aa3ad";
    g1.append(
      el("rect", { width: W, height: H, rx: 6, fill, stroke, "stroke-width": l.mark === "current" ? 2 : 1 }),
    );
    const title = el("text", { x: 8, y: 16, "font-size": 12, "font-weight": 600, fill: "#1f2937" });
    title.textContent = l.title;
    g1.append(title);
    l.lines.forEach((line, k) => {
      const t = el("text", {
        x: 8,
        y: 34 + k * 16,
        "font-size": 12,
        fill: k === 0 ? "#0b5e91" : "#b45309",
        "data-line": k,
      });
      t.textContent = line;
      g1.append(t);
    });
    nodes.append(g1);
  }
  svg.replaceChildren(edges, nodes);
}
