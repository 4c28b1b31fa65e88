const BARS = "▁▂▃▄▅▆▇█";

/**
 * A one-line picture of a series for the terminal (`▇▅▃▂▂▁▁`), e.g. the loss
 * over the epochs. Longer series are averaged down to `width` characters.
 */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "";
  const n = Math.min(width, values.length);
  const points = Array.from({ length: n }, (_, i) => {
    const part = values.slice(Math.floor((i * values.length) / n), Math.floor(((i + 1) * values.length) / n));
    const ok = part.filter(Number.isFinite);
    return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN;
  });
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return points
    .map((v) => {
      if (!Number.isFinite(v)) return " ";
      const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      return BARS[Math.min(BARS.length - 1, Math.round(t * (BARS.length - 1)))];
    })
    .join("");
}
