import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { buildPlayground, servePlayground } from "../../scripts/playground.mjs";

const CHROMIUM = process.env.GRAFO_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The playground page (web/): built with esbuild, served on localhost, driven
 * in headless Chromium. A learner's session: pick a data set, press Train,
 * and the network must learn it while the page redraws.
 */
describe.skipIf(!existsSync(CHROMIUM))("the playground in a browser", () => {
  let server: Server;
  let url = "";

  beforeAll(async () => {
    await buildPlayground();
    ({ server, url } = (await servePlayground(0)) as { server: Server; url: string });
  });
  afterAll(() => server?.close());

  it("trains a net on the circle data set to high accuracy and draws the boundary", async () => {
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
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      await page.selectOption("#dataset", "circle");
      await page.click("#train");
      // Learning, not speed, is what is checked: wait (generously) until it has learned.
      await page.waitForFunction(
        () => Number(document.getElementById("stats")?.dataset.accuracy) >= 0.95,
        null,
        {
          timeout: 60_000,
        },
      );
      await page.click("#pause");
      const stats = await page.$eval("#stats", (el) => ({ ...(el as HTMLElement).dataset }));
      expect(Number(stats.epoch)).toBeGreaterThan(0);
      expect(Number(stats.loss)).toBeLessThan(0.3);
      // The boundary canvas shows both classes' colours (orange inside the circle, blue outside).
      const colours = await page.$eval("#boundary", (c) => {
        const ctx = (c as HTMLCanvasElement).getContext("2d")!;
        const at = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
        return { centre: at(180, 180), corner: at(5, 5) };
      });
      expect(colours.centre[0]).toBeGreaterThan(colours.centre[2]!); // orange: more red than blue
      expect(colours.corner[2]).toBeGreaterThan(colours.corner[0]!); // blue
      if (process.env.GRAFO_SCREENSHOT) await page.screenshot({ path: process.env.GRAFO_SCREENSHOT });
      // Bad settings are reported on the page, not thrown away.
      await page.fill("#hidden", "8, x");
      await page.dispatchEvent("#hidden", "change");
      expect(await page.textContent("#error")).toMatch(/hidden layers/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
