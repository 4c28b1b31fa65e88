import { allocate, type DataArray, type DType } from "../../core/dtype.js";
import type { Aval } from "../../core/primitives.js";
import { Tensor } from "../../core/tensor.js";

/** Whether the view walks its data in row-major order (size-1 axes may have any stride). Allocation-free: it runs on every op. */
export function isContiguous(t: Tensor): boolean {
  const { strides } = t._buf!;
  const shape = t.shape;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** The values of `t` row-major, without a copy when its buffer already is. */
export function rowMajor(t: Tensor): DataArray {
  const buf = t._buf!;
  if (buf.offset === 0 && buf.data.length === t.size && isContiguous(t)) return buf.data;
  return t.data();
}

/** A new contiguous tensor of abstract value `out` over `data`. */
export function fromData(data: DataArray, out: Aval): Tensor {
  return Tensor._fromData(data, out.shape, out.dtype);
}

/** A strided view sharing `t`'s data: how reshape/transpose/broadcast/slice/flip avoid copies. */
export function view(
  t: Tensor,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): Tensor {
  return new Tensor(shape, t.dtype, { data: t._buf!.data, strides, offset });
}

type Loop2 = (a: DataArray, b: DataArray, o: DataArray, n: number) => void;

const loops = new WeakMap<object, Map<string, AnyLoop>>();

/**
 * A loop specialised to one element function. Each op gets its own copy of the
 * loop's code (via `new Function`), so the engine sees one callee per loop and
 * inlines it; a single shared loop would stay megamorphic and run several times
 * slower. Where `new Function` is forbidden (strict CSP), a shared loop is used.
 */
/** Any loop signature; each call site states its own. */
type AnyLoop = (...args: never[]) => void;

function specialise<L extends AnyLoop>(f: object, body: string, fallback: L, params = "a, b, o, n"): L {
  let byBody = loops.get(f);
  if (!byBody) loops.set(f, (byBody = new Map()));
  let loop = byBody.get(body);
  if (!loop) {
    try {
      loop = new Function("f", `return function loop(${params}) { ${body} }`)(f) as L;
    } catch {
      loop = fallback;
    }
    byBody.set(body, loop);
  }
  return loop as L;
}

export function mapUnary(x: Tensor, out: Aval, f: (v: number) => number): Tensor {
  const a = rowMajor(x);
  const o = allocate(out.dtype, x.size);
  const loop = specialise<Loop2>(f, "for (let i = 0; i < n; i++) o[i] = f(a[i]);", (a1, _b, o1, n) => {
    for (let i = 0; i < n; i++) o1[i] = f(a1[i]!);
  });
  loop(a, a, o, o.length);
  return fromData(o, out);
}

/**
 * The single value of a view whose every element is the same one (a scalar
 * broadcast to a shape), or undefined. Such operands are read once instead of
 * being materialised to full size.
 */
export function splatValue(t: Tensor): number | undefined {
  const { data, strides, offset } = t._buf!;
  return t.size > 1 && strides.every((st, i) => st === 0 || t.shape[i] === 1) ? data[offset] : undefined;
}

export function mapBinary(x: Tensor, y: Tensor, out: Aval, f: (a: number, b: number) => number): Tensor {
  const o = allocate(out.dtype, x.size);
  const sy = splatValue(y);
  const sx = sy === undefined ? splatValue(x) : undefined;
  if (sy !== undefined) {
    const loop = specialise<(a: DataArray, s: number, o: DataArray, n: number) => void>(
      f,
      "for (let i = 0; i < n; i++) o[i] = f(a[i], b);",
      (a1, s1, o1, n) => {
        for (let i = 0; i < n; i++) o1[i] = f(a1[i]!, s1);
      },
    );
    loop(rowMajor(x), sy, o, o.length);
  } else if (sx !== undefined) {
    const loop = specialise<(s: number, b: DataArray, o: DataArray, n: number) => void>(
      f,
      "for (let i = 0; i < n; i++) o[i] = f(a, b[i]);",
      (s1, b1, o1, n) => {
        for (let i = 0; i < n; i++) o1[i] = f(s1, b1[i]!);
      },
    );
    loop(sx, rowMajor(y), o, o.length);
  } else {
    const loop = specialise<Loop2>(
      f,
      "for (let i = 0; i < n; i++) o[i] = f(a[i], b[i]);",
      (a1, b1, o1, n) => {
        for (let i = 0; i < n; i++) o1[i] = f(a1[i]!, b1[i]!);
      },
    );
    loop(rowMajor(x), rowMajor(y), o, o.length);
  }
  return fromData(o, out);
}

/** Bool results are stored as 0/1 bytes. */
export const b2n = (b: boolean): number => (b ? 1 : 0);

type Fold = (acc: number, v: number) => number;
type ReduceLoop = (src: DataArray, acc: Float64Array, outer: number, red: number, inner: number) => void;

/**
 * Folds `f` from `init` over `axes` (sorted). When the reduced axes are one
 * consecutive run, the data is read in place as [outer, reduced, inner] and
 * folded into `inner`-wide accumulators (so a reduction over a middle axis, or
 * over the batch, never transposes); otherwise the reduced axes are moved last
 * first. Accumulators are float64 whatever the dtype, so float32 sums do not
 * lose precision along the way.
 */
export function reduceAxes(
  x: Tensor,
  axes: readonly number[],
  outDtype: DType,
  init: number,
  f: Fold,
): DataArray {
  const consecutive = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
  const kept = [...x.shape.keys()].filter((i) => !axes.includes(i));
  if (!consecutive && kept.every((a, i) => i === 0 || a === kept[i - 1]! + 1))
    return reduceAround(x, kept[0]!, kept.at(-1)! + 1, outDtype, init, f);
  const src = consecutive
    ? x
    : permuteView(x, [...x.shape.keys()].filter((i) => !axes.includes(i)).concat(axes));
  const lo = consecutive ? (axes[0] ?? 0) : x.rank - axes.length;
  const hi = lo + axes.length;
  const dims = src.shape;
  const outer = dims.slice(0, lo).reduce((n, d) => n * d, 1);
  const red = dims.slice(lo, hi).reduce((n, d) => n * d, 1);
  const inner = dims.slice(hi).reduce((n, d) => n * d, 1);
  const acc = new Float64Array(outer * inner).fill(init);
  const loop = specialise<ReduceLoop>(
    f,
    `for (let o = 0; o < outer; o++) for (let r = 0; r < red; r++) {
       const from = (o * red + r) * inner, to = o * inner;
       for (let i = 0; i < inner; i++) acc[to + i] = f(acc[to + i], src[from + i]);
     }`,
    (data, a, no, nr, ni) => {
      for (let o = 0; o < no; o++)
        for (let r = 0; r < nr; r++)
          for (let i = 0; i < ni; i++) a[o * ni + i] = f(a[o * ni + i]!, data[(o * nr + r) * ni + i]!);
    },
    "src, acc, outer, red, inner",
  );
  loop(rowMajor(src), acc, outer, red, inner);
  const out = allocate(outDtype, acc.length);
  out.set(acc);
  return out;
}

/**
 * A reduction over every axis but the block [lo, hi) (a conv bias's gradient:
 * NCHW summed over N, H and W), read in place rather than transposed first.
 * Each result folds its elements in the order the transposed copy would give
 * them (outer axes, then inner), so the values are the same to the bit.
 */
function reduceAround(x: Tensor, lo: number, hi: number, outDtype: DType, init: number, f: Fold): DataArray {
  const size = (from: number, to: number) => x.shape.slice(from, to).reduce((n, d) => n * d, 1);
  const [outer, mid, inner] = [size(0, lo), size(lo, hi), size(hi, x.rank)];
  const acc = new Float64Array(mid).fill(init);
  const loop = specialise<ReduceLoop>(
    f,
    `for (let o = 0; o < outer; o++) for (let m = 0; m < mid; m++) {
       const from = (o * mid + m) * inner;
       let a = acc[m];
       for (let i = 0; i < inner; i++) a = f(a, src[from + i]);
       acc[m] = a;
     }`,
    (data, a, no, nm, ni) => {
      for (let o = 0; o < no; o++)
        for (let m = 0; m < nm; m++)
          for (let i = 0; i < ni; i++) a[m] = f(a[m]!, data[(o * nm + m) * ni + i]!);
    },
    "src, acc, outer, mid, inner",
  );
  loop(rowMajor(x), acc, outer, mid, inner);
  const out = allocate(outDtype, acc.length);
  out.set(acc);
  return out;
}

export function permuteView(x: Tensor, perm: readonly number[]): Tensor {
  const buf = x._buf!;
  return view(
    x,
    perm.map((p) => x.shape[p]!),
    perm.map((p) => buf.strides[p]!),
    buf.offset,
  );
}

/**
 * Marks, for each of the `k` rows of `n` values starting at `start`, whether
 * all of them are finite. Matrix products skip a zero of A (ReLU activations
 * are half zeros), but only against a finite row of B: 0 · ±Inf and 0 · NaN
 * are NaN, as in numpy and in the native and wasm kernels.
 */
export function finiteRows(B: DataArray, start: number, k: number, n: number, out: Uint8Array): Uint8Array {
  for (let q = 0; q < k; q++) {
    let finite = 1;
    for (let j = start + q * n, end = j + n; j < end; j++)
      if (!Number.isFinite(B[j]!)) {
        finite = 0;
        break;
      }
    out[q] = finite;
  }
  return out;
}
