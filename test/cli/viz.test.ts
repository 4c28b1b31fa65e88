import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import { decisionBoundarySvg } from "../../src/viz/boundary.js";
import { confusionMatrix, confusionSvg, confusionText } from "../../src/viz/confusion.js";
import { lineChart, trainingCurves } from "../../src/viz/curves.js";
import { heatMapSvg } from "../../src/viz/heatmap.js";
import { svgToPng } from "../../src/viz/png.js";
import { sparkline } from "../../src/viz/sparkline.js";
import { ticks } from "../../src/viz/svg-doc.js";

describe("plots", () => {
  it("sparkline: lowest value the lowest bar, highest the highest, averaged down to the width", () => {
    // Eight levels: t·7 rounded, so 0.5 is level 4 (▅).
    expect(sparkline([4, 3, 2, 1, 0])).toBe("█▆▅▃▁");
    expect(sparkline([1, 1, 1])).toBe("▅▅▅");
    expect(sparkline([0, 0, 10, 10], 2)).toBe("▁█");
    expect(sparkline([1, Number.NaN, 3])).toBe("▁ █");
    expect(sparkline([])).toBe("");
  });

  it("ticks: round steps covering the range", () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(-3, 3, 6)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(ticks(0.013, 0.05, 4)).toEqual([0.02, 0.03, 0.04, 0.05]);
  });

  it("confusion matrix: counts by true row and predicted column; text and SVG show them", () => {
    const m = confusionMatrix([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
    expect(confusionText(m, ["a", "b", "c"]).split("\n")).toEqual([
      "true \\ predicted     a    b    c",
      "a                    1    1    0",
      "b                    0    2    0",
      "c                    1    0    2",
    ]);
    const svg = confusionSvg(m, ["a", "b", "c"]);
    // Nine cells, each labelled with its count.
    expect(svg.match(/<rect x=/g)).toHaveLength(9);
    expect([...svg.matchAll(/>(\d)<\/text>/g)].map((t) => Number(t[1]))).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 2]);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/label 3 or prediction 1 is not a class in 0…2/);
  });

  it("line chart: one polyline per series, points placed by value", () => {
    const svg = lineChart([{ name: "loss", values: [4, 2, 1, 0] }], { width: 400, height: 300 });
    const pts = /<polyline points="([^"]+)"/
      .exec(svg)![1]!
      .split(" ")
      .map((p) => p.split(",").map(Number));
    expect(pts).toHaveLength(4);
    // x evenly spaced; y linear in the value (4 at the top, 0 at the bottom).
    const [x0, x1, x2] = pts.map((p) => p[0]!);
    // Coordinates are written to 0.1.
    expect(x2! - x1!).toBeCloseTo(x1! - x0!, 0);
    const ys = pts.map((p) => p[1]!);
    expect((ys[1]! - ys[3]!) / (ys[0]! - ys[3]!)).toBeCloseTo(0.5, 2);
    const curves = trainingCurves({
      loss: [1, 0.5],
      valLoss: [1.2, 0.7],
      accuracy: [0.5, 0.9],
      valAccuracy: [0.4, 0.8],
    });
    expect(curves.match(/<polyline/g)).toHaveLength(4);
    expect(curves).toContain(">loss</text>");
    expect(curves).toContain(">accuracy</text>");
  });

  it("heat map: low values dark (viridis), high bright; decision boundary colours cells by class", () => {
    const svg = heatMapSvg(
      [
        [0, 1],
        [2, 3],
      ],
      { xRange: [0, 1], yRange: [0, 1], logScale: false },
    );
    const fills = [
      ...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="(#[0-9a-f]{6})"/g),
    ].map((m) => m[1]);
    expect(fills).toEqual(["#440154", expect.any(String), expect.any(String), "#fde725"]);
    const boundary = decisionBoundarySvg({
      x: tensor([
        [-1, 0],
        [1, 0],
      ]),
      y: tensor([0, 1]),
      classify: (p) =>
        tensor(
          Int32Array.from({ length: p.shape[0]! }, (_, i) => (p.data()[2 * i]! > 0 ? 1 : 0)),
          [p.shape[0]!],
        ),
      resolution: 4,
    });
    // 4×4 cells: the left half class 0 (blue tint), the right half class 1 (orange tint).
    const cells = [
      ...boundary.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="(#[0-9a-f]{6})"/g),
    ].map((m) => m[1]);
    expect(cells).toHaveLength(16);
    expect(new Set(cells.filter((_, i) => i % 4 < 2)).size).toBe(1);
    expect(new Set(cells.filter((_, i) => i % 4 >= 2)).size).toBe(1);
    expect(cells[0]).not.toBe(cells[3]);
  });

  it("PNG: rendered from the SVG at the asked scale", async () => {
    const png = await svgToPng(lineChart([{ name: "x", values: [1, 2] }], { width: 200, height: 100 }), {
      scale: 2,
    });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    // IHDR: width and height after the 8-byte signature and the chunk's length and type.
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([400, 200]);
  });
});
