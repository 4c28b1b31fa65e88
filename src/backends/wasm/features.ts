/**
 * Feature detection for the Wasm kernels. Each probe validates a tiny module
 * built with our own emitter, so detection checks exactly the encodings the
 * kernels will use rather than guessing from user agents or versions.
 */
import { ModuleBuilder } from "./emitter.js";
import { enableRelaxedSimdFlag } from "./platform.js";

export interface WasmFeatures {
  /** SIMD128: required; every kernel is written with v128 ops. */
  readonly simd: boolean;
  /** `f32x4.relaxed_madd`: lets the GEMM micro-kernel use one FMA instead of mul + add. */
  readonly relaxedSimd: boolean;
  /** Shared memories (SharedArrayBuffer + Atomics): needed for the worker pool. */
  readonly sharedMemory: boolean;
}

let cached: WasmFeatures | undefined;

function probe(build: (m: ModuleBuilder) => void, shared = false): boolean {
  try {
    const m = new ModuleBuilder(shared ? { shared, minPages: 1, maxPages: 1 } : { shared, minPages: 1 });
    build(m);
    return WebAssembly.validate(m.toBytes());
  } catch {
    return false;
  }
}

function probeSimd(): boolean {
  return probe((m) => {
    const f = m.func("f", [["x", "v128"]], ["v128"]);
    f.get(f.param("x")).get(f.param("x")).op("f32x4.add");
  });
}

function probeRelaxed(): boolean {
  return probe((m) => {
    const f = m.func("f", [["x", "v128"]], ["v128"]);
    const x = f.param("x");
    f.get(x).get(x).get(x).op("f32x4.relaxed_madd");
  });
}

function probeShared(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  if (!probe(() => {}, true)) return false;
  try {
    // Browsers without cross-origin isolation refuse to create the memory itself.
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** What this engine supports; computed once. */
export function wasmFeatures(): WasmFeatures {
  if (cached) return cached;
  let relaxedSimd = probeRelaxed();
  // Node 20's V8 has relaxed SIMD implemented but behind a flag (it ships on in later V8).
  if (!relaxedSimd && enableRelaxedSimdFlag()) relaxedSimd = probeRelaxed();
  cached = { simd: probeSimd(), relaxedSimd, sharedMemory: probeShared() };
  return cached;
}
