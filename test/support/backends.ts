/**
 * Which kernels the op suite runs on, and which primitives an op is made of.
 * The js backend is the reference; every other backend that loads runs the
 * same generic checks and is compared with js (DESIGN principle 5).
 */
import { type BackendName, backends, withBackend as onBackend } from "../../src/backends/registry.js";
import type { PrimAttrs, PrimName } from "../../src/core/primitives.js";
import { Tensor } from "../../src/core/tensor.js";
import { Trace, Tracer, withTrace } from "../../src/core/trace.js";
import { bind } from "../../src/ops/dispatch.js";

export const DEFAULT_BACKEND: BackendName = "js";

/** The backends that load here (js always does). */
export function availableBackends(): BackendName[] {
  return backends()
    .filter((b) => b.available)
    .map((b) => b.name);
}

/** Runs `fn` with eager ops on the named backend (js by default), restoring the previous one afterwards. */
export function withBackend<T>(name: string = DEFAULT_BACKEND, fn: () => T): T {
  return onBackend(name as BackendName, fn);
}

class RecordingTracer extends Tracer {
  constructor(
    readonly trace: RecordingTrace,
    readonly value: Tensor,
  ) {
    super();
  }
  concrete(): Tensor {
    return this.value;
  }
}

/** A transformation that only writes down each primitive it sees, then evaluates it as usual. */
class RecordingTrace extends Trace {
  readonly seen = new Set<PrimName>();

  process<P extends PrimName>(prim: P, inputs: readonly Tensor[], attrs: PrimAttrs[P]): Tensor {
    this.seen.add(prim);
    const values = inputs.map((t) => this.own(t)?.value ?? t);
    return this.wrap(bind(prim, values, attrs));
  }

  own(t: Tensor): RecordingTracer | undefined {
    const tr = t._tracer;
    return tr instanceof RecordingTracer && tr.trace === this ? tr : undefined;
  }

  wrap(t: Tensor): Tensor {
    return Tensor._traced(t, new RecordingTracer(this, t));
  }
}

/** The primitives `fn` binds on (values derived from) its arguments: what the op is composed of. */
export function primitivesUsed(fn: (...xs: Tensor[]) => Tensor, args: readonly Tensor[]): Set<PrimName> {
  return withTrace(
    (level) => new RecordingTrace(level),
    (trace) => {
      fn(...args.map((a) => trace.wrap(a)));
      return trace.seen;
    },
  );
}
