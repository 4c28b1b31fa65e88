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
