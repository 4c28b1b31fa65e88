import type { Graph } from "../graph.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { foldConstants } from "./fold.js";
import { fuse } from "./fuse.js";
import { simplify } from "./simplify.js";

export { cse, dce, foldConstants, fuse, simplify };

/** Which passes `optimize` runs (all by default). */
export interface OptimizeOptions {
  /** Dead-code elimination. */
  dce?: boolean;
  /** Algebraic simplification (x·1, x+0, double transpose, …). */
  simplify?: boolean;
  /** Constant folding. */
  fold?: boolean;
  /** Common-subexpression elimination. */
  cse?: boolean;
  /** Elementwise fusion (last: it changes nodes the other passes look at). */
  fuse?: boolean;
}

/**
 * The standard pipeline: prune, simplify, fold constants, merge duplicates,
 * prune what that left unused, then fuse elementwise chains into kernels.
 */
export function optimize(g: Graph, options: OptimizeOptions = {}): Graph {
  const on = (k: keyof OptimizeOptions) => options[k] !== false;
  let out = g;
  if (on("dce")) out = dce(out);
  if (on("simplify")) out = simplify(out);
  if (on("fold")) out = foldConstants(out);
  if (on("cse")) out = cse(out);
  // Simplifying again catches patterns that CSE and folding exposed (x·1 once 1 is one constant).
  if (on("simplify")) out = simplify(out);
  if (on("dce")) out = dce(out);
  if (on("fuse")) out = fuse(out);
  return out;
}
