/** Pictures: graph drawings (DOT, SVG, Mermaid), training curves, confusion matrices, decision boundaries, loss surfaces. */
export { type BoundaryOptions, decisionBoundarySvg } from "./boundary.js";
export { confusionMatrix, confusionSvg, confusionText } from "./confusion.js";
export { type LineChartOptions, lineChart, type Series, trainingCurves } from "./curves.js";
export { type HeatMapOptions, heatMapSvg } from "./heatmap.js";
export { svgToPng } from "./png.js";
export { sparkline } from "./sparkline.js";
