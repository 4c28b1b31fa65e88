/**
 * The only place that knows which JavaScript host it runs on (Node or a
 * browser). Everything else in the Wasm backend is plain ECMAScript + Wasm, so
 * it bundles for the web unchanged; Node's modules are reached through
 * `process.getBuiltinModule`, which is synchronous (our kernel API is) and
 * invisible to bundlers.
 */
import type * as NodeV8 from "node:v8";
import type * as NodeWorkerThreads from "node:worker_threads";

interface NodeProcessLike {
  getBuiltinModule?: (id: string) => unknown;
}

function nodeModule<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  try {
    return proc?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns on V8's relaxed-SIMD flag where the engine has it implemented but not
 * shipped (Node 20). The flag only adds instructions; no existing behaviour
 * changes. Set GRAFO_WASM_RELAXED=0 to opt out. Returns whether a flag was set.
 */
export function enableRelaxedSimdFlag(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.GRAFO_WASM_RELAXED === "0") return false;
  const v8 = nodeModule<typeof NodeV8>("node:v8");
  if (!v8) return false;
  try {
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    return true;
  } catch {
    return false;
  }
}

/** The small surface of a worker the pool needs, on either host. */
export interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}

/**
 * Why this host cannot run the Wasm worker pool, or undefined when it can.
 * Node always can (worker_threads); a browser page only when it is
 * cross-origin isolated, the condition for SharedArrayBuffer.
 */
export function poolUnavailable(): string | undefined {
  if (nodeModule<unknown>("node:worker_threads")) return undefined;
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated !== true)
    return "the page is not cross-origin isolated, so it has no SharedArrayBuffer for workers to share (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  if (typeof g.Worker !== "function") return "this host has no Web Workers";
  return undefined;
}

/** True where this thread may block in `Atomics.wait` (never a browser's main thread). */
export function canBlock(): boolean {
  if (nodeModule<unknown>("node:worker_threads")) return true;
  const g = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean };
  return g.WorkerGlobalScope !== undefined && g.crossOriginIsolated === true;
}

/** Logical cores the host reports; 1 when unknown. */
export function hardwareThreads(): number {
  const os = nodeModule<{ availableParallelism?: () => number; cpus: () => unknown[] }>("node:os");
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/**
 * Starts a worker running `source` (a self-contained classic script that sees a
 * `onMessage(handler)` helper). Node workers are unref'd so an idle pool never
 * keeps the process alive. Returns undefined where workers are unavailable.
 */
export function spawnWorker(source: string): PoolWorker | undefined {
  const wt = nodeModule<typeof NodeWorkerThreads>("node:worker_threads");
  if (wt) {
    const prologue =
      "const { parentPort } = require('node:worker_threads');" +
      "const onMessage = (h) => parentPort.on('message', h);";
    const w = new wt.Worker(prologue + source, { eval: true });
    w.unref();
    return w;
  }
  const g = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (!g.Worker || !g.Blob || !g.URL) return undefined;
  const prologue = "const onMessage = (h) => self.addEventListener('message', (e) => h(e.data));";
  const url = g.URL.createObjectURL(new g.Blob([prologue + source], { type: "text/javascript" }));
  return new g.Worker(url);
}
