/** Confusion matrices: counted from labels, drawn as SVG and as terminal text. */
import { ArgumentError } from "../core/errors.js";
import { mix, svgDocument, text } from "./svg-doc.js";

/** counts[t][p]: samples of true class t predicted as class p. */
export function confusionMatrix(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  if (truth.length !== predicted.length)
    throw new ArgumentError(
      `confusionMatrix: ${truth.length} true labels but ${predicted.length} predictions`,
    );
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const [t, p] = [truth[i]!, predicted[i]!];
    if (!(Number.isInteger(t) && Number.isInteger(p) && t >= 0 && p >= 0 && t < classes && p < classes))
      throw new ArgumentError(
        `confusionMatrix: label ${t} or prediction ${p} is not a class in 0…${classes - 1}`,
      );
    m[t]![p]!++;
  }
  return m;
}

/** The matrix as aligned text: rows are true classes, columns predictions. */
export function confusionText(counts: readonly (readonly number[])[], labels: readonly string[]): string {
  const cell = Math.max(4, ...labels.map((l) => l.length), ...counts.flat().map((c) => String(c).length));
  const head = Math.max(...labels.map((l) => l.length), "true \\ predicted".length);
  const row = (first: string, cells: readonly string[]) =>
    `${first.padEnd(head)}  ${cells.map((c) => c.padStart(cell)).join(" ")}`;
  return [row("true \\ predicted", labels), ...counts.map((r, t) => row(labels[t]!, r.map(String)))].join(
    "\n",
  );
}

/** The matrix as an SVG heat map, each cell shaded by its share of its true class and labelled with its count. */
export function confusionSvg(
  counts: readonly (readonly number[])[],
  labels: readonly string[],
  title = "confusion matrix",
): string {
  const k = counts.length;
  const size = Math.max(28, Math.min(64, Math.floor(480 / Math.max(1, k))));
  const margin = { left: 24 + 7 * Math.max(...labels.map((l) => l.length), 4), top: 56 };
  const w = margin.left + k * size + 24;
  const h = margin.top + k * size + 44;
  const body = [text(w / 2, 20, title, 'text-anchor="middle" font-size="14" font-weight="bold"')];
  body.push(text(margin.left + (k * size) / 2, 42, "predicted", 'text-anchor="middle" fill="#374151"'));
  counts.forEach((r, t) => {
    const total = r.reduce((a, b) => a + b, 0);
    body.push(text(margin.left - 6, margin.top + t * size + size / 2 + 4, labels[t]!, 'text-anchor="end"'));
    r.forEach((c, p) => {
      const share = total ? c / total : 0;
      const x = margin.left + p * size;
      const y = margin.top + t * size;
      const fill = mix("#ffffff", t === p ? "#2563eb" : "#dc2626", share);
      body.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${fill}" stroke="#e5e7eb"/>`);
      body.push(
        text(
          x + size / 2,
          y + size / 2 + 4,
          String(c),
          `text-anchor="middle" fill="${share > 0.6 ? "white" : "#111827"}"`,
        ),
      );
    });
  });
  labels.forEach((l, p) => {
    body.push(text(margin.left + p * size + size / 2, margin.top + k * size + 16, l, 'text-anchor="middle"'));
  });
  body.push(
    text(
      12,
      margin.top + (k * size) / 2,
      "true",
      `text-anchor="middle" transform="rotate(-90 12 ${margin.top + (k * size) / 2})"`,
    ),
  );
  return svgDocument(w, h, body);
}
