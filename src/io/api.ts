/**
 * The shapes of grafo's model files and of the values `save`, `load` and the
 * checkpoint functions take and return.
 */
import type { Module } from "../nn/module.js";
import type { Json, JsonObject } from "./json.js";

/**
 * Where a model lives:
 * - a file path in Node: a folder holding `model.json` and
 *   `weights.safetensors` (or one `.safetensors` file, the single-buffer form);
 * - `indexeddb://name` in the browser;
 * - an `http(s)://` URL or `URL` (read only, by `fetch`): a folder URL, or a `.safetensors` file;
 * - the bytes `save(model)` returned (single-buffer form: one safetensors file
 *   whose `__metadata__` holds model.json).
 */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

/** Safetensors dtypes grafo reads (all) and writes (when asked). */
export type SafetensorsDType = "F32" | "F64" | "I32" | "I64" | "BOOL" | "F16" | "BF16";

/** A layer as `model.json` stores it: its class, its configuration and its children's specs. */
export interface LayerSpec {
  /** The class name (`Linear`, `Sequential`, or a custom class passed to `load`). */
  readonly class: string;
  readonly config: JsonObject;
  /** Child modules by name, in registration order. */
  readonly children?: readonly (readonly [string, LayerSpec])[];
}

/** What `model.json` holds. */
export interface ModelInfo {
  readonly format: "grafo-model";
  /** The format version (`MODEL_FORMAT_VERSION` when written by this grafo). */
  readonly formatVersion: number;
  /** The grafo version that wrote it. */
  readonly grafoVersion: string;
  readonly architecture: LayerSpec;
  /** Whatever the caller passed as `metadata` to `save` (feature statistics, class labels, …). */
  readonly metadata: JsonObject;
}

export interface SaveOptions {
  /** Extra JSON stored in model.json and returned by `loadModel`/`readModelInfo`. */
  metadata?: JsonObject;
  /** Store float tensors as this dtype (default: as they are, F32/F64). */
  floatDType?: "F32" | "F64" | "F16" | "BF16";
}

/**
 * A custom layer class `load` can rebuild: instances have `config()` (JSON
 * that rebuilds the layer) and the class has a static `fromConfig(config,
 * children)`. `className` overrides the stored name (for minified bundles).
 */
export interface LayerClass<M extends Module = Module> {
  readonly name: string;
  readonly className?: string;
  fromConfig(config: JsonObject, children: Readonly<Record<string, Module>>): M;
}

export interface LoadOptions {
  /** Custom layer classes the file may name (no global registry). */
  classes?: readonly LayerClass[];
}

/** A model with what its model.json said about it. */
export interface LoadedModel {
  readonly model: Module;
  readonly info: ModelInfo;
}

export type { Json, JsonObject };
