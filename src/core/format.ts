import type { DataArray, DType } from "./dtype.js";
import { sizeOf } from "./shape.js";

/** Above this many elements, print the first and last few along each axis only (as numpy does). */
const SUMMARY_THRESHOLD = 1000;
const EDGE = 3;

function formatNumber(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (dtype === "int32") return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4);
  return String(Number(v.toPrecision(dtype === "float32" ? 6 : 10)));
}

/** numpy-style text of a tensor's values: `Tensor([[1, 2], [3, 4]], dtype=float32)`. */
export function formatTensor(data: DataArray, shape: readonly number[], dtype: DType): string {
  const summarise = sizeOf(shape) > SUMMARY_THRESHOLD;
  const cells = Array.from(data, (v) => formatNumber(v, dtype));
  const width = cells.reduce((w, c) => Math.max(w, c.length), 0);
  const prefix = "Tensor(";
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === shape.length) return cells[offset]!.padStart(width);
    const n = shape[dim]!;
    const inner = sizeOf(shape.slice(dim + 1));
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarise && n > 2 * EDGE && i === EDGE) {
        items.push("...");
        i = n - EDGE - 1;
        continue;
      }
      items.push(render(dim + 1, offset + i * inner, `${indent} `));
    }
    const sep = dim === shape.length - 1 ? ", " : `,${"\n".repeat(shape.length - dim - 1)}${indent} `;
    return `[${items.join(sep)}]`;
  };
  return `${prefix}${render(0, 0, " ".repeat(prefix.length))}, dtype=${dtype})`;
}
