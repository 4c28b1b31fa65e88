/**
 * A deliberately naive n-d array in plain JS float64: the reference the op
 * tests compare grafo against. Everything is written by index arithmetic with
 * `build` and `reduceWith`, so it shares no code (and no bugs) with grafo's
 * strided kernels. Speed does not matter here; obviousness does.
 */
import type { Tensor } from "../../src/index.js";

/** Row-major values (bools as 0/1) and a shape. */
export interface Nd {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function nd(data: readonly number[], shape: readonly number[] = [data.length]): Nd {
  if (sizeOf(shape) !== data.length) throw new Error(`nd: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data: [...data] };
}

export const scalarNd = (v: number): Nd => nd([v], []);

export function fromTensor(t: Tensor): Nd {
  return nd(Array.from(t.data(), Number), t.shape);
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The multi-index of flat position `i`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d]! + idx[d]!;
  return i;
}

export function at(a: Nd, idx: readonly number[]): number {
  return a.data[ravel(idx, a.shape)]!;
}

/** The array of `shape` whose element at each multi-index is `f(index)`. */
export function build(shape: readonly number[], f: (idx: number[]) => number): Nd {
  return nd(
    Array.from({ length: sizeOf(shape) }, (_, i) => f(unravel(i, shape))),
    shape,
  );
}

/** numpy's broadcasting rule, written out: align right, sizes equal or 1. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) throw new Error(`cannot broadcast [${shapes.join("] [")}]`);
      if (v !== 1) d = v;
    }
    return d;
  });
}

export function broadcastTo(a: Nd, shape: readonly number[]): Nd {
  const lead = shape.length - a.shape.length;
  return build(shape, (idx) =>
    at(
      a,
      a.shape.map((d, i) => (d === 1 ? 0 : idx[lead + i]!)),
    ),
  );
}

/** Elementwise `f` over broadcast inputs. */
export function map(f: (...v: number[]) => number, ...as: Nd[]): Nd {
  const shape = broadcastShape(...as.map((a) => a.shape));
  const bs = as.map((a) => broadcastTo(a, shape));
  return nd(
    bs[0]!.data.map((_, i) => f(...bs.map((b) => b.data[i]!))),
    shape,
  );
}

/** Axis list as the ops take it (undefined = all, negatives count from the end), sorted. */
export function axesOf(axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  return list.map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);
}

/** Applies `f` to the list of values along the reduced axes, for every kept index. */
export function reduceWith(
  a: Nd,
  axis: number | readonly number[] | undefined,
  keepDims: boolean,
  f: (values: number[]) => number,
): Nd {
  const axes = axesOf(axis, a.shape.length);
  const kept = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keepDims
    ? a.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : kept.map((i) => a.shape[i]!);
  const reducedShape = axes.map((i) => a.shape[i]!);
  return build(outShape, (o) => {
    const keptIdx = keepDims ? kept.map((i) => o[i]!) : o;
    const values: number[] = [];
    for (let r = 0; r < sizeOf(reducedShape); r++) {
      const ridx = unravel(r, reducedShape);
      const full = new Array<number>(a.shape.length);
      kept.forEach((k, j) => {
        full[k] = keptIdx[j]!;
      });
      axes.forEach((k, j) => {
        full[k] = ridx[j]!;
      });
      values.push(at(a, full));
    }
    return f(values);
  });
}

export const total = (v: number[]): number => v.reduce((s, x) => s + x, 0);
export const product = (v: number[]): number => v.reduce((s, x) => s * x, 1);
export const largest = (v: number[]): number => Math.max(...v);
export const smallest = (v: number[]): number => Math.min(...v);
export const average = (v: number[]): number => total(v) / v.length;
export const logSumExp = (v: number[]): number => {
  const m = Math.max(...v);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(total(v.map((x) => Math.exp(x - m))));
};
export const populationVariance = (v: number[]): number => {
  const m = average(v);
  return average(v.map((x) => (x - m) ** 2));
};

export function transpose(a: Nd, perm?: readonly number[]): Nd {
  const p = perm ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  const inv = p.map((_, i) => p.indexOf(i));
  return build(
    p.map((q) => a.shape[q]!),
    (idx) =>
      at(
        a,
        inv.map((j) => idx[j]!),
      ),
  );
}

export function reshape(a: Nd, shape: readonly number[]): Nd {
  const known = sizeOf(shape.filter((d) => d !== -1));
  return nd(
    a.data,
    shape.map((d) => (d === -1 ? a.data.length / known : d)),
  );
}

export function sliceNd(a: Nd, begin: readonly number[], size: readonly number[]): Nd {
  return build(size, (idx) =>
    at(
      a,
      idx.map((v, i) => v + begin[i]!),
    ),
  );
}

export function concatNd(as: readonly Nd[], axis: number): Nd {
  const first = as[0]!;
  const shape = first.shape.map((d, i) => (i === axis ? total(as.map((a) => a.shape[axis]!)) : d));
  return build(shape, (idx) => {
    let k = idx[axis]!;
    for (const a of as) {
      if (k < a.shape[axis]!)
        return at(
          a,
          idx.map((v, i) => (i === axis ? k : v)),
        );
      k -= a.shape[axis]!;
    }
    throw new Error("concatNd: index past the end");
  });
}

export function gatherNd(a: Nd, indices: Nd, axis: number): Nd {
  const n = a.shape[axis]!;
  const shape = [...a.shape.slice(0, axis), ...indices.shape, ...a.shape.slice(axis + 1)];
  const r = indices.shape.length;
  return build(shape, (idx) => {
    const k = at(indices, idx.slice(axis, axis + r));
    return at(a, [...idx.slice(0, axis), k < 0 ? k + n : k, ...idx.slice(axis + r)]);
  });
}

/** numpy's matmul: 1-D operands are promoted and their axis dropped; batch axes broadcast. */
export function matmulNd(a: Nd, b: Nd): Nd {
  const A = a.shape.length === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const B = b.shape.length === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const [m, k] = A.shape.slice(-2) as [number, number];
  const n = B.shape[B.shape.length - 1]!;
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const Ab = broadcastTo(A, [...batch, m, k]);
  const Bb = broadcastTo(B, [...batch, k, n]);
  const C = build([...batch, m, n], (idx) => {
    const pre = idx.slice(0, -2);
    const [i, j] = idx.slice(-2) as [number, number];
    let s = 0;
    for (let q = 0; q < k; q++) s += at(Ab, [...pre, i, q]) * at(Bb, [...pre, q, j]);
    return s;
  });
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return reshape(C, shape);
}

/** Einstein summation by brute force over every index letter. */
export function einsumNd(equation: string, ...ops: Nd[]): Nd {
  const [lhs, rhs] = equation.replace(/\s+/g, "").split("->") as [string, string | undefined];
  const ins = lhs.split(",");
  const sizes = new Map<string, number>();
  ins.forEach((s, i) => {
    [...s].forEach((c, k) => {
      sizes.set(c, ops[i]!.shape[k]!);
    });
  });
  const counts = new Map<string, number>();
  for (const s of ins) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const out =
    rhs ??
    [...counts.keys()]
      .filter((c) => counts.get(c) === 1)
      .sort()
      .join("");
  const summed = [...sizes.keys()].filter((c) => !out.includes(c));
  const summedShape = summed.map((c) => sizes.get(c)!);
  return build(
    [...out].map((c) => sizes.get(c)!),
    (oidx) => {
      const val = new Map<string, number>();
      [...out].forEach((c, k) => {
        val.set(c, oidx[k]!);
      });
      let s = 0;
      for (let r = 0; r < sizeOf(summedShape); r++) {
        unravel(r, summedShape).forEach((v, k) => {
          val.set(summed[k]!, v);
        });
        let p = 1;
        ins.forEach((sub, i) => {
          p *= at(
            ops[i]!,
            [...sub].map((c) => val.get(c)!),
          );
        });
        s += p;
      }
      return s;
    },
  );
}

/** Direct 2-D cross-correlation, NCHW, with explicit per-side padding [top, bottom, left, right]. */
export function conv2dNd(
  x: Nd,
  w: Nd,
  stride: [number, number],
  pad: [number, number, number, number],
  dilation: [number, number] = [1, 1],
): Nd {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [o, , kh, kw] = w.shape as [number, number, number, number];
  const oh = Math.floor((h + pad[0] + pad[1] - dilation[0] * (kh - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((wd + pad[2] + pad[3] - dilation[1] * (kw - 1) - 1) / stride[1]) + 1;
  return build([n, o, oh, ow], ([b, f, y, xx]) => {
    let s = 0;
    for (let ci = 0; ci < c; ci++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const iy = y! * stride[0] - pad[0] + i * dilation[0];
          const ix = xx! * stride[1] - pad[2] + j * dilation[1];
          if (iy >= 0 && iy < h && ix >= 0 && ix < wd) s += at(x, [b!, ci, iy, ix]) * at(w, [f!, ci, i, j]);
        }
    return s;
  });
}

/** Pooling over windows of each channel; `f` sees only the real (non-padding) entries. */
export function pool2dNd(
  x: Nd,
  kernel: [number, number],
  stride: [number, number],
  pad: [number, number, number, number],
  f: (values: number[]) => number,
): Nd {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = Math.floor((h + pad[0] + pad[1] - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((w + pad[2] + pad[3] - kernel[1]) / stride[1]) + 1;
  return build([n, c, oh, ow], ([b, ci, y, xx]) => {
    const values: number[] = [];
    for (let i = 0; i < kernel[0]; i++)
      for (let j = 0; j < kernel[1]; j++) {
        const iy = y! * stride[0] - pad[0] + i;
        const ix = xx! * stride[1] - pad[2] + j;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) values.push(at(x, [b!, ci!, iy, ix]));
      }
    return f(values);
  });
}

/** erf by its Maclaurin series, summed in float64 until the terms vanish (fine for |x| ≤ 3). */
export function erfSeries(x: number): number {
  // beyond 6, erf is ±1 to within float64's precision, and the series would cancel catastrophically
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) > 6) return Math.sign(x);
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-18) break;
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** numpy's round: half to even. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
