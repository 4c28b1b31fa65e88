/** Decision-boundary maps: a classifier of 2-D points coloured over the plane, with the data on top. */
import { tensor } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { label, mix, PALETTE, svgDocument, text, ticks } from "./svg-doc.js";

export interface BoundaryOptions {
  /** The samples, float `[n, 2]`. */
  readonly x: Tensor;
  /** Their classes, `[n]` (or `[n, 1]`) of 0, 1, … */
  readonly y: Tensor;
  /** The model's class for each of a batch of points `[m, 2]`, as `[m]` (or `[m, 1]`) class ids. */
  readonly classify: (points: Tensor) => Tensor;
  readonly title?: string;
  /** Grid cells per axis (default 80). */
  readonly resolution?: number;
  readonly size?: number;
}

/** The plane around the data, each grid cell tinted by the class the model gives it; samples as dots. */
export function decisionBoundarySvg(o: BoundaryOptions): string {
  if (o.x.rank !== 2 || o.x.shape[1] !== 2)
    throw new ArgumentError(`decisionBoundarySvg: x must be [n, 2], got [${o.x.shape.join(", ")}]`);
  const pts = o.x.data();
  const labels = o.y.data();
  const n = o.x.shape[0]!;
  if (labels.length !== n)
    throw new ArgumentError(`decisionBoundarySvg: ${n} samples but ${labels.length} labels`);
  const xs = Array.from({ length: n }, (_, i) => Number(pts[2 * i]));
  const ys = Array.from({ length: n }, (_, i) => Number(pts[2 * i + 1]));
  const pad = (lo: number, hi: number) => [lo - 0.1 * (hi - lo || 1), hi + 0.1 * (hi - lo || 1)] as const;
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const res = o.resolution ?? 80;
  const grid = new Float32Array(res * res * 2);
  for (let i = 0; i < res; i++)
    for (let j = 0; j < res; j++) {
      grid[2 * (i * res + j)] = x0 + ((j + 0.5) / res) * (x1 - x0);
      grid[2 * (i * res + j) + 1] = y1 - ((i + 0.5) / res) * (y1 - y0);
    }
  const classes = o.classify(tensor(grid, [res * res, 2])).data();
  const size = o.size ?? 400;
  const left = 44;
  const top = o.title ? 34 : 12;
  const cell = size / res;
  const body: string[] = [];
  if (o.title)
    body.push(text(left + size / 2, 20, o.title, 'text-anchor="middle" font-size="14" font-weight="bold"'));
  for (let i = 0; i < res; i++)
    for (let j = 0; j < res; j++) {
      const c = Number(classes[i * res + j]);
      body.push(
        `<rect x="${(left + j * cell).toFixed(2)}" y="${(top + i * cell).toFixed(2)}" width="${(cell + 0.4).toFixed(2)}" height="${(cell + 0.4).toFixed(2)}" fill="${mix("#ffffff", PALETTE[c % PALETTE.length]!, 0.35)}"/>`,
      );
    }
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * size;
  const py = (y: number) => top + ((y1 - y) / (y1 - y0)) * size;
  for (let k = 0; k < n; k++)
    body.push(
      `<circle cx="${px(xs[k]!).toFixed(1)}" cy="${py(ys[k]!).toFixed(1)}" r="3.5" fill="${PALETTE[Number(labels[k]) % PALETTE.length]}" stroke="white" stroke-width="0.8"/>`,
    );
  for (const t of ticks(x0, x1, 5))
    body.push(text(px(t), top + size + 16, label(t), 'text-anchor="middle" fill="#374151"'));
  for (const t of ticks(y0, y1, 5))
    body.push(text(left - 6, py(t) + 4, label(t), 'text-anchor="end" fill="#374151"'));
  body.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#374151"/>`);
  return svgDocument(left + size + 12, top + size + 28, body);
}
