import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundleForBrowser,
  CHROMIUM,
  hasChromium,
  ISOLATION,
  launchChromium,
  type StaticServer,
  scriptPage,
  serveFolder,
} from "./harness.js";
import type { matmulInPage } from "./threads-page.js";

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
  const servers: StaticServer[] = [];
  const urls: Record<"isolated" | "plain", string> = { isolated: "", plain: "" };

  beforeAll(async () => {
    dir = await bundleForBrowser(fileURLToPath(new URL("./threads-page.ts", import.meta.url)));
    const serve = async (headers: Readonly<Record<string, string>>) => {
      const server = await serveFolder(dir, { headers, index: scriptPage("threads-page.js") });
      servers.push(server);
      return server.url;
    };
    urls.isolated = await serve(ISOLATION);
    urls.plain = await serve({});
  });

  afterAll(() => {
    for (const s of servers) s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("matmul 1024²: on the worker pool when cross-origin isolated, on one thread (and says why) when not", async () => {
    const browser = await launchChromium();
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
