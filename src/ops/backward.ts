import { ones } from "../core/creation.js";
import { ArgumentError, GrafoError } from "../core/errors.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { add } from "./binary.js";
import { noGrad } from "./dispatch.js";

/**
 * PyTorch-style reverse mode over the history that eager ops recorded for
 * tensors with `requiresGrad`: accumulates into each such leaf's `.grad`.
 * The functional `grad` is the main API; this is sugar on the same rules.
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root._gradFn && !root.requiresGrad) {
    throw new GrafoError("backward: this tensor does not depend on any tensor with requiresGrad: true");
  }
  if (!gradient && root.size !== 1) {
    throw new ArgumentError(
      `backward: output has shape ${fmtShape(root.shape)}; pass a gradient of that shape, or reduce it to a scalar first`,
    );
  }
  if (gradient && !shapesEqual(gradient.shape, root.shape)) {
    throw new ArgumentError(
      `backward: gradient shape ${fmtShape(gradient.shape)} does not match output shape ${fmtShape(root.shape)}`,
    );
  }
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const visit = (t: Tensor): void => {
    if (seen.has(t)) return;
    seen.add(t);
    for (const i of t._gradFn?.inputs ?? []) visit(i);
    order.push(t);
  };
  visit(root);
  noGrad(() => {
    const cts = new Map<Tensor, Tensor>([[root, gradient ?? ones(root.shape, root.dtype)]]);
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const ct = cts.get(t);
      if (!ct) continue;
      if (t.requiresGrad) t.grad = t.grad ? add(t.grad, ct) : ct;
      const fn = t._gradFn;
      if (!fn) continue;
      const inCts = fn.vjp(ct);
      fn.inputs.forEach((input, i) => {
        const c = inCts[i];
        if (!c || !(input.requiresGrad || input._gradFn)) return;
        const prev = cts.get(input);
        cts.set(input, prev ? add(prev, c) : c);
      });
    }
  });
}

/** Clears `.grad` on the given tensors (or a tree of them). */
export function zeroGrad(params: Iterable<Tensor> | Record<string, Tensor>): void {
  const list = Symbol.iterator in params ? params : Object.values(params);
  for (const p of list as Iterable<Tensor>) p.grad = undefined;
}
