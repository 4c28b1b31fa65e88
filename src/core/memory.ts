/**
 * What grafo holds in memory, for tests and users who want to see that a long
 * run stays flat. Tensors are garbage-collected typed arrays (DESIGN principle
 * 4), so "live" means "not yet collected": counting them needs a
 * FinalizationRegistry entry per tensor, about a microsecond each, which is
 * why it is off until `trackTensors()` turns it on. Everything else (the wasm
 * arena, native scratch, compiled plans' buffer pools, kernel caches) is
 * reported by its owner through `registerMemoryReporter` and is always on.
 */
import type { DataArray } from "./dtype.js";

/** Figures one owner of memory reports: bytes it holds, and counts of what it holds. */
export type MemoryFigures = Readonly<Record<string, number>>;

/** A snapshot of what grafo holds. */
export interface MemoryInfo {
  /** Whether live tensors are being counted (`trackTensors()`); if not, the three counts below are 0. */
  readonly tracking: boolean;
  /** Tensors with data not yet garbage-collected (views count once each). */
  readonly tensors: number;
  /** Distinct data buffers behind those tensors (views share one). */
  readonly buffers: number;
  /** Bytes of those buffers. */
  readonly bytes: number;
  /**
   * Memory held outside tensors, by owner: `wasm` (its arena, in bytes, and
   * worker count), `native` (kernel scratch), `plans` (compiled plans alive and
   * their buffer pools), `kernels` (cached generated kernels). Owners appear
   * once they are first used.
   */
  readonly pools: Readonly<Record<string, MemoryFigures>>;
}

interface Tracker {
  tensors: number;
  buffers: number;
  bytes: number;
  readonly seen: WeakSet<DataArray>;
  readonly tensorGone: FinalizationRegistry<undefined>;
  readonly bufferGone: FinalizationRegistry<number>;
}

let tracker: Tracker | undefined;
const reporters = new Map<string, () => MemoryFigures>();

/**
 * Starts (or stops) counting live tensors and their buffers. Tensors made
 * before it was turned on are not counted. Read the counts with `memory()`
 * after a garbage collection (`node --expose-gc`, `gc()`, then let the event
 * loop turn once so finalizers run).
 */
export function trackTensors(on = true): void {
  if (!on) {
    tracker = undefined;
    return;
  }
  if (tracker) return;
  const t: Tracker = {
    tensors: 0,
    buffers: 0,
    bytes: 0,
    seen: new WeakSet(),
    tensorGone: new FinalizationRegistry(() => {
      t.tensors--;
    }),
    bufferGone: new FinalizationRegistry((bytes) => {
      t.buffers--;
      t.bytes -= bytes;
    }),
  };
  tracker = t;
}

/** @internal called for every tensor with data; a no-op unless tracking. */
export function noteTensor(tensor: object, data: DataArray): void {
  const t = tracker;
  if (t === undefined) return;
  t.tensors++;
  t.tensorGone.register(tensor, undefined);
  if (!t.seen.has(data)) {
    t.seen.add(data);
    t.buffers++;
    t.bytes += data.byteLength;
    t.bufferGone.register(data, data.byteLength);
  }
}

/** @internal an owner of memory outside tensors reports it under `name` (replacing an earlier reporter). */
export function registerMemoryReporter(name: string, report: () => MemoryFigures): void {
  reporters.set(name, report);
}

/** What grafo holds now: live tensors (when tracking) and every backend's and plan's memory. */
export function memory(): MemoryInfo {
  const pools: Record<string, MemoryFigures> = {};
  for (const [name, report] of reporters) pools[name] = report();
  return {
    tracking: tracker !== undefined,
    tensors: tracker?.tensors ?? 0,
    buffers: tracker?.buffers ?? 0,
    bytes: tracker?.bytes ?? 0,
    pools,
  };
}
