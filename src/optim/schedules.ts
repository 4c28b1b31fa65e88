/**
 * Learning-rate schedules: functions from the step count (a float32 scalar
 * tensor, 0 at the first update) to the learning rate, written with grafo ops
 * so an optimizer step stays traceable as a whole.
 */
import { scalar } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { add, div, maximum, minimum, mul, pow, sub } from "../ops/binary.js";
import { cos, floor } from "../ops/unary.js";

/** The learning rate as a function of the step count. */
export type Schedule = (step: Tensor) => Tensor;

/** A fixed learning rate or a schedule. */
export type LearningRate = number | Schedule;

const positive = (v: number, what: string, op: string): number => {
  if (!(v > 0)) throw new ArgumentError(`${op}: ${what} must be positive, got ${v}`);
  return v;
};

/** The learning rate at step `n`, as a number (for logs and callbacks). */
export function learningRateAt(lr: LearningRate, n: number): number {
  return typeof lr === "number" ? lr : lr(scalar(n)).item();
}

/** `lr · gamma^⌊step / stepSize⌋`: drops by `gamma` every `stepSize` steps. */
export function stepDecay(options: { lr: number; stepSize: number; gamma?: number }): Schedule {
  const { lr, stepSize, gamma = 0.1 } = options;
  positive(stepSize, "stepSize", "stepDecay");
  return (t) => mul(pow(gamma, floor(div(t, stepSize))), lr);
}

/** `lr · decayRate^(step / decaySteps)`: smooth exponential decay. */
export function exponentialDecay(options: { lr: number; decayRate: number; decaySteps?: number }): Schedule {
  const { lr, decayRate, decaySteps = 1 } = options;
  positive(decayRate, "decayRate", "exponentialDecay");
  positive(decaySteps, "decaySteps", "exponentialDecay");
  return (t) => mul(pow(decayRate, div(t, decaySteps)), lr);
}

/**
 * Cosine decay from `lr` to `alpha·lr` over `decaySteps`, then flat:
 * `lr · ((1 − α)·½(1 + cos(π·min(step, T)/T)) + α)`.
 */
export function cosineDecay(options: { lr: number; decaySteps: number; alpha?: number }): Schedule {
  const { lr, decaySteps, alpha = 0 } = options;
  positive(decaySteps, "decaySteps", "cosineDecay");
  return (t) => {
    const progress = div(minimum(t, decaySteps), decaySteps);
    const cosine = mul(add(cos(mul(progress, Math.PI)), 1), 0.5);
    return mul(add(mul(cosine, 1 - alpha), alpha), lr);
  };
}

/**
 * Linear warmup over `warmupSteps` (lr · (step + 1)/warmupSteps), then `after`
 * (a number, or a schedule that starts counting when the warmup ends).
 */
export function linearWarmup(options: { lr: LearningRate; warmupSteps: number }): Schedule {
  const { lr, warmupSteps } = options;
  positive(warmupSteps, "warmupSteps", "linearWarmup");
  return (t) => {
    const ramp = minimum(div(add(t, 1), warmupSteps), 1);
    const base = typeof lr === "number" ? lr : lr(maximum(sub(t, warmupSteps), 0));
    return mul(ramp, base);
  };
}
