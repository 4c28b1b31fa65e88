/** A function of two variables over a grid as an SVG heat map: the loss-surface pictures of slide L9. */
import { ArgumentError } from "../core/errors.js";
import { label, svgDocument, text, ticks, viridis } from "./svg-doc.js";

export interface HeatMapOptions {
  readonly title?: string;
  /** Range of the columns (x, across) and rows (y, up). */
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Points to mark (minima, a path), in the same coordinates. */
  readonly marks?: readonly { x: number; y: number; label?: string }[];
  /** Colour by log(value) (surfaces whose valleys are much lower than their walls). Default true. */
  readonly logScale?: boolean;
  readonly size?: number;
}

/**
 * values[i][j] is the function at row i (y from yRange[0] at the bottom up
 * to yRange[1]) and column j (x from xRange[0] to xRange[1]); low values dark,
 * high values bright.
 */
export function heatMapSvg(values: readonly (readonly number[])[], o: HeatMapOptions): string {
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  if (rows < 2 || cols < 2 || values.some((r) => r.length !== cols))
    throw new ArgumentError("heatMapSvg: values must be a rectangular grid of at least 2×2");
  const size = o.size ?? 360;
  const left = 56;
  const top = o.title ? 34 : 12;
  const [cw, ch] = [size / cols, size / rows];
  const logScale = o.logScale ?? true;
  const flat = values.flat().filter(Number.isFinite);
  const lo = Math.min(...flat);
  const f = (v: number) => (logScale ? Math.log(v - lo + 1e-3) : v);
  const [fLo, fHi] = [Math.min(...flat.map(f)), Math.max(...flat.map(f))];
  const body: string[] = [];
  if (o.title)
    body.push(text(left + size / 2, 20, o.title, 'text-anchor="middle" font-size="14" font-weight="bold"'));
  values.forEach((r, i) => {
    r.forEach((v, j) => {
      const t = fHi > fLo ? (f(v) - fLo) / (fHi - fLo) : 0;
      const x = left + j * cw;
      const y = top + (rows - 1 - i) * ch;
      body.push(
        `<rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${(cw + 0.5).toFixed(2)}" height="${(ch + 0.5).toFixed(2)}" fill="${viridis(t)}"/>`,
      );
    });
  });
  const [x0, x1] = o.xRange;
  const [y0, y1] = o.yRange;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * size;
  const py = (y: number) => top + size - ((y - y0) / (y1 - y0)) * size;
  for (const t of ticks(x0, x1, 6))
    body.push(text(px(t), top + size + 16, label(t), 'text-anchor="middle" fill="#374151"'));
  for (const t of ticks(y0, y1, 6))
    body.push(text(left - 6, py(t) + 4, label(t), 'text-anchor="end" fill="#374151"'));
  body.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#374151"/>`);
  if (o.xLabel) body.push(text(left + size / 2, top + size + 34, o.xLabel, 'text-anchor="middle"'));
  if (o.yLabel)
    body.push(
      text(14, top + size / 2, o.yLabel, `text-anchor="middle" transform="rotate(-90 14 ${top + size / 2})"`),
    );
  for (const m of o.marks ?? []) {
    body.push(
      `<circle cx="${px(m.x).toFixed(1)}" cy="${py(m.y).toFixed(1)}" r="5" fill="none" stroke="white" stroke-width="2"/>`,
    );
    if (m.label) body.push(text(px(m.x) + 8, py(m.y) - 8, m.label, 'fill="white" font-weight="bold"'));
  }
  return svgDocument(left + size + 16, top + size + 44, body);
}
