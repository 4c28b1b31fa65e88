import { activeBackend } from "../../backends/registry.js";
import { wasmFeatures } from "../../backends/wasm/features.js";
import { jsKernelCompiler } from "./js.js";
import { nativeKernelCompiler } from "./native.js";
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
 * else on the native backend its fused α·f(x) + β kernel when the spec has that
 * form, else from the wasm SIMD code generator while a fast backend (wasm or
 * native) is active and Wasm SIMD is there,
 * else js (which takes every spec, and keeps the js backend bit-exact).
 */
export function compileLoop(spec: LoopSpec): LoopKernel {
  for (const c of compilers) {
    const k = c(spec);
    if (k) return k;
  }
  const backend = activeBackend().name;
  if (backend === "native") {
    const k = nativeKernelCompiler(spec);
    if (k) return k;
  }
  if (backend !== "js" && wasmFeatures().simd) {
    const k = wasmKernelCompiler(spec);
    if (k) return k;
  }
  return jsKernelCompiler(spec)!;
}
