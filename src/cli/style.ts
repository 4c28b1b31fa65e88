/**
 * Terminal output: colours only when the stream is a terminal (and NO_COLOR
 * is unset), so piped output and files stay plain text.
 */
type Stream = { isTTY?: boolean };

const colour = (code: number, stream: Stream) => (s: string) =>
  stream.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${s}\x1b[0m` : s;

export const style = {
  bold: colour(1, process.stdout),
  dim: colour(2, process.stdout),
  green: colour(32, process.stdout),
  cyan: colour(36, process.stdout),
  red: colour(31, process.stderr),
  yellow: colour(33, process.stderr),
};

/** Formats rows as an aligned text table (first row: the header). */
export function table(rows: readonly (readonly string[])[], align: readonly ("l" | "r")[] = []): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...(r[j] ?? "")].length)));
  const pad = (s: string, j: number) => {
    const fill = " ".repeat(widths[j]! - [...s].length);
    return align[j] === "r" ? fill + s : s + fill;
  };
  return rows.map((r) => r.map(pad).join("  ").trimEnd()).join("\n");
}

/** A number for people: up to 4 significant decimals, no trailing noise. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return String(Number(v.toFixed(digits)));
}
