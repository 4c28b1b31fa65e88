import { scalar } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";

/**
 * The structure of a pytree with its tensors taken out, as plain JSON-able
 * data (the closures of `autodiff/tree.ts` cannot be saved with a graph).
 * Leaves are numbered in the same order as `flatten` in autodiff/tree.ts:
 * arrays by index, objects by sorted key.
 */
export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "array"; readonly items: readonly TreeDef[] }
  | { readonly kind: "object"; readonly keys: readonly string[]; readonly items: readonly TreeDef[] }
  /** A non-tensor value carried along as it is (a string, null, a flag). */
  | { readonly kind: "static"; readonly value: StaticValue };

/** Non-tensor leaves a traced function may take or return. */
export type StaticValue = string | number | boolean | null | undefined;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Splits a pytree into its tensors and its structure. With `numbersAsTensors`,
 * bare numbers become float32 scalars (as `grad` treats numeric arguments), so
 * a learning rate passed as a number is an input, not a constant baked in.
 */
export function flattenTree(tree: unknown, numbersAsTensors = false, op = "trace"): [Tensor[], TreeDef] {
  const leaves: Tensor[] = [];
  const walk = (node: unknown): TreeDef => {
    if (node instanceof Tensor) {
      leaves.push(node);
      return { kind: "leaf" };
    }
    if (typeof node === "number" && numbersAsTensors) {
      leaves.push(scalar(node));
      return { kind: "leaf" };
    }
    if (Array.isArray(node)) return { kind: "array", items: node.map(walk) };
    if (isPlainObject(node)) {
      const keys = Object.keys(node).sort();
      return { kind: "object", keys, items: keys.map((k) => walk(node[k])) };
    }
    if (node === null || ["string", "number", "boolean", "undefined"].includes(typeof node)) {
      return { kind: "static", value: node as StaticValue };
    }
    throw new ArgumentError(
      `${op}: pytrees hold tensors, arrays, plain objects and plain values; got a ${(node as object).constructor?.name ?? typeof node}`,
    );
  };
  const def = walk(tree);
  return [leaves, def];
}

/** Rebuilds a pytree of structure `def` around `leaves` (in flattening order). */
export function unflattenTree(def: TreeDef, leaves: readonly Tensor[]): unknown {
  let next = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        return leaves[next++];
      case "array":
        return d.items.map(build);
      case "object":
        return Object.fromEntries(d.keys.map((k, i) => [k, build(d.items[i]!)]));
      case "static":
        return d.value;
    }
  };
  return build(def);
}

/**
 * The tensors of a pytree and a key of its signature (structure, shapes,
 * dtypes) in one walk: the hot path of a compiled call, which builds no TreeDef.
 * Bare numbers count as float32 scalars, as in `flattenTree(tree, true)`.
 */
export function signatureOf(tree: unknown): [Tensor[], string] {
  const leaves: Tensor[] = [];
  let key = "";
  const walk = (node: unknown): void => {
    if (node instanceof Tensor) {
      leaves.push(node);
      key += `${node.dtype}[${node.shape.join(",")}]`;
    } else if (typeof node === "number") {
      leaves.push(scalar(node));
      key += "float32[]";
    } else if (Array.isArray(node)) {
      key += "(";
      for (const x of node) walk(x);
      key += ")";
    } else if (isPlainObject(node)) {
      key += "{";
      for (const k of Object.keys(node).sort()) {
        key += `${JSON.stringify(k)}:`;
        walk(node[k]);
      }
      key += "}";
    } else key += `=${node === undefined ? "undefined" : JSON.stringify(node)};`;
  };
  walk(tree);
  return [leaves, key];
}
