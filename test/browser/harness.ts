/**
 * What the browser tests share: Debian's headless Chromium (launched with the
 * flags this closed network needs), esbuild bundles for the browser platform
 * (so a Node built-in anywhere in the imports fails the build), and a static
 * server for a folder on 127.0.0.1, with extra headers such as COOP/COEP.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.GRAFO_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** The headers that make a page cross-origin isolated (and so give it SharedArrayBuffer). */
export const ISOLATION: Readonly<Record<string, string>> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/** Headless Chromium; without the background-networking flags it keeps trying hosts this machine cannot reach. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Bundles `entry` (and the chunks it imports) for the browser into a new temporary folder. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "grafo-browser-"));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    splitting: true,
    outdir: dir,
    logLevel: "silent",
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join("; ")}`);
  return dir;
}

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

export interface StaticServer {
  /** The root URL, ending in "/". */
  readonly url: string;
  close(): void;
}

export interface ServeOptions {
  /** Sent with every response. */
  headers?: Readonly<Record<string, string>>;
  /** The page at "/" when the folder has no index.html (e.g. one that loads a bundle). */
  index?: string;
  /** URL prefixes (e.g. "models") served from other folders, as they are. */
  folders?: Readonly<Record<string, string>>;
}

/** Serves `root` on 127.0.0.1 (a free port); nothing outside the served folders is reachable. */
export async function serveFolder(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const headers = options.headers ?? {};
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (path === "/" && options.index !== undefined) {
      res.writeHead(200, { "content-type": "text/html", ...headers });
      res.end(options.index);
      return;
    }
    const [, prefix = "", ...rest] = path.split("/");
    const other = options.folders?.[prefix];
    const base = normalize((other ?? root) + sep);
    const file = normalize(
      join(base, other !== undefined ? rest.join("/") : path === "/" ? "index.html" : path),
    );
    if (!file.startsWith(base) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...headers });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

/** A page that loads the bundle's entry script. */
export const scriptPage = (script: string) =>
  `<!doctype html><script type="module" src="/${script}"></script>`;

export interface Harness {
  /** The server's root URL, ending in "/". */
  readonly url: string;
  readonly page: Page;
  /** Uncaught errors the page reported. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Bundles and serves `entry` and opens it; `folders` maps URL prefixes (e.g. "models") to folders served as they are. */
export async function openInBrowser(entry: string, folders: Record<string, string> = {}): Promise<Harness> {
  const dir = await bundleForBrowser(entry);
  const script = `${entry.split(/[\\/]/).pop()!.replace(/\.ts$/, "")}.js`;
  const server = await serveFolder(dir, { index: scriptPage(script), folders });
  let browser: Browser | undefined;
  const cleanUp = async () => {
    await browser?.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    return { url: server.url, page, errors, close: cleanUp };
  } catch (e) {
    await cleanUp();
    throw e;
  }
}
