/**
 * grafo's optional native backend (Node only): a C++ addon with AVX-512 and
 * AVX2+FMA kernels picked at run time by CPU feature, a scalar fallback, and a
 * thread pool for large calls. `npm install` builds it when a C++ toolchain is
 * present (native/build.mjs) and skips it otherwise; `loadNative()` then says
 * why, and grafo runs on wasm or js. See docs/backends-native.md.
 */
import type { Backend } from "../../core/backend.js";
import { registerMemoryReporter } from "../../core/memory.js";
import { loadNativeAddon } from "./addon.js";
import { nativeKernels } from "./kernels.js";

export {
  ACTIVATION,
  type AddonLoad,
  BINARY,
  COMPARE,
  type FloatArray,
  loadNativeAddon,
  MODE,
  type NativeActivation,
  type NativeAddon,
  type NativeBinaryOp,
  type NativeIsa,
  type NativeReduceOp,
  type NativeUnaryOp,
  type OperandMode,
  REDUCE,
  UNARY,
} from "./addon.js";
export { nativeKernels } from "./kernels.js";

let backend: Backend | undefined;

/**
 * The native backend, or why it is unavailable (not Node, addon not built,
 * failed to load). Loads once and never throws.
 */
export function loadNative(): { ok: true; backend: Backend } | { ok: false; reason: string } {
  const r = loadNativeAddon();
  if (!r.ok) return r;
  if (!backend) {
    const addon = r.addon;
    backend = { name: "native", kernels: nativeKernels(addon) };
    // An addon built before scratchBytes existed still loads; it just reports nothing.
    if (typeof addon.scratchBytes === "function")
      registerMemoryReporter("native", () => ({ bytes: addon.scratchBytes(), threads: addon.threads() }));
  }
  return { ok: true, backend };
}
