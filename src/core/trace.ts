import { GrafoError } from "./errors.js";
import type { PrimAttrs, PrimName } from "./primitives.js";
import type { Tensor } from "./tensor.js";

/**
 * A transformation in progress (grad, jvp, trace, …). Transformations nest as a
 * stack of levels, as in JAX: an op is handled by the highest-level trace among
 * its inputs, which may bind further ops that lower levels handle. Levels are what
 * keep nested derivatives apart (no perturbation confusion).
 */
export abstract class Trace {
  constructor(readonly level: number) {}
  abstract process<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor;
}

/** What a traced tensor carries instead of data. Each trace kind extends it. */
export abstract class Tracer {
  abstract readonly trace: Trace;
  /** The concrete value under this tracer, if the transformation has one. */
  abstract concrete(): Tensor | undefined;
}

const stack: Trace[] = [];

export function currentLevel(): number {
  return stack.length;
}

/** Runs `fn` with a new trace on top of the stack. */
export function withTrace<T extends Trace, R>(make: (level: number) => T, fn: (trace: T) => R): R {
  const trace = make(stack.length + 1);
  stack.push(trace);
  try {
    return fn(trace);
  } finally {
    stack.pop();
  }
}

/** The trace that must handle an op on these inputs, or undefined for plain evaluation. */
export function topTrace(inputs: readonly Tensor[]): Trace | undefined {
  let top: Trace | undefined;
  for (const t of inputs) {
    const tr = t._tracer?.trace;
    if (tr === undefined) continue;
    if (stack[tr.level - 1] !== tr) {
      throw new GrafoError(
        "a tensor from inside grad/jvp/trace was used after that transformation ended (it escaped, e.g. through a closure or a global)",
      );
    }
    if (top === undefined || tr.level > top.level) top = tr;
  }
  return top;
}
