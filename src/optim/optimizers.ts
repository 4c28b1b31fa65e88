/**
 * Optimizers as pure `{ init, update }` pairs over pytrees (as optax): state
 * in, state out, nothing mutated, every update written with grafo ops so a
 * whole training step can be traced and compiled. `step(model)` is the
 * PyTorch-style sugar on top, after `loss.backward()`.
 */
import { flatten } from "../autodiff/tree.js";
import { scalar, zerosLike } from "../core/creation.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { add, div, mul, pow, sub } from "../ops/binary.js";
import { noGrad } from "../ops/dispatch.js";
import { sqrt, square } from "../ops/unary.js";
import { clipByGlobalNorm, clipByValue } from "./clip.js";
import { type LearningRate, learningRateAt } from "./schedules.js";

/** What an optimizer carries between steps. A pytree, so it can be saved, traced or compiled. */
export interface OptState {
  /** Updates done so far (float32 scalar). */
  readonly step: Tensor;
  /** Multiplier on the learning rate (1 unless a callback such as reduceLROnPlateau changed it). */
  readonly lrScale: Tensor;
  /** Per-parameter buffers (momentum, moments), one list per slot, in the parameters' flatten order. */
  readonly slots: { readonly [slot: string]: readonly Tensor[] };
}

/** What `step(model)` needs of a model: a parameter tree it can read and replace. */
export interface HasParameters {
  /** The parameter values as a tree of dotted-name objects (`{ "0": { weight, bias } }`). */
  parameters(): unknown;
  /** The PyTorch-style parameter objects, whose `.grad` `backward()` filled. */
  namedParameters(): [string, Tensor][];
  setParameters(tree: never): void;
}

export interface Optimizer {
  readonly name: string;
  /** The learning rate (or schedule) it was made with. */
  readonly lr: LearningRate;
  /** Fresh state for these parameters (zeros in every slot, step 0). */
  init(params: unknown): OptState;
  /** New parameters and state from gradients (same tree structure as the parameters). */
  update<P>(grads: P, state: OptState, params: P): { params: P; state: OptState };
  /** The learning rate the next update will use. */
  learningRate(state: OptState): number;
  /**
   * PyTorch-style: after `loss.backward()`, updates the model's parameters
   * from their `.grad` (missing grads count as zero). The state lives in the
   * optimizer, per model.
   */
  step(model: HasParameters): void;
}

export interface CommonOptions {
  /** Learning rate or schedule. */
  lr?: LearningRate;
  /** Clip all gradients together to this global norm before the update. */
  clipNorm?: number;
  /** Clip each gradient entry to ±clipValue before the update. */
  clipValue?: number;
}

/** One parameter's update: the new value and new slots, from its gradient, the learning rate and step t (1-based). */
type Rule = (
  p: Tensor,
  g: Tensor,
  slots: Record<string, Tensor>,
  lr: Tensor,
  t: Tensor,
) => { p: Tensor; slots: Record<string, Tensor | undefined> };

function makeOptimizer(
  name: string,
  slotNames: readonly string[],
  options: CommonOptions,
  rule: Rule,
): Optimizer {
  const lr = options.lr ?? 1e-3;
  if (typeof lr === "number" && !(lr > 0)) throw new ArgumentError(`${name}: lr must be positive, got ${lr}`);
  const states = new WeakMap<object, OptState>();
  const updateTree = <P>(grads: P, state: OptState, params: P): { params: P; state: OptState } => {
    const pf = flatten(params);
    let gs = grads;
    if (options.clipNorm !== undefined) gs = clipByGlobalNorm(gs, options.clipNorm);
    if (options.clipValue !== undefined) gs = clipByValue(gs, options.clipValue);
    const gl = flatten(gs).leaves;
    if (gl.length !== pf.leaves.length)
      throw new ArgumentError(
        `${name}.update: ${gl.length} gradients for ${pf.leaves.length} parameters (the trees differ)`,
      );
    const rate = mul(typeof lr === "number" ? lr : lr(state.step), state.lrScale);
    const t = add(state.step, 1);
    const newSlots: Record<string, Tensor[]> = Object.fromEntries(slotNames.map((s) => [s, []]));
    const newParams = pf.leaves.map((p, i) => {
      const g = gl[i]!;
      if (!shapesEqual(g.shape, p.shape))
        throw new ShapeError(
          `${name}.update: gradient ${i} has shape ${fmtShape(g.shape)}, its parameter ${fmtShape(p.shape)}`,
        );
      const slots = Object.fromEntries(slotNames.map((s) => [s, state.slots[s]![i]!]));
      const r = rule(p, g, slots, rate, t);
      for (const s of slotNames) newSlots[s]!.push(r.slots[s]!);
      const next = r.p.dtype === p.dtype ? r.p : r.p.cast(p.dtype);
      if (p.requiresGrad && next._tracer === undefined) next.requiresGrad = true;
      return next;
    });
    return {
      params: pf.build(newParams) as P,
      state: { step: t, lrScale: state.lrScale, slots: newSlots },
    };
  };
  const opt: Optimizer = {
    name,
    lr,
    init(params) {
      const { leaves } = flatten(params);
      return {
        step: scalar(0),
        lrScale: scalar(1),
        slots: Object.fromEntries(slotNames.map((s) => [s, leaves.map((p) => zerosLike(p))])),
      };
    },
    // An update is never part of a backward() history (as torch.optim steps
    // under no_grad): otherwise each step's parameters would hold on to all
    // the steps before them. Parameters that were PyTorch-style leaves stay so.
    update: (grads, state, params) => noGrad(() => updateTree(grads, state, params)),
    learningRate(state) {
      return learningRateAt(lr, state.step.item()) * state.lrScale.item();
    },
    step(model) {
      noGrad(() => {
        const params = model.parameters();
        const gradOf = new Map(model.namedParameters().map(([name, p]) => [name, p.grad]));
        const grads = mapNamed(params, (name, p) => gradOf.get(name) ?? zerosLike(p));
        const state = states.get(model) ?? opt.init(params);
        const next = opt.update(grads, state, params);
        model.setParameters(next.params as never);
        states.set(model, next.state);
      });
    },
  };
  return opt;
}

/** Applies `f` to each tensor of a tree of plain objects, with its dotted name (`0.weight`). */
function mapNamed(tree: unknown, f: (name: string, t: Tensor) => Tensor, prefix = ""): unknown {
  if (tree instanceof Tensor) return f(prefix, tree);
  if (tree === null || typeof tree !== "object") return tree;
  return Object.fromEntries(
    Object.entries(tree).map(([k, v]) => [k, mapNamed(v, f, prefix ? `${prefix}.${k}` : k)]),
  );
}

export interface SgdOptions extends CommonOptions {
  /** Momentum μ: v ← μv + g (default 0, plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum: step along g + μv instead of v. */
  nesterov?: boolean;
  /** L2 penalty: g ← g + λp. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, the lecture's `w ← w − η∇Loss` (slide L10),
 * with optional momentum (Nesterov too) and weight decay.
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const { momentum = 0, nesterov = false, weightDecay = 0 } = options;
  if (momentum < 0) throw new ArgumentError(`sgd: momentum must be non-negative, got ${momentum}`);
  if (nesterov && momentum === 0) throw new ArgumentError("sgd: nesterov needs a momentum above 0");
  return makeOptimizer("sgd", momentum > 0 ? ["velocity"] : [], { lr: 0.01, ...options }, (p, g, s, lr) => {
    const grad = weightDecay ? add(g, mul(p, weightDecay)) : g;
    if (momentum === 0) return { p: sub(p, mul(grad, lr)), slots: {} };
    const v = add(mul(s.velocity!, momentum), grad);
    const dir = nesterov ? add(grad, mul(v, momentum)) : v;
    return { p: sub(p, mul(dir, lr)), slots: { velocity: v } };
  });
}

export interface AdamOptions extends CommonOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay p ← p − lr·λp. */
  weightDecay?: number;
}

/** Shared by adam and adamw: bias-corrected first and second moments (Kingma & Ba 2015). */
function adamRule(name: "adam" | "adamw", options: AdamOptions): Optimizer {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = name === "adamw" ? 0.01 : 0 } = options;
  for (const [k, b] of [
    ["beta1", beta1],
    ["beta2", beta2],
  ] as const)
    if (!(b >= 0 && b < 1)) throw new ArgumentError(`${name}: ${k} must be in [0, 1), got ${b}`);
  return makeOptimizer(name, ["m", "v"], options, (p, g, s, lr, t) => {
    const grad = name === "adam" && weightDecay ? add(g, mul(p, weightDecay)) : g;
    const m = add(mul(s.m!, beta1), mul(grad, 1 - beta1));
    const v = add(mul(s.v!, beta2), mul(square(grad), 1 - beta2));
    const mHat = div(m, sub(1, pow(beta1, t)));
    const vHat = div(v, sub(1, pow(beta2, t)));
    let next = sub(p, mul(div(mHat, add(sqrt(vHat), eps)), lr));
    if (name === "adamw" && weightDecay) next = sub(next, mul(mul(p, weightDecay), lr));
    return { p: next, slots: { m, v } };
  });
}

/** Adam: per-parameter step sizes from running moments of the gradient (default lr 1e-3). */
export const adam = (options: AdamOptions = {}): Optimizer => adamRule("adam", options);

/** AdamW: Adam with decoupled weight decay (default 0.01), Loshchilov & Hutter 2019. */
export const adamw = (options: AdamOptions = {}): Optimizer => adamRule("adamw", options);

export interface RmspropOptions extends CommonOptions {
  /** Decay of the running mean of g² (default 0.9). */
  rho?: number;
  eps?: number;
}

/** RMSprop: divides by a running root-mean-square of recent gradients. */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const { rho = 0.9, eps = 1e-7 } = options;
  if (!(rho >= 0 && rho < 1)) throw new ArgumentError(`rmsprop: rho must be in [0, 1), got ${rho}`);
  return makeOptimizer("rmsprop", ["meanSquare"], options, (p, g, s, lr) => {
    const ms = add(mul(s.meanSquare!, rho), mul(square(g), 1 - rho));
    return { p: sub(p, mul(div(g, add(sqrt(ms), eps)), lr)), slots: { meanSquare: ms } };
  });
}

export interface AdagradOptions extends CommonOptions {
  eps?: number;
}

/** Adagrad: divides by the root of all squared gradients so far (steps shrink where gradients were large). */
export function adagrad(options: AdagradOptions = {}): Optimizer {
  const { eps = 1e-10 } = options;
  return makeOptimizer("adagrad", ["sumSquares"], { lr: 0.01, ...options }, (p, g, s, lr) => {
    const acc = add(s.sumSquares!, square(g));
    return { p: sub(p, mul(div(g, add(sqrt(acc), eps)), lr)), slots: { sumSquares: acc } };
  });
}

/** The state with its learning-rate multiplier scaled by `factor` (reduceLROnPlateau). */
export function scaleLearningRate(state: OptState, factor: number): OptState {
  return { ...state, lrScale: mul(state.lrScale, factor) };
}
