/** Base class of every error grafo throws on purpose, so callers can tell ours from bugs. */
export class GrafoError extends Error {
  override name = "GrafoError";
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

/** Thrown in debug mode by the first op whose result holds NaN or Inf. */
export class NaNError extends GrafoError {
  override name = "NaNError";
}

/**
 * The first stack frame outside grafo itself, so an error can point at the user's
 * line rather than at our internals. Empty when no such frame can be found.
 */
export function userCallSite(): string {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const frame = line.trim();
    if (!frame.startsWith("at ")) continue;
    if (/[/\\](src|dist)[/\\](core|ops|autodiff|graph|backends|nn|optim|train|data|io|viz)[/\\]/.test(frame))
      continue;
    if (/node:internal|node_modules/.test(frame)) continue;
    return frame.slice(3);
  }
  return "";
}

/** `op: message` plus where the user called it from, when we can tell. */
export function opMessage(op: string, message: string): string {
  const site = userCallSite();
  return site ? `${op}: ${message}\n    called at ${site}` : `${op}: ${message}`;
}
