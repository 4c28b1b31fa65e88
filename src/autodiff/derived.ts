import { eye, tensor } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { asTensor } from "../ops/convert.js";
import { reshape } from "../ops/shape.js";
import { cast } from "../ops/unary.js";
import { jvp } from "./jvp.js";
import { grad, vjp } from "./vjp.js";
import { vmap } from "./vmap.js";

type TensorFn = (...args: Tensor[]) => Tensor;

/** Every unit tensor of x's shape, stacked: [x.size, ...x.shape]. */
function basis(x: Tensor): Tensor {
  return reshape(eye(x.size, x.size, x.dtype), [x.size, ...x.shape]);
}

function argAt(args: readonly TensorLike[], argnum: number, op: string): Tensor {
  if (!Number.isInteger(argnum) || argnum < 0 || argnum >= args.length)
    throw new ArgumentError(`${op}: argnum ${argnum} is out of range for ${args.length} arguments`);
  return asTensor(args[argnum]!, undefined, op);
}

/** Replaces argument `argnum`, so a many-argument function can be seen as a function of one. */
function ofOne(f: TensorFn, args: readonly TensorLike[], argnum: number): (x: Tensor) => Tensor {
  return (x: Tensor) => f(...args.map((a, i) => (i === argnum ? x : asTensor(a))));
}

/**
 * Jacobian by forward mode: the jvp along every input direction, as one
 * batched jvp (vmap over the basis). Best when inputs are fewer than outputs.
 * Shape: [...out.shape, ...x.shape].
 */
export function jacfwd(f: TensorFn, argnum = 0): (...args: TensorLike[]) => Tensor {
  return (...args) => {
    const x = argAt(args, argnum, "jacfwd");
    if (x.size === 0) throw new ArgumentError(`jacfwd: input has no elements (shape ${fmtShape(x.shape)})`);
    const g = ofOne(f, args, argnum);
    const columns = vmap((t: Tensor) => jvp(g, [x], [t])[1], 0, -1)(basis(x));
    return reshape(columns, [...columns.shape.slice(0, -1), ...x.shape]);
  };
}

/**
 * Jacobian by reverse mode: one forward pass, then the vjp of every output
 * direction as one batched backward pass (vmap over the basis). Best when
 * outputs are fewer than inputs. Shape: [...out.shape, ...x.shape].
 */
export function jacrev(f: TensorFn, argnum = 0): (...args: TensorLike[]) => Tensor {
  return (...args) => {
    const x = argAt(args, argnum, "jacrev");
    const [out, back] = vjp(ofOne(f, args, argnum), x);
    if (out.size === 0)
      throw new ArgumentError(`jacrev: output has no elements (shape ${fmtShape(out.shape)})`);
    const rows = vmap((ct: Tensor) => back(ct)[0])(basis(out));
    return reshape(rows, [...out.shape, ...x.shape]);
  };
}

/** jacrev by default, as in JAX. */
export const jacobian = jacrev;

/** Matrix of second derivatives of a scalar function: forward over reverse. Shape [...x.shape, ...x.shape]. */
export function hessian(f: TensorFn, argnum = 0): (...args: TensorLike[]) => Tensor {
  return jacfwd((...args: Tensor[]) => grad(f, argnum)(...args) as Tensor, argnum);
}

export interface CheckGradOptions {
  /** Step of the central differences (in float64). */
  eps?: number;
}

/**
 * Compares reverse-mode gradients of a scalar function with central finite
 * differences in float64, over every element of every argument. Returns the
 * largest error, relative where the derivative is larger than 1.
 */
export function checkGrad(f: TensorFn, args: readonly TensorLike[], options: CheckGradOptions = {}): number {
  const eps = options.eps ?? 1e-6;
  const xs = args.map((a) => cast(asTensor(a, undefined, "checkGrad"), "float64"));
  const analytic = grad(
    f,
    xs.map((_, i) => i),
  )(...xs) as Tensor[];
  let worst = 0;
  xs.forEach((x, i) => {
    const base = x.data() as Float64Array;
    const g = analytic[i]!.data();
    for (let k = 0; k < base.length; k++) {
      const at = (delta: number) => {
        const moved = Float64Array.from(base);
        moved[k]! += delta;
        const shifted = xs.map((y, j) => (j === i ? tensor(moved, x.shape) : y));
        return f(...shifted).item();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const err = Math.abs(g[k]! - numeric) / Math.max(1, Math.abs(numeric));
      worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
    }
  });
  return worst;
}
