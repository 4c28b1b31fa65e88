#!/usr/bin/env node
/**
 * Builds the playground (web/playground.ts → web/dist/playground.js, bundled
 * with esbuild) and, unless --build-only, serves web/ on localhost.
 *   npm run playground            build and serve at http://127.0.0.1:5173/
 *   node scripts/playground.mjs --build-only
 */
import { readFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const web = fileURLToPath(new URL("../web/", import.meta.url));

export async function buildPlayground() {
  await build({
    entryPoints: [join(web, "playground.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: join(web, "dist"),
    logLevel: "warning",
  });
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

/** Serves web/ (the built page) on 127.0.0.1; resolves to the server and its URL. */
export function servePlayground(port = 5173) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(web, path === "/" ? "index.html" : path);
    if (!file.startsWith(web) || !existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPlayground();
  if (!process.argv.includes("--build-only")) {
    const { url } = await servePlayground(Number(process.env.PORT ?? 5173));
    console.log(`grafo playground: ${url}  (Ctrl-C to stop)`);
  }
}
