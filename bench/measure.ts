/**
 * Timing for the peer benchmark: warm up, then repeat until both a minimum
 * number of repetitions and a time box are reached, and report the median.
 * The median (not the mean) because the machine is shared: a neighbour's
 * burst inflates a few samples, and the median ignores them.
 */

/** How long and how often to repeat one measurement. */
export interface MeasureOptions {
  /** Untimed calls first: JIT tiers, kernel compilation, arena growth. */
  warmup: number;
  /** Timed calls made whatever the time box says. */
  minReps: number;
  /** Stop repeating once this many milliseconds of timed calls have passed (after `minReps`). */
  maxMs: number;
  /** Never more timed calls than this, however fast the call is. */
  maxReps?: number;
}

/** The outcome of `measure`: milliseconds per call. */
export interface Measurement {
  median: number;
  min: number;
  reps: number;
}

/**
 * Times `fn` (sync or async; an async result is awaited inside the timed span,
 * so asynchronous peers are charged for their work) and returns the median.
 */
export async function measure(fn: () => unknown, options: MeasureOptions): Promise<Measurement> {
  const { warmup, minReps, maxMs, maxReps = 10_000 } = options;
  // Start each measurement from a collected heap (node --expose-gc), so one
  // implementation's garbage is not charged to the next one measured.
  (globalThis as { gc?: () => void }).gc?.();
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < maxMs && times.length < maxReps)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { median, min: times[0]!, reps: times.length };
}

/** Largest absolute difference between two result vectors, relative to max(1, max |ref|). */
export function relativeError(ref: ArrayLike<number>, got: ArrayLike<number>): number {
  if (ref.length !== got.length) return Number.POSITIVE_INFINITY;
  let scale = 1;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]!));
    const d = Math.abs(ref[i]! - got[i]!);
    // A NaN would compare false against the tolerance and pass: count it as infinitely wrong.
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
  }
  return diff / scale;
}
