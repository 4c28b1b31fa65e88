import { ArgumentError } from "../core/errors.js";
import { key as makeKey, nextKey, type PRNGKey } from "../core/random.js";
import type { Tensor } from "../core/tensor.js";
import type { Initializer, InitializerName } from "./init.js";
import { type ActivationName, activationLayer, type LayerConfig, Linear } from "./layers.js";
import { type Context, Module, type ParamTree } from "./module.js";

/** Layers run one after another; children are named "0", "1", … as in PyTorch. */
export class Sequential extends Module {
  private count = 0;

  constructor(layers: readonly Module[] = []) {
    super();
    for (const l of layers) this.add(l);
  }

  /** Appends a layer. */
  add(layer: Module): this {
    this.registerModule(String(this.count++), layer);
    return this;
  }

  /** The layers in order. */
  get layers(): Module[] {
    return this.children().map(([, m]) => m);
  }

  forward(params: ParamTree, x: Tensor, ctx: Context): Tensor {
    let h = x;
    for (const [name, layer] of this.children()) h = ctx.run(name, layer, params, h);
    return h;
  }

  static readonly className = "Sequential";
  /** The layers are the children; there is nothing else to remember. */
  config(): LayerConfig {
    return {};
  }
  static fromConfig(_config: LayerConfig, children: Readonly<Record<string, Module>>): Sequential {
    return new Sequential(
      Object.keys(children)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => children[k]!),
    );
  }
}

/** `sequential(a, b, c)` or `sequential([a, b, c])`. */
export function sequential(...layers: (Module | readonly Module[])[]): Sequential {
  return new Sequential(layers.flat());
}

export interface MlpOptions {
  /** Activation after every hidden layer (default "relu"). */
  activation?: ActivationName;
  /** Activation after the last layer (default none: raw scores). */
  outputActivation?: ActivationName;
  weightInit?: Initializer | InitializerName;
  /** Key for the initial weights (same key ⇒ same weights). */
  key?: PRNGKey;
}

/**
 * A multi-layer perceptron from its widths: `mlp([2, 8, 8, 1])` is
 * 2 → 8 → 8 → 1 with an activation between layers. Any depth, including none
 * hidden: `mlp([3, 1])` is the linear predictor w·φ(x) (slide L7).
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Sequential {
  if (sizes.length < 2)
    throw new ArgumentError(`mlp: needs at least an input and an output width, got [${sizes}]`);
  const layers: Module[] = [];
  // Placeholder weights; init(key) below draws the real ones exactly as model.init(key) would.
  const placeholder = makeKey(0);
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(
      new Linear(sizes[i]!, sizes[i + 1]!, {
        key: placeholder,
        ...(options.weightInit !== undefined && { weightInit: options.weightInit }),
      }),
    );
    const last = i + 2 === sizes.length;
    if (!last) layers.push(activationLayer(options.activation ?? "relu"));
    else if (options.outputActivation) layers.push(activationLayer(options.outputActivation));
  }
  return new Sequential(layers).init(options.key ?? nextKey());
}
