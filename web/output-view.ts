/**
 * The output panel: the decision boundary (the network's output over the
 * plane) with the train and test points on it, and the loss curves.
 */
import { paintMap } from "./heatmap.js";
import { GRID, type Points } from "./protocol.js";

export class OutputView {
  private readonly heat = document.createElement("canvas");
  private train: number[] = [];
  private test: number[] = [];
  private points: Points | undefined;

  constructor(
    private readonly boundary: HTMLCanvasElement,
    private readonly chart: HTMLCanvasElement,
  ) {}

  reset(points: Points): void {
    this.points = points;
    this.train = [];
    this.test = [];
  }

  /** Draws the output map (GRID×GRID, values in [−1, 1]) and the points over it. */
  drawBoundary(map: Float32Array, showTest: boolean): void {
    const p = this.points;
    if (!p) return;
    paintMap(this.heat, map, GRID);
    const c = this.boundary;
    const ctx = c.getContext("2d")!;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.heat, 0, 0, c.width, c.height);
    const e = p.extent;
    const dot = (xs: Float32Array, ys: Float32Array, ring: string) => {
      for (let i = 0; i < ys.length; i++) {
        ctx.beginPath();
        ctx.arc(
          ((xs[2 * i]! + e) / (2 * e)) * c.width,
          ((e - xs[2 * i + 1]!) / (2 * e)) * c.height,
          3.5,
          0,
          2 * Math.PI,
        );
        ctx.fillStyle = ys[i]! > 0 ? "#0877bd" : "#f59322";
        ctx.fill();
        ctx.strokeStyle = ring;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    };
    dot(p.trainX, p.trainY, "#fff");
    if (showTest) dot(p.testX, p.testY, "#111");
  }

  /** Adds one point to each loss curve (thinned to the last 1000 snapshots' worth) and redraws them. */
  addLoss(train: number, test: number): void {
    this.train.push(train);
    this.test.push(test);
    if (this.train.length > 1000) {
      this.train = this.train.filter((_, i) => i % 2 === 0);
      this.test = this.test.filter((_, i) => i % 2 === 0);
    }
    const c = this.chart;
    const ctx = c.getContext("2d")!;
    ctx.clearRect(0, 0, c.width, c.height);
    const top = Math.max(1e-3, ...this.train, ...this.test);
    const line = (values: number[], colour: string) => {
      ctx.beginPath();
      values.forEach((v, i) => {
        const x = (i / Math.max(1, values.length - 1)) * c.width;
        const y = c.height - 2 - (Math.min(v, top) / top) * (c.height - 4);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    };
    line(this.train, "#9aa3ad");
    line(this.test, "#111");
  }
}
