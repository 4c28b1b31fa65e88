import type { Tensor } from "../core/tensor.js";

function num(v: number, dtype: string): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/**
 * A short text of a tensor's values for labels and step-by-step views: the
 * number itself for a scalar, `[3, 2]` for a few values, and for larger
 * tensors the shape and the first few numbers: `[128×256] 0.1, -0.3, 0.7, …`.
 */
export function formatValue(t: Tensor, maxValues = 6): string {
  const data = t.data();
  const items = Array.from(data.subarray(0, Math.min(data.length, maxValues)), (v) => num(v, t.dtype));
  if (t.rank === 0) return items[0] ?? "";
  if (data.length <= maxValues && t.rank === 1) return `[${items.join(", ")}]`;
  if (data.length <= maxValues) return `[${t.shape.join("×")}] ${items.join(", ")}`;
  return `[${t.shape.join("×")}] ${items.join(", ")}, …`;
}
