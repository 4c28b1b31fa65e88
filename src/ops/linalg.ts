import { finiteRows, fromData, rowMajor } from "../backends/js/loops.js";
import { allocate, promoteTypes } from "../core/dtype.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import type { Aval } from "../core/primitives.js";
import { broadcastShapes, fmtShape, shapesEqual, sizeOf } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { moveAxis } from "./batching.js";
import { add, mul } from "./binary.js";
import { asTensor, castTo } from "./convert.js";
import { bind } from "./dispatch.js";
import type { PartialPrimitiveTable } from "./primitive.js";
import { sum } from "./reduce.js";
import { broadcastTo, reshape, transpose } from "./shape.js";

/** Swaps the last two axes: the matrix transpose inside a batch. */
export function mT(t: Tensor): Tensor {
  const perm = [...t.shape.keys()];
  perm.push(perm.splice(-2, 1)[0]!);
  return transpose(t, perm);
}

export const linalgPrimitives = {
  matmul: {
    abstract: ([a, b]: readonly Aval[]): Aval => {
      const sa = a!.shape;
      const sb = b!.shape;
      if (sa.length < 2 || sa.length !== sb.length || !shapesEqual(sa.slice(0, -2), sb.slice(0, -2))) {
        throw new ShapeError(`matmul: batch shapes differ: ${fmtShape(sa)} @ ${fmtShape(sb)}`);
      }
      if (sa[sa.length - 1] !== sb[sb.length - 2]) {
        throw new ShapeError(`matmul: inner dimensions differ: ${fmtShape(sa)} @ ${fmtShape(sb)}`);
      }
      if (a!.dtype !== b!.dtype) throw new ShapeError(`matmul: dtypes differ: ${a!.dtype} @ ${b!.dtype}`);
      return { shape: [...sa.slice(0, -1), sb[sb.length - 1]!], dtype: a!.dtype };
    },
    js: ([a, b], _, out) => {
      const [m, k] = a!.shape.slice(-2) as [number, number];
      const n = b!.shape[b!.rank - 1]!;
      const batch = sizeOf(a!.shape.slice(0, -2));
      const A = rowMajor(a!);
      const B = rowMajor(b!);
      const C = allocate(out.dtype, batch * m * n);
      const acc = new Float64Array(n);
      const finite = new Uint8Array(k);
      for (let p = 0; p < batch; p++) {
        finiteRows(B, p * k * n, k, n, finite);
        for (let i = 0; i < m; i++) {
          acc.fill(0);
          for (let q = 0; q < k; q++) {
            const av = A[p * m * k + i * k + q]!;
            if (av === 0 && finite[q]) continue;
            const row = p * k * n + q * n;
            for (let j = 0; j < n; j++) acc[j]! += av * B[row + j]!;
          }
          C.set(out.dtype === "int32" ? Int32Array.from(acc) : acc, p * m * n + i * n);
        }
      }
      return fromData(C, out);
    },
    jvp: ([a, b], [da, db]) => {
      const l = da ? bind("matmul", [da, b!], {}) : null;
      const r = db ? bind("matmul", [a!, db], {}) : null;
      return l && r ? add(l, r) : (l ?? r);
    },
    vjp: (ct, [a, b]) => [bind("matmul", [ct, mT(b!)], {}), bind("matmul", [mT(a!), ct], {})],
    vmap: ([a, b], [batchedA, batchedB]) => {
      if (batchedA && batchedB) return bind("matmul", [a!, b!], {});
      // One operand is shared: the batch joins its partner's rows (or columns),
      // so the whole batch is one larger product instead of B small ones.
      const q = Math.min(a!.rank, b!.rank) - 2; // the per-example batch axes
      const lead = a!.shape.slice(batchedA ? 1 : 0, batchedA ? q + 1 : q);
      const size = batchedA ? a!.shape[0]! : b!.shape[0]!;
      if (batchedA) {
        const [m, k] = a!.shape.slice(-2) as [number, number];
        const rows = reshape(moveAxis(a!, 0, q), [...lead, size * m, k]);
        const y = bind("matmul", [rows, b!], {});
        return moveAxis(reshape(y, [...lead, size, m, b!.shape[b!.rank - 1]!]), q, 0);
      }
      const [k, n] = b!.shape.slice(-2) as [number, number];
      const cols = reshape(moveAxis(b!, 0, q + 1), [...lead, k, size * n]);
      const y = bind("matmul", [a!, cols], {});
      return moveAxis(reshape(y, [...lead, a!.shape[a!.rank - 2]!, size, n]), q + 1, 0);
    },
  },
} satisfies PartialPrimitiveTable;

/**
 * Matrix product with numpy semantics: batch axes broadcast, a 1-D left operand
 * is a row vector and a 1-D right operand a column vector (their axis is dropped
 * from the result).
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  let x = asTensor(a, undefined, "matmul");
  let y = asTensor(b, x.dtype, "matmul");
  if (x.rank === 0 || y.rank === 0)
    throw new ShapeError(
      `matmul: operands must have at least 1 axis, got ${fmtShape(x.shape)} @ ${fmtShape(y.shape)}`,
    );
  const dtype = promoteTypes(x.dtype, y.dtype) === "bool" ? "int32" : promoteTypes(x.dtype, y.dtype);
  x = castTo(x, dtype);
  y = castTo(y, dtype);
  const vecA = x.rank === 1;
  const vecB = y.rank === 1;
  if (vecA) x = reshape(x, [1, x.shape[0]!]);
  if (vecB) y = reshape(y, [y.shape[0]!, 1]);
  if (x.shape[x.rank - 1] !== y.shape[y.rank - 2]) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${fmtShape(asTensor(a).shape)} @ ${fmtShape(asTensor(b).shape)}`,
    );
  }
  const [batchA, batchB] = [x.shape.slice(0, -2), y.shape.slice(0, -2)];
  let batch: number[];
  try {
    batch = broadcastShapes("matmul", batchA, batchB);
  } catch (e) {
    // The batch shapes alone do not tell the user which of their tensors is meant.
    if (!(e instanceof ShapeError)) throw e;
    throw new ShapeError(
      `matmul: batch dimensions ${fmtShape(batchA)} and ${fmtShape(batchB)} cannot be broadcast together: ${fmtShape(asTensor(a).shape)} @ ${fmtShape(asTensor(b).shape)}`,
    );
  }
  x = broadcastTo(x, [...batch, ...x.shape.slice(-2)]);
  y = broadcastTo(y, [...batch, ...y.shape.slice(-2)]);
  const out = bind("matmul", [x, y], {});
  const shape = [...batch, ...(vecA ? [] : [x.shape[x.rank - 2]!]), ...(vecB ? [] : [y.shape[y.rank - 1]!])];
  return shapesEqual(shape, out.shape) ? out : reshape(out, shape);
}

/** Inner product of vectors, or matmul for matrices (like TF.js `dot`). */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a, undefined, "dot");
  const y = asTensor(b, x.dtype, "dot");
  if (x.rank === 1 && y.rank === 1) {
    if (x.shape[0] !== y.shape[0])
      throw new ShapeError(`dot: vector lengths differ: ${fmtShape(x.shape)} · ${fmtShape(y.shape)}`);
    return sum(mul(x, y));
  }
  if (x.rank > 2 || y.rank > 2)
    throw new ShapeError(
      `dot: takes vectors or matrices, got ${fmtShape(x.shape)} · ${fmtShape(y.shape)}; use matmul or einsum`,
    );
  return matmul(x, y);
}

/** Outer product of two vectors: [n] ⊗ [m] → [n, m]. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a, undefined, "outer");
  const y = asTensor(b, x.dtype, "outer");
  return mul(reshape(x, [-1, 1]), reshape(y, [1, -1]));
}

interface Operand {
  t: Tensor;
  idx: string;
}

/**
 * Einstein summation over one or more operands ("ij,jk->ik", "bij,bjk->bik",
 * "i,i->", "ij->ji", implicit output "ij,jk"). Each pair is contracted by one
 * batched matmul after transposing and reshaping, so it runs on the fast GEMM.
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  const eq = equation.replace(/\s+/g, "");
  const [lhs, explicitOut] = eq.split("->") as [string, string | undefined];
  const inputs = lhs.split(",");
  if (inputs.length !== operands.length)
    throw new ArgumentError(`einsum: "${equation}" names ${inputs.length} operands, got ${operands.length}`);
  const counts = new Map<string, number>();
  for (const s of inputs) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const out =
    explicitOut ??
    [...counts.keys()]
      .filter((c) => counts.get(c) === 1)
      .sort()
      .join("");
  const ops: Operand[] = inputs.map((idx, i) => {
    const t = asTensor(operands[i]!, undefined, "einsum");
    if (!/^[a-zA-Z]*$/.test(idx))
      throw new ArgumentError(`einsum: bad subscripts "${idx}" (letters only; no ellipsis)`);
    if (new Set(idx).size !== idx.length)
      throw new ArgumentError(`einsum: repeated index in "${idx}" (diagonals are not supported)`);
    if (idx.length !== t.rank)
      throw new ShapeError(`einsum: operand ${i} has shape ${fmtShape(t.shape)} but subscripts "${idx}"`);
    return { t, idx };
  });
  const sizes = new Map<string, number>();
  for (const { t, idx } of ops) {
    [...idx].forEach((c, k) => {
      const d = t.shape[k]!;
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== d && seen !== 1 && d !== 1)
        throw new ShapeError(`einsum: index "${c}" has sizes ${seen} and ${d}`);
      sizes.set(c, Math.max(seen ?? 1, d));
    });
  }
  for (const c of out)
    if (!sizes.has(c)) throw new ArgumentError(`einsum: output index "${c}" appears in no operand`);
  let acc = sumUnneeded(ops[0]!, [out, ...inputs.slice(1)].join(""));
  for (let i = 1; i < ops.length; i++) {
    const keep = [out, ...inputs.slice(i + 1)].join("");
    acc = contractPair(acc, sumUnneeded(ops[i]!, keep + acc.idx), keep, sizes);
  }
  const perm = [...out].map((c) => acc.idx.indexOf(c));
  return transpose(acc.t, perm);
}

/** Sums away indices that no later operand and not the output mention. */
function sumUnneeded(op: Operand, needed: string): Operand {
  const axes = [...op.idx].flatMap((c, k) => (needed.includes(c) ? [] : [k]));
  if (axes.length === 0) return op;
  return { t: sum(op.t, axes), idx: [...op.idx].filter((c) => needed.includes(c)).join("") };
}

function contractPair(a: Operand, b: Operand, keep: string, sizes: Map<string, number>): Operand {
  const batch = [...a.idx].filter((c) => b.idx.includes(c) && keep.includes(c));
  const contracted = [...a.idx].filter((c) => b.idx.includes(c) && !keep.includes(c));
  const aFree = [...a.idx].filter((c) => !b.idx.includes(c));
  const bFree = [...b.idx].filter((c) => !a.idx.includes(c));
  const size = (cs: string[]) => cs.reduce((s, c) => s * sizes.get(c)!, 1);
  const arrange = (op: Operand, order: string[]) => {
    const t = transpose(
      op.t,
      order.map((c) => op.idx.indexOf(c)),
    );
    return broadcastTo(
      t,
      order.map((c) => sizes.get(c)!),
    );
  };
  const A = reshape(arrange(a, [...batch, ...aFree, ...contracted]), [
    size(batch),
    size(aFree),
    size(contracted),
  ]);
  const B = reshape(arrange(b, [...batch, ...contracted, ...bFree]), [
    size(batch),
    size(contracted),
    size(bFree),
  ]);
  const C = matmul(A, B);
  const idx = [...batch, ...aFree, ...bFree];
  return {
    t: reshape(
      C,
      idx.map((c) => sizes.get(c)!),
    ),
    idx: idx.join(""),
  };
}
