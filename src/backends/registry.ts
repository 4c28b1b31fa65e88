import { type Backend, jsBackend } from "../core/backend.js";
import { ArgumentError } from "../core/errors.js";
import { loadNative } from "./native/index.js";
import { loadWasm } from "./wasm/backend.js";

export type BackendName = "js" | "wasm" | "native";

export interface BackendStatus {
  readonly name: BackendName;
  /** Whether it loaded and can run. */
  readonly available: boolean;
  /** Why not, when it is unavailable. */
  readonly reason?: string;
  /** How it runs here when it is available (e.g. the wasm backend's threads, or why it has only one). */
  readonly note?: string;
  readonly active: boolean;
}

type LoadResult = { ok: true; backend: Backend } | { ok: false; reason: string };

/** Best first: the default is the first that loads. */
const PREFERENCE: readonly BackendName[] = ["native", "wasm", "js"];

const loaders: Record<BackendName, () => LoadResult> = {
  js: () => ({ ok: true, backend: jsBackend }),
  wasm: loadWasm,
  native: loadNative,
};

const loaded = new Map<BackendName, LoadResult>();
let active: { name: BackendName; backend: Backend } | undefined;

function load(name: BackendName): LoadResult {
  let r = loaded.get(name);
  if (!r) {
    try {
      r = loaders[name]();
    } catch (e) {
      r = { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    loaded.set(name, r);
  }
  return r;
}

function envBackend(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.GRAFO_BACKEND || undefined;
}

function isName(x: string): x is BackendName {
  return (PREFERENCE as readonly string[]).includes(x);
}

/** The backend eager ops run on: chosen on first use from GRAFO_BACKEND, else the best that loads. */
export function activeBackend(): Backend {
  if (!active) {
    const wanted = envBackend();
    if (wanted) setBackend(wanted as BackendName);
    else {
      for (const name of PREFERENCE) {
        const r = load(name);
        if (r.ok) {
          active = { name, backend: r.backend };
          break;
        }
      }
    }
  }
  return active!.backend;
}

/** Switches the backend; throws with the reason when it cannot load. */
export function setBackend(name: BackendName): void {
  if (!isName(name))
    throw new ArgumentError(
      `setBackend: unknown backend ${JSON.stringify(name)}; expected one of ${PREFERENCE.join(", ")}`,
    );
  const r = load(name);
  if (!r.ok) throw new ArgumentError(`setBackend: the ${name} backend is not available: ${r.reason}`);
  active = { name, backend: r.backend };
}

/** The name of the backend in use. */
export function getBackend(): BackendName {
  activeBackend();
  return active!.name;
}

/** Every backend, whether it loaded, and why not. */
export function backends(): BackendStatus[] {
  const current = getBackend();
  return PREFERENCE.map((name) => {
    const r = load(name);
    if (!r.ok) return { name, available: false, reason: r.reason, active: false };
    const note = r.backend.describe?.();
    return { name, available: true, active: name === current, ...(note ? { note } : {}) };
  });
}

/** Runs `fn` on the named backend, restoring the previous one after (for tests and benchmarks). */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const prev = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}
