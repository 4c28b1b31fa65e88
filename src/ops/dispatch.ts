import { activeBackend } from "../backends/registry.js";
import { debugState } from "../core/debug.js";
import { isFloat } from "../core/dtype.js";
import { NaNError } from "../core/errors.js";
import type { Aval, PrimAttrs, PrimName } from "../core/primitives.js";
import { checkSize } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { currentLevel, topTrace } from "../core/trace.js";
import { primitiveTable } from "./table.js";

let gradRecording = true;

/** Runs `fn` without recording PyTorch-style `backward()` history (like `torch.no_grad`). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradRecording;
  gradRecording = false;
  try {
    return fn();
  } finally {
    gradRecording = prev;
  }
}

/** Shape and dtype of `prim` on these inputs, validated by its rule. */
export function abstractEval<P extends PrimName>(
  prim: P,
  inputs: readonly Aval[],
  attrs: PrimAttrs[P],
): Aval {
  const aval = primitiveTable()[prim].abstract(inputs, attrs);
  checkSize(prim, aval.shape);
  return aval;
}

/**
 * Applies a primitive. The highest transformation among the inputs handles it;
 * with none, it is evaluated on the active backend (falling back to the js
 * reference kernel), checked for NaN in debug mode, and recorded for
 * `backward()` when an input requires grad. Inside a functional transformation
 * (grad, jvp, trace, compile) nothing is recorded: the transformation keeps its
 * own tape, and a history hung on its primal values would keep every step's
 * activations alive for as long as the results are.
 */
export function bind<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
  const trace = topTrace(inputs);
  if (trace) return trace.process(prim, inputs, attrs);
  const def = primitiveTable()[prim];
  const concrete = inputs.map((t) => t._concrete());
  const aval = def.abstract(concrete, attrs);
  checkSize(prim, aval.shape);
  const kernel = activeBackend().kernels[prim] ?? def.js;
  const out = kernel(concrete, attrs, aval);
  if (debugState().nanCheck && isFloat(out.dtype)) checkFinite(prim, out);
  if (recordsHistory(concrete)) {
    out._gradFn = { name: prim, inputs: concrete, vjp: (ct) => def.vjp(ct, concrete, attrs, out) };
  }
  return out;
}

/** Whether an eager op on `inputs` is recorded for `backward()` (see `bind`). */
export function recordsHistory(inputs: readonly Tensor[]): boolean {
  return gradRecording && currentLevel() === 0 && inputs.some((t) => t.requiresGrad || t._gradFn);
}

function checkFinite(prim: PrimName, out: Tensor): void {
  const data = out.data();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new NaNError(
        `${prim}: produced ${Number.isNaN(data[i]!) ? "NaN" : "Inf"} at flat index ${i} of a result of shape [${out.shape}] (debug nanCheck)`,
      );
    }
  }
}
