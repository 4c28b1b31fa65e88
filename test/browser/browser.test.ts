import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.GRAFO_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);

/**
 * grafo runs in a browser from the same source: the library is bundled for the
 * browser platform (no Node built-ins may be needed) and run in headless
 * Chromium, where the lecture's numbers must come out the same.
 */
describe.skipIf(!hasChromium)(`in a browser (headless ${CHROMIUM})`, () => {
  let dir = "";
  let server: Server;
  let url = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "grafo-browser-"));
    const result = await build({
      entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
      bundle: true,
      platform: "browser",
      format: "esm",
      splitting: true,
      outdir: dir,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    server = createServer((req, res) => {
      const path = req.url === "/" ? "/index.html" : (req.url ?? "/");
      if (path === "/index.html") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end('<!doctype html><script type="module" src="/page.js"></script>');
        return;
      }
      const file = join(dir, path.replace(/^\/+/, ""));
      if (!file.startsWith(dir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("bundles without Node built-ins and computes the lecture's numbers", async () => {
    const browser = await chromium.launch({
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
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(
        () => typeof (globalThis as { runInPage?: unknown }).runInPage === "function",
      );
      const r = await page.evaluate(() =>
        (globalThis as unknown as { runInPage: () => Record<string, unknown> }).runInPage(),
      );
      expect(errors).toEqual([]);
      expect(r.grad).toEqual([6, 12]);
      expect(r.tangent).toBe(4);
      expect(r.compiled).toBe(9);
      expect(r.graph).toContain("mul");
      // No native addon in a browser; the wasm backend loads (Chromium has Wasm SIMD) and is the default.
      expect(r.backends).toEqual(["native:false", "wasm:true", "js:true"]);
      expect(r.backend).toBe("wasm");
      expect(r.matmulError as number).toBeLessThan(1e-4);
    } finally {
      await browser.close();
    }
  });
});
