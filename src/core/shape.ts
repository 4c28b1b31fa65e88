import { ArgumentError, ShapeError } from "./errors.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmtShape(s: Shape): string {
  return `[${s.join(",")}]`;
}

/** numpy broadcasting of two shapes, or a ShapeError naming the op. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis)) throw new ArgumentError(`${op}: axis must be an integer, got ${axis}`);
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ArgumentError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Axis list (undefined = all), sorted, unique, non-negative. */
export function normalizeAxes(
  op: string,
  axis: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = [...new Set(list.map((a) => normalizeAxis(op, a, rank)))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new ArgumentError(`${op}: repeated axis in ${JSON.stringify(axis)}`);
  return out;
}

export function checkShape(op: string, shape: readonly number[]): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ArgumentError(`${op}: invalid shape ${fmtShape(shape)}`);
  }
  checkSize(op, shape);
  return [...shape];
}

/** The most elements one tensor holds: JavaScript engines cap a typed array at 2³² elements. */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/**
 * The one check every size that comes from the user's input goes through
 * (creation functions, and the result of every primitive), so `zeros([1e10])`
 * or a broadcast of [1e5,1] with [1,1e5] is an error naming the op and the
 * size instead of a RangeError from deep inside a kernel.
 */
export function checkSize(op: string, shape: readonly number[]): number {
  const n = sizeOf(shape);
  if (n > MAX_ELEMENTS)
    throw new ArgumentError(
      `${op}: shape ${fmtShape(shape)} has ${n.toLocaleString("en-US")} elements; a tensor holds at most ${MAX_ELEMENTS.toLocaleString("en-US")} (2^32 - 1, the JavaScript engine's limit on typed arrays)`,
    );
  return n;
}
