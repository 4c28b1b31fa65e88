/**
 * The benchmark's results as one SVG picture: for each workload, every
 * implementation's speed relative to the fastest peer on that workload, on a
 * log scale (right of the line at 1: faster than every peer). grafo's rows are
 * filled circles, peers hollow squares; each row keeps one colour throughout.
 * Written by run.ts beside results.md, from the same measurements.
 */

/** One implementation's row: its name, whether it is grafo, and its time (ms) per workload (undefined: n/a). */
export interface PlotRow {
  readonly name: string;
  readonly isGrafo: boolean;
  readonly ms: readonly (number | undefined)[];
}

/** Colours for grafo's rows (warm) and the peers' (cool), handed out in row order. */
const GRAFO_COLOURS = [
  "#8c564b",
  "#e377c2",
  "#d62728",
  "#ff7f0e",
  "#9467bd",
  "#bcbd22",
  "#7f0000",
  "#f7b6d2",
];
const PEER_COLOURS = ["#1f77b4", "#17becf", "#2ca02c", "#98df8a", "#7f7f7f", "#aec7e8", "#393b79", "#c7c7c7"];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Powers of ten between lo and hi for the axis ticks (with their 2× and 5× when the range is short). */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const steps = Math.log10(hi / lo) > 4 ? [1] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of steps) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  return out;
}

const tickLabel = (v: number) => (v >= 1 ? `${v}×` : `1/${Math.round(1 / v)}`);

/** The SVG document: `titles` are the workloads' names, each row's `ms` in the same order. */
export function plotSvg(titles: readonly string[], rows: readonly PlotRow[], caption: string): string {
  const peers = rows.filter((r) => !r.isGrafo);
  const bestPeer = titles.map((_, w) => {
    const t = peers.map((p) => p.ms[w]).filter((x): x is number => x !== undefined);
    return t.length ? Math.min(...t) : undefined;
  });
  const speed = (r: PlotRow, w: number): number | undefined => {
    const [t, best] = [r.ms[w], bestPeer[w]];
    return t !== undefined && best !== undefined ? best / t : undefined;
  };
  const speeds = rows.flatMap((r) => titles.map((_, w) => speed(r, w))).filter((x): x is number => x! > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(0.5, ...speeds)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(2, ...speeds)));

  const [left, right, top, band] = [190, 30, 46, 34];
  const width = 960;
  const plotW = width - left - right;
  const x = (v: number) => left + (plotW * Math.log10(v / lo)) / Math.log10(hi / lo);
  const legendRows = Math.ceil(rows.length / 3);
  const axisY = top + band * titles.length;
  const height = axisY + 44 + 20 * legendRows + 28;
  const colour = new Map<string, string>();
  let [g, p] = [0, 0];
  for (const r of rows)
    colour.set(
      r.name,
      r.isGrafo ? GRAFO_COLOURS[g++ % GRAFO_COLOURS.length]! : PEER_COLOURS[p++ % PEER_COLOURS.length]!,
    );
  const marker = (r: PlotRow, cx: number, cy: number) =>
    r.isGrafo
      ? `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${colour.get(r.name)}" fill-opacity="0.85"/>`
      : `<rect x="${(cx - 4.5).toFixed(1)}" y="${(cy - 4.5).toFixed(1)}" width="9" height="9" fill="none" stroke="${colour.get(r.name)}" stroke-width="2"/>`;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Speed relative to the fastest peer (log scale; right of 1×: faster than every peer)</text>`,
    `<text x="${left}" y="36" fill="#555">${escape(caption)}</text>`,
  ];
  for (const v of ticks(lo, hi)) {
    const tx = x(v);
    const one = Math.abs(v - 1) < 1e-9;
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${top}" x2="${tx.toFixed(1)}" y2="${axisY}" stroke="${one ? "#222" : "#ddd"}" stroke-width="${one ? 1.5 : 1}"/>`,
      `<text x="${tx.toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#333">${tickLabel(v)}</text>`,
    );
  }
  titles.forEach((title, w) => {
    const cy = top + band * w + band / 2;
    parts.push(
      `<line x1="${left}" y1="${cy}" x2="${width - right}" y2="${cy}" stroke="#f0f0f0"/>`,
      `<text x="${left - 10}" y="${cy + 4}" text-anchor="end">${escape(title)}</text>`,
    );
    if (bestPeer[w] === undefined) {
      parts.push(`<text x="${left + 8}" y="${cy + 4}" fill="#888">no peer ran this workload</text>`);
      return;
    }
    // Markers at equal speeds are nudged up and down so none hides another.
    const placed: number[] = [];
    for (const r of rows) {
      const s = speed(r, w);
      if (s === undefined) continue;
      const cx = x(s);
      const clash = placed.filter((px) => Math.abs(px - cx) < 8).length;
      placed.push(cx);
      parts.push(marker(r, cx, cy + (clash % 2 ? 1 : -1) * Math.ceil(clash / 2) * 7));
    }
  });
  parts.push(
    `<text x="${left + plotW / 2}" y="${axisY + 34}" text-anchor="middle" fill="#333">fastest peer's time ÷ this implementation's time</text>`,
  );
  rows.forEach((r, i) => {
    const lx = left + (i % 3) * (plotW / 3);
    const ly = axisY + 56 + Math.floor(i / 3) * 20;
    parts.push(marker(r, lx, ly - 4), `<text x="${lx + 12}" y="${ly}">${escape(r.name)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
