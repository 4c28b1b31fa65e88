/** Shared helpers of the native backend tests: the addon (or why it is missing), ISAs, samples, ulps. */
import { describe, it } from "vitest";
import { loadNativeAddon, type NativeAddon, type NativeIsa } from "../../../src/backends/native/index.js";

const load = loadNativeAddon();

/** The addon when it was built, else undefined (the suites are then skipped, with the reason in their name). */
export const addon: NativeAddon | undefined = load.ok ? load.addon : undefined;

/** `describe`, skipped with the loader's reason when the addon is not built. */
export function describeNative(name: string, body: (addon: NativeAddon) => void): void {
  if (load.ok) describe(name, () => body(load.addon));
  else
    describe.skipIf(true)(`${name} (skipped: ${load.reason})`, () => {
      it("needs the addon built by `node native/build.mjs`", () => {});
    });
}

/** Every instruction set this CPU can run, so each kernel variant is tested on one machine. */
export function supportedIsas(a: NativeAddon): NativeIsa[] {
  return (["avx512", "avx2", "scalar"] as const).filter((isa) => a.isaSupported(isa));
}

/** Runs `fn` with the addon switched to `isa` (and `threads`), restoring both afterwards. */
export function withIsa<T>(a: NativeAddon, isa: NativeIsa, fn: () => T, threads?: number): T {
  const prevIsa = a.isa();
  const prevThreads = a.threads();
  a.setIsa(isa);
  if (threads !== undefined) a.setThreads(threads);
  try {
    return fn();
  } finally {
    a.setIsa(prevIsa);
    a.setThreads(prevThreads);
  }
}

/** Deterministic uniform numbers in [-1, 1), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);

/** A float32's position on the integer line: adjacent floats differ by 1. */
export function ordinal(x: number): number {
  asFloat[0] = x;
  const i = bits[0]!;
  return i < 0 ? -2147483648 - i : i;
}

const MIN_NORMAL = 2 ** -126;

/**
 * The worst distance in ulps of `got` from the float32 rounding of `ref(x)`;
 * results in the subnormal range may be off by one subnormal step more.
 */
export function worstUlp(
  xs: Float32Array,
  got: Float32Array,
  ref: (x: number) => number,
): { ulp: number; at: number } {
  let ulp = 0;
  let at = Number.NaN;
  for (let i = 0; i < xs.length; i++) {
    const want = Math.fround(ref(xs[i]!));
    const g = got[i]!;
    if (Object.is(want, g) || (Number.isNaN(want) && Number.isNaN(g))) continue;
    if (Math.abs(want) < MIN_NORMAL && Math.abs(g - want) <= 2 ** -148) continue;
    const d = Number.isFinite(want) && Number.isFinite(g) ? Math.abs(ordinal(want) - ordinal(g)) : Infinity;
    if (d > ulp) {
      ulp = d;
      at = xs[i]!;
    }
  }
  return { ulp, at };
}
