/**
 * Slide L9 in the browser: the squared loss of a linear predictor over its
 * two weights (a convex bowl) beside that of the smallest net (two valleys),
 * as heat maps, with the path gradient descent takes from a point the learner
 * clicks.
 */
import { grad, linspace, type Tensor, tensor } from "../src/index.js";
import { paintMap } from "./heatmap.js";

const G = 60;
const RANGE = 3;

interface Model {
  /** ŷ for parameters p (rows) over the data x. */
  predict: (p0: Tensor, p1: Tensor, x: Tensor) => Tensor;
  target: (x: Tensor) => Tensor;
  start: [number, number];
}

export const MODELS: Record<"linear" | "net", Model> = {
  linear: {
    predict: (w0, w1, x) => w0.add(w1.mul(x)),
    target: (x) => x.mul(0.8).add(0.5),
    start: [-2.5, -2.5],
  },
  net: {
    predict: (a, b, x) => a.mul(b.mul(x).tanh()),
    target: (x) => x.mul(2).tanh().mul(1.5),
    start: [-0.3, 2.6],
  },
};

const xs = linspace(-2, 2, 40);

/** Mean squared error over a G×G grid of the two parameters: rows the first, columns the second, both over [−3, 3]. */
export function surface(m: Model): Float32Array {
  const axis = linspace(-RANGE, RANGE, G);
  const x = xs.reshape([1, 1, -1]);
  return m
    .predict(axis.reshape([G, 1, 1]), axis.reshape([1, G, 1]), x)
    .sub(m.target(xs).reshape([1, 1, -1]))
    .square()
    .mean(-1)
    .data() as Float32Array;
}

/** Gradient descent on the model's loss from `start`: the points visited, the start included. */
export function descend(m: Model, start: [number, number], lr: number, steps: number): [number, number][] {
  const y = m.target(xs);
  const loss = (p: Tensor) => m.predict(p.index(0), p.index(1), xs).sub(y).square().mean();
  const dLoss = grad(loss);
  let p = tensor(start);
  const path: [number, number][] = [start];
  for (let i = 0; i < steps; i++) {
    p = p.sub(dLoss(p).mul(lr));
    const [a, b] = p.data() as Float32Array;
    if (!Number.isFinite(a!) || !Number.isFinite(b!) || Math.abs(a!) > 100 || Math.abs(b!) > 100) break;
    path.push([a!, b!]);
  }
  return path;
}

/** Grid pairs whose midpoint lies above their chord (0 for a convex surface). */
export function convexityViolations(values: ArrayLike<number>): number {
  let bad = 0;
  const step = 3; // a coarser sub-grid keeps this to a few milliseconds
  const pts: [number, number][] = [];
  for (let i = 0; i < G; i += step) for (let j = 0; j < G; j += step) pts.push([i, j]);
  for (let p = 0; p < pts.length; p++)
    for (let q = p + 1; q < pts.length; q++) {
      const [pi, pj] = pts[p]!;
      const [qi, qj] = pts[q]!;
      if ((pi + qi) % 2 || (pj + qj) % 2) continue;
      const m = ((pi + qi) / 2) * G + (pj + qj) / 2;
      if (values[m]! > (values[pi * G + pj]! + values[qi * G + qj]!) / 2 + 1e-6) bad++;
    }
  return bad;
}

export class SurfaceView {
  private surfaces = new Map<string, Float32Array>();
  private starts: Record<string, [number, number]> = { linear: MODELS.linear.start, net: MODELS.net.start };

  constructor(
    private readonly canvases: Record<"linear" | "net", HTMLCanvasElement>,
    private readonly outs: Record<"linear" | "net", HTMLElement>,
    private readonly convexity: HTMLElement,
    private readonly settings: () => { lr: number; steps: number },
  ) {
    for (const name of ["linear", "net"] as const) {
      const c = canvases[name];
      c.addEventListener("click", (e) => {
        const r = c.getBoundingClientRect();
        const toParam = (f: number) => Math.round((-RANGE + 2 * RANGE * f) * 100) / 100;
        this.starts[name] = [
          toParam((e.clientY - r.top) / r.height),
          toParam((e.clientX - r.left) / r.width),
        ];
        this.draw(name);
      });
      // Arrow keys move the start point, for those without a mouse.
      c.addEventListener("keydown", (e) => {
        const d: Record<string, [number, number]> = {
          ArrowUp: [-0.25, 0],
          ArrowDown: [0.25, 0],
          ArrowLeft: [0, -0.25],
          ArrowRight: [0, 0.25],
        };
        const m = d[e.key];
        if (!m) return;
        e.preventDefault();
        const [a, b] = this.starts[name]!;
        this.starts[name] = [
          Math.max(-RANGE, Math.min(RANGE, a + m[0])),
          Math.max(-RANGE, Math.min(RANGE, b + m[1])),
        ];
        this.draw(name);
      });
    }
  }

  show(): void {
    for (const name of ["linear", "net"] as const) this.draw(name);
    const v = (name: "linear" | "net") => convexityViolations(this.surfaces.get(name)!);
    this.convexity.textContent = `Midpoints above their chord on a grid of each map: linear ${v("linear")} (convex), net ${v("net")} (not convex).`;
  }

  private draw(name: "linear" | "net"): void {
    const m = MODELS[name];
    if (!this.surfaces.has(name)) this.surfaces.set(name, surface(m));
    const values = this.surfaces.get(name)!;
    // Log loss, lowest blue (+1) to highest orange (−1), so both valleys and the bowl's floor show.
    const logs = Array.from(values, (v) => Math.log(v + 1e-4));
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    const canvas = this.canvases[name];
    const side = canvas.width;
    const off = document.createElement("canvas");
    paintMap(
      off,
      logs.map((l) => 1 - (2 * (l - lo)) / (hi - lo)),
      G,
    );
    const ctx = canvas.getContext("2d")!;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, side, side);
    const { lr, steps } = this.settings();
    const path = descend(m, this.starts[name]!, lr, steps);
    const toPx = (v: number) => ((v + RANGE) / (2 * RANGE)) * side;
    ctx.beginPath();
    for (const [a, b] of path) ctx.lineTo(toPx(b), toPx(a));
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2;
    ctx.stroke();
    for (const [k, [a, b]] of [path[0]!, path.at(-1)!].entries()) {
      ctx.beginPath();
      ctx.arc(toPx(b), toPx(a), 5, 0, 2 * Math.PI);
      ctx.fillStyle = k === 0 ? "#fff" : "#111";
      ctx.fill();
      ctx.stroke();
    }
    const [a, b] = path.at(-1)!;
    const y = m.target(xs);
    const final = m.predict(tensor(a), tensor(b), xs).sub(y).square().mean().item();
    const names = name === "linear" ? ["w₀", "w₁"] : ["a", "b"];
    const fmt = (v: number) => v.toFixed(2).replace("-", "−");
    this.outs[name].textContent =
      `From (${fmt(path[0]![0])}, ${fmt(path[0]![1])}), ${path.length - 1} steps end at ${names[0]} = ${fmt(a)}, ${names[1]} = ${fmt(b)}, loss ${final.toFixed(4)}.`;
  }
}
