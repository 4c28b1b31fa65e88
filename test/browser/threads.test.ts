import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { matmulInPage } from "./threads-page.js";

const CHROMIUM = process.env.GRAFO_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);

/** The headers that make a page cross-origin isolated (and so give it SharedArrayBuffer). */
const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

type Result = Awaited<ReturnType<typeof matmulInPage>>;

/**
 * The wasm backend on every core in a browser: the same page served with and
 * without COOP/COEP. Isolated, the matmul runs on the worker pool with shared
 * memory (the main thread spins while workers finish); not isolated, it runs
 * on one thread and `backends()` says why. Both figures are printed (the test
 * asserts the numbers and the threading, never the timings).
 */
describe.skipIf(!hasChromium)(`the wasm backend's threads in a browser (headless ${CHROMIUM})`, () => {
  let dir = "";
  const servers: Server[] = [];
  const urls: Record<"isolated" | "plain", string> = { isolated: "", plain: "" };

  const serve = async (headers: Record<string, string>): Promise<string> => {
    const server = createServer((req, res) => {
      const path = req.url === "/" ? "/index.html" : (req.url ?? "/");
      if (path === "/index.html") {
        res.writeHead(200, { "content-type": "text/html", ...headers });
        res.end('<!doctype html><script type="module" src="/threads-page.js"></script>');
        return;
      }
      const file = join(dir, path.replace(/^\/+/, ""));
      if (!file.startsWith(dir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/javascript", ...headers });
      res.end(readFileSync(file));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "grafo-threads-"));
    const result = await build({
      entryPoints: [fileURLToPath(new URL("./threads-page.ts", import.meta.url))],
      bundle: true,
      platform: "browser",
      format: "esm",
      splitting: true,
      outdir: dir,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    urls.isolated = await serve(ISOLATION);
    urls.plain = await serve({});
  });

  afterAll(() => {
    for (const s of servers) s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("matmul 1024²: on the worker pool when cross-origin isolated, on one thread (and says why) when not", async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
    try {
      const run = async (url: string): Promise<Result> => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(url);
        await page.waitForFunction(
          () => typeof (globalThis as { matmulInPage?: unknown }).matmulInPage === "function",
        );
        const r = await page.evaluate(() =>
          (globalThis as unknown as { matmulInPage: typeof matmulInPage }).matmulInPage(1024, 5),
        );
        expect(errors).toEqual([]);
        await page.close();
        return r;
      };
      const isolated = await run(urls.isolated);
      const plain = await run(urls.plain);
      console.log(
        `matmul 1024² on the wasm backend in headless Chromium (${isolated.cores} cores): ` +
          `cross-origin isolated ${isolated.gflops.toFixed(1)} GFLOP/s on ${isolated.threads} thread(s); ` +
          `not isolated ${plain.gflops.toFixed(1)} GFLOP/s on ${plain.threads} thread(s)`,
      );
      for (const r of [isolated, plain]) expect(r.worstRelativeError).toBeLessThan(1e-5);
      expect(isolated.isolated).toBe(true);
      expect(isolated.threads).toBe(isolated.cores);
      expect(isolated.note).toMatch(new RegExp(`^${isolated.cores} threads? `));
      expect(plain.isolated).toBe(false);
      expect(plain.threads).toBe(1);
      expect(plain.note).toMatch(/^1 thread: the page is not cross-origin isolated/);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
