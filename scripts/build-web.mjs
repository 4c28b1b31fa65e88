#!/usr/bin/env node
/**
 * Builds the playground (web/) into dist/playground/: index.html, its
 * stylesheet and favicon, the page's script and the training worker's
 * (bundled by esbuild, grafo included). Every URL in it is relative and
 * nothing is fetched from elsewhere, so any static server can serve the
 * folder (cross-origin isolated, with COOP/COEP headers, the wasm backend
 * also gets its threads).
 *   npm run build:web
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
export const PLAYGROUND_DIR = join(root, "dist", "playground");
const STATIC = ["index.html", "playground.css", "favicon.svg"];

/** Builds the page into `outdir` (default dist/playground/); resolves to that folder. */
export async function buildWeb(outdir = PLAYGROUND_DIR) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { playground: join(root, "web", "playground.ts"), worker: join(root, "web", "worker.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    outdir,
    logLevel: "warning",
  });
  for (const f of STATIC) copyFileSync(join(root, "web", f), join(outdir, f));
  return outdir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await buildWeb();
  console.log(`grafo playground built in ${out}`);
}
