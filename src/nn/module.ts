import { param } from "../autodiff/param.js";
import { zeros } from "../core/creation.js";
import type { DType } from "../core/dtype.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import { keyData, nextKey, type PRNGKey, split } from "../core/random.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { noGrad } from "../ops/dispatch.js";
import { randomUniform } from "../ops/random.js";
import {
  type EvaluateOptions,
  evaluate,
  type FitInput,
  type FitOptions,
  fit,
  predict,
} from "../train/fit.js";
import type { History } from "../train/history.js";

/**
 * Parameters (or buffers) as a tree: names to tensors or to the subtree of a
 * child module, as JAX keeps them. It is an ordinary pytree, so
 * `grad(p => loss(model.apply(p, x), y))(model.parameters())` returns
 * gradients of the same shape, ready for an optimizer's `update`.
 */
export interface ParamTree {
  [name: string]: Tensor | ParamTree;
}

/** How a functional forward pass runs. */
export interface ApplyOptions {
  /** Train mode (dropout active, batch statistics); default: the module's own mode. */
  training?: boolean;
  /**
   * Randomness for dropout: a key, or key data (`random.keyData(key)`, which
   * may be a traced input of a compiled step); without it, keys come from the
   * global stream (`setSeed`).
   */
  key?: PRNGKey | Tensor;
  /** Running statistics (batchNorm) to read; default: the module's own. */
  buffers?: ParamTree;
}

/** One module's output during a recorded forward pass (for `summary`). */
interface ShapeRecord {
  path: string;
  module: Module;
  shape: readonly number[];
}

/**
 * What a forward pass carries besides parameters: the mode, a stream of PRNG
 * keys, running statistics in and out, and (for `summary`) a log of shapes.
 * A child sees the same context narrowed to its own name.
 */
export class Context {
  constructor(
    readonly training: boolean,
    private readonly keys: { key: PRNGKey | Tensor | undefined; draws: number },
    private readonly buffersIn: ParamTree,
    private readonly buffersOut: ParamTree,
    readonly path: string = "",
    private readonly log?: ShapeRecord[],
  ) {}

  /**
   * Uniform [0, 1) samples for this call (dropout). Every draw of a pass takes
   * its own stream of the pass's key, through the traceable `randomUniform`
   * op, so eager and compiled training draw exactly the same numbers.
   */
  uniform(shape: readonly number[], dtype: DType): Tensor {
    const key = this.keys.key;
    if (key === undefined) return randomUniform(keyData(nextKey()), shape, { dtype });
    return randomUniform(key instanceof Tensor ? key : keyData(key), shape, {
      dtype,
      stream: this.keys.draws++,
    });
  }

  /** A running statistic of this module (e.g. batchNorm's `runningMean`). */
  buffer(name: string): Tensor {
    const b = this.buffersIn[name];
    if (!(b instanceof Tensor)) throw new ArgumentError(`${this.path || "module"}: missing buffer "${name}"`);
    return b;
  }

  /** Records a new value of a running statistic; it takes effect after the pass. */
  setBuffer(name: string, value: Tensor): void {
    this.buffersOut[name] = value;
  }

  /** Runs a child module on its own part of the parameter and buffer trees. */
  run(name: string, child: Module, params: ParamTree, x: Tensor): Tensor {
    const sub = (t: ParamTree): ParamTree => {
      const s = t[name];
      return s instanceof Tensor || s === undefined ? {} : s;
    };
    const out: ParamTree = {};
    const ctx = new Context(
      this.training,
      this.keys,
      sub(this.buffersIn),
      out,
      this.path ? `${this.path}.${name}` : name,
      this.log,
    );
    const y = child.forward(sub(params), x, ctx);
    if (Object.keys(out).length > 0) this.buffersOut[name] = out;
    this.log?.push({ path: ctx.path, module: child, shape: y.shape });
    return y;
  }
}

/** Flattens a tree to `[dotted.name, tensor]` pairs, in insertion order. */
function namedLeaves(tree: ParamTree, prefix = ""): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  for (const [k, v] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v instanceof Tensor) out.push([name, v]);
    else out.push(...namedLeaves(v, name));
  }
  return out;
}

/** Rebuilds `like`'s structure from a flat dotted-name map, checking names and shapes. */
function fromNamed(
  like: ParamTree,
  dict: Readonly<Record<string, Tensor>>,
  op: string,
  prefix = "",
): { tree: ParamTree; missing: string[] } {
  const tree: ParamTree = {};
  const missing: string[] = [];
  for (const [k, v] of Object.entries(like)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v instanceof Tensor) {
      const t = dict[name];
      if (t === undefined) {
        missing.push(name);
        tree[k] = v;
        continue;
      }
      if (!(t instanceof Tensor)) throw new ArgumentError(`${op}: "${name}" is not a Tensor`);
      if (!shapesEqual(t.shape, v.shape))
        throw new ShapeError(
          `${op}: "${name}" has shape ${fmtShape(t.shape)}, but the model expects ${fmtShape(v.shape)}`,
        );
      tree[k] = t.dtype === v.dtype ? t : t.cast(v.dtype);
    } else {
      const sub = fromNamed(v, dict, op, name);
      tree[k] = sub.tree;
      missing.push(...sub.missing);
    }
  }
  return { tree, missing };
}

/**
 * The base of every layer and model. A module owns named parameters and
 * buffers and named child modules; together they form trees with
 * PyTorch-style dotted names (`0.weight`, `encoder.1.bias`).
 *
 * Its forward pass is written once, functionally, as
 * `forward(params, x, ctx)`: the same code serves `model.call(x)` (with the
 * module's own parameters) and `model.apply(params, x)` (with any tree of the
 * right shape, e.g. tracers inside `grad`).
 */
export abstract class Module {
  private _params: Record<string, Tensor> = {};
  private _buffers: Record<string, Tensor> = {};
  private _children: Record<string, Module> = {};
  private _training = true;

  /**
   * The forward pass on explicit parameters: `params` holds this module's own
   * parameters and its children's subtrees. Call children with `ctx.run`.
   */
  abstract forward(params: ParamTree, x: Tensor, ctx: Context): Tensor;

  /** One line describing this module's configuration, for printing (e.g. `in=2, out=8`). */
  protected describe(): string {
    return "";
  }

  /** Fresh parameter values from a key; layers with parameters override it. */
  protected initParams(_key: PRNGKey): Record<string, Tensor> {
    return {};
  }

  /** The module's type name for printing (the class name without a trailing "Layer"). */
  get typeName(): string {
    return this.constructor.name;
  }

  // ---- registration ----

  /** Registers (or replaces) a trainable parameter. */
  protected registerParameter(name: string, value: Tensor): void {
    this._params[name] = param(value);
  }

  /** Registers a non-trainable tensor that is saved with the model (running statistics). */
  protected registerBuffer(name: string, value: Tensor): void {
    this._buffers[name] = value;
  }

  /** Registers a child module under `name`. */
  protected registerModule(name: string, child: Module): void {
    if (!(child instanceof Module))
      throw new ArgumentError(`${this.typeName}: child "${name}" is not a Module (got ${typeof child})`);
    this._children[name] = child;
  }

  /** The direct children, by name. */
  children(): [string, Module][] {
    return Object.entries(this._children);
  }

  /** This module and every descendant, with dotted paths ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, c] of this.children()) out.push(...c.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }

  // ---- parameters and buffers ----

  /**
   * The trainable parameters as a tree of values (children without parameters
   * are left out): the functional API's input, `grad(p => …)(model.parameters())`.
   * The tensors share the parameters' data but are not PyTorch-style
   * parameters (no `requiresGrad`), so a JAX-style loop
   * `p = update(p, grad(loss)(p))` records no `backward()` history and its
   * memory stays flat however long it runs. The parameter objects themselves,
   * with `.grad`, are `namedParameters()`.
   */
  parameters(): ParamTree {
    return mapParamTree(this.parameterObjects(), (p) => p.detach());
  }

  /** The PyTorch-style parameter objects (`requiresGrad`, `.grad`) as a tree. */
  private parameterObjects(): ParamTree {
    const tree: ParamTree = { ...this._params };
    for (const [k, c] of this.children()) {
      const sub = c.parameterObjects();
      if (Object.keys(sub).length > 0) tree[k] = sub;
    }
    return tree;
  }

  /**
   * The parameter objects as `[dotted.name, tensor]` pairs, as PyTorch's
   * `named_parameters()`: these have `requiresGrad`, and `backward()` fills
   * their `.grad`.
   */
  namedParameters(): [string, Tensor][] {
    return namedLeaves(this.parameterObjects());
  }

  /** Running statistics and other saved non-trainable state, as a tree. */
  buffers(): ParamTree {
    const tree: ParamTree = { ...this._buffers };
    for (const [k, c] of this.children()) {
      const sub = c.buffers();
      if (Object.keys(sub).length > 0) tree[k] = sub;
    }
    return tree;
  }

  /** How many numbers the parameters hold. */
  numParameters(): number {
    return this.namedParameters().reduce((n, [, t]) => n + t.size, 0);
  }

  /**
   * Replaces the parameters with a tree of the same structure and shapes (what
   * an optimizer's `update` returns). The new tensors get `requiresGrad`.
   */
  setParameters(tree: ParamTree): void {
    const flat = Object.fromEntries(namedLeaves(tree));
    const { tree: checked, missing } = fromNamed(this.parameters(), flat, "setParameters");
    if (missing.length > 0) throw new ArgumentError(`setParameters: missing ${missing.join(", ")}`);
    this.assign(checked, "params");
  }

  /** Replaces the buffers (running statistics) with a tree of the same structure. */
  setBuffers(tree: ParamTree): void {
    const flat = Object.fromEntries(namedLeaves(tree));
    const { tree: checked } = fromNamed(this.buffers(), flat, "setBuffers");
    this.assign(checked, "buffers");
  }

  private assign(tree: ParamTree, kind: "params" | "buffers"): void {
    for (const [k, v] of Object.entries(tree)) {
      if (v instanceof Tensor) {
        if (kind === "params") this._params[k] = param(v);
        else this._buffers[k] = v._concrete();
      } else {
        this._children[k]?.assign(v, kind);
      }
    }
  }

  /** Every parameter and buffer by dotted name: what checkpoints save. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...namedLeaves(this.parameters()), ...namedLeaves(this.buffers())]);
  }

  /**
   * Loads a `stateDict`. With `strict` (the default) every key must be present
   * and no other key may be; shapes must always match.
   */
  loadStateDict(dict: Readonly<Record<string, Tensor>>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const params = fromNamed(this.parameters(), dict, "loadStateDict");
    const bufs = fromNamed(this.buffers(), dict, "loadStateDict");
    const known = new Set(Object.keys(this.stateDict()));
    const unexpected = Object.keys(dict).filter((k) => !known.has(k));
    const missing = [...params.missing, ...bufs.missing];
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      const parts = [
        missing.length ? `missing keys: ${missing.join(", ")}` : "",
        unexpected.length ? `unexpected keys: ${unexpected.join(", ")}` : "",
      ].filter(Boolean);
      throw new ArgumentError(`loadStateDict: ${parts.join("; ")}`);
    }
    this.assign(params.tree, "params");
    this.assign(bufs.tree, "buffers");
  }

  /**
   * Draws every parameter afresh from `key` (children get keys split from it),
   * so the same key always gives the same weights.
   */
  init(key: PRNGKey): this {
    const kids = this.children();
    const keys = split(key, kids.length + 1);
    for (const [k, v] of Object.entries(this.initParams(keys[0]!))) this.registerParameter(k, v);
    kids.forEach(([, c], i) => {
      c.init(keys[i + 1]!);
    });
    return this;
  }

  /** Clears `.grad` of every parameter (PyTorch-style training). */
  zeroGrad(): void {
    for (const [, p] of this.namedParameters()) p.grad = undefined;
  }

  // ---- modes ----

  /** Whether the module is in train mode (dropout active, batchNorm on batch statistics). */
  get training(): boolean {
    return this._training;
  }

  /** Sets train mode on this module and all its children. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m._training = mode;
    return this;
  }

  /** Sets evaluation mode (dropout off, batchNorm on running statistics). */
  eval(): this {
    return this.train(false);
  }

  // ---- running ----

  /**
   * The forward pass on `params` (functional style): nothing in the module
   * changes. Returns the output and the new buffers (running statistics in
   * train mode; the old ones otherwise).
   */
  applyWithState(params: ParamTree, x: Tensor, options: ApplyOptions = {}): [Tensor, ParamTree] {
    const buffersIn = options.buffers ?? this.buffers();
    const out: ParamTree = {};
    const ctx = new Context(
      options.training ?? this._training,
      { key: options.key, draws: 0 },
      buffersIn,
      out,
    );
    const y = this.forward(params, x, ctx);
    return [y, mergeTrees(buffersIn, out)];
  }

  /** The forward pass on `params`: `grad(p => loss(model.apply(p, x), y))(model.parameters())`. */
  apply(params: ParamTree, x: Tensor, options: ApplyOptions = {}): Tensor {
    return this.applyWithState(params, x, options)[0];
  }

  /**
   * The forward pass with the module's own parameters (`model(x)` in
   * PyTorch). In train mode, running statistics are updated.
   */
  call(x: Tensor): Tensor {
    const [y, bufs] = this.applyWithState(this.parameterObjects(), x);
    if (this._training && Object.keys(bufs).length > 0) noGrad(() => this.setBuffers(bufs));
    return y;
  }

  // ---- Keras-style training (src/train) ----

  /** Trains the model (Keras `fit`); see `FitOptions`. */
  fit(x: FitInput, y: Tensor | undefined, options: FitOptions): Promise<History>;
  fit(data: FitInput, options: FitOptions): Promise<History>;
  fit(a: FitInput, b: Tensor | undefined | FitOptions, c?: FitOptions): Promise<History> {
    if (b instanceof Tensor || b === undefined) return fit(this, a, b, c!);
    return fit(this, a, undefined, b);
  }

  /** Loss and metrics on a data set, in eval mode. */
  evaluate(x: FitInput, y: Tensor | undefined, options: EvaluateOptions): Promise<Record<string, number>> {
    return evaluate(this, x, y, options);
  }

  /** Outputs in eval mode, batch by batch, without recording gradients. */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    return predict(this, x, options);
  }

  // ---- printing ----

  /** PyTorch-style nested description of the module. */
  toString(): string {
    const kids = this.children();
    const head = `${this.typeName}(${this.describe()}`;
    if (kids.length === 0) return `${head})`;
    const inner = kids.map(([k, c]) => `  (${k}): ${c.toString().replace(/\n/g, "\n  ")}`).join("\n");
    return `${head}\n${inner}\n)`;
  }

  /**
   * A table of the layers, their output shapes (when `inputShape`, without the
   * batch axis, is given: one zero sample is run through) and parameter counts.
   */
  summary(inputShape?: readonly number[]): string {
    const shapes = new Map<Module, readonly number[]>();
    let outShape: readonly number[] | undefined;
    if (inputShape) {
      const log: ShapeRecord[] = [];
      const ctx = new Context(false, { key: undefined, draws: 0 }, this.buffers(), {}, "", log);
      outShape = noGrad(() => this.forward(this.parameters(), zeros([1, ...inputShape]), ctx)).shape;
      for (const r of log) shapes.set(r.module, r.shape);
    }
    const kids = this.children();
    const rows: [string, string, string][] = [["Layer", "Output shape", "Params"]];
    const fmt = (s: readonly number[] | undefined) => (s ? `[${["N", ...s.slice(1)].join(", ")}]` : "?");
    const count = (m: Module) => m.numParameters().toLocaleString("en-US");
    if (kids.length === 0) rows.push([this.typeName, fmt(outShape), count(this)]);
    for (const [k, c] of kids)
      rows.push([`${k} ${c.typeName}(${c.describe()})`, fmt(shapes.get(c)), count(c)]);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    const line = (r: [string, string, string]) =>
      `${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2].padStart(w[2]!)}`;
    const rule = "─".repeat(w[0]! + w[1]! + w[2]! + 4);
    const total = this.numParameters();
    return [
      `${this.typeName}`,
      rule,
      line(rows[0]!),
      rule,
      ...rows.slice(1).map(line),
      rule,
      `Total parameters: ${total.toLocaleString("en-US")}` +
        (inputShape ? `  (input [N, ${inputShape.join(", ")}] → output ${fmt(outShape)})` : ""),
    ].join("\n");
  }
}

function mapParamTree(tree: ParamTree, f: (t: Tensor) => Tensor): ParamTree {
  const out: ParamTree = {};
  for (const [k, v] of Object.entries(tree)) out[k] = v instanceof Tensor ? f(v) : mapParamTree(v, f);
  return out;
}

/** `base` with the entries of `update` put in (recursively). */
function mergeTrees(base: ParamTree, update: ParamTree): ParamTree {
  const out: ParamTree = { ...base };
  for (const [k, v] of Object.entries(update)) {
    const b = base[k];
    out[k] = v instanceof Tensor || b === undefined || b instanceof Tensor ? v : mergeTrees(b, v);
  }
  return out;
}
