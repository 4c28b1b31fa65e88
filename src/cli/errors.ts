import { GrafoError } from "../core/errors.js";

/**
 * A mistake of the person at the terminal (a bad flag value, a missing file,
 * a CSV grafo cannot read): printed as one line, exit code 1.
 */
export class CliError extends GrafoError {
  override name = "CliError";
}

/** Exit codes: 0 ok, 1 the user's error, 2 grafo's own (a bug). */
export const EXIT = { ok: 0, user: 1, internal: 2 } as const;

/** What is shown of an error: grafo's errors without the call-site line they append. */
export function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\n\s+called at .*$/s, "");
}
