import type { Kernel } from "../core/backend.js";
import type { PrimName } from "../core/primitives.js";
import { primitiveTable } from "../ops/table.js";

/** The js reference kernel of a primitive: what a faster backend falls back to for the cases it does not take. */
export function referenceKernel<P extends PrimName>(prim: P): Kernel<P> {
  return (inputs, attrs, out) => primitiveTable()[prim].js(inputs, attrs, out);
}
