/** Options of the debug mode. */
export interface DebugOptions {
  /** Throw at the first op whose result holds NaN or Inf, naming the op. */
  nanCheck?: boolean;
}

const state = { nanCheck: false };

/** Turns debug checks on or off; returns the previous settings so a test can restore them. */
export function debug(options: DebugOptions): Required<DebugOptions> {
  const previous = { ...state };
  if (options.nanCheck !== undefined) state.nanCheck = options.nanCheck;
  return previous;
}

export function debugState(): Readonly<Required<DebugOptions>> {
  return state;
}
