/**
 * Everything a learner sets on the page, and its round trip through the URL
 * (`?data=xor&hidden=4,2&…`), so a teacher can share a configuration and a
 * reload shows the same net: the seed fixes the data and the initial weights.
 */

export const DATA_SETS = ["circle", "xor", "gauss", "spiral", "moons", "lecture"] as const;
export const FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"] as const;
export const ACTIVATIONS = ["step", "sigmoid", "tanh", "relu", "linear"] as const;
export const OPTIMIZERS = ["sgd", "adam"] as const;
export const REGULARIZATIONS = ["none", "l1", "l2"] as const;
export const PROBLEMS = ["classification", "regression"] as const;
export const VIEWS = ["train", "graph", "dual", "surface", "xor"] as const;

export type DataSetName = (typeof DATA_SETS)[number];
export type FeatureName = (typeof FEATURES)[number];
export type ActivationName = (typeof ACTIVATIONS)[number];
export type ViewName = (typeof VIEWS)[number];

export const MAX_LAYERS = 6;
export const MAX_WIDTH = 8;

/** How each input feature is written on the page. */
export const FEATURE_LABELS: Record<FeatureName, string> = {
  x1: "x₁",
  x2: "x₂",
  x1sq: "x₁²",
  x2sq: "x₂²",
  x1x2: "x₁x₂",
  sinx1: "sin x₁",
  sinx2: "sin x₂",
};

export interface PlaygroundState {
  data: DataSetName;
  /** Noise level, 0–0.5 as in the TensorFlow Playground. */
  noise: number;
  /** Points generated (the lecture's XOR set always has its 4). */
  points: number;
  /** Percentage of the points trained on; the rest are the test set. */
  trainRatio: number;
  batch: number;
  features: FeatureName[];
  /** Widths of the hidden layers, 0–6 of them, 1–8 neurons each. */
  hidden: number[];
  activation: ActivationName;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  reg: (typeof REGULARIZATIONS)[number];
  regRate: number;
  problem: (typeof PROBLEMS)[number];
  seed: number;
  view: ViewName;
  showTest: boolean;
  /** Weights the learner set by hand: [layer, to neuron, from neuron, value]. */
  edits: [number, number, number, number][];
}

export const DEFAULTS: Readonly<PlaygroundState> = {
  data: "circle",
  noise: 0,
  points: 500,
  trainRatio: 50,
  batch: 10,
  features: ["x1", "x2"],
  hidden: [4, 2],
  activation: "tanh",
  optimizer: "sgd",
  lr: 0.03,
  reg: "none",
  regRate: 0,
  problem: "classification",
  seed: 1,
  view: "train",
  showTest: false,
  edits: [],
};

/** A setting the URL (or a form field) gave that the page cannot use. */
export class StateError extends Error {
  override name = "StateError";
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new StateError(`${key}: expected one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

function numberIn(key: string, value: string, lo: number, hi: number, integer = false): number {
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
    throw new StateError(
      `${key}: expected ${integer ? "a whole number" : "a number"} from ${lo} to ${hi}, got "${value}"`,
    );
  return v;
}

/** Widths of hidden layers from "4,2" (empty for none). */
export function parseHidden(text: string): number[] {
  const t = text.trim();
  const widths = t === "" ? [] : t.split(/[\s,]+/).map((w) => numberIn("hidden", w, 1, MAX_WIDTH, true));
  if (widths.length > MAX_LAYERS)
    throw new StateError(`hidden: at most ${MAX_LAYERS} layers, got ${widths.length}`);
  return widths;
}

/** The state as URL search parameters; only what differs from the defaults is written. */
export function toQuery(s: PlaygroundState): string {
  const q = new URLSearchParams();
  const put = (key: string, value: string, fallback: string) => {
    if (value !== fallback) q.set(key, value);
  };
  put("data", s.data, DEFAULTS.data);
  put("noise", String(s.noise), String(DEFAULTS.noise));
  put("points", String(s.points), String(DEFAULTS.points));
  put("train", String(s.trainRatio), String(DEFAULTS.trainRatio));
  put("batch", String(s.batch), String(DEFAULTS.batch));
  put("features", s.features.join(","), DEFAULTS.features.join(","));
  put("hidden", s.hidden.join(","), DEFAULTS.hidden.join(","));
  put("activation", s.activation, DEFAULTS.activation);
  put("optimizer", s.optimizer, DEFAULTS.optimizer);
  put("lr", String(s.lr), String(DEFAULTS.lr));
  put("reg", s.reg, DEFAULTS.reg);
  put("regRate", String(s.regRate), String(DEFAULTS.regRate));
  put("problem", s.problem, DEFAULTS.problem);
  put("seed", String(s.seed), String(DEFAULTS.seed));
  put("view", s.view, DEFAULTS.view);
  put("test", s.showTest ? "1" : "0", DEFAULTS.showTest ? "1" : "0");
  put("edits", s.edits.map((e) => e.join(":")).join(","), "");
  return q.toString();
}

/** The state a URL's search part describes; unknown keys are ignored, bad values are a StateError. */
export function fromQuery(search: string): PlaygroundState {
  const q = new URLSearchParams(search);
  const s: PlaygroundState = {
    ...DEFAULTS,
    features: [...DEFAULTS.features],
    hidden: [...DEFAULTS.hidden],
    edits: [],
  };
  const get = (key: string) => q.get(key);
  let v: string | null;
  if ((v = get("data")) !== null) s.data = oneOf("data", v, DATA_SETS);
  if ((v = get("noise")) !== null) s.noise = numberIn("noise", v, 0, 0.5);
  if ((v = get("points")) !== null) s.points = numberIn("points", v, 10, 1000, true);
  if ((v = get("train")) !== null) s.trainRatio = numberIn("train", v, 10, 90, true);
  if ((v = get("batch")) !== null) s.batch = numberIn("batch", v, 1, 1000, true);
  if ((v = get("features")) !== null) {
    s.features = v === "" ? [] : v.split(",").map((f) => oneOf("features", f, FEATURES));
    if (s.features.length === 0) throw new StateError("features: choose at least one input feature");
  }
  if ((v = get("hidden")) !== null) s.hidden = parseHidden(v);
  if ((v = get("activation")) !== null) s.activation = oneOf("activation", v, ACTIVATIONS);
  if ((v = get("optimizer")) !== null) s.optimizer = oneOf("optimizer", v, OPTIMIZERS);
  if ((v = get("lr")) !== null) s.lr = numberIn("lr", v, 1e-5, 10);
  if ((v = get("reg")) !== null) s.reg = oneOf("reg", v, REGULARIZATIONS);
  if ((v = get("regRate")) !== null) s.regRate = numberIn("regRate", v, 0, 10);
  if ((v = get("problem")) !== null) s.problem = oneOf("problem", v, PROBLEMS);
  if ((v = get("seed")) !== null) s.seed = numberIn("seed", v, 0, 2 ** 31 - 1, true);
  if ((v = get("view")) !== null) s.view = oneOf("view", v, VIEWS);
  if ((v = get("test")) !== null) s.showTest = v === "1";
  if ((v = get("edits")) !== null && v !== "")
    s.edits = v.split(",").map((e) => {
      const parts = e.split(":").map(Number);
      if (parts.length !== 4 || !parts.every(Number.isFinite))
        throw new StateError(`edits: expected layer:to:from:value, got "${e}"`);
      return parts as [number, number, number, number];
    });
  return s;
}
