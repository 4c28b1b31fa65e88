import type { Aval, PrimAttrs, PrimName } from "./primitives.js";
import type { Tensor } from "./tensor.js";

/** A forward kernel: concrete inputs in, a concrete tensor of abstract value `out` back. */
export type Kernel<P extends PrimName> = (
  inputs: readonly Tensor[],
  attrs: PrimAttrs[P],
  out: Aval,
) => Tensor;

/** The kernels a backend overrides; every primitive it leaves out runs on the js reference kernel. */
export type KernelTable = { readonly [P in PrimName]?: Kernel<P> };

export interface Backend {
  readonly name: string;
  readonly kernels: KernelTable;
  /** How it runs on this host (threads, and why not more), for `backends()`. */
  describe?(): string;
}

/** The js backend overrides nothing: the reference kernels live beside each primitive's definition. */
export const jsBackend: Backend = { name: "js", kernels: {} };
