/**
 * Slides L3 and L4 in the browser: the XOR network with weights set by hand,
 * h(x) = 1[V·φ(x) ≥ 0], φ(x) = [1, x₁, x₂], f(x) = sign(w·h(x)), evaluated by
 * grafo on the lecture's four points and over the plane.
 */
import { concat, data, greater, ones, step, type Tensor, tensor, where } from "../src/index.js";
import { paintMap } from "./heatmap.js";
import { rasterPoints } from "./raster.js";

export const V = tensor([
  [-1, 1, -1],
  [-1, -1, 1],
]);
export const W = tensor([1, 1]);

/** The network on points x `[n, 2]`: V·φ(x), h(x), w·h(x) and f(x), sign(0) = −1 as on the slide. */
export function handSetXor(x: Tensor) {
  const phi = concat([ones([x.shape[0]!, 1]), x], 1);
  const scores = phi.matmul(V.T);
  const h = step(scores);
  const out = h.matmul(W);
  const f = where(greater(out, 0), 1, -1);
  return { scores, h, out, f };
}

const rows = (t: Tensor) => t.toArray() as number[][];
const sign = (v: number) => (v > 0 ? "+1" : "−1");
const vec = (v: number[]) => `[${v.map((x) => String(x).replace("-", "−")).join(", ")}]`;

export function showXor(
  table: HTMLTableElement,
  map: HTMLCanvasElement,
  vOut: HTMLElement,
  wOut: HTMLElement,
): void {
  const { x, y } = data.lectureXor();
  const r = handSetXor(x);
  vOut.textContent = `[${rows(V).map(vec).join(", ")}]`;
  wOut.textContent = vec(Array.from(W.data()));
  const xs = rows(x);
  const body = table.tBodies[0]!;
  body.replaceChildren(
    ...xs.map((p, i) => {
      const tr = document.createElement("tr");
      const cells = [
        vec(p),
        vec(rows(r.scores)[i]!),
        vec(rows(r.h)[i]!),
        String(r.out.data()[i]),
        sign(r.f.data()[i]!),
        sign(y.data()[i]!),
      ];
      for (const c of cells) {
        const td = document.createElement("td");
        td.textContent = c;
        tr.append(td);
      }
      return tr;
    }),
  );
  // f over [−1, 3]², the plane the four points sit in, on a 120×120 raster.
  const side = 120;
  const plane = rasterPoints(side, -1, 3);
  const off = document.createElement("canvas");
  paintMap(
    off,
    handSetXor(tensor(plane, [side * side, 2]))
      .f.mul(0.6)
      .data(),
    side,
  );
  const ctx = map.getContext("2d")!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, map.width, map.height);
  xs.forEach(([a, b], i) => {
    ctx.beginPath();
    ctx.arc(((a! + 1) / 4) * map.width, ((3 - b!) / 4) * map.height, 7, 0, 2 * Math.PI);
    ctx.fillStyle = y.data()[i]! > 0 ? "#0877bd" : "#f59322";
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2;
    ctx.stroke();
  });
}
