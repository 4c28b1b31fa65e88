/**
 * Layers: each is a Module whose forward pass composes grafo ops (no layer
 * adds a primitive, so every layer differentiates, traces and compiles for
 * free). Weights use PyTorch's layout: a linear layer's weight is
 * `[out, in]`, so `y = x·Wᵀ + b`, the lecture's `V·φ(x)` for a batch of rows.
 */
import { full } from "../core/creation.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import { key as makeKey, nextKey, type PRNGKey, split } from "../core/random.js";
import { fmtShape, sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { add, div, less, mul, sub, where } from "../ops/binary.js";
import { matmul } from "../ops/linalg.js";
import {
  avgPool2d,
  conv2d,
  elu,
  gelu,
  leakyRelu,
  maxPool2d,
  type Padding,
  relu,
  softmax,
  step,
} from "../ops/nn.js";
import { max, mean, min, variance } from "../ops/reduce.js";
import { gather, reshape, transpose } from "../ops/shape.js";
import { rsqrt, sigmoid, stopGradient, tanh } from "../ops/unary.js";
import { getInitializer, type Initializer, type InitializerName, normal } from "./init.js";
import { type Context, Module, type ParamTree } from "./module.js";

/** Options shared by layers with weights. */
export interface WeightOptions {
  /** Initializer of the weight (default glorotUniform, as Keras). */
  weightInit?: Initializer | InitializerName;
  /** Initializer of the bias (default zeros). */
  biasInit?: Initializer | InitializerName;
  /** Whether to learn a bias (default true). */
  bias?: boolean;
  /** Key for the initial weights; without one the global stream (`setSeed`) is used. */
  key?: PRNGKey;
}

function w(params: ParamTree, name: string, layer: string): Tensor {
  const t = params[name];
  if (t === undefined || !("shape" in t) || typeof (t as Tensor).rank !== "number")
    throw new ArgumentError(`${layer}: parameter "${name}" is missing from the parameter tree`);
  return t as Tensor;
}

const positiveInt = (v: number, what: string, op: string): number => {
  if (!Number.isInteger(v) || v <= 0)
    throw new ArgumentError(`${op}: ${what} must be a positive integer, got ${v}`);
  return v;
};

// ---- configs: what rebuilds a layer (saved in model.json by src/io) ----

/** A JSON value in a layer's config. */
export type ConfigValue = null | boolean | number | string | ConfigValue[] | LayerConfig;
/** A layer's constructor arguments as JSON: `Linear.fromConfig(layer.config())` rebuilds it (weights aside). */
export type LayerConfig = { [key: string]: ConfigValue };

/** Reads one field of a config (from a file) with the type the constructor needs. */
export function configField<T extends "number" | "boolean" | "string">(
  config: LayerConfig,
  name: string,
  type: T,
  layer: string,
): T extends "number" ? number : T extends "boolean" ? boolean : string {
  const v = config[name];
  if (typeof v !== type)
    throw new ArgumentError(`${layer}: config field "${name}" must be a ${type}, got ${JSON.stringify(v)}`);
  return v as T extends "number" ? number : T extends "boolean" ? boolean : string;
}

/** A number or a pair of numbers (kernel sizes, strides). */
function numberOrPair(v: ConfigValue | undefined, what: string, layer: string): number | [number, number] {
  if (typeof v === "number") return v;
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number"))
    return [v[0], v[1]] as [number, number];
  throw new ArgumentError(
    `${layer}: config field "${what}" must be a number or [number, number], got ${JSON.stringify(v)}`,
  );
}

function paddingOf(v: ConfigValue | undefined, layer: string): Padding | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === "same" || v === "valid") return v;
  return numberOrPair(v, "padding", layer);
}

const pair = (v: number | readonly [number, number] | undefined): ConfigValue =>
  v === undefined ? null : typeof v === "number" ? v : [v[0], v[1]];

/** Layers rebuilt from a config get placeholder weights from a fixed key (the file's replace them), leaving the global stream alone. */
const PLACEHOLDER = makeKey(0);

// ---- linear ----

/** A fully connected (dense) layer: `y = x·Wᵀ + b`, W of shape `[out, in]`. */
export class Linear extends Module {
  private readonly weightInit: Initializer;
  private readonly biasInit: Initializer;
  readonly useBias: boolean;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: WeightOptions = {},
  ) {
    super();
    positiveInt(inFeatures, "inFeatures", "linear");
    positiveInt(outFeatures, "outFeatures", "linear");
    this.weightInit = getInitializer(options.weightInit ?? "glorotUniform", "linear");
    this.biasInit = getInitializer(options.biasInit ?? "zeros", "linear");
    this.useBias = options.bias ?? true;
    this.init(options.key ?? nextKey());
  }

  protected override initParams(key: PRNGKey): Record<string, Tensor> {
    const [kw, kb] = split(key);
    const p: Record<string, Tensor> = { weight: this.weightInit(kw!, [this.outFeatures, this.inFeatures]) };
    if (this.useBias) p.bias = this.biasInit(kb!, [this.outFeatures]);
    return p;
  }

  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    if (x.rank === 0 || x.shape[x.rank - 1] !== this.inFeatures)
      throw new ShapeError(
        `${ctx.path || "linear"}: Linear(in=${this.inFeatures}) got input of shape ${fmtShape(x.shape)}; its last axis must be ${this.inFeatures}`,
      );
    const y = matmul(x, transpose(w(params, "weight", "linear")));
    return this.useBias ? add(y, w(params, "bias", "linear")) : y;
  }

  protected override describe(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}${this.useBias ? "" : ", bias=false"}`;
  }

  static readonly className = "Linear";
  config(): LayerConfig {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.useBias };
  }
  static fromConfig(c: LayerConfig): Linear {
    const n = (k: string) => configField(c, k, "number", "Linear");
    return new Linear(n("inFeatures"), n("outFeatures"), {
      bias: configField(c, "bias", "boolean", "Linear"),
      key: PLACEHOLDER,
    });
  }
}

// ---- convolution and pooling ----

export interface Conv2dLayerOptions extends WeightOptions {
  stride?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
}

/** 2-D convolution on NCHW input, weights `[out, in, kh, kw]` (default He-uniform init, for ReLU nets). */
export class Conv2d extends Module {
  readonly kernel: [number, number];
  private readonly options: Conv2dLayerOptions;
  readonly useBias: boolean;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | readonly [number, number],
    options: Conv2dLayerOptions = {},
  ) {
    super();
    positiveInt(inChannels, "inChannels", "conv2d");
    positiveInt(outChannels, "outChannels", "conv2d");
    this.kernel = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    for (const k of this.kernel) positiveInt(k, "kernelSize", "conv2d");
    this.options = options;
    this.useBias = options.bias ?? true;
    this.init(options.key ?? nextKey());
  }

  protected override initParams(key: PRNGKey): Record<string, Tensor> {
    const [kw, kb] = split(key);
    const shape = [this.outChannels, this.inChannels, ...this.kernel];
    const p: Record<string, Tensor> = {
      weight: getInitializer(this.options.weightInit ?? "heUniform", "conv2d")(kw!, shape),
    };
    if (this.useBias)
      p.bias = getInitializer(this.options.biasInit ?? "zeros", "conv2d")(kb!, [this.outChannels]);
    return p;
  }

  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels)
      throw new ShapeError(
        `${ctx.path || "conv2d"}: Conv2d(in=${this.inChannels}) needs NCHW input with ${this.inChannels} channels, got ${fmtShape(x.shape)}`,
      );
    const { stride, padding, dilation } = this.options;
    return conv2d(x, w(params, "weight", "conv2d"), {
      ...(stride !== undefined && { stride }),
      ...(padding !== undefined && { padding }),
      ...(dilation !== undefined && { dilation }),
      ...(this.useBias && { bias: w(params, "bias", "conv2d") }),
    });
  }

  protected override describe(): string {
    const extra = [
      this.options.stride !== undefined ? `stride=${this.options.stride}` : "",
      this.options.padding !== undefined ? `padding=${this.options.padding}` : "",
    ].filter(Boolean);
    return [`${this.inChannels}→${this.outChannels}`, `kernel=${this.kernel.join("×")}`, ...extra].join(", ");
  }

  static readonly className = "Conv2d";
  config(): LayerConfig {
    const { stride, padding, dilation } = this.options;
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: [...this.kernel],
      stride: pair(stride),
      padding: typeof padding === "string" ? padding : pair(padding),
      dilation: pair(dilation),
      bias: this.useBias,
    };
  }
  static fromConfig(c: LayerConfig): Conv2d {
    const n = (k: string) => configField(c, k, "number", "Conv2d");
    const opt = (k: string) =>
      c[k] === null || c[k] === undefined ? undefined : numberOrPair(c[k], k, "Conv2d");
    const stride = opt("stride");
    const dilation = opt("dilation");
    const padding = paddingOf(c.padding, "Conv2d");
    return new Conv2d(n("inChannels"), n("outChannels"), numberOrPair(c.kernelSize, "kernelSize", "Conv2d"), {
      ...(stride !== undefined && { stride }),
      ...(padding !== undefined && { padding }),
      ...(dilation !== undefined && { dilation }),
      bias: configField(c, "bias", "boolean", "Conv2d"),
      key: PLACEHOLDER,
    });
  }
}

export interface PoolOptions {
  stride?: number | readonly [number, number];
  padding?: Padding;
}

/** Max or mean over windows of each channel (NCHW). */
export class Pool2d extends Module {
  constructor(
    readonly kind: "max" | "avg",
    readonly kernelSize: number | readonly [number, number],
    readonly options: PoolOptions = {},
  ) {
    super();
  }

  override get typeName(): string {
    return this.kind === "max" ? "MaxPool2d" : "AvgPool2d";
  }

  forward(_params: ParamTree, x: Tensor): Tensor {
    const opts = { kernelSize: this.kernelSize, ...this.options };
    return this.kind === "max" ? maxPool2d(x, opts) : avgPool2d(x, opts);
  }

  protected override describe(): string {
    return `kernel=${this.kernelSize}`;
  }

  static readonly className = "Pool2d";
  config(): LayerConfig {
    const { stride, padding } = this.options;
    return {
      kind: this.kind,
      kernelSize: pair(this.kernelSize),
      stride: pair(stride),
      padding: typeof padding === "string" ? padding : pair(padding),
    };
  }
  static fromConfig(c: LayerConfig): Pool2d {
    const kind = configField(c, "kind", "string", "Pool2d");
    if (kind !== "max" && kind !== "avg")
      throw new ArgumentError(
        `Pool2d: config field "kind" must be "max" or "avg", got ${JSON.stringify(kind)}`,
      );
    const stride =
      c.stride === null || c.stride === undefined ? undefined : numberOrPair(c.stride, "stride", "Pool2d");
    const padding = paddingOf(c.padding, "Pool2d");
    return new Pool2d(kind, numberOrPair(c.kernelSize, "kernelSize", "Pool2d"), {
      ...(stride !== undefined && { stride }),
      ...(padding !== undefined && { padding }),
    });
  }
}

/** Flattens every axis after the batch axis: `[N, ...] → [N, ∏...]`. */
export class Flatten extends Module {
  forward(_params: ParamTree, x: Tensor): Tensor {
    if (x.rank < 1) throw new ShapeError(`flatten: needs a batch axis, got a scalar`);
    return reshape(x, [x.shape[0]!, sizeOf(x.shape.slice(1))]);
  }

  static readonly className = "Flatten";
  config(): LayerConfig {
    return {};
  }
  static fromConfig(): Flatten {
    return new Flatten();
  }
}

// ---- regularization and normalization ----

/**
 * Dropout: in train mode zeroes each entry with probability `rate` and scales
 * the rest by 1/(1 − rate), so eval mode (identity) sees the same expectation.
 */
export class Dropout extends Module {
  constructor(readonly rate: number) {
    super();
    if (!(rate >= 0 && rate < 1)) throw new ArgumentError(`dropout: rate must be in [0, 1), got ${rate}`);
  }

  forward(_params: ParamTree, x: Tensor, ctx: Context): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    const keep = less(ctx.uniform(x.shape, x.dtype === "float64" ? "float64" : "float32"), 1 - this.rate);
    return where(keep, div(x, 1 - this.rate), 0);
  }

  protected override describe(): string {
    return `rate=${this.rate}`;
  }

  static readonly className = "Dropout";
  config(): LayerConfig {
    return { rate: this.rate };
  }
  static fromConfig(c: LayerConfig): Dropout {
    return new Dropout(configField(c, "rate", "number", "Dropout"));
  }
}

export interface NormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a scale `weight` and shift `bias` (default true). */
  affine?: boolean;
}

/**
 * Batch normalization over the batch (and spatial) axes of `[N, C]` or
 * `[N, C, H, W]` input. Train mode normalizes with the batch's statistics and
 * updates `runningMean`/`runningVar` (PyTorch's momentum convention); eval
 * mode uses the running ones.
 */
export class BatchNorm extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;

  constructor(
    readonly numFeatures: number,
    options: NormOptions & { momentum?: number } = {},
  ) {
    super();
    positiveInt(numFeatures, "numFeatures", "batchNorm");
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.affine = options.affine ?? true;
    this.registerBuffer("runningMean", full([numFeatures], 0));
    this.registerBuffer("runningVar", full([numFeatures], 1));
    // Constant initial values: any key will do, and the global stream stays untouched.
    this.init(makeKey(0));
  }

  protected override initParams(): Record<string, Tensor> {
    if (!this.affine) return {};
    return {
      weight: full([this.numFeatures], 1),
      bias: full([this.numFeatures], 0),
    };
  }

  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    if ((x.rank !== 2 && x.rank !== 4) || x.shape[1] !== this.numFeatures)
      throw new ShapeError(
        `${ctx.path || "batchNorm"}: BatchNorm(${this.numFeatures}) needs [N, ${this.numFeatures}] or [N, ${this.numFeatures}, H, W] input, got ${fmtShape(x.shape)}`,
      );
    const axes = x.rank === 2 ? [0] : [0, 2, 3];
    const bshape = x.rank === 2 ? [1, this.numFeatures] : [1, this.numFeatures, 1, 1];
    let mu: Tensor;
    let v: Tensor;
    if (ctx.training) {
      mu = mean(x, axes, true);
      v = variance(x, axes, true);
      const n = x.size / this.numFeatures;
      const m = this.momentum;
      // Running statistics are state, not part of the loss: no gradient flows into them.
      const batchMean = stopGradient(reshape(mu, [this.numFeatures]));
      const batchVar = stopGradient(mul(reshape(v, [this.numFeatures]), n / Math.max(1, n - 1)));
      ctx.setBuffer("runningMean", add(mul(ctx.buffer("runningMean"), 1 - m), mul(batchMean, m)));
      ctx.setBuffer("runningVar", add(mul(ctx.buffer("runningVar"), 1 - m), mul(batchVar, m)));
    } else {
      mu = reshape(ctx.buffer("runningMean"), bshape);
      v = reshape(ctx.buffer("runningVar"), bshape);
    }
    const y = mul(sub(x, mu), rsqrt(add(v, this.eps)));
    if (!this.affine) return y;
    return add(
      mul(y, reshape(w(params, "weight", "batchNorm"), bshape)),
      reshape(w(params, "bias", "batchNorm"), bshape),
    );
  }

  protected override describe(): string {
    return `${this.numFeatures}, momentum=${this.momentum}`;
  }

  static readonly className = "BatchNorm";
  config(): LayerConfig {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine };
  }
  static fromConfig(c: LayerConfig): BatchNorm {
    const n = (k: string) => configField(c, k, "number", "BatchNorm");
    return new BatchNorm(n("numFeatures"), {
      eps: n("eps"),
      momentum: n("momentum"),
      affine: configField(c, "affine", "boolean", "BatchNorm"),
    });
  }
}

/** Layer normalization over the last axes (`normalizedShape`), per sample: no running state. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly affine: boolean;

  constructor(normalizedShape: number | readonly number[], options: NormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    for (const d of this.normalizedShape) positiveInt(d, "normalizedShape", "layerNorm");
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    // Constant initial values: any key will do, and the global stream stays untouched.
    this.init(makeKey(0));
  }

  protected override initParams(): Record<string, Tensor> {
    if (!this.affine) return {};
    return {
      weight: full(this.normalizedShape, 1),
      bias: full(this.normalizedShape, 0),
    };
  }

  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    const k = this.normalizedShape.length;
    if (x.rank < k || x.shape.slice(-k).join() !== this.normalizedShape.join())
      throw new ShapeError(
        `${ctx.path || "layerNorm"}: LayerNorm([${this.normalizedShape}]) needs input ending in [${this.normalizedShape}], got ${fmtShape(x.shape)}`,
      );
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    const y = mul(sub(x, mean(x, axes, true)), rsqrt(add(variance(x, axes, true), this.eps)));
    if (!this.affine) return y;
    return add(mul(y, w(params, "weight", "layerNorm")), w(params, "bias", "layerNorm"));
  }

  protected override describe(): string {
    return `[${this.normalizedShape}]`;
  }

  static readonly className = "LayerNorm";
  config(): LayerConfig {
    return { normalizedShape: [...this.normalizedShape], eps: this.eps, affine: this.affine };
  }
  static fromConfig(c: LayerConfig): LayerNorm {
    const shape = c.normalizedShape;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number"))
      throw new ArgumentError(
        `LayerNorm: config field "normalizedShape" must be a list of numbers, got ${JSON.stringify(shape)}`,
      );
    return new LayerNorm(shape as number[], {
      eps: configField(c, "eps", "number", "LayerNorm"),
      affine: configField(c, "affine", "boolean", "LayerNorm"),
    });
  }
}

/** A lookup table: integer ids `[...]` → rows of `weight` `[numEmbeddings, dim]` (default init N(0, 1)). */
export class Embedding extends Module {
  private readonly weightInit: Initializer;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: Pick<WeightOptions, "weightInit" | "key"> = {},
  ) {
    super();
    positiveInt(numEmbeddings, "numEmbeddings", "embedding");
    positiveInt(embeddingDim, "embeddingDim", "embedding");
    this.weightInit = getInitializer(options.weightInit ?? normal(1), "embedding");
    this.init(options.key ?? nextKey());
  }

  protected override initParams(key: PRNGKey): Record<string, Tensor> {
    return { weight: this.weightInit(key, [this.numEmbeddings, this.embeddingDim]) };
  }

  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    if (x.dtype !== "int32")
      throw new ArgumentError(
        `${ctx.path || "embedding"}: ids must be int32, got ${x.dtype} ${fmtShape(x.shape)}`,
      );
    // Values are only known outside tracing; a traced lookup is checked when it runs.
    if (x._buf && x.size > 0 && (min(x).item() < 0 || max(x).item() >= this.numEmbeddings))
      throw new ArgumentError(
        `${ctx.path || "embedding"}: ids must be in [0, ${this.numEmbeddings}), got values from ${min(x).item()} to ${max(x).item()}`,
      );
    return gather(w(params, "weight", "embedding"), x, 0);
  }

  protected override describe(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }

  static readonly className = "Embedding";
  config(): LayerConfig {
    return { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
  }
  static fromConfig(c: LayerConfig): Embedding {
    const n = (k: string) => configField(c, k, "number", "Embedding");
    return new Embedding(n("numEmbeddings"), n("embeddingDim"), { key: PLACEHOLDER });
  }
}

// ---- activations (slide L5) ----

/**
 * How a built-in activation layer was made (`activationLayer(spec.fn)` with
 * its argument), so it can be saved; an Activation around any other function
 * has none and cannot be saved (write a layer class with `config()` instead).
 */
export interface ActivationSpec {
  fn: ActivationName;
  /** alpha (leakyRelu, elu), approximate (gelu) or axis (softmax). */
  arg?: number | boolean;
}

/** An activation function as a layer (no parameters). */
export class Activation extends Module {
  constructor(
    readonly name: string,
    private readonly fn: (x: Tensor) => Tensor,
    private readonly label = "",
    readonly spec?: ActivationSpec,
  ) {
    super();
  }

  override get typeName(): string {
    return this.name;
  }

  forward(_params: ParamTree, x: Tensor): Tensor {
    return this.fn(x);
  }

  protected override describe(): string {
    return this.label;
  }

  static readonly className = "Activation";
  config(): LayerConfig {
    if (!this.spec)
      throw new ArgumentError(
        `Activation "${this.name}" wraps a function of its own and cannot be saved; make it a layer class with config() and fromConfig()`,
      );
    return this.spec.arg === undefined ? { fn: this.spec.fn } : { fn: this.spec.fn, arg: this.spec.arg };
  }
  static fromConfig(c: LayerConfig): Activation {
    const fn = configField(c, "fn", "string", "Activation") as ActivationName;
    const arg = c.arg;
    if (arg === undefined || arg === null) return activationLayer(fn);
    if (fn === "leakyRelu" && typeof arg === "number") return leakyReluLayer(arg);
    if (fn === "elu" && typeof arg === "number") return eluLayer(arg);
    if (fn === "gelu" && typeof arg === "boolean") return geluLayer(arg);
    if (fn === "softmax" && typeof arg === "number") return softmaxLayer(arg);
    throw new ArgumentError(`Activation: config ${JSON.stringify(c)} names no activation with that argument`);
  }
}

/** The lecture's threshold 1[z ≥ 0] (gradient zero almost everywhere: it cannot learn, slide L5). */
export const stepLayer = (): Activation => new Activation("Step", step, "", { fn: "step" });
/** The logistic function σ(z) = 1/(1 + e^(−z)). */
export const sigmoidLayer = (): Activation => new Activation("Sigmoid", sigmoid, "", { fn: "sigmoid" });
export const tanhLayer = (): Activation => new Activation("Tanh", tanh, "", { fn: "tanh" });
export const reluLayer = (): Activation => new Activation("ReLU", relu, "", { fn: "relu" });
export const leakyReluLayer = (alpha = 0.2): Activation =>
  new Activation("LeakyReLU", (x) => leakyRelu(x, alpha), `alpha=${alpha}`, { fn: "leakyRelu", arg: alpha });
export const eluLayer = (alpha = 1): Activation =>
  new Activation("ELU", (x) => elu(x, alpha), `alpha=${alpha}`, { fn: "elu", arg: alpha });
export const geluLayer = (approximate = false): Activation =>
  new Activation("GELU", (x) => gelu(x, approximate), approximate ? "approximate" : "", {
    fn: "gelu",
    arg: approximate,
  });
export const softmaxLayer = (axis = -1): Activation =>
  new Activation("Softmax", (x) => softmax(x, axis), `axis=${axis}`, { fn: "softmax", arg: axis });

/** Activation names accepted where a layer takes `activation: "relu"`. */
export type ActivationName =
  | "step"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leakyRelu"
  | "elu"
  | "gelu"
  | "softmax"
  | "linear";

/** An activation layer from its name (`"linear"` is the identity). */
export function activationLayer(name: ActivationName): Activation {
  switch (name) {
    case "step":
      return stepLayer();
    case "sigmoid":
      return sigmoidLayer();
    case "tanh":
      return tanhLayer();
    case "relu":
      return reluLayer();
    case "leakyRelu":
      return leakyReluLayer();
    case "elu":
      return eluLayer();
    case "gelu":
      return geluLayer();
    case "softmax":
      return softmaxLayer();
    case "linear":
      return new Activation("Identity", (x) => x, "", { fn: "linear" });
    default:
      throw new ArgumentError(
        `activation: unknown name "${String(name)}"; expected step, sigmoid, tanh, relu, leakyRelu, elu, gelu, softmax or linear`,
      );
  }
}
