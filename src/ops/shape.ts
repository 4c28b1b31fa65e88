import { fromData, isContiguous, permuteView, rowMajor, view } from "../backends/js/loops.js";
import { arange } from "../core/creation.js";
import { allocate, promoteTypes } from "../core/dtype.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import type { Aval } from "../core/primitives.js";
import {
  contiguousStrides,
  fmtShape,
  normalizeAxes,
  normalizeAxis,
  shapesEqual,
  sizeOf,
} from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import {
  allBatched,
  foldBatch,
  foldedIndices,
  moveAxis,
  moveBlock,
  shifted,
  unfoldBatch,
} from "./batching.js";
import { add, equal } from "./binary.js";
import { asTensor, castTo } from "./convert.js";
import { bind } from "./dispatch.js";
import type { PartialPrimitiveTable } from "./primitive.js";
import { sum } from "./reduce.js";

const same = ([x]: readonly Aval[]): Aval => x!;

function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/** Copies `inner`-long blocks: the loop concat, gather and scatterAdd share. */
function checkIndices(op: string, idx: ArrayLike<number>, size: number): void {
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < -size || v >= size)
      throw new ArgumentError(`${op}: index ${v} is out of range for an axis of size ${size}`);
  }
}

export const shapePrimitives = {
  reshape: {
    abstract: ([x], { shape }) => {
      if (sizeOf(shape) !== sizeOf(x!.shape))
        throw new ShapeError(
          `reshape: cannot reshape ${fmtShape(x!.shape)} (${sizeOf(x!.shape)} elements) to ${fmtShape(shape)}`,
        );
      return { shape, dtype: x!.dtype };
    },
    js: ([x], { shape }, out) =>
      isContiguous(x!)
        ? view(x!, shape, contiguousStrides(shape), x!._buf!.offset)
        : fromData(x!.data(), out),
    jvp: (_, [dx], { shape }) => (dx ? reshape(dx, shape) : null),
    vjp: (ct, [x]) => [reshape(ct, x!.shape)],
    vmap: ([x], _, { shape }) => reshape(x!, [x!.shape[0]!, ...shape]),
  },
  transpose: {
    abstract: ([x], { perm }) => {
      const sorted = [...perm].sort((a, b) => a - b);
      if (perm.length !== x!.shape.length || sorted.some((p, i) => p !== i)) {
        throw new ArgumentError(
          `transpose: perm [${perm}] is not a permutation of the ${x!.shape.length} axes of ${fmtShape(x!.shape)}`,
        );
      }
      return { shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
    },
    js: ([x], { perm }) => permuteView(x!, perm),
    jvp: (_, [dx], { perm }) => (dx ? transpose(dx, perm) : null),
    vjp: (ct, _, { perm }) => [transpose(ct, inversePerm(perm))],
    vmap: ([x], _, { perm }) => transpose(x!, [0, ...shifted(perm)]),
  },
  broadcastTo: {
    abstract: ([x], { shape }) => {
      const lead = shape.length - x!.shape.length;
      if (lead < 0 || x!.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
        throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(x!.shape)} to ${fmtShape(shape)}`);
      }
      return { shape, dtype: x!.dtype };
    },
    js: ([x], { shape }) => {
      const lead = shape.length - x!.rank;
      const strides = shape.map((d, i) => {
        const j = i - lead;
        return j < 0 || (x!.shape[j] === 1 && d !== 1) ? 0 : x!._buf!.strides[j]!;
      });
      return view(x!, shape, strides, x!._buf!.offset);
    },
    jvp: (_, [dx], { shape }) => (dx ? broadcastTo(dx, shape) : null),
    vjp: (ct, [x]) => [unbroadcast(ct, x!.shape)],
    // New leading axes go after the batch axis, not before it.
    vmap: ([x], _, { shape }) => {
      const [size, ...rest] = x!.shape as [number, ...number[]];
      const ones = new Array<number>(shape.length - rest.length).fill(1);
      return broadcastTo(reshape(x!, [size, ...ones, ...rest]), [size, ...shape]);
    },
  },
  slice: {
    abstract: ([x], { begin, size }) => {
      const s = x!.shape;
      if (
        begin.length !== s.length ||
        size.length !== s.length ||
        begin.some((b, i) => b < 0 || size[i]! < 0 || b + size[i]! > s[i]!)
      ) {
        throw new ShapeError(`slice: begin [${begin}] size [${size}] does not fit inside ${fmtShape(s)}`);
      }
      return { shape: size, dtype: x!.dtype };
    },
    js: ([x], { begin, size }) => {
      const buf = x!._buf!;
      const offset = begin.reduce((o, b, i) => o + b * buf.strides[i]!, buf.offset);
      return view(x!, size, buf.strides, offset);
    },
    jvp: (_, [dx], attrs) => (dx ? bind("slice", [dx], attrs) : null),
    vjp: (ct, [x], { begin, size }) => [
      bind("pad", [ct], { lo: begin, hi: x!.shape.map((d, i) => d - begin[i]! - size[i]!) }),
    ],
    vmap: ([x], _, { begin, size }) =>
      bind("slice", [x!], { begin: [0, ...begin], size: [x!.shape[0]!, ...size] }),
  },
  pad: {
    abstract: ([x], { lo, hi }) => {
      if (
        lo.length !== x!.shape.length ||
        hi.length !== x!.shape.length ||
        [...lo, ...hi].some((p) => !Number.isInteger(p) || p < 0)
      ) {
        throw new ArgumentError(
          `pad: paddings must be non-negative integers, one [before, after] pair for each of the ${x!.shape.length} axes`,
        );
      }
      return { shape: x!.shape.map((d, i) => d + lo[i]! + hi[i]!), dtype: x!.dtype };
    },
    js: ([x], { lo }, out) => {
      const o = allocate(out.dtype, sizeOf(out.shape));
      const padded = fromData(o, out);
      const inner = view(
        padded,
        x!.shape,
        padded._buf!.strides,
        lo.reduce((s, l, i) => s + l * padded._buf!.strides[i]!, 0),
      );
      copyInto(inner, x!);
      return padded;
    },
    jvp: (_, [dx], attrs) => (dx ? bind("pad", [dx], attrs) : null),
    vjp: (ct, [x], { lo }) => [bind("slice", [ct], { begin: lo, size: x!.shape })],
    vmap: ([x], _, { lo, hi }) => bind("pad", [x!], { lo: [0, ...lo], hi: [0, ...hi] }),
  },
  flip: {
    abstract: same,
    js: ([x], { axes }) => {
      const buf = x!._buf!;
      let offset = buf.offset;
      const strides = [...buf.strides];
      for (const a of axes) {
        if (x!.shape[a]! > 0) offset += (x!.shape[a]! - 1) * strides[a]!;
        strides[a] = -strides[a]!;
      }
      return view(x!, x!.shape, strides, offset);
    },
    jvp: (_, [dx], attrs) => (dx ? bind("flip", [dx], attrs) : null),
    vjp: (ct, _, attrs) => [bind("flip", [ct], attrs)],
    vmap: ([x], _, { axes }) => bind("flip", [x!], { axes: shifted(axes) }),
  },
  concat: {
    abstract: (inputs, { axis }) => {
      const first = inputs[0]!;
      let total = 0;
      for (const t of inputs) {
        if (
          t.dtype !== first.dtype ||
          t.shape.length !== first.shape.length ||
          t.shape.some((d, i) => i !== axis && d !== first.shape[i])
        ) {
          throw new ShapeError(
            `concat: shapes ${inputs.map((u) => fmtShape(u.shape)).join(", ")} do not agree except on axis ${axis}`,
          );
        }
        total += t.shape[axis]!;
      }
      return { shape: first.shape.map((d, i) => (i === axis ? total : d)), dtype: first.dtype };
    },
    js: (inputs, { axis }, out) => {
      const o = allocate(out.dtype, sizeOf(out.shape));
      const outer = sizeOf(out.shape.slice(0, axis));
      const inner = sizeOf(out.shape.slice(axis + 1));
      const rowLen = out.shape[axis]! * inner;
      let start = 0;
      for (const t of inputs) {
        const src = rowMajor(t);
        const len = t.shape[axis]! * inner;
        for (let r = 0; r < outer; r++) o.set(src.subarray(r * len, (r + 1) * len), r * rowLen + start);
        start += len;
      }
      return fromData(o, out);
    },
    jvp: (primals, tangents, { axis }) =>
      tangents.every((t) => t === null)
        ? null
        : concat(
            tangents.map((t, i) => t ?? zerosFor(primals[i]!)),
            axis,
          ),
    vjp: (ct, primals, { axis }) => {
      let start = 0;
      return primals.map((p) => {
        const begin = p.shape.map((_, i) => (i === axis ? start : 0));
        start += p.shape[axis]!;
        return bind("slice", [ct], { begin, size: p.shape });
      });
    },
    vmap: (inputs, batched, { axis }) => bind("concat", allBatched(inputs, batched), { axis: axis + 1 }),
  },
  gather: {
    abstract: ([x, idx], { axis }) => {
      if (idx!.dtype !== "int32") throw new ArgumentError(`gather: indices must be int32, got ${idx!.dtype}`);
      return {
        shape: [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)],
        dtype: x!.dtype,
      };
    },
    js: ([x, idx], { axis }, out) => {
      const src = rowMajor(x!);
      const ind = rowMajor(idx!);
      const size = x!.shape[axis]!;
      checkIndices("gather", ind, size);
      const outer = sizeOf(x!.shape.slice(0, axis));
      const inner = sizeOf(x!.shape.slice(axis + 1));
      const o = allocate(out.dtype, sizeOf(out.shape));
      let w = 0;
      for (let r = 0; r < outer; r++) {
        for (let j = 0; j < ind.length; j++) {
          const k = ind[j]! < 0 ? ind[j]! + size : ind[j]!;
          const from = (r * size + k) * inner;
          o.set(src.subarray(from, from + inner), w);
          w += inner;
        }
      }
      return fromData(o, out);
    },
    jvp: ([, idx], [dx], attrs) => (dx ? bind("gather", [dx, idx!], attrs) : null),
    vjp: (ct, [x, idx], { axis }) => [bind("scatterAdd", [ct, idx!], { axis, size: x!.shape[axis]! }), null],
    vmap: ([x, idx], [batchedX, batchedIdx], { axis }) => {
      if (!batchedIdx) return bind("gather", [x!, idx!], { axis: axis + 1 });
      // Shared x: the indices' batch axis lands where the gathered axis was.
      if (!batchedX) return moveAxis(bind("gather", [x!, idx!], { axis }), axis, 0);
      // Both batched: fold the batch into the gathered axis, so each example's
      // indices pick from its own rows, then put the index axes back in place.
      const rows = foldBatch(moveAxis(x!, axis + 1, 1));
      const picked = bind("gather", [rows, foldedIndices(idx!, x!.shape[axis + 1]!)], { axis: 0 });
      return moveBlock(picked, 1, idx!.rank - 1, axis + 1);
    },
  },
  scatterAdd: {
    abstract: ([u, idx], { axis, size }) => {
      if (idx!.dtype !== "int32")
        throw new ArgumentError(`scatterAdd: indices must be int32, got ${idx!.dtype}`);
      const post = u!.shape.slice(axis + idx!.shape.length);
      return { shape: [...u!.shape.slice(0, axis), size, ...post], dtype: u!.dtype };
    },
    js: ([u, idx], { axis, size }, out) => {
      const src = rowMajor(u!);
      const ind = rowMajor(idx!);
      checkIndices("scatterAdd", ind, size);
      const outer = sizeOf(out.shape.slice(0, axis));
      const inner = sizeOf(out.shape.slice(axis + 1));
      const o = allocate(out.dtype, sizeOf(out.shape));
      let r0 = 0;
      for (let r = 0; r < outer; r++) {
        for (let j = 0; j < ind.length; j++) {
          const k = ind[j]! < 0 ? ind[j]! + size : ind[j]!;
          const to = (r * size + k) * inner;
          for (let i = 0; i < inner; i++) o[to + i]! += src[r0 + i]!;
          r0 += inner;
        }
      }
      return fromData(o, out);
    },
    jvp: ([, idx], [du], attrs) => (du ? bind("scatterAdd", [du, idx!], attrs) : null),
    vjp: (ct, [, idx], { axis }) => [bind("gather", [ct, idx!], { axis }), null],
    vmap: ([u, idx], [batchedU, batchedIdx], { axis, size }) => {
      if (!batchedIdx) return bind("scatterAdd", [u!, idx!], { axis: axis + 1, size });
      // As gather: the batch folded into the target axis, each example adding into its own rows.
      const [updates, indices] = allBatched([u!, idx!], [batchedU, batchedIdx]);
      const batch = updates!.shape[0]!;
      const grouped = moveBlock(updates!, axis + 1, idx!.rank - 1, 1);
      const sums = bind("scatterAdd", [grouped, foldedIndices(indices!, size)], {
        axis: 0,
        size: batch * size,
      });
      return moveAxis(unfoldBatch(sums, batch), 1, axis + 1);
    },
  },
} satisfies PartialPrimitiveTable;

/** Copies `src` into the (possibly strided) view `dst` element by element. */
function copyInto(dst: Tensor, src: Tensor): void {
  const values = rowMajor(src);
  const buf = dst._buf!;
  const shape = dst.shape;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let at = buf.offset;
  for (let i = 0; i < values.length; i++) {
    buf.data[at] = values[i]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      at += buf.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      at -= buf.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function zerosFor(t: Tensor): Tensor {
  return broadcastTo(asTensor(0, t.dtype), t.shape);
}

/** Sums a broadcast cotangent back down to `shape`: the adjoint of broadcastTo. */
export function unbroadcast(ct: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(ct.shape, shape)) return ct;
  const lead = ct.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.rank; i++)
    if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  return reshape(sum(ct, axes), shape);
}

// ---- public functions ----

/** Reshapes to `shape`; one entry may be −1 and is inferred. A view when the data is contiguous. */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = asTensor(x, undefined, "reshape");
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ArgumentError(
      `reshape: invalid target shape ${fmtShape(shape)} (at most one −1, other entries non-negative integers)`,
    );
  }
  let resolved = [...shape];
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0)
      throw new ShapeError(
        `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(shape)}`,
      );
    resolved = shape.map((d) => (d === -1 ? t.size / known : d));
  }
  if (shapesEqual(resolved, t.shape)) return t;
  return bind("reshape", [t], { shape: resolved });
}

/** Permutes the axes; without `perm` reverses them (so a matrix is transposed). */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = asTensor(x, undefined, "transpose");
  const p = perm ? perm.map((a) => normalizeAxis("transpose", a, t.rank)) : [...t.shape.keys()].reverse();
  if (p.every((a, i) => a === i)) return t;
  return bind("transpose", [t], { perm: p });
}

export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = asTensor(x, undefined, "broadcastTo");
  if (shapesEqual(t.shape, shape)) return t;
  return bind("broadcastTo", [t], { shape: [...shape] });
}

/** Removes axes of size 1 (all of them, or those given). */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = asTensor(x, undefined, "squeeze");
  const axes =
    axis === undefined
      ? t.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : normalizeAxes("squeeze", axis, t.rank);
  for (const a of axes)
    if (t.shape[a] !== 1)
      throw new ShapeError(`squeeze: axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1`);
  return reshape(
    t,
    t.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Inserts an axis of size 1 at `axis` (negative counts from the end of the result). */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = asTensor(x, undefined, "expandDims");
  const a = normalizeAxis("expandDims", axis, t.rank + 1);
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]);
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError("concat: needs at least one tensor");
  const ts = tensors.map((t) => asTensor(t, undefined, "concat"));
  const dtype = ts.reduce((d, t) => promoteTypes(d, t.dtype), ts[0]!.dtype);
  const a = normalizeAxis("concat", axis, ts[0]!.rank);
  if (ts.length === 1) return ts[0]!;
  return bind(
    "concat",
    ts.map((t) => castTo(t, dtype)),
    { axis: a },
  );
}

/** Joins tensors of one shape along a new axis. */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError("stack: needs at least one tensor");
  const ts = tensors.map((t) => asTensor(t, undefined, "stack"));
  for (const t of ts) {
    if (!shapesEqual(t.shape, ts[0]!.shape))
      throw new ShapeError(`stack: shapes ${ts.map((u) => fmtShape(u.shape)).join(", ")} differ`);
  }
  const a = normalizeAxis("stack", axis, ts[0]!.rank + 1);
  return concat(
    ts.map((t) => expandDims(t, a)),
    a,
  );
}

/** Splits into `n` equal parts, or into parts of the given sizes (one may be −1), along `axis`. */
export function split(x: TensorLike, sizes: number | readonly number[], axis = 0): Tensor[] {
  const t = asTensor(x, undefined, "split");
  const a = normalizeAxis("split", axis, t.rank);
  const len = t.shape[a]!;
  let parts: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0 || len % sizes !== 0)
      throw new ArgumentError(`split: axis of size ${len} cannot be split into ${sizes} equal parts`);
    parts = new Array<number>(sizes).fill(len / sizes);
  } else {
    const known = sizes.filter((s) => s !== -1).reduce((s, v) => s + v, 0);
    parts = sizes.map((s) => (s === -1 ? len - known : s));
    if (parts.reduce((s, v) => s + v, 0) !== len || parts.some((p) => p < 0))
      throw new ArgumentError(`split: sizes [${sizes}] do not add up to ${len}`);
  }
  let start = 0;
  return parts.map((p) => {
    const begin = t.shape.map((_, i) => (i === a ? start : 0));
    start += p;
    return slice(
      t,
      begin,
      t.shape.map((d, i) => (i === a ? p : d)),
    );
  });
}

/** TF.js-style slice: `begin` per axis and `size` per axis (−1 = to the end). */
export function slice(
  x: TensorLike,
  begin: number | readonly number[],
  size?: number | readonly number[],
): Tensor {
  const t = asTensor(x, undefined, "slice");
  const b = typeof begin === "number" ? [begin, ...new Array<number>(t.rank - 1).fill(0)] : [...begin];
  while (b.length < t.rank) b.push(0);
  const s0 = size === undefined ? [] : typeof size === "number" ? [size] : [...size];
  const s = t.shape.map((d, i) => (s0[i] === undefined || s0[i] === -1 ? d - b[i]! : s0[i]!));
  if (b.length > t.rank)
    throw new ArgumentError(`slice: begin has ${b.length} entries for a rank-${t.rank} tensor`);
  if (b.every((v) => v === 0) && shapesEqual(s, t.shape)) return t;
  return bind("slice", [t], { begin: b, size: s });
}

/**
 * numpy-like indexing: one entry per leading axis, each a number (picks and
 * drops the axis; negative counts from the end), a slice string `"start:stop:step"`
 * (any part may be empty; step may be negative), `"..."` for the remaining axes,
 * or `null` to insert a new axis. `x.index(0, "1:", null)` is numpy's `x[0, 1:, None]`.
 */
export type IndexSpec = number | string | null;

export function index(x: TensorLike, ...spec: IndexSpec[]): Tensor {
  let t = asTensor(x, undefined, "index");
  const explicit = spec.filter((s) => s !== null && s !== "...").length;
  const ellipsis = spec.indexOf("...");
  const full =
    ellipsis < 0
      ? [...spec]
      : [
          ...spec.slice(0, ellipsis),
          ...new Array<IndexSpec>(t.rank - explicit).fill(":"),
          ...spec.slice(ellipsis + 1),
        ];
  if (explicit > t.rank) throw new ArgumentError(`index: ${explicit} indices for a rank-${t.rank} tensor`);
  let axis = 0;
  for (const s of full) {
    if (s === null) {
      t = expandDims(t, axis);
      axis++;
      continue;
    }
    const n = t.shape[axis]!;
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < -n || s >= n)
        throw new ArgumentError(`index: index ${s} is out of range for axis ${axis} of size ${n}`);
      const i = s < 0 ? s + n : s;
      t = squeeze(
        slice(
          t,
          t.shape.map((_, k) => (k === axis ? i : 0)),
          t.shape.map((d, k) => (k === axis ? 1 : d)),
        ),
        axis,
      );
      continue;
    }
    const [start, stop, step] = parseSlice(s, n);
    if (step === 1) {
      t = slice(
        t,
        t.shape.map((_, k) => (k === axis ? start : 0)),
        t.shape.map((d, k) => (k === axis ? Math.max(0, stop - start) : d)),
      );
    } else {
      const picks: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) picks.push(i);
      t = gather(t, asTensor(picks.length ? picks : [], "int32"), axis);
    }
    axis++;
  }
  return t;
}

function parseSlice(s: string, n: number): [number, number, number] {
  const parts = s.split(":");
  if (parts.length < 2 || parts.length > 3)
    throw new ArgumentError(`index: bad slice "${s}"; use "start:stop" or "start:stop:step"`);
  const num = (p: string | undefined): number | undefined => {
    if (p === undefined || p.trim() === "") return undefined;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new ArgumentError(`index: bad slice "${s}": "${p}" is not an integer`);
    return v;
  };
  const step = num(parts[2]) ?? 1;
  if (step === 0) throw new ArgumentError(`index: slice "${s}" has step 0`);
  const clamp = (v: number | undefined, dflt: number, lo: number, hi: number): number => {
    if (v === undefined) return dflt;
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  return step > 0
    ? [clamp(num(parts[0]), 0, 0, n), clamp(num(parts[1]), n, 0, n), step]
    : [clamp(num(parts[0]), n - 1, -1, n - 1), clamp(num(parts[1]), -1, -1, n - 1), step];
}

/** Reverses the order of elements along the given axes (all by default). A view. */
export function flip(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = asTensor(x, undefined, "flip");
  return bind("flip", [t], { axes: normalizeAxes("flip", axis, t.rank) });
}

/** Pads with `value` (default 0): `paddings[i] = [before, after]` for axis i. */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  const t = asTensor(x, undefined, "pad");
  if (paddings.length !== t.rank)
    throw new ArgumentError(
      `pad: ${paddings.length} [before, after] pairs for a rank-${t.rank} tensor ${fmtShape(t.shape)}`,
    );
  const attrs = { lo: paddings.map((p) => p[0]), hi: paddings.map((p) => p[1]) };
  // A non-zero fill is a zero pad of x − value, plus value: no second primitive needed.
  if (value === 0) return bind("pad", [t], attrs);
  return add(bind("pad", [add(t, -value)], attrs), value);
}

/** Repeats the tensor `reps[i]` times along axis i. */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const t = asTensor(x, undefined, "tile");
  if (reps.length !== t.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ArgumentError(
      `tile: reps [${reps}] must be one non-negative integer per axis of ${fmtShape(t.shape)}`,
    );
  }
  const interleaved = t.shape.flatMap((d) => [1, d]);
  const target = t.shape.flatMap((d, i) => [reps[i]!, d]);
  return reshape(
    broadcastTo(reshape(t, interleaved), target),
    t.shape.map((d, i) => d * reps[i]!),
  );
}

/** Picks slices along `axis` at `indices` (int32; negative counts from the end). */
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const t = asTensor(x, undefined, "gather");
  const idx = castTo(asTensor(indices, "int32", "gather"), "int32");
  return bind("gather", [t, idx], { axis: normalizeAxis("gather", axis, t.rank) });
}

/** Returns `x` with `updates` added at `indices` along `axis` (repeated indices add up). */
export function scatterAdd(x: TensorLike, indices: TensorLike, updates: TensorLike, axis = 0): Tensor {
  const t = asTensor(x, undefined, "scatterAdd");
  const idx = castTo(asTensor(indices, "int32", "scatterAdd"), "int32");
  const a = normalizeAxis("scatterAdd", axis, t.rank);
  const u = castTo(asTensor(updates, t.dtype, "scatterAdd"), t.dtype);
  const expected = [...t.shape.slice(0, a), ...idx.shape, ...t.shape.slice(a + 1)];
  if (!shapesEqual(u.shape, expected)) {
    throw new ShapeError(
      `scatterAdd: updates have shape ${fmtShape(u.shape)}; for x ${fmtShape(t.shape)} and indices ${fmtShape(idx.shape)} on axis ${a} they must be ${fmtShape(expected)}`,
    );
  }
  return add(t, bind("scatterAdd", [u, idx], { axis: a, size: t.shape[a]! }));
}

/** One-hot float32 encoding of integer labels: shape [...indices.shape, depth]. */
export function oneHot(indices: TensorLike, depth: number): Tensor {
  const idx = castTo(asTensor(indices, "int32", "oneHot"), "int32");
  if (!Number.isInteger(depth) || depth <= 0)
    throw new ArgumentError(`oneHot: depth must be a positive integer, got ${depth}`);
  return castTo(equal(expandDims(idx, -1), arange(0, depth, 1, "int32")), "float32");
}
