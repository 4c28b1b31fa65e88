/** Small tables the CLI tests write: reproducible (a seeded generator), each with a known answer. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../support/rng.js";

const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/**
 * Three well-separated classes named by text in 4-D (iris-like, one class a
 * block, as such files often come sorted), plus an uninformative column.
 */
export function threeClasses(dir: string, rows = 240, seed = 1): string {
  const r = rng(seed);
  const names = ["setosa", "versicolor", "virginica"];
  const lines = ["sepal,petal,width,height,noise,species"];
  for (let k = 0; k < rows; k++) {
    const c = Math.floor((k * 3) / rows);
    const centre = [5 + 2 * c, 1 + 3 * c, 0.5 - c, 10];
    const v = centre.map((m) => (m + 0.5 * normal(r)).toFixed(3));
    lines.push([...v, (100 * r()).toFixed(2), names[c]].join(","));
  }
  return write(dir, "three.csv", lines);
}

/** Two classes 0/1: inside or outside a circle of radius 1.5 around the origin. */
export function twoClasses(dir: string, rows = 300, seed = 2): string {
  const r = rng(seed);
  const lines = ["x1,x2,inside"];
  for (let k = 0; k < rows; k++) {
    const [x, y] = [6 * r() - 3, 6 * r() - 3];
    lines.push(`${x.toFixed(4)},${y.toFixed(4)},${x * x + y * y < 2.25 ? 1 : 0}`);
  }
  return write(dir, "two.csv", lines);
}

/** The smooth function y = sin(u) + v²/2 − 0.3·w + 2 of three columns. */
export const smooth = (u: number, v: number, w: number) => Math.sin(u) + 0.5 * v * v - 0.3 * w + 2;

export function regression(dir: string, rows = 400, seed = 3): string {
  const r = rng(seed);
  const lines = ["u,v,w,y"];
  for (let k = 0; k < rows; k++) {
    const [u, v, w] = [4 * r() - 2, 4 * r() - 2, 4 * r() - 2];
    lines.push(`${u.toFixed(4)},${v.toFixed(4)},${w.toFixed(4)},${smooth(u, v, w).toFixed(5)}`);
  }
  return write(dir, "regression.csv", lines);
}

export function write(dir: string, name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
