/**
 * Runs a script in headless Chromium: bundles `entry` for the browser with
 * esbuild (so a Node built-in anywhere in its imports fails the build), serves
 * the bundle and any extra folders over HTTP, and opens the page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize, sep } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.GRAFO_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export interface Harness {
  /** The server's root URL, ending in "/". */
  readonly url: string;
  readonly page: Page;
  /** Uncaught errors the page reported. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Bundles and serves `entry`; `folders` maps URL prefixes (e.g. "models") to folders served as they are. */
export async function openInBrowser(entry: string, folders: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "grafo-browser-"));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    outfile: join(dir, "page.js"),
    logLevel: "silent",
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join("; ")}`);
  const roots: Record<string, string> = { "": dir, ...folders };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end('<!doctype html><script type="module" src="/page.js"></script>');
      return;
    }
    const [, prefix = "", ...rest] = path.split("/");
    const root = roots[prefix] !== undefined && prefix !== "" ? roots[prefix]! : dir;
    const file = normalize(join(root, root === dir ? path : rest.join("/")));
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": file.endsWith(".js") ? "text/javascript" : "application/octet-stream",
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    const b = browser;
    return {
      url,
      page,
      errors,
      async close() {
        await b.close();
        server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
