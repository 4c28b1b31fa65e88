import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { save } from "../../src/index.js";
import { CHROMIUM, hasChromium, openInBrowser } from "./harness.js";
import { ioTestInput, ioTestModel } from "./io-page.js";

/**
 * The same save/load API in the browser: IndexedDB (`indexeddb://name`),
 * bytes, and folders fetched over HTTP, in headless Chromium, from the
 * package bundled for the browser (Node's fs is never pulled in).
 */
describe.skipIf(!hasChromium)(`io in a browser (headless ${CHROMIUM})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "grafo-io-browser-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("saves to IndexedDB and loads back; bytes and fetched folders load too", async () => {
    // A model Node saved, served for the page to fetch; the page builds the same one from the same keys.
    const model = ioTestModel();
    await save(model, join(dir, "net"));
    const expected = Array.from(model.predict(ioTestInput()).data());

    const h = await openInBrowser(fileURLToPath(new URL("./io-page.ts", import.meta.url)), { models: dir });
    try {
      await h.page.waitForFunction(
        () => typeof (globalThis as { runIoInPage?: unknown }).runIoInPage === "function",
      );
      const r = await h.page.evaluate(
        (url) =>
          (
            globalThis as unknown as { runIoInPage: (u: string) => Promise<Record<string, unknown>> }
          ).runIoInPage(url),
        `${h.url}models/net/`,
      );
      expect(h.errors).toEqual([]);
      const original = r.original as number[];
      expect(original).toHaveLength(8);
      // Loaded models compute exactly what the saved one does, on the page's backend.
      expect(r.fromDb).toEqual(original);
      expect(r.fromBytes).toEqual(original);
      expect(r.fetched).toEqual(original);
      expect(r.metadata).toEqual({ labels: ["left", "right"] });
      // Node (another backend) agrees to float32 rounding.
      for (const [i, v] of original.entries()) expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5);
      expect(r.missing).toBe("StorageError: indexeddb://no-such-model: does not exist");
      expect(r.nodePath).toMatch(/^GrafoError: save to a file path needs Node\.js/);
    } finally {
      await h.close();
    }
  });
});
