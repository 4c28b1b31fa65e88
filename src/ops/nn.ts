import { fromData, rowMajor } from "../backends/js/loops.js";
import { ones } from "../core/creation.js";
import { allocate } from "../core/dtype.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import type { Aval, WindowAttrs } from "../core/primitives.js";
import { fmtShape, normalizeAxis, sizeOf } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { foldBatch, unfoldBatch } from "./batching.js";
import { add, div, greater, greaterEqual, maximum, minimum, mul, sub, where } from "./binary.js";
import { asTensor, castTo } from "./convert.js";
import { bind } from "./dispatch.js";
import { matmul } from "./linalg.js";
import type { PartialPrimitiveTable } from "./primitive.js";
import { logSumExp, max, sum } from "./reduce.js";
import { broadcastTo, reshape } from "./shape.js";
import { erf, exp, expm1, log1p, neg, tanh } from "./unary.js";

// ---- activations (slide L5: threshold, logistic, ReLU, and the modern ones) ----

/** max(z, 0), with derivative 1[z > 0] (0 at z = 0, as PyTorch and JAX use). */
export const relu = (x: TensorLike): Tensor => {
  const t = asTensor(x, undefined, "relu");
  return where(greater(t, 0), t, 0);
};

/** The lecture's threshold 1[z ≥ 0]. Its derivative is zero almost everywhere, so it is zero by rule. */
export const step = (x: TensorLike): Tensor => {
  const t = asTensor(x, undefined, "step");
  return castTo(greaterEqual(t, 0), t.dtype === "bool" ? "float32" : t.dtype);
};

/** z for z > 0, αz otherwise (TF.js default α = 0.2). */
export const leakyRelu = (x: TensorLike, alpha = 0.2): Tensor => {
  const t = asTensor(x, undefined, "leakyRelu");
  return where(greater(t, 0), t, mul(t, alpha));
};

/**
 * z for z > 0, α(eᶻ − 1) otherwise. exp sees 0 where z > 0, so its unused
 * branch never overflows into NaN gradients; `where` (not `minimum`, which
 * splits ties) keeps elu'(0) = α, the left derivative.
 */
export const elu = (x: TensorLike, alpha = 1): Tensor => {
  const t = asTensor(x, undefined, "elu");
  const positive = greater(t, 0);
  return where(positive, t, mul(expm1(where(positive, 0, t)), alpha));
};

/** GELU: z·Φ(z) exactly (erf), or the tanh approximation when `approximate`. */
export const gelu = (x: TensorLike, approximate = false): Tensor => {
  const t = asTensor(x, undefined, "gelu");
  if (approximate) {
    const inner = mul(add(t, mul(mul(mul(t, t), t), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(t, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
};

/**
 * log(1 + eᶻ), as z + log1p(e^(−z)) for z > 0 and log1p(eᶻ) otherwise, so
 * it neither overflows nor loses precision. Each branch is smooth, so every
 * derivative is right at 0 too (max(z, 0) + log1p(e^(−|z|)) has two kinks
 * there whose second derivatives are lost); each branch sees 0 where it is
 * not used, so no inf leaks into the gradient.
 */
export const softplus = (x: TensorLike): Tensor => {
  const t = asTensor(x, undefined, "softplus");
  const positive = greater(t, 0);
  const zp = where(positive, t, 0);
  const zn = where(positive, 0, t);
  return where(positive, add(zp, log1p(exp(neg(zp)))), log1p(exp(zn)));
};

/** Limits values to [min, max]. */
export const clip = (x: TensorLike, lo: number, hi: number): Tensor => {
  if (!(lo <= hi)) throw new ArgumentError(`clip: min ${lo} must not exceed max ${hi}`);
  return minimum(maximum(x, lo), hi);
};

/** Stable softmax: exp(x − logSumExp(x)). */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const t = asTensor(x, undefined, "softmax");
  // resolved here so a bad axis is reported as softmax's, not logSoftmax's
  return exp(logSoftmax(t, normalizeAxis("softmax", axis, t.rank)));
}

/** x − logSumExp(x) along `axis`: never overflows. */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const t = asTensor(x, undefined, "logSoftmax");
  return sub(t, logSumExp(t, normalizeAxis("logSoftmax", axis, t.rank), true));
}

// ---- windows: im2col and its adjoint col2im, from which conv and pooling are composed ----

function windowOut(attrs: WindowAttrs, h: number, w: number): [number, number] {
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const [pt, pb, pl, pr] = attrs.pad;
  return [
    Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1,
    Math.floor((w + pl + pr - dw * (kw - 1) - 1) / sw) + 1,
  ];
}

/**
 * Visits each line of a window op: for column row `row` (channel, kernel y,
 * kernel x) and output row y, the output columns x in [xLo, xHi) read input
 * element `src0 + x·step` (the x outside that range fall on padding). One call
 * per line, not per element, keeps the inner loops of im2col/col2im tight.
 */
function forEachWindowLine(
  attrs: WindowAttrs,
  c: number,
  h: number,
  w: number,
  line: (row: number, colStart: number, src0: number, xLo: number, xHi: number, step: number) => void,
): void {
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const [pt, , pl] = attrs.pad;
  const [oh, ow] = windowOut(attrs, h, w);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const row = (ci * kh + ki) * kw + kj;
        const shift = kj * dw - pl; // input x of output column 0
        const xLo = Math.min(ow, Math.max(0, Math.ceil(-shift / sw)));
        const xHi = Math.min(ow, Math.max(0, Math.floor((w - 1 - shift) / sw) + 1));
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - pt + ki * dh;
          if (iy < 0 || iy >= h || xLo >= xHi) continue;
          line(row, y * ow, (ci * h + iy) * w + shift, xLo, xHi, sw);
        }
      }
    }
  }
}

function im2colAval([x]: readonly Aval[], attrs: WindowAttrs): Aval {
  if (x!.shape.length !== 4)
    throw new ShapeError(`im2col: input must be NCHW (rank 4), got ${fmtShape(x!.shape)}`);
  const [n, c, h, w] = x!.shape as [number, number, number, number];
  const [oh, ow] = windowOut(attrs, h, w);
  if (oh <= 0 || ow <= 0)
    throw new ShapeError(
      `conv/pool: a ${attrs.kernel.join("×")} window (dilation ${attrs.dilation.join("×")}) does not fit input ${fmtShape(x!.shape)} with padding [${attrs.pad}]`,
    );
  return { shape: [n, c * attrs.kernel[0] * attrs.kernel[1], oh * ow], dtype: x!.dtype };
}

export const windowPrimitives = {
  im2col: {
    abstract: im2colAval,
    js: ([x], attrs, out) => {
      const [n, c, h, w] = x!.shape as [number, number, number, number];
      const src = rowMajor(x!);
      const [, rows, cols] = out.shape as [number, number, number];
      const o = allocate(out.dtype, n * rows * cols);
      for (let b = 0; b < n; b++) {
        const inBase = b * c * h * w;
        const outBase = b * rows * cols;
        forEachWindowLine(attrs, c, h, w, (row, colStart, src0, xLo, xHi, step) => {
          const to = outBase + row * cols + colStart;
          const from = inBase + src0;
          for (let x = xLo; x < xHi; x++) o[to + x] = src[from + x * step]!;
        });
      }
      return fromData(o, out);
    },
    jvp: (_, [dx], attrs) => (dx ? bind("im2col", [dx], attrs) : null),
    vjp: (ct, [x], attrs) => [bind("col2im", [ct], { ...attrs, inputShape: x!.shape })],
    // The batch joins the images' own batch axis.
    vmap: ([x], _, attrs) => unfoldBatch(bind("im2col", [foldBatch(x!)], attrs), x!.shape[0]!),
  },
  col2im: {
    abstract: ([cols], attrs) => {
      const expected = im2colAval([{ shape: attrs.inputShape, dtype: cols!.dtype }], attrs);
      if (cols!.shape.join() !== expected.shape.join())
        throw new ShapeError(
          `col2im: columns ${fmtShape(cols!.shape)} do not match input ${fmtShape(attrs.inputShape)}`,
        );
      return { shape: attrs.inputShape, dtype: cols!.dtype };
    },
    js: ([cols], attrs, out) => {
      const [n, c, h, w] = attrs.inputShape as [number, number, number, number];
      const src = rowMajor(cols!);
      const [, rows, ncols] = cols!.shape as [number, number, number];
      const o = allocate(out.dtype, sizeOf(attrs.inputShape));
      for (let b = 0; b < n; b++) {
        const outBase = b * c * h * w;
        const inBase = b * rows * ncols;
        forEachWindowLine(attrs, c, h, w, (row, colStart, src0, xLo, xHi, step) => {
          const from = inBase + row * ncols + colStart;
          const to = outBase + src0;
          for (let x = xLo; x < xHi; x++) o[to + x * step]! += src[from + x]!;
        });
      }
      return fromData(o, out);
    },
    jvp: (_, [dc], attrs) => (dc ? bind("col2im", [dc], attrs) : null),
    vjp: (ct, _, attrs) => [
      bind("im2col", [ct], {
        kernel: attrs.kernel,
        stride: attrs.stride,
        dilation: attrs.dilation,
        pad: attrs.pad,
      }),
    ],
    vmap: ([cols], _, attrs) => {
      const [size, n, ...image] = [cols!.shape[0]!, ...attrs.inputShape] as [number, number, ...number[]];
      const images = bind("col2im", [foldBatch(cols!)], { ...attrs, inputShape: [size * n, ...image] });
      return unfoldBatch(images, size);
    },
  },
} satisfies PartialPrimitiveTable;

export type Padding = "same" | "valid" | number | readonly [number, number];

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  /** 'valid' (none), 'same' (output size ⌈in/stride⌉, TF-style), or explicit pixels per side. */
  padding?: Padding;
  dilation?: number | readonly [number, number];
  /** Optional bias, one per output channel. */
  bias?: Tensor;
}

export interface Pool2dOptions {
  kernelSize: number | readonly [number, number];
  /** Defaults to the kernel size. */
  stride?: number | readonly [number, number];
  padding?: Padding;
}

const pair = (v: number | readonly [number, number], what: string, op: string): [number, number] => {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= (what === "padding" ? 0 : 1)))
    throw new ArgumentError(`${op}: invalid ${what} ${JSON.stringify(v)}`);
  return p;
};

function resolveWindow(
  op: string,
  input: readonly number[],
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
  padding: Padding,
): WindowAttrs {
  let pad: [number, number, number, number];
  if (padding === "valid") pad = [0, 0, 0, 0];
  else if (padding === "same") {
    const total = (i: number) => {
      const inSize = input[2 + i]!;
      const outSize = Math.ceil(inSize / stride[i]!);
      return Math.max((outSize - 1) * stride[i]! + (kernel[i]! - 1) * dilation[i]! + 1 - inSize, 0);
    };
    const th = total(0);
    const tw = total(1);
    pad = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else {
    const [ph, pw] = pair(padding, "padding", op);
    pad = [ph, ph, pw, pw];
  }
  return { kernel, stride, dilation, pad };
}

function nchw(op: string, x: TensorLike): Tensor {
  const t = asTensor(x, undefined, op);
  if (t.rank !== 4) throw new ShapeError(`${op}: input must be NCHW (rank 4), got ${fmtShape(t.shape)}`);
  return t.dtype === "float32" || t.dtype === "float64" ? t : castTo(t, "float32");
}

/**
 * 2-D convolution (cross-correlation, as in every DL library), NCHW input and
 * [outChannels, inChannels, kh, kw] weights: im2col then one batched GEMM.
 */
export function conv2d(x: TensorLike, w: TensorLike, options: Conv2dOptions = {}): Tensor {
  const input = nchw("conv2d", x);
  const weight = castTo(asTensor(w, input.dtype, "conv2d"), input.dtype);
  if (weight.rank !== 4 || weight.shape[1] !== input.shape[1]) {
    throw new ShapeError(
      `conv2d: weights ${fmtShape(weight.shape)} must be [outChannels, ${input.shape[1]}, kh, kw] for input ${fmtShape(input.shape)}`,
    );
  }
  const [o, c, kh, kw] = weight.shape as [number, number, number, number];
  const attrs = resolveWindow(
    "conv2d",
    input.shape,
    [kh, kw],
    pair(options.stride ?? 1, "stride", "conv2d"),
    pair(options.dilation ?? 1, "dilation", "conv2d"),
    options.padding ?? "valid",
  );
  const cols = bind("im2col", [input], attrs);
  const [oh, ow] = windowOut(attrs, input.shape[2]!, input.shape[3]!);
  let y = reshape(matmul(reshape(weight, [o, c * kh * kw]), cols), [input.shape[0]!, o, oh, ow]);
  if (options.bias) y = add(y, reshape(options.bias, [1, o, 1, 1]));
  return y;
}

/**
 * Windows of each channel separately, as columns, with a mask of which entries
 * are real (not padding); no mask when there is no padding.
 */
function poolColumns(
  op: string,
  x: TensorLike,
  options: Pool2dOptions,
): { cols: Tensor; mask: Tensor | undefined; out: number[] } {
  const t = nchw(op, x);
  const [n, c, h, w] = t.shape as [number, number, number, number];
  const kernel = pair(options.kernelSize, "kernelSize", op);
  const attrs = resolveWindow(
    op,
    t.shape,
    kernel,
    pair(options.stride ?? kernel, "stride", op),
    [1, 1],
    options.padding ?? "valid",
  );
  const flat = reshape(t, [n * c, 1, h, w]);
  const cols = bind("im2col", [flat], attrs);
  const [oh, ow] = windowOut(attrs, h, w);
  const out = [n, c, oh, ow];
  if (attrs.pad.every((p) => p === 0)) return { cols, mask: undefined, out };
  const mask = bind("im2col", [ones([1, 1, h, w], t.dtype)], attrs);
  return { cols, mask: broadcastTo(mask, cols.shape), out };
}

/** Max over each window; padding never wins. */
export function maxPool2d(x: TensorLike, options: Pool2dOptions): Tensor {
  const { cols, mask, out } = poolColumns("maxPool2d", x, options);
  const masked = mask ? where(greater(mask, 0), cols, Number.NEGATIVE_INFINITY) : cols;
  return reshape(max(masked, 1), out);
}

/** Mean over each window, counting only real (non-padding) entries, as TF does for 'same'. */
export function avgPool2d(x: TensorLike, options: Pool2dOptions): Tensor {
  const { cols, mask, out } = poolColumns("avgPool2d", x, options);
  return reshape(div(sum(cols, 1), mask ? sum(mask, 1) : cols.shape[1]!), out);
}
