import { full } from "../core/creation.js";
import { ArgumentError, ShapeError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { mul } from "../ops/binary.js";
import { index, reshape, stack } from "../ops/shape.js";
import { configField, type LayerConfig } from "./layers.js";
import { Module, type ParamTree } from "./module.js";

/** Exponent lists of every monomial of `d` variables up to `degree`, by degree then lexicographically. */
function monomials(d: number, degree: number, bias: boolean): number[][] {
  const out: number[][] = [];
  const grow = (combo: number[], from: number, left: number) => {
    if (left === 0) {
      out.push(combo);
      return;
    }
    for (let i = from; i < d; i++) grow([...combo, i], i, left - 1);
  };
  for (let t = bias ? 0 : 1; t <= degree; t++) grow([], 0, t);
  return out;
}

/**
 * The feature map φ of slide L1: `[1, x, x², …, x^degree]` for 1-D input
 * (`[N]` or `[N, 1]`), and every monomial up to `degree` for wider input,
 * cross terms included (for 2-D: 1, x₁, x₂, x₁², x₁x₂, x₂², …). No parameters,
 * so a linear layer after it is a polynomial model fit by gradient descent.
 */
export class PolynomialFeatures extends Module {
  constructor(
    readonly degree: number,
    readonly bias = true,
  ) {
    super();
    if (!Number.isInteger(degree) || degree < 1)
      throw new ArgumentError(`polynomialFeatures: degree must be a positive integer, got ${degree}`);
  }

  /** How many features `inputs` columns give. */
  outputSize(inputs: number): number {
    return monomials(inputs, this.degree, this.bias).length;
  }

  forward(_params: ParamTree, x: Tensor): Tensor {
    if (x.rank !== 1 && x.rank !== 2)
      throw new ShapeError(`polynomialFeatures: input must be [N] or [N, d], got ${fmtShape(x.shape)}`);
    const cols = x.rank === 1 ? reshape(x, [x.shape[0]!, 1]) : x;
    const [n, d] = cols.shape as [number, number];
    const column = Array.from({ length: d }, (_, i) => index(cols, ":", i));
    // Each monomial is its prefix times one more column, so products are shared.
    const memo = new Map<string, Tensor>([["", full([n], 1, x.dtype)]]);
    const of = (combo: number[]): Tensor => {
      const k = combo.join(",");
      let t = memo.get(k);
      if (!t) {
        t = mul(of(combo.slice(0, -1)), column[combo[combo.length - 1]!]!);
        memo.set(k, t);
      }
      return t;
    };
    return stack(monomials(d, this.degree, this.bias).map(of), 1);
  }

  protected override describe(): string {
    return `degree=${this.degree}`;
  }

  static readonly className = "PolynomialFeatures";
  config(): LayerConfig {
    return { degree: this.degree, bias: this.bias };
  }
  static fromConfig(c: LayerConfig): PolynomialFeatures {
    return new PolynomialFeatures(
      configField(c, "degree", "number", "PolynomialFeatures"),
      configField(c, "bias", "boolean", "PolynomialFeatures"),
    );
  }
}

/** φ(x) = [1, x, x², …] (and cross terms for 2-D input) as a layer. */
export function polynomialFeatures(degree: number, options: { bias?: boolean } = {}): PolynomialFeatures {
  return new PolynomialFeatures(degree, options.bias ?? true);
}
