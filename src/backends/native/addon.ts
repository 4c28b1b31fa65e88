/**
 * The compiled addon (native/build/Release/grafo_native.node): its functions
 * as TypeScript sees them, and how it is found. Node-only, but this module
 * has no static `node:` import, so a browser bundle can include it and simply
 * gets `{ ok: false }` from `loadNativeAddon()`.
 */

/** A float tensor's storage as the addon takes it. */
export type FloatArray = Float32Array | Float64Array;

/** Unary functions of `unary`: out = alpha·f(x) + beta. Codes match native/src/kernels.h. */
export const UNARY = { identity: 0, exp: 1, log: 2, tanh: 3, sigmoid: 4, relu: 5 } as const;
export type NativeUnaryOp = keyof typeof UNARY;

/** Binary operations of `binary`. */
export const BINARY = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5 } as const;
export type NativeBinaryOp = keyof typeof BINARY;

/** Reductions of `reduce` (over the last axis of a rows×cols block). */
export const REDUCE = { sum: 0, max: 1 } as const;
/**
 * The addon interface this code calls (native/src/addon.cc kInterfaceVersion):
 * an addon built from older sources is refused, not called with arguments it
 * would silently ignore.
 */
export const ADDON_INTERFACE = 2;
export type NativeReduceOp = keyof typeof REDUCE;

/**
 * How a `binary` operand covers the rows×cols result: all of it (row-major),
 * one row repeated down (a bias), one value per row repeated across (x − max(x)
 * in softmax), or one value for everything.
 */
export const MODE = { full: 0, row: 1, col: 2, scalar: 3 } as const;

/** Comparisons of `compare`, in grafo's CompareOp order. Codes match native/src/kernels.h. */
export const COMPARE = { equal: 0, notEqual: 1, less: 2, lessEqual: 3, greater: 4, greaterEqual: 5 } as const;
export type OperandMode = keyof typeof MODE;

/** Activations a `gemm` epilogue applies. Codes match native/src/kernels.h. */
export const ACTIVATION = { none: 0, relu: 1 } as const;
export type NativeActivation = keyof typeof ACTIVATION;

/** Instruction sets the addon carries kernels for, best first. */
export type NativeIsa = "avx512" | "avx2" | "scalar";

/**
 * The raw functions of the addon. All sizes and offsets are in elements, all
 * arrays are read and written in place, and every index is bounds-checked in
 * C++ (a bad stride is a RangeError, not a crash).
 */
export interface NativeAddon {
  /**
   * For each batch item i: C_i (+)= A_i·B_i with A_i = a[offA[i] + r·rsA + c·csA]
   * (m×k), B_i likewise (k×n) and C_i = c[offC[i] + r·ldc + c] (m×n). Either
   * operand may be any strided view (a transpose is rsA = 1); equal offsets
   * broadcast an operand over the batch. a, b, c share one type.
   *
   * The optional epilogue runs on each tile of C as it is finished, while it
   * is still in cache: C = act(C + bias[biasOff + j]) (a bias row of n values,
   * or null for none; `act` an ACTIVATION code), the bias add and ReLU of a
   * dense layer at no extra pass over memory. With `biasPerRow` the bias holds
   * one value per row, C = act(C + bias[biasOff + i]): a convolution's, whose
   * rows are output channels.
   */
  gemm(
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    offA: Float64Array,
    offB: Float64Array,
    offC: Float64Array,
    m: number,
    n: number,
    k: number,
    rsA: number,
    csA: number,
    rsB: number,
    csB: number,
    ldc: number,
    accumulate: boolean,
    bias?: FloatArray | null,
    biasOff?: number,
    act?: number,
    biasPerRow?: boolean,
  ): void;
  /**
   * Softmax (or log-softmax when `log`) along each row of a rows×cols block,
   * computed as grafo composes it: m = max (0 when not finite), lse = log Σ
   * exp(x − m) + m, out = exp(x − lse) or x − lse. out must not overlap x.
   */
  softmax(
    x: Float32Array,
    xOff: number,
    out: Float32Array,
    outOff: number,
    rows: number,
    cols: number,
    log: boolean,
  ): void;
  /**
   * A stack of dense layers over the m rows of x (row-major, float32), each
   * y = act(y·B + bias), optionally ending in a softmax along each row
   * (`softmax`: -1 none, 0 softmax, 1 log-softmax), into out. `spec` holds six
   * numbers a layer (k, n, rsB, csB, act, hasBias); `weights` alternates each
   * layer's B and its bias (null without one). The rows are cut into blocks that
   * each thread takes through every layer: one thread hand-off for the stack.
   * out must not overlap x.
   */
  chain(
    x: Float32Array,
    out: Float32Array,
    m: number,
    softmax: number,
    spec: Float64Array,
    ...weights: (Float32Array | null)[]
  ): void;
  /** out[outOff + i] = alpha·f(x[xOff + i]) + beta for i < n (float32 only; in place is fine). */
  unary(
    op: number,
    x: Float32Array,
    xOff: number,
    out: Float32Array,
    outOff: number,
    n: number,
    alpha: number,
    beta: number,
  ): void;
  /** out (rows×cols row-major at outOff) = a ∘ b, each operand laid out by its mode (MODE). */
  binary(
    op: number,
    out: FloatArray,
    outOff: number,
    rows: number,
    cols: number,
    a: FloatArray,
    aOff: number,
    aMode: number,
    b: FloatArray,
    bOff: number,
    bMode: number,
  ): void;
  /** out (rows×cols bytes at outOff) = a op b as 0 or 1 (COMPARE), each operand laid out by its mode (MODE). */
  compare(
    op: number,
    out: Uint8Array,
    outOff: number,
    rows: number,
    cols: number,
    a: FloatArray,
    aOff: number,
    aMode: number,
    b: FloatArray,
    bOff: number,
    bMode: number,
  ): void;
  /** out (rows×cols at outOff) = c ? a : b, c a full rows×cols mask of bytes, a and b laid out by their modes. */
  where(
    out: FloatArray,
    outOff: number,
    rows: number,
    cols: number,
    c: Uint8Array,
    cOff: number,
    a: FloatArray,
    aOff: number,
    aMode: number,
    b: FloatArray,
    bOff: number,
    bMode: number,
  ): void;
  /** out[outOff + r] = reduce(x[xOff + r·cols … + cols)) for r < rows; sums accumulate in float64. */
  reduce(
    op: number,
    x: FloatArray,
    xOff: number,
    out: FloatArray,
    outOff: number,
    rows: number,
    cols: number,
  ): void;
  /**
   * grafo's im2col on NCHW images (or, when `adjoint`, col2im: images zeroed,
   * then every column entry added to the pixel it reads). `dims` holds n, c,
   * h, w, kh, kw, strideH, strideW, dilationH, dilationW and the padding top,
   * bottom, left, right; columns are [n, c·kh·kw, oh·ow].
   */
  windows(
    src: FloatArray,
    srcOff: number,
    dst: FloatArray,
    dstOff: number,
    dims: Float64Array,
    adjoint: boolean,
  ): void;
  /**
   * dst[dstOff …] (contiguous) = the strided view of src starting at srcOff with
   * `shape` and element `strides` (negative for a flip, 0 for a broadcast):
   * a compiled plan's layout copies. At most 16 axes; dst must not overlap src.
   */
  copyStrided(
    src: FloatArray,
    srcOff: number,
    dst: FloatArray,
    dstOff: number,
    shape: Float64Array,
    strides: Float64Array,
  ): void;
  /**
   * out[outOff + o·inner + i] = reduce over m < mid of x[xOff + (o·mid + m)·inner + i]
   * (op: REDUCE), accumulated in float64 in order of m: a reduction over the
   * middle axes of a dense tensor, e.g. pooling over im2col's window rows.
   */
  reduceMiddle(
    op: number,
    x: FloatArray,
    xOff: number,
    out: FloatArray,
    outOff: number,
    outer: number,
    mid: number,
    inner: number,
  ): void;
  /**
   * Threads (the caller included) that large kernels split across; starts at
   * the number of cores. Like `setIsa`, the setting belongs to the calling
   * JavaScript thread: each worker_thread has its own.
   */
  setThreads(n: number): void;
  threads(): number;
  /** Bytes of GEMM packing scratch the kernel threads keep for reuse (reported by `memory()`). */
  scratchBytes(): number;
  /** The instruction set in use: the best this CPU supports unless `setIsa` chose another. */
  isa(): NativeIsa;
  /** The version of this interface the addon was built with (see ADDON_INTERFACE). */
  interfaceVersion(): number;
  /** Switches instruction set for this thread (tests run every path on one machine); false when the CPU lacks it. */
  setIsa(name: NativeIsa): boolean;
  isaSupported(name: NativeIsa): boolean;
}

export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

/** Where build.mjs puts the addon, relative to this module (src/backends/native or dist/backends/native). */
const ADDON_PATH = "../../../native/build/Release/grafo_native.node";

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

interface NodeModuleApi {
  createRequire(from: string | URL): (id: string) => unknown;
}

let cached: AddonLoad | undefined;

/**
 * Loads the addon once, synchronously. Returns why not when this is not Node,
 * when the addon was not built (no compiler at install time), or when it fails
 * to load; never throws.
 */
export function loadNativeAddon(): AddonLoad {
  cached ??= tryLoad();
  return cached;
}

function tryLoad(): AddonLoad {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) return { ok: false, reason: "the native backend needs Node.js" };
  // getBuiltinModule rather than `import "node:module"`, so bundlers never see a Node import.
  const mod = proc.getBuiltinModule?.("module") as NodeModuleApi | undefined;
  if (!mod) return { ok: false, reason: "process.getBuiltinModule is missing (Node 20.16 or newer needed)" };
  let exports: unknown;
  try {
    exports = mod.createRequire(import.meta.url)(ADDON_PATH);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === "MODULE_NOT_FOUND")
      return {
        ok: false,
        reason:
          "the addon is not built (no C++ toolchain at install time?); build it with `node native/build.mjs`",
      };
    return { ok: false, reason: `the addon failed to load: ${err.message ?? String(e)}` };
  }
  const addon = exports as Partial<NativeAddon>;
  const missing = (
    [
      "gemm",
      "unary",
      "binary",
      "reduce",
      "softmax",
      "windows",
      "setThreads",
      "threads",
      "isa",
      "setIsa",
    ] as const
  ).filter((f) => typeof addon[f] !== "function");
  if (missing.length > 0)
    return {
      ok: false,
      reason: `the addon is stale (lacks ${missing.join(", ")}); rebuild with \`node native/build.mjs\``,
    };
  const version = typeof addon.interfaceVersion === "function" ? addon.interfaceVersion() : 1;
  if (version !== ADDON_INTERFACE)
    return {
      ok: false,
      reason: `the addon is stale (interface ${version}, this grafo needs ${ADDON_INTERFACE}); rebuild with \`node native/build.mjs\``,
    };
  return { ok: true, addon: addon as NativeAddon };
}
