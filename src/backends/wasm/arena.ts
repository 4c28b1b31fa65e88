/**
 * The one Wasm memory all kernels share, used as a scratch arena.
 *
 * Kernels run on plain typed arrays owned by the caller, so each call copies
 * its inputs in, runs, and copies results out. The arena is reset at the start
 * of every call and only grows when a call needs more than any before it, so
 * memory stays bounded by the largest call and users never free anything.
 * When shared memory exists the arena is a shared memory, which is what lets
 * the worker pool run kernels on the same bytes.
 */
import { registerMemoryReporter } from "../../core/memory.js";
import type { MemoryImport } from "./emitter.js";
import { wasmFeatures } from "./features.js";

const PAGE = 65536;
/** 2 GiB: the most a shared memory may need to reserve up front in every engine we target. */
const MAX_PAGES = 32768;
const INITIAL_PAGES = 64;

export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  private f32View = new Float32Array(0);
  private f64View = new Float64Array(0);

  constructor(shared: boolean) {
    this.shared = shared;
    this.memory = shared
      ? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true })
      : new WebAssembly.Memory({ initial: INITIAL_PAGES });
  }

  /** How modules must declare their memory import to link against this arena. */
  get importDecl(): MemoryImport {
    return this.shared
      ? { shared: true, minPages: INITIAL_PAGES, maxPages: MAX_PAGES }
      : { shared: false, minPages: INITIAL_PAGES };
  }

  /** Grows the memory so that byte addresses below `bytes` are valid. */
  ensure(bytes: number, kernel: string): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new RangeError(`${kernel}: needs ${bytes} bytes of Wasm memory, more than the 2 GiB limit`);
    }
    this.memory.grow(pages);
  }

  /** A Float32Array over the whole memory (re-made after growth detaches or outgrows the old one). */
  f32(): Float32Array {
    if (
      this.f32View.buffer !== this.memory.buffer ||
      this.f32View.byteLength !== this.memory.buffer.byteLength
    ) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  f64(): Float64Array {
    if (
      this.f64View.buffer !== this.memory.buffer ||
      this.f64View.byteLength !== this.memory.buffer.byteLength
    ) {
      this.f64View = new Float64Array(this.memory.buffer);
    }
    return this.f64View;
  }
}

/** Bump allocation within one kernel call; byte addresses, 64-byte (cache line) aligned. */
export class Layout {
  private top = 64; // keep address 0 unused so a stray null pointer shows up as garbage, not data

  alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 64) * 64;
    return at;
  }

  get size(): number {
    return this.top;
  }
}

let arena: Arena | undefined;

/** The process-wide (per-thread) arena, created on first use. */
export function getArena(): Arena {
  if (arena) return arena;
  try {
    arena = new Arena(wasmFeatures().sharedMemory);
  } catch {
    // A 2 GiB shared reservation can fail on small (32-bit, mobile) hosts: run single-threaded instead.
    arena = new Arena(false);
  }
  const a = arena;
  registerMemoryReporter("wasm", () => ({ bytes: a.memory.buffer.byteLength }));
  return a;
}
