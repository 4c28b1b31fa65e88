/** Line charts as SVG: loss and metric curves over the epochs of training. */
import { label, PALETTE, svgDocument, text, ticks } from "./svg-doc.js";

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

export interface LineChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Plot the y axis on a log scale (for losses spanning decades; needs positive values). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** One chart's elements inside the box at (x0, y0) of size w × h. */
function panel(
  series: readonly Series[],
  o: LineChartOptions,
  x0: number,
  y0: number,
  w: number,
  h: number,
): string[] {
  const left = x0 + 56;
  const right = x0 + w - 12;
  const top = y0 + (o.title ? 30 : 12);
  const bottom = y0 + h - 40;
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const logY = Boolean(o.logY) && all.length > 0 && all.every((v) => v > 0);
  const f = (v: number) => (logY ? Math.log10(v) : v);
  let lo = all.length ? Math.min(...all.map(f)) : 0;
  let hi = all.length ? Math.max(...all.map(f)) : 1;
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const sx = (i: number) => left + (n === 1 ? 0 : (i / (n - 1)) * (right - left));
  const sy = (v: number) => bottom - ((f(v) - lo) / (hi - lo)) * (bottom - top);
  const out: string[] = [];
  if (o.title)
    out.push(text(x0 + w / 2, y0 + 18, o.title, 'text-anchor="middle" font-size="14" font-weight="bold"'));
  const yTicks = logY
    ? ticks(Math.floor(lo), Math.ceil(hi), 4)
        .filter((t) => Number.isInteger(t) && t >= Math.floor(lo) && t <= Math.ceil(hi))
        .map((t) => 10 ** t)
        .filter((v) => f(v) >= lo - 1e-9 && f(v) <= hi + 1e-9)
    : ticks(lo, hi, 5);
  for (const t of yTicks) {
    const y = sy(t);
    out.push(`<line x1="${left}" x2="${right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e7eb"/>`);
    out.push(text(left - 6, y + 4, label(t), 'text-anchor="end" fill="#374151"'));
  }
  const xTicks = ticks(1, n, Math.min(6, n)).filter((t) => Number.isInteger(t));
  for (const t of xTicks)
    out.push(text(sx(t - 1), bottom + 16, String(t), 'text-anchor="middle" fill="#374151"'));
  out.push(
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#9ca3af"/>`,
  );
  if (o.xLabel) out.push(text((left + right) / 2, bottom + 32, o.xLabel, 'text-anchor="middle"'));
  if (o.yLabel)
    out.push(
      text(
        x0 + 14,
        (top + bottom) / 2,
        o.yLabel,
        `text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${(top + bottom) / 2})"`,
      ),
    );
  series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length]!;
    const pts = s.values.flatMap((v, i) =>
      Number.isFinite(v) ? [`${sx(i).toFixed(1)},${sy(v).toFixed(1)}`] : [],
    );
    if (pts.length > 1)
      out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    else if (pts.length === 1) {
      const [x, y] = pts[0]!.split(",");
      out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${colour}"/>`);
    }
    const ly = top + 14 + k * 16;
    out.push(
      `<line x1="${right - 110}" x2="${right - 92}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/>`,
    );
    out.push(text(right - 88, ly, s.name, 'fill="#111827"'));
  });
  return out;
}

/** A line chart of one or more series over their index (1, 2, … : epochs). */
export function lineChart(series: readonly Series[], options: LineChartOptions = {}): string {
  const w = options.width ?? 560;
  const h = options.height ?? 340;
  return svgDocument(w, h, panel(series, options, 0, 0, w, h));
}

/**
 * Training curves from fit's logs (`history.history`): one chart for the loss
 * and one for each metric, each with its validation counterpart (`valLoss`, …).
 */
export function trainingCurves(logs: Readonly<Record<string, readonly number[]>>, title?: string): string {
  const names = Object.keys(logs).filter((k) => !/^val[A-Z]/.test(k));
  const valOf = (k: string) => `val${k[0]!.toUpperCase()}${k.slice(1)}`;
  const w = 480;
  const h = 320;
  const top = title ? 28 : 0;
  const body = title
    ? [text((w * names.length) / 2, 20, title, 'text-anchor="middle" font-size="15" font-weight="bold"')]
    : [];
  names.forEach((k, i) => {
    const series: Series[] = [{ name: "training", values: logs[k]! }];
    if (logs[valOf(k)]) series.push({ name: "validation", values: logs[valOf(k)]! });
    body.push(
      ...panel(series, { title: k, xLabel: "epoch", logY: /loss|mse|mae/i.test(k) }, i * w, top, w, h),
    );
  });
  return svgDocument(w * Math.max(1, names.length), h + top, body);
}
