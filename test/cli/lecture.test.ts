import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gridValue, l9Surfaces } from "../../src/cli/lecture-plots.js";
import { grafo, tempDir } from "./run.js";

const tmp = tempDir();
afterAll(tmp.remove);

/** Inner grid cells (i, j) lower than all their neighbours: the surface's local minima inside the window. */
function localMinima(v: number[][]): [number, number][] {
  const out: [number, number][] = [];
  const n = v.length;
  for (let i = 1; i < n - 1; i++)
    for (let j = 1; j < n - 1; j++) {
      const around = [-1, 0, 1].flatMap((di) => [-1, 0, 1].map((dj) => v[i + di]?.[j + dj]));
      if (around.every((u) => u === undefined || u >= v[i]![j]!)) out.push([gridValue(i), gridValue(j)]);
    }
  return out;
}

describe("slide L9's loss surfaces", () => {
  it("linear: one minimum, at the true (w₀, w₁) = (0.5, 0.8); the net: two, at (a, b) and (−a, −b)", () => {
    const { linear, net } = l9Surfaces();
    const lin = localMinima(linear);
    expect(lin).toHaveLength(1);
    expect(lin[0]![0]).toBeCloseTo(0.5, 1);
    expect(lin[0]![1]).toBeCloseTo(0.8, 1);
    // The grid steps by 0.1, so the minima sit on the truth: y = 1.5·tanh(2x).
    const two = localMinima(net).sort((p, q) => p[0] - q[0]);
    expect(two).toHaveLength(2);
    expect(two[0]![0]).toBeCloseTo(-1.5, 6);
    expect(two[0]![1]).toBeCloseTo(-2, 6);
    expect(two[1]![0]).toBeCloseTo(1.5, 6);
    expect(two[1]![1]).toBeCloseTo(2, 6);
    expect(net[45]![50]).toBeCloseTo(0, 12);
  });

  it("grafo lecture --plots writes them as pictures", async () => {
    const r = await grafo(["lecture", "--plots", tmp.dir]);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(tmp.dir, "l09-net-loss-surface.svg"), "utf8");
    expect(svg).toContain("two valleys");
    // 61 × 61 cells.
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#/g)).toHaveLength(
      61 * 61,
    );
  });
});
