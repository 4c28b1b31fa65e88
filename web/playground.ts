/**
 * The playground page: the state in the URL, the controls, the tabs, and the
 * training worker (web/worker.ts) whose snapshots are drawn once per
 * animation frame. The lecture's views (backprop graph, dual numbers, loss
 * surface, XOR by hand) run grafo here on the page, on demand.
 */
import { type Tensor, tensor } from "../src/index.js";
import { BackpropView, type LossExample, lectureLoss } from "./backprop-view.js";
import { DUAL_EXAMPLES, DualView } from "./dual-view.js";
import { shortValue } from "./graph-drawing.js";
import { dataLoss, featureColumns, forwardAll, type Layer } from "./network.js";
import { NetworkView } from "./network-view.js";
import { OutputView } from "./output-view.js";
import type { FromWorker, Points, Snapshot, ToWorker } from "./protocol.js";
import {
  DEFAULTS,
  FEATURES,
  fromQuery,
  MAX_LAYERS,
  MAX_WIDTH,
  type PlaygroundState,
  StateError,
  toQuery,
  VIEWS,
  type ViewName,
} from "./state.js";
import { SurfaceView } from "./surface-view.js";
import { showXor } from "./xor-view.js";

const $ = <T extends Element = HTMLElement>(id: string) => document.getElementById(id) as unknown as T;

function report(e: unknown): void {
  $("error").textContent = e instanceof Error ? e.message : String(e);
}

function guarded<A extends unknown[]>(f: (...a: A) => void): (...a: A) => void {
  return (...a) => {
    try {
      f(...a);
    } catch (e) {
      report(e);
    }
  };
}

let state: PlaygroundState;
try {
  state = fromQuery(location.search);
} catch (e) {
  state = structuredClone(DEFAULTS) as PlaygroundState;
  report(
    e instanceof StateError
      ? `The link's settings could not be used (${e.message}); showing the defaults.`
      : e,
  );
}

function saveUrl(): void {
  const q = toQuery(state);
  history.replaceState(null, "", `${location.pathname}${q ? `?${q}` : ""}`);
}

// ---- training: the worker and what it sends --------------------------------------------------

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const send = (m: ToWorker) => worker.postMessage(m);
let points: Points | undefined;
let latest: Snapshot | undefined;
let fresh = false;
let awaiting = false;
let playing = false;
/** Whether the worker has built the network of the last configuration. */
let ready = false;
const draws: number[] = [];

const output = new OutputView($<HTMLCanvasElement>("boundary"), $<HTMLCanvasElement>("loss-chart"));
const network = new NetworkView($("network"), {
  toggleFeature: guarded((f) => {
    const on = state.features.includes(f);
    if (on && state.features.length === 1)
      throw new StateError("features: the network needs at least one input feature");
    state.features = FEATURES.filter((g) => (g === f ? !on : state.features.includes(g)));
    reshaped();
  }),
  resizeLayer: (layer, delta) => {
    state.hidden[layer] = Math.max(1, Math.min(MAX_WIDTH, state.hidden[layer]! + delta));
    reshaped();
  },
  setWeight: (layer, to, from, value) => {
    state.edits = [
      ...state.edits.filter((e) => !(e[0] === layer && e[1] === to && e[2] === from)),
      [layer, to, from, value],
    ];
    saveUrl();
    send({ type: "setWeight", layer, to, from, value });
  },
});

/** The network's shape changed: weights set by hand no longer fit it. */
function reshaped(): void {
  state.edits = [];
  configure();
}

function setPlaying(on: boolean): void {
  playing = on;
  // The icon follows the label (playground.css).
  $("play").setAttribute("aria-label", on ? "pause" : "play");
  send({ type: on ? "play" : "pause" });
}

/** Starts training afresh from the state; `quiet` keeps a message already shown (the link's own error). */
function configure(quiet = false): void {
  if (!quiet) $("error").textContent = "";
  ready = false;
  setPlaying(false);
  awaiting = false;
  saveUrl();
  syncControls();
  send({ type: "config", state });
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === "error") {
    report(m.message);
    setPlaying(false);
    // Weights set by hand that do not fit the network (a hand-edited link) are dropped, so the page still trains.
    if (!ready && state.edits.length > 0) {
      state.edits = [];
      configure(true);
    }
    return;
  }
  if (m.type === "ready") {
    ready = true;
    points = m.points;
    output.reset(m.points);
    network.build(state.features, state.hidden, m.featureMaps);
    $("bp-point").setAttribute("max", String(m.points.trainY.length - 1));
  }
  latest = m.snapshot;
  fresh = true;
  awaiting = false;
  // Ask for the next snapshot at once: the worker trains and computes it while this one is drawn.
  if (m.type === "snapshot" && playing) requestSnapshot();
};

function requestSnapshot(): void {
  awaiting = true;
  send({ type: "snapshot" });
}
worker.onerror = (e) => report(`The training worker failed: ${e.message}`);

function frame(now: number): void {
  if (fresh && latest) {
    fresh = false;
    draw(latest);
    if (playing) {
      draws.push(now);
      while (draws.length && draws[0]! < now - 1000) draws.shift();
      const span = (draws.at(-1)! - draws[0]!) / 1000;
      if (draws.length > 5 && span > 0.5) {
        const fps = (draws.length - 1) / span;
        $("fps").textContent = fps.toFixed(0);
        $("fps").dataset.value = String(fps);
      }
    }
  }
  // One request is in flight while playing; only the first after Play starts here.
  if (playing && !awaiting) requestSnapshot();
  requestAnimationFrame(frame);
}

function draw(s: Snapshot): void {
  network.update(s);
  output.drawBoundary(s.maps.at(-1)![0]!, state.showTest);
  output.addLoss(s.trainLoss, s.testLoss);
  $("epoch").textContent = String(s.epoch).padStart(3, "0");
  $("epoch").dataset.steps = String(s.steps);
  for (const [id, v] of [
    ["train-loss", s.trainLoss],
    ["test-loss", s.testLoss],
  ] as const) {
    $(id).textContent = v.toFixed(3);
    $(id).dataset.value = String(v);
  }
}

// ---- controls --------------------------------------------------------------------------------

const SELECTS = ["data", "lr", "optimizer", "activation", "reg", "regRate", "problem"] as const;
const RANGES = ["trainRatio", "noise", "batch"] as const;

function syncControls(): void {
  for (const id of SELECTS) {
    const select = $<HTMLSelectElement>(id);
    const value = String(state[id]);
    // A value from a shared link that the list lacks is added, so the control shows what runs.
    if (!Array.from(select.options).some((o) => (o.value || o.text) === value))
      select.add(new Option(value, value));
    select.value = value;
  }
  for (const id of RANGES) {
    $<HTMLInputElement>(id).value = String(state[id]);
    $(`${id}-out`).textContent = id === "trainRatio" ? `${state[id]} %` : String(state[id]);
  }
  $<HTMLInputElement>("points").value = String(state.points);
  $<HTMLInputElement>("seed").value = String(state.seed);
  $<HTMLInputElement>("showTest").checked = state.showTest;
  $("layer-count").textContent = `${state.hidden.length} hidden layer${state.hidden.length === 1 ? "" : "s"}`;
  $<HTMLButtonElement>("add-layer").disabled = state.hidden.length >= MAX_LAYERS;
  $<HTMLButtonElement>("remove-layer").disabled = state.hidden.length === 0;
}

/** Reads one control into the state through the URL parser, so a form and a link are checked alike. */
function readControl(id: string, value: string): void {
  const key = { trainRatio: "train" }[id] ?? id;
  const q = new URLSearchParams(toQuery(state));
  q.set(key, value);
  state = { ...fromQuery(q.toString()), view: state.view };
}

for (const id of [...SELECTS, ...RANGES, "points", "seed"]) {
  $(id).addEventListener(
    "change",
    guarded(() => {
      readControl(id, $<HTMLInputElement>(id).value);
      configure();
    }),
  );
}
for (const id of RANGES)
  $(id).addEventListener("input", () => {
    $(`${id}-out`).textContent = $<HTMLInputElement>(id).value + (id === "trainRatio" ? " %" : "");
  });
$("showTest").addEventListener("change", () => {
  state.showTest = $<HTMLInputElement>("showTest").checked;
  saveUrl();
  if (latest) output.drawBoundary(latest.maps.at(-1)![0]!, state.showTest);
});
$("regenerate").addEventListener("click", () => {
  state.seed += 1;
  configure();
});
$("add-layer").addEventListener("click", () => {
  if (state.hidden.length < MAX_LAYERS) state.hidden.push(2);
  reshaped();
});
$("remove-layer").addEventListener("click", () => {
  state.hidden.pop();
  reshaped();
});
$("play").addEventListener("click", () => setPlaying(!playing));
$("step").addEventListener("click", () => {
  setPlaying(false);
  send({ type: "step" });
});
$("reset").addEventListener("click", () => configure());

// ---- the lecture's views ---------------------------------------------------------------------

const backpropView = new BackpropView($("bp-svg"), $("bp-step-text"), $("bp-result"), $("bp-position"));
$("bp-next").addEventListener("click", backpropView.next);
$("bp-back").addEventListener("click", backpropView.back);
$("bp-first").addEventListener("click", backpropView.first);
$("bp-last").addEventListener("click", backpropView.last);

/** The network's loss at one training point, with the weights of the latest snapshot. */
function networkLoss(k: number): LossExample {
  if (!latest || !points) throw new StateError("the network is not ready yet");
  const n = points.trainY.length;
  if (!Number.isInteger(k) || k < 0 || k >= n)
    throw new StateError(`training point: expected 0 to ${n - 1}, got ${k}`);
  const x = featureColumns(tensor(points.trainX.slice(2 * k, 2 * k + 2), [1, 2]), state.features);
  const y = tensor([[points.trainY[k]!]]);
  const { activation, problem } = state;
  const snapshot = latest;
  const layers: Layer[] = snapshot.weights.map((w, l) => {
    const to = snapshot.biases[l]!.length;
    return { w: tensor(w, [to, w.length / to]), b: tensor(snapshot.biases[l]!) };
  });
  return {
    f: ((ls: Layer[]) => dataLoss(forwardAll(ls, x, activation).at(-1)!, y, problem)) as (
      ...a: never[]
    ) => Tensor,
    args: [layers],
    // Arguments flatten objects by sorted key: b before w, layer by layer.
    inputNames: layers.flatMap((_, l) => [`b${l + 1}`, `W${l + 1}`]),
    constNames: { [shortValue(x)]: `x (point ${k})` },
  };
}

const showBackprop = guarded(() => {
  const source = $<HTMLSelectElement>("bp-source").value;
  $<HTMLInputElement>("bp-point").disabled = source !== "network";
  backpropView.show(
    source === "network" ? networkLoss(Number($<HTMLInputElement>("bp-point").value)) : lectureLoss(),
  );
});
$("bp-source").addEventListener("change", showBackprop);
$("bp-point").addEventListener("change", showBackprop);

const dualView = new DualView($("dual-svg"), {
  value: $("dual-value"),
  derivative: $("dual-derivative"),
  guess: $("dual-guess"),
});
function fillNudges(): void {
  const nudges = DUAL_EXAMPLES[$<HTMLSelectElement>("dual-fn").value]!.nudges;
  $<HTMLSelectElement>("dual-input").replaceChildren(...nudges.map((n, i) => new Option(n.label, String(i))));
}
const showDual = guarded(() => {
  const eps = Number($<HTMLInputElement>("dual-eps").value);
  $("dual-eps-out").textContent = String(eps);
  dualView.show($<HTMLSelectElement>("dual-fn").value, Number($<HTMLSelectElement>("dual-input").value), eps);
});
$("dual-fn").addEventListener("change", () => {
  fillNudges();
  showDual();
});
$("dual-input").addEventListener("change", showDual);
$("dual-eps").addEventListener("input", showDual);

const surfaceView = new SurfaceView(
  { linear: $<HTMLCanvasElement>("surface-linear"), net: $<HTMLCanvasElement>("surface-net") },
  { linear: $("surface-linear-out"), net: $("surface-net-out") },
  $("surface-convexity"),
  () => ({
    lr: Number($<HTMLSelectElement>("surface-lr").value),
    steps: Number($<HTMLSelectElement>("surface-steps").value),
  }),
);
for (const id of ["surface-lr", "surface-steps"])
  $(id).addEventListener(
    "change",
    guarded(() => surfaceView.show()),
  );

const shown = new Set<ViewName>();
const firstShow: Partial<Record<ViewName, () => void>> = {
  graph: showBackprop,
  dual: () => {
    fillNudges();
    showDual();
  },
  surface: guarded(() => surfaceView.show()),
  xor: guarded(() =>
    showXor($<HTMLTableElement>("xor-table"), $<HTMLCanvasElement>("xor-map"), $("xor-V"), $("xor-w")),
  ),
};

function selectView(view: ViewName): void {
  state.view = view;
  saveUrl();
  for (const v of VIEWS) {
    $(`tab-${v}`).setAttribute("aria-selected", String(v === view));
    $(`tab-${v}`).tabIndex = v === view ? 0 : -1;
    $(`view-${v}`).hidden = v !== view;
  }
  if (!shown.has(view)) {
    shown.add(view);
    firstShow[view]?.();
  }
}

const tabs = VIEWS.map((v) => $(`tab-${v}`));
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectView(VIEWS[i]!));
  // Arrow keys move between tabs, as a tab list does.
  tab.addEventListener("keydown", (e) => {
    const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    const next = (i + d + VIEWS.length) % VIEWS.length;
    selectView(VIEWS[next]!);
    tabs[next]!.focus();
  });
});

selectView(state.view);
configure(true);
requestAnimationFrame(frame);
