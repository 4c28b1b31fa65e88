/** Rendering the benchmark's tables as aligned text (console) and as Markdown (results.md). */

/** A table: a header row and body rows of equal length; the first column is a label. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Fixed-width text, label column left-aligned, figures right-aligned. */
export function renderText(t: Table): string {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? "")].length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(t.header), widths.map((w) => "-".repeat(w)).join("  "), ...t.rows.map(line)].join("\n");
}

/** A GitHub-flavoured Markdown table with the figure columns right-aligned. */
export function renderMarkdown(t: Table): string {
  const line = (r: readonly string[]) => `| ${r.join(" | ")} |`;
  const rule = t.header.map((_, c) => (c === 0 ? "---" : "---:"));
  return [line(t.header), line(rule), ...t.rows.map(line)].join("\n");
}

/** About three significant digits, never in exponent notation. */
export function formatFigure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.01) return x.toFixed(3);
  return x.toPrecision(2);
}
