import type * as Resvg from "@resvg/resvg-js";
import { importNodeOnly } from "../core/node-only.js";

/**
 * Renders an SVG picture to PNG bytes with resvg (a maintained Rust renderer,
 * `@resvg/resvg-js`). Node only: the package is loaded on first use, so
 * browser bundles never include it.
 */
export async function svgToPng(svg: string, options: { scale?: number } = {}): Promise<Uint8Array> {
  const { Resvg: Renderer } = await importNodeOnly<typeof Resvg>("@resvg/resvg-js", "svgToPng");
  const renderer = new Renderer(svg, {
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return renderer.render().asPng();
}
