import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundleForBrowser,
  CHROMIUM,
  hasChromium,
  launchChromium,
  type StaticServer,
  scriptPage,
  serveFolder,
} from "./harness.js";

/**
 * grafo runs in a browser from the same source: the library is bundled for the
 * browser platform (no Node built-ins may be needed) and run in headless
 * Chromium, where the lecture's numbers must come out the same.
 */
describe.skipIf(!hasChromium)(`in a browser (headless ${CHROMIUM})`, () => {
  let dir = "";
  let server: StaticServer;

  beforeAll(async () => {
    dir = await bundleForBrowser(fileURLToPath(new URL("./page.ts", import.meta.url)));
    server = await serveFolder(dir, { index: scriptPage("page.js") });
  });

  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("bundles without Node built-ins and computes the lecture's numbers", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(server.url);
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
