import { Graphviz } from "@hpcc-js/wasm-graphviz";

let graphviz: Promise<Graphviz> | undefined;

/**
 * Lays out DOT text as SVG with Graphviz compiled to WebAssembly (loaded once,
 * on first use; no system `dot` binary needed).
 */
export async function renderSvg(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(dot);
}
