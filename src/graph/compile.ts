import { LruCache } from "../core/lru.js";
import type { Graph } from "./graph.js";
import type { OptimizeOptions } from "./passes/index.js";
import { Plan } from "./plan/plan.js";
import { trace } from "./trace.js";
import { signatureOf, unflattenTree } from "./treedef.js";

/** Options of `compile`. */
export interface CompileOptions {
  /** Print each new plan's graph, generated kernels and plan function when it is built. */
  debug?: boolean;
  /** Where debug output goes (console.log by default). */
  log?: (text: string) => void;
  /** Which optimization passes run (all by default). */
  optimize?: OptimizeOptions;
}

/** A compiled function: call it like the original; `plan(...args)` shows what runs for those arguments. */
export interface CompiledFunction<A extends readonly unknown[], R> {
  (...args: A): R;
  /** The plan for this argument signature (traced, optimized and planned if new). */
  plan(...args: A): Plan;
  /** How many plans (one per signature: shapes, dtypes, tree structure) are cached; at most 64, least recently used dropped. */
  readonly cacheSize: number;
}

/**
 * Compiles `f`: on the first call with a new input signature (shapes, dtypes,
 * tree structure) it traces `f` to a graph, optimizes it (DCE, simplification,
 * constant folding, CSE, fusion), plans its memory and generates one JS
 * function for it; later calls with that signature run the plan directly.
 * Results are pytrees like `f`'s. Inside grad/jvp/trace (or with tensors that
 * require grad) the optimized graph runs primitive by primitive instead, so a
 * compiled function can still be differentiated.
 *
 * ```ts
 * const step = compile((params, x, y) => {
 *   const [l, g] = valueAndGrad(loss)(params, x, y);
 *   return [l, mapTree(params, …update with g…)];
 * });
 * ```
 */
export function compile<A extends readonly unknown[], R>(
  f: (...args: A) => R,
  options: CompileOptions = {},
): CompiledFunction<A, R> {
  // One plan per signature, the most recently used 64 kept: a function called
  // with ever new shapes must not keep every plan (and its buffers) forever.
  const cache = new LruCache<string, Plan>(64);
  const planFor = (args: A, key: string): Plan => {
    let plan = cache.get(key);
    if (!plan) {
      const graph = trace(f, ...args).optimize(options.optimize) as unknown as Graph;
      plan = new Plan(graph);
      cache.set(key, plan);
      if (options.debug) {
        const log = options.log ?? console.log;
        log(
          [
            `compile: new plan for ${key}`,
            graph.toString(),
            ...plan.kernelSources,
            plan.source,
            JSON.stringify(plan.stats),
          ].join("\n\n"),
        );
      }
    }
    return plan;
  };
  const compiled = ((...args: A): R => {
    const [leaves, key] = signatureOf(args);
    const plan = planFor(args, key);
    for (const t of leaves) {
      if (t._tracer !== undefined || t.requiresGrad || t._gradFn !== undefined)
        return (plan.graph.run as (...a: A) => R)(...args);
    }
    return unflattenTree(plan.graph.outTree, plan.execute(leaves)) as R;
  }) as CompiledFunction<A, R>;
  compiled.plan = (...args: A) => planFor(args, signatureOf(args)[1]);
  Object.defineProperty(compiled, "cacheSize", { get: () => cache.size });
  return compiled;
}
