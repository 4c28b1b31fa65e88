/**
 * Base class of every error grafo throws on purpose, so callers can tell ours
 * from bugs. The message ends with the user's line that led to it, when it can
 * be found on the stack.
 */
export class GrafoError extends Error {
  override name = "GrafoError";
  /** The first stack frame outside grafo: the user's call that failed. */
  readonly callSite: string;
  constructor(message: string) {
    const site = userCallSite();
    super(site ? `${message}\n    called at ${site}` : message);
    this.callSite = site;
  }
}

/** Shapes that do not fit the op: names the op and the shapes involved. */
export class ShapeError extends GrafoError {
  override name = "ShapeError";
}

/** A dtype the op cannot take. */
export class DTypeError extends GrafoError {
  override name = "DTypeError";
}

/** An argument that is wrong in itself (axis out of range, bad option, NaN where an int is needed). */
export class ArgumentError extends GrafoError {
  override name = "ArgumentError";
}

/** A value became NaN or Inf: the first op that produced one (debug mode), or the loss in `fit`. */
export class NaNError extends GrafoError {
  override name = "NaNError";
}

/** grafo's own source folder (src/ or dist/), whose frames are never the user's. */
const OWN_ROOT = new URL("../", import.meta.url).href.replace(/^file:\/\//, "");

/** The first stack frame outside grafo itself, so an error can point at the user's line. */
export function userCallSite(): string {
  // The default limit of 10 frames is often used up inside grafo before the user's frame.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const frame = line.trim();
    if (!frame.startsWith("at ")) continue;
    // Builtins (Array.map, …) have no file; grafo's frames and dependencies' are not the user's.
    if (!/[/\\]/.test(frame) || frame.includes(OWN_ROOT) || /node:internal|node_modules/.test(frame))
      continue;
    return frame.slice(3);
  }
  return "";
}
