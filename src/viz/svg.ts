import type { Graphviz } from "@hpcc-js/wasm-graphviz";

let graphviz: Promise<Graphviz> | undefined;

/**
 * Lays out DOT text as SVG with Graphviz compiled to WebAssembly (no system
 * `dot` binary needed). The module (about 1 MB) is imported on first use, so
 * code that never draws never loads it, and bundlers split it into its own chunk.
 */
export async function renderSvg(dot: string): Promise<string> {
  graphviz ??= import("@hpcc-js/wasm-graphviz").then(({ Graphviz }) => Graphviz.load());
  return (await graphviz).dot(dot);
}
