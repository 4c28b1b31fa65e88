/**
 * A model's architecture as JSON (`LayerSpec`) and back. Every layer class
 * says how to rebuild itself: instances have `config()`, the class a static
 * `fromConfig(config, children)`. Built-in layers are known; custom ones are
 * passed to `load` by the caller, so there is no global registry.
 */
import { GrafoError } from "../core/errors.js";
import { PolynomialFeatures } from "../nn/features.js";
import {
  Activation,
  BatchNorm,
  Conv2d,
  Dropout,
  Embedding,
  Flatten,
  LayerNorm,
  Linear,
  Pool2d,
} from "../nn/layers.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/sequential.js";
import type { JsonObject, LayerClass, LayerSpec } from "./api.js";
import { FileFormatError } from "./errors.js";
import { isJsonObject } from "./json.js";

const BUILT_IN: readonly LayerClass[] = [
  Linear,
  Conv2d,
  Pool2d,
  Flatten,
  Dropout,
  BatchNorm,
  LayerNorm,
  Embedding,
  Activation,
  PolynomialFeatures,
  Sequential,
];

/** The name a class is stored under: its own `className`, or its JavaScript name. */
function storedName(cls: LayerClass): string {
  return Object.hasOwn(cls, "className") && typeof cls.className === "string" ? cls.className : cls.name;
}

/** Nesting deeper than this in a file is refused rather than recursed into. */
const MAX_DEPTH = 64;

/** The spec of `module` and its children. Throws if a layer cannot be saved (no config/fromConfig of its own). */
export function layerSpec(module: Module, op: string, path = ""): LayerSpec {
  const cls = module.constructor as unknown as Partial<LayerClass>;
  const config = (module as unknown as { config?: () => JsonObject }).config;
  const where = `layer "${path || "(the model)"}" (${module.typeName})`;
  // An inherited fromConfig would rebuild the parent class, silently losing the subclass.
  if (
    typeof config !== "function" ||
    !Object.hasOwn(cls, "fromConfig") ||
    typeof cls.fromConfig !== "function"
  )
    throw new GrafoError(
      `${op}: ${where} cannot be saved: its class needs a config() method and a static fromConfig(config, children) of its own`,
    );
  const json = config.call(module);
  if (!isJsonObject(json)) throw new GrafoError(`${op}: ${where}: config() must return a JSON object`);
  const children = module
    .children()
    .map(([k, c]) => [k, layerSpec(c, op, path ? `${path}.${k}` : k)] as const);
  const spec = {
    class: storedName(cls as LayerClass),
    config: JSON.parse(JSON.stringify(json)) as JsonObject,
  };
  return children.length > 0 ? { ...spec, children } : spec;
}

/** Checks a spec read from a file (types, nesting) without building anything. */
export function checkSpec(raw: unknown, file: string, path = "", depth = 0): LayerSpec {
  const where = `architecture at "${path || "(the model)"}"`;
  if (depth > MAX_DEPTH)
    throw new FileFormatError(file, `${where} is nested more than ${MAX_DEPTH} levels deep`);
  if (!isJsonObject(raw) || typeof raw.class !== "string" || !isJsonObject(raw.config))
    throw new FileFormatError(
      file,
      `${where} must be an object with "class" (a string) and "config" (an object)`,
    );
  if (raw.children === undefined) return { class: raw.class, config: raw.config };
  if (!Array.isArray(raw.children))
    throw new FileFormatError(file, `${where}: "children" must be a list of [name, layer] pairs`);
  const names = new Set<string>();
  const children = raw.children.map((c) => {
    if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== "string" || names.has(c[0]))
      throw new FileFormatError(
        file,
        `${where}: "children" must be a list of [name, layer] pairs with distinct names`,
      );
    names.add(c[0]);
    return [c[0], checkSpec(c[1], file, path ? `${path}.${c[0]}` : c[0], depth + 1)] as const;
  });
  return { class: raw.class, config: raw.config, children };
}

/** Builds the module a (checked) spec describes, with placeholder weights. */
export function buildModule(
  spec: LayerSpec,
  classes: readonly LayerClass[],
  file: string,
  path = "",
): Module {
  const known = new Map<string, LayerClass>();
  for (const c of BUILT_IN) known.set(storedName(c), c);
  for (const c of classes) known.set(storedName(c), c);
  const build = (s: LayerSpec, at: string): Module => {
    const cls = known.get(s.class);
    const where = `layer "${at || "(the model)"}"`;
    if (!cls)
      throw new FileFormatError(
        file,
        `${where} is a ${s.class}, which is neither built in nor among the classes passed to load (pass it: load(path, { classes: [${s.class}] }))`,
      );
    const children: Record<string, Module> = {};
    for (const [k, c] of s.children ?? []) children[k] = build(c, at ? `${at}.${k}` : k);
    let m: unknown;
    try {
      m = cls.fromConfig(s.config, children);
    } catch (e) {
      throw new FileFormatError(
        file,
        `${where} (${s.class}) cannot be rebuilt from its config: ${(e as Error).message}`,
      );
    }
    if (!(m instanceof Module))
      throw new FileFormatError(file, `${where}: ${s.class}.fromConfig did not return a Module`);
    return m;
  };
  return build(spec, path);
}
