/**
 * The playground: a TensorFlow-Playground-style page on grafo. A network from
 * `nn.mlp` trains full-batch on a 2-D data set with Adam, a few steps per
 * animation frame, and the page redraws the decision boundary (the predicted
 * probability over a grid of the plane) and the loss curve as it learns.
 * Built by `npm run playground` (esbuild bundles it; no framework).
 */
import { compile, data, nn, optim, type Tensor, tensor, valueAndGrad } from "../src/index.js";

type DataSetName = "xor" | "circle" | "gauss" | "spiral" | "moons";
type Activation = "tanh" | "relu" | "sigmoid" | "step";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const GRID = 48;
const STEPS_PER_FRAME = 5;

interface Run {
  model: nn.Module;
  params: nn.ParamTree;
  optState: optim.OptState;
  step: (params: nn.ParamTree, state: optim.OptState) => [Tensor, nn.ParamTree, optim.OptState];
  x: Tensor;
  y: Tensor;
  /** The plane shown is [−extent, extent]², fitted to the data. */
  extent: number;
  grid: Tensor;
  epoch: number;
  losses: number[];
}

let run: Run | undefined;
let playing = false;

/** The points of the plane the boundary is evaluated at: cell centres of a GRID×GRID raster, row by row from the top. */
function gridOver(extent: number): Tensor {
  const coords = Float32Array.from({ length: GRID * GRID * 2 }, (_, i) => {
    const p = i >> 1;
    const [gx, gy] = [p % GRID, Math.floor(p / GRID)];
    return i % 2 === 0
      ? -extent + ((gx + 0.5) * 2 * extent) / GRID
      : extent - ((gy + 0.5) * 2 * extent) / GRID;
  });
  return tensor(coords, [GRID * GRID, 2]);
}

function readSettings() {
  const hiddenText = $<HTMLInputElement>("hidden").value.trim();
  const hidden = hiddenText === "" ? [] : hiddenText.split(/[\s,]+/).map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 64)) {
    throw new Error(`hidden layers: widths must be whole numbers from 1 to 64, got "${hiddenText}"`);
  }
  return {
    dataset: $<HTMLSelectElement>("dataset").value as DataSetName,
    noise: Number($<HTMLInputElement>("noise").value),
    points: Number($<HTMLInputElement>("points").value),
    hidden,
    activation: $<HTMLSelectElement>("activation").value as Activation,
    lr: Number($<HTMLInputElement>("lr").value),
  };
}

function newRun(): Run {
  const s = readSettings();
  const { x, y } = data[s.dataset]({ n: s.points, noise: s.noise, seed: 1 });
  const model = nn.mlp([2, ...s.hidden, 1], { activation: s.activation });
  const opt = optim.adam({ lr: s.lr });
  const loss = (p: nn.ParamTree) => nn.binaryCrossEntropy(model.apply(p, x), y, { fromLogits: true });
  const vg = valueAndGrad(loss);
  // One training step, compiled: traced once, then run as a plan every frame.
  const step = compile((p: nn.ParamTree, state: optim.OptState): [Tensor, nn.ParamTree, optim.OptState] => {
    const [l, g] = vg(p);
    const { params, state: next } = opt.update(g, state, p);
    return [l, params, next];
  });
  const params = model.parameters();
  const extent = 1.15 * x.abs().max().item();
  return {
    model,
    params,
    optState: opt.init(params),
    step,
    x,
    y,
    extent,
    grid: gridOver(extent),
    epoch: 0,
    losses: [],
  };
}

function accuracy(r: Run): number {
  const logits = r.model.apply(r.params, r.x).data();
  const labels = r.y.data();
  let right = 0;
  for (let i = 0; i < labels.length; i++) right += (logits[i]! > 0 ? 1 : 0) === labels[i] ? 1 : 0;
  return right / labels.length;
}

function drawBoundary(r: Run): void {
  const canvas = $<HTMLCanvasElement>("boundary");
  const ctx = canvas.getContext("2d")!;
  const p = r.model.apply(r.params, r.grid).sigmoid().data();
  const e = r.extent;
  const cell = canvas.width / GRID;
  for (let i = 0; i < GRID * GRID; i++) {
    const v = p[i]!;
    // Blue (class 0) through white to orange (class 1), as in the TensorFlow Playground.
    const [r0, g0, b0] = v < 0.5 ? [37, 99, 235] : [245, 158, 11];
    const t = Math.abs(v - 0.5) * 2 * 0.55;
    ctx.fillStyle = `rgb(${255 + (r0 - 255) * t}, ${255 + (g0 - 255) * t}, ${255 + (b0 - 255) * t})`;
    ctx.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell + 1, cell + 1);
  }
  const xs = r.x.data();
  const ys = r.y.data();
  for (let i = 0; i < ys.length; i++) {
    const px = ((xs[2 * i]! + e) / (2 * e)) * canvas.width;
    const py = ((e - xs[2 * i + 1]!) / (2 * e)) * canvas.height;
    ctx.beginPath();
    ctx.arc(px, py, 3, 0, 2 * Math.PI);
    ctx.fillStyle = ys[i] ? "#f59e0b" : "#2563eb";
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }
}

function drawLoss(r: Run): void {
  const canvas = $<HTMLCanvasElement>("loss");
  const ctx = canvas.getContext("2d")!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const top = Math.max(...r.losses, 1e-3);
  ctx.beginPath();
  r.losses.forEach((l, i) => {
    const px = (i / Math.max(1, r.losses.length - 1)) * canvas.width;
    const py = canvas.height - (l / top) * (canvas.height - 4);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.strokeStyle = "#111827";
  ctx.stroke();
}

function show(r: Run): void {
  drawBoundary(r);
  drawLoss(r);
  const acc = accuracy(r);
  const loss = r.losses.at(-1);
  const stats = $("stats");
  stats.textContent = `epoch ${r.epoch} · loss ${loss?.toFixed(4) ?? "–"} · accuracy ${(acc * 100).toFixed(1)} %`;
  stats.dataset.epoch = String(r.epoch);
  stats.dataset.loss = loss === undefined ? "" : String(loss);
  stats.dataset.accuracy = String(acc);
}

function frame(): void {
  if (!playing || !run) return;
  for (let i = 0; i < STEPS_PER_FRAME; i++) {
    const [l, params, state] = run.step(run.params, run.optState);
    run.params = params;
    run.optState = state;
    run.epoch++;
    run.losses.push(l.item());
  }
  show(run);
  requestAnimationFrame(frame);
}

function guarded(f: () => void): () => void {
  return () => {
    try {
      $("error").textContent = "";
      f();
    } catch (e) {
      playing = false;
      $("error").textContent = e instanceof Error ? e.message : String(e);
    }
  };
}

function setPlaying(on: boolean): void {
  playing = on;
  $<HTMLButtonElement>("train").disabled = on;
  $<HTMLButtonElement>("pause").disabled = !on;
  if (on) requestAnimationFrame(frame);
}

$("train").addEventListener(
  "click",
  guarded(() => {
    run ??= newRun();
    setPlaying(true);
  }),
);
$("pause").addEventListener("click", () => setPlaying(false));
$("reset").addEventListener(
  "click",
  guarded(() => {
    setPlaying(false);
    run = newRun();
    show(run);
  }),
);
for (const id of ["dataset", "noise", "points", "hidden", "activation", "lr"]) {
  $(id).addEventListener(
    "change",
    guarded(() => {
      setPlaying(false);
      run = newRun();
      show(run);
    }),
  );
}
guarded(() => {
  run = newRun();
  show(run);
})();
