import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { buildWeb } from "../../scripts/build-web.mjs";
import { hasChromium, ISOLATION, launchChromium, type StaticServer, serveFolder } from "./harness.js";

/** A digest of a canvas's pixels, to tell whether it was redrawn differently. */
const canvasDigests = (page: Page, selector: string) =>
  page.$$eval(selector, (canvases) =>
    canvases.map((c) => {
      const { data } = (c as HTMLCanvasElement)
        .getContext("2d")!
        .getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
      let h = 2166136261;
      for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 16777619);
      return `${(c as HTMLElement).dataset.neuron ?? c.id}:${h >>> 0}`;
    }),
  );

const numberIn = async (page: Page, selector: string) =>
  Number(await page.$eval(selector, (e) => (e as HTMLElement).dataset.value));

/**
 * The playground (web/, built by scripts/build-web.mjs) served cross-origin
 * isolated from a temporary folder and driven in headless Chromium: a
 * learner trains XOR, steps through backprop on the lecture's example, nudges
 * a dual number, and shares the page's state by its URL.
 */
describe.skipIf(!hasChromium)("the playground in a browser", () => {
  let dir = "";
  let shots = "";
  let server: StaticServer;
  let url = "";
  let browser: Browser;
  const outside: string[] = [];
  const problems: string[] = [];

  async function open(query: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("request", (r) => {
      if (!r.url().startsWith(url) && !/^(data|blob):/.test(r.url())) outside.push(r.url());
    });
    page.on("worker", (w) =>
      w.on("console", (m) => m.type() === "error" && problems.push(`worker: ${m.text()}`)),
    );
    await page.goto(url + query);
    // Ready once the worker's first snapshot is drawn.
    await page.waitForFunction(() => document.getElementById("test-loss")?.dataset.value !== undefined);
    return page;
  }

  async function shoot(page: Page, name: string): Promise<void> {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`playground screenshot: ${path}`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "grafo-playground-"));
    shots = mkdtempSync(join(tmpdir(), "grafo-playground-screenshots-"));
    await buildWeb(dir);
    server = await serveFolder(dir, { headers: ISOLATION });
    url = server.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("trains XOR in the worker to a test loss below 0.05, redrawing every neuron and the boundary", async () => {
    const page = await open("?data=xor&hidden=4,4");
    const selector = "canvas[data-neuron^=neuron], #boundary";
    const before = await canvasDigests(page, selector);
    expect(before).toHaveLength(4 + 4 + 1 + 1);
    await page.click("#play");
    await page.waitForFunction(
      () => Number(document.getElementById("test-loss")?.dataset.value) < 0.05,
      null,
      {
        timeout: 40_000,
      },
    );
    await page.click("#play");
    expect(await page.getAttribute("#play", "aria-label")).toBe("play");
    expect(await numberIn(page, "#test-loss")).toBeLessThan(0.05);
    expect(Number(await page.textContent("#epoch"))).toBeGreaterThan(0);
    const after = await canvasDigests(page, selector);
    after.forEach((digest, i) => {
      expect(digest.split(":")[0]).toBe(before[i]!.split(":")[0]);
      expect(digest, `the map of ${digest.split(":")[0]} did not change`).not.toBe(before[i]);
    });
    await shoot(page, "train-1280x800");
    await page.close();
  });

  it("measures the boundary's redraw rate with a 2-8-8-1 net on 500 points", async () => {
    const page = await open("?data=circle&hidden=8,8&points=500");
    expect(await page.$$eval("canvas[data-neuron^=neuron]", (c) => c.length)).toBe(8 + 8 + 1);
    await page.click("#play");
    await page.waitForTimeout(3000);
    const fps = await numberIn(page, "#fps");
    await page.click("#play");
    console.log(
      `playground: the boundary redrew ${fps.toFixed(1)} times a second while training (2-8-8-1, 500 points)`,
    );
    expect(Number(await page.$eval("#epoch", (e) => (e as HTMLElement).dataset.steps))).toBeGreaterThan(0);
    await page.close();
  });

  it("steps backprop on the lecture's preset to ∇w = [6, 12], and on the network's loss", async () => {
    const page = await open("?view=graph");
    expect(await page.textContent("#bp-result")).toBe("");
    // Forward pass: 7 values, leaves to root; the root is the loss, 9.
    for (let i = 0; i < 7; i++) await page.click("#bp-next");
    expect(await page.textContent("#bp-step-text")).toMatch(/^Forward pass: %6 = mul\(%5, %5\) = 9/);
    expect(await page.textContent('[data-node="6"] [data-line="0"]')).toBe("value 9");
    expect(await page.textContent("#bp-result")).toBe("");
    // Backward pass, root to leaves: the square's local gradient is 2·3 = 6; the last step reaches w.
    for (let i = 0; i < 7; i++) await page.click("#bp-next");
    expect(await page.textContent("#bp-position")).toBe("step 14 of 14");
    expect(await page.textContent('[data-edge="5>6"]')).toBe("local 6");
    expect(await page.textContent('[data-edge="0>2"]')).toBe("local [1, 2]");
    expect(await page.textContent('[data-node="4"] [data-line="1"]')).toBe("∂L/∂ −6");
    expect(await page.textContent("#bp-result")).toBe("∇w = [6, 12]");
    await shoot(page, "backprop-1280x800");
    await page.click("#bp-back");
    expect(await page.textContent("#bp-result")).toBe("");

    await page.selectOption("#bp-source", "network");
    await page.click("#bp-last");
    expect(await page.textContent("#bp-result")).toMatch(/∇b1 = .*∇W1 = .*∇b3 = .*∇W3 = /);
    expect(await page.textContent("#error")).toBe("");
    await page.close();
  });

  it("nudges an input by ε and reads each node's dual number (L13)", async () => {
    const page = await open("?view=dual");
    const nudge = async (fn: string, input: string, eps: number) => {
      await page.selectOption("#dual-fn", fn);
      await page.selectOption("#dual-input", { label: input });
      await page.$eval(
        "#dual-eps",
        (e, v) => {
          (e as HTMLInputElement).value = String(v);
          e.dispatchEvent(new Event("input"));
        },
        eps,
      );
      return [await numberIn(page, "#dual-value"), await numberIn(page, "#dual-derivative")];
    };
    // (a+ε)·b = c + bε and a·(b+ε) = c + aε, with a = 3, b = 4.
    expect(await nudge("mul", "a", 0.5)).toEqual([14, 4]);
    expect(await nudge("mul", "b", -0.5)).toEqual([10.5, 3]);
    expect(await nudge("add", "b", 0.25)).toEqual([7.25, 1]);
    // The lecture's loss ((w₁+ε)·1 + 1·2 − 2)² moves with ε, and so does its derivative 2(3+ε).
    expect(await nudge("lecture", "w₁", 0)).toEqual([9, 6]);
    expect(await nudge("lecture", "w₂", 0)).toEqual([9, 12]);
    expect(await nudge("lecture", "w₁", -0.5)).toEqual([6.25, 5]);
    expect(await nudge("lecture", "w₁", 0.5)).toEqual([12.25, 7]);
    expect(await page.textContent("#dual-guess")).toBe("9 + 6·0.5 = 12");
    expect(await page.textContent('[data-node="6"] [data-line="1"]')).toBe("dual 12.25 + 7ε");
    await shoot(page, "dual-1280x800");
    await page.close();
  });

  it("draws the convex and non-convex loss surfaces with a descent path, and the hand-set XOR table", async () => {
    const page = await open("?view=surface");
    expect(await page.textContent("#surface-convexity")).toMatch(
      /linear 0 \(convex\), net [1-9]\d* \(not convex\)/,
    );
    // ŷ = w₀ + w₁x fits y = 0.5 + 0.8x exactly: descent ends at the bowl's floor.
    expect(await page.textContent("#surface-linear-out")).toMatch(/w₀ = 0\.50, w₁ = 0\.80, loss 0\.0000/);
    const before = await page.textContent("#surface-net-out");
    await page.click("#surface-net", { position: { x: 60, y: 250 } });
    expect(await page.textContent("#surface-net-out")).not.toBe(before);
    await shoot(page, "surface-1280x800");

    await page.click("#tab-xor");
    const rows = await page.$$eval("#xor-table tbody tr", (trs) =>
      trs.map((tr) => tr.textContent?.trim().split(/\s{2,}|\n/)),
    );
    const cells = await page.$$eval("#xor-table tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)),
    );
    expect(rows).toHaveLength(4);
    // Slide L4: V·φ(x), h(x) = 1[V·φ(x) ≥ 0], w·h(x), f(x) = sign(w·h(x)), and the labels.
    expect(cells).toEqual([
      ["[0, 2]", "[−3, 1]", "[0, 1]", "1", "+1", "+1"],
      ["[2, 0]", "[1, −3]", "[1, 0]", "1", "+1", "+1"],
      ["[0, 0]", "[−1, −1]", "[0, 0]", "0", "−1", "−1"],
      ["[2, 2]", "[−1, −1]", "[0, 0]", "0", "−1", "−1"],
    ]);
    expect(new URL(page.url()).searchParams.get("view")).toBe("xor");
    await shoot(page, "xor-1280x800");
    await page.close();
  });

  it("keeps the whole state in the URL: a reload shows the same net, a weight set by keyboard travels too", async () => {
    const query =
      "data=spiral&noise=0.1&train=70&batch=5&features=x1,x2,x1x2&hidden=3,5,2&activation=relu&lr=0.1&seed=7&test=1";
    const page = await open(`?${query}`);
    const sorted = (q: string) => [...new URLSearchParams(q)].sort().join("&");
    expect(sorted(new URL(page.url()).search)).toBe(sorted(query));
    expect(await page.inputValue("#data")).toBe("spiral");
    expect(await page.inputValue("#activation")).toBe("relu");
    expect(await page.inputValue("#lr")).toBe("0.1");
    expect(await page.isChecked("#showTest")).toBe(true);
    expect(await page.$$eval("canvas[data-neuron^=neuron]", (c) => c.length)).toBe(3 + 5 + 2 + 1);
    expect(
      await page.$$eval("canvas[data-neuron^=feature]", (c) =>
        c.map((e) => (e as HTMLElement).dataset.neuron),
      ),
    ).toEqual(["feature-x1", "feature-x2", "feature-x1x2"]);
    const widths = () => page.$$eval("#network path", (ps) => ps.map((p) => p.getAttribute("stroke-width")));
    const first = await widths();
    expect(first).toHaveLength(3 * 3 + 5 * 3 + 2 * 5 + 2);

    // Keyboard: a link takes focus, Enter opens its editor, a typed weight is set.
    await page.focus('#network path[data-link="0:1:2"]');
    await page.keyboard.press("Enter");
    await page.keyboard.type("2.5");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => location.search.includes("edits="));
    expect(new URL(page.url()).searchParams.get("edits")).toBe("0:1:2:2.5");
    await page.waitForFunction(
      () =>
        document.querySelector('#network path[data-link="0:1:2"]')?.getAttribute("stroke-width") === "6.75",
    );
    await page.hover('#network path[data-link="0:1:2"]');
    expect(await page.textContent('#network path[data-link="0:1:2"] title')).toMatch(/^weight 2\.500 /);

    const edited = await widths();
    await page.reload();
    await page.waitForFunction(() => document.getElementById("test-loss")?.dataset.value !== undefined);
    expect(await widths()).toEqual(edited);
    expect(edited.filter((w, i) => w !== first[i])).toEqual(["6.75"]);

    // Every control writes the URL; a bad value in a link is named on the page, not thrown away.
    await page.selectOption("#activation", "sigmoid");
    expect(new URL(page.url()).searchParams.get("activation")).toBe("sigmoid");
    await page.focus("#play");
    await page.keyboard.press("Enter");
    expect(await page.getAttribute("#play", "aria-label")).toBe("pause");
    await page.keyboard.press("Enter");
    await page.goto(`${url}?hidden=4,9`);
    expect(await page.textContent("#error")).toMatch(/hidden: expected a whole number from 1 to 8, got "9"/);
    // A weight that does not fit the network is named, dropped, and the network trains without it.
    await page.goto(`${url}?hidden=2&edits=5:0:0:1`);
    await page.waitForFunction(() => document.getElementById("test-loss")?.dataset.value !== undefined);
    expect(await page.textContent("#error")).toMatch(/weight 5:0:0: no such weight in this network/);
    expect(new URL(page.url()).searchParams.get("edits")).toBeNull();
    await page.close();
  });

  it("fits a phone (390×844) without horizontal scrolling, in every view", async () => {
    const page = await open("", { width: 390, height: 844 });
    for (const view of ["train", "graph", "dual", "surface", "xor"]) {
      await page.click(`#tab-${view}`);
      if (view === "graph") await page.click("#bp-last");
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      expect(scroll, `${view} scrolls sideways`).toBeLessThanOrEqual(width);
      await shoot(page, `${view}-390x844`);
    }
    await page.close();
  });

  it("asked nothing of any other server and logged no errors", () => {
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});
