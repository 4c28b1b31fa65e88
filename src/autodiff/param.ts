import { Tensor } from "../core/tensor.js";
import { asTensor } from "../ops/convert.js";

/** PyTorch-style parameter: a tensor (same data) with `requiresGrad`, for `loss.backward()`. */
export function param(t: Tensor | number | readonly number[] | readonly (readonly number[])[]): Tensor {
  const src = asTensor(t as Tensor, undefined, "param")._concrete();
  const p = new Tensor(src.shape, src.dtype, src._buf);
  p.requiresGrad = true;
  return p;
}
