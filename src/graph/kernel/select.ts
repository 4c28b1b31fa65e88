import { activeBackend } from "../../backends/registry.js";
import { jsKernelCompiler } from "./js.js";
import type { KernelCompiler, LoopKernel, LoopSpec } from "./spec.js";
import { wasmKernelCompiler } from "./wasm.js";

const compilers: KernelCompiler[] = [];

/**
 * Registers a kernel compiler that compiled plans try first (before the
 * active backend's and the js code generator); it returns undefined for specs
 * it does not handle. Returns a function that unregisters it.
 */
export function registerKernelCompiler(compiler: KernelCompiler): () => void {
  compilers.unshift(compiler);
  return () => {
    const i = compilers.indexOf(compiler);
    if (i >= 0) compilers.splice(i, 1);
  };
}

/**
 * The kernel for a spec: from the first registered compiler that takes it,
 * else from the wasm code generator while wasm is the active backend, else js
 * (which takes every spec).
 */
export function compileLoop(spec: LoopSpec): LoopKernel {
  for (const c of compilers) {
    const k = c(spec);
    if (k) return k;
  }
  if (activeBackend().name === "wasm") {
    const k = wasmKernelCompiler(spec);
    if (k) return k;
  }
  return jsKernelCompiler(spec)!;
}
