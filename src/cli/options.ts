/** Option parsers shared by the commands: each rejects a bad value with one clear line. */
import { InvalidArgumentError } from "commander";

/** Collects a repeatable option into a list. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A comma-separated list of names. */
export const names = (value: string): string[] =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** A positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** A non-negative integer (a seed). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected an integer ≥ 0, got "${value}"`);
  return n;
}

/** A positive number (a learning rate). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0))
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/** A fraction strictly between 0 and 1, or 0 for none. */
export function fraction(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0 && n < 1))
    throw new InvalidArgumentError(`expected a fraction in [0, 1), got "${value}"`);
  return n;
}

/** Layer widths: "16,16", or "" / "none" for no hidden layer (a linear model). */
export function widths(value: string): number[] {
  if (value.trim() === "" || value.trim() === "none") return [];
  return value.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`expected widths like 16,16, got "${value}"`);
    return n;
  });
}

/** One of a fixed set of words. */
export const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (value: string): T => {
    if (!choices.includes(value as T))
      throw new InvalidArgumentError(`expected one of ${choices.join(", ")}, got "${value}"`);
    return value as T;
  };
