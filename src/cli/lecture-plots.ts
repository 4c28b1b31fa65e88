/**
 * The pictures of slide L9 (learning is minimising the training loss): the
 * squared loss over a grid of two parameters, for a linear predictor (a
 * convex bowl, one minimum) and for the smallest net ŷ = a·tanh(b·x) (two
 * valleys: (a, b) and (−a, −b) are the same function).
 */
import { heatMapSvg } from "../viz/heatmap.js";

const GRID = 61;
const RANGE = [-3, 3] as const;
const XS = Array.from({ length: 40 }, (_, i) => -2 + (4 * i) / 39);

/** The grid's parameter values: GRID points over RANGE. */
export const gridValue = (k: number): number => RANGE[0] + ((RANGE[1] - RANGE[0]) * k) / (GRID - 1);

/** Mean squared error of ŷ(p, q, x) against y(x) on XS, for p over the rows and q over the columns of the grid. */
function surface(
  predict: (p: number, q: number, x: number) => number,
  truth: (x: number) => number,
): number[][] {
  return Array.from({ length: GRID }, (_, i) =>
    Array.from(
      { length: GRID },
      (_, j) =>
        XS.reduce((s, x) => s + (predict(gridValue(i), gridValue(j), x) - truth(x)) ** 2, 0) / XS.length,
    ),
  );
}

/** The two L9 loss surfaces: linear[i][j] at w₀ = gridValue(i), w₁ = gridValue(j); net[i][j] at a, b likewise. */
export function l9Surfaces(): { linear: number[][]; net: number[][] } {
  return {
    linear: surface(
      (w0, w1, x) => w0 + w1 * x,
      (x) => 0.8 * x + 0.5,
    ),
    net: surface(
      (a, b, x) => a * Math.tanh(b * x),
      (x) => 1.5 * Math.tanh(2 * x),
    ),
  };
}

/** The two L9 loss surfaces as SVG pictures, by file name. */
export function lossSurfacePictures(): Record<string, string> {
  const { linear, net } = l9Surfaces();
  return {
    "l09-linear-loss-surface.svg": heatMapSvg(linear, {
      title: "L9: linear ŷ = w₀ + w₁x, a convex bowl",
      xRange: RANGE,
      yRange: RANGE,
      xLabel: "w₁",
      yLabel: "w₀",
      marks: [{ x: 0.8, y: 0.5, label: "minimum" }],
    }),
    "l09-net-loss-surface.svg": heatMapSvg(net, {
      title: "L9: net ŷ = a·tanh(b·x), two valleys",
      xRange: RANGE,
      yRange: RANGE,
      xLabel: "b",
      yLabel: "a",
      marks: [
        { x: 2, y: 1.5, label: "(a, b)" },
        { x: -2, y: -1.5, label: "(−a, −b)" },
      ],
    }),
  };
}
