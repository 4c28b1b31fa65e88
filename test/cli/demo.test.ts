import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { grafo, tempDir } from "./run.js";

const tmp = tempDir();
afterAll(tmp.remove);

describe("grafo demo", () => {
  it("xor: learns the Playground's XOR, saves a model grafo info reads, draws its boundary", async () => {
    const out = join(tmp.dir, "xor");
    const r = await grafo(["demo", "xor", "--out", out]);
    expect(r.code).toBe(0);
    const accuracy = Number(/held-out accuracy (\S+) %/.exec(r.stdout)![1]);
    expect(accuracy).toBeGreaterThan(90);
    // The confusion matrix's diagonal holds the held-out hits: accuracy × 200 points.
    const rows = r.stdout.split("\n").filter((l) => /^[01]\s+\d+\s+\d+$/.test(l));
    const counts = rows.map((l) => l.split(/\s+/).slice(1).map(Number));
    expect(counts[0]![0]! + counts[1]![1]!).toBe(Math.round(accuracy * 2));
    expect(readdirSync(out).sort()).toEqual([
      "boundary.svg",
      "confusion.svg",
      "curves.svg",
      "model.json",
      "weights.safetensors",
    ]);
    const meta = JSON.parse(readFileSync(join(out, "model.json"), "utf8")).metadata;
    expect(meta.metrics.validation.accuracy * 100).toBeCloseTo(accuracy, 1);
    const info = await grafo(["info", out]);
    expect(info.stdout).toContain("Total parameters: 114");
  });

  it("digits: one epoch on the bundled MNIST already gets most digits right", async () => {
    const out = join(tmp.dir, "digits");
    const r = await grafo(["demo", "digits", "--epochs", "1", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("MNIST digits (8000 training, 2000 held out): 235,146 parameters, 1 epoch");
    expect(Number(/held-out accuracy (\S+) %/.exec(r.stdout)![1])).toBeGreaterThan(85);
    expect(readdirSync(out)).toContain("curves.svg");
  }, 120_000);
});
