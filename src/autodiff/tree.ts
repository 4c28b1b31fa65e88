import { scalar } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import { type NestedArray, Tensor, type TensorLike } from "../core/tensor.js";

/**
 * A pytree: a tensor, or arrays and plain objects of pytrees (parameters as a
 * tree, like JAX). Other values (numbers, strings, null) are carried along as
 * they are; the transformations look only at the tensors.
 */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/**
 * A tree with every tensor replaced by a value of type L (same structure).
 * Plain number arrays hold no tensors and stay as they are (recursing into
 * NestedArray would never end).
 */
export type MapTree<T, L> = T extends Tensor
  ? L
  : T extends readonly NestedArray[]
    ? T
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: MapTree<T[K], L> }
      : T extends object
        ? { -readonly [K in keyof T]: MapTree<T[K], L> }
        : T;

/**
 * MapTree for an argument of grad/vjp/jvp: a parameter declared as TensorLike
 * (as the ops are: `grad(tanh)`) stands for a tensor, since a number passed
 * there becomes a scalar tensor.
 */
export type ArgTree<T, L> = [T] extends [TensorLike] ? L : MapTree<T, L>;

export interface Flat {
  readonly leaves: Tensor[];
  /** Rebuilds the same structure around new leaves. */
  readonly build: (leaves: readonly Tensor[]) => unknown;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Flattens a pytree to its tensors, in a fixed order (arrays by index, objects by key). */
export function flatten(tree: unknown): Flat {
  const leaves: Tensor[] = [];
  const walk = (node: unknown): ((ls: readonly Tensor[]) => unknown) => {
    if (node instanceof Tensor) {
      const i = leaves.length;
      leaves.push(node);
      return (ls) => ls[i];
    }
    if (Array.isArray(node)) {
      const kids = node.map(walk);
      return (ls) => kids.map((k) => k(ls));
    }
    if (isPlainObject(node)) {
      const keys = Object.keys(node).sort();
      const kids = keys.map((k) => walk(node[k]));
      return (ls) => Object.fromEntries(keys.map((k, i) => [k, kids[i]!(ls)]));
    }
    return () => node;
  };
  const build = walk(tree);
  return { leaves, build };
}

/** Applies `f` to every tensor of a tree. */
export function mapTree<T>(tree: T, f: (t: Tensor) => Tensor): T {
  const { leaves, build } = flatten(tree);
  return build(leaves.map(f)) as T;
}

/** Numbers where a tensor is to be differentiated become float32 scalars; anything else is refused. */
export function asDiffArg(x: unknown, op: string, argnum: number): unknown {
  if (typeof x === "number") return scalar(x);
  if (x instanceof Tensor || Array.isArray(x) || isPlainObject(x)) return x;
  throw new ArgumentError(
    `${op}: argument ${argnum} must be a tensor, a number, or an array/object of tensors, got ${x === null ? "null" : typeof x}`,
  );
}
