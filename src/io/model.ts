/**
 * grafo's own model format: a folder holding `model.json` (the architecture,
 * grafo's version, the format version, the caller's metadata) and
 * `weights.safetensors` (every parameter and buffer under its PyTorch name),
 * or the same as one safetensors buffer.
 */
import { ArgumentError } from "../core/errors.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { Module } from "../nn/module.js";
import type {
  JsonObject,
  LayerSpec,
  LoadedModel,
  LoadOptions,
  ModelInfo,
  ModelSource,
  SaveOptions,
} from "./api.js";
import { buildModule, checkSpec, layerSpec } from "./architecture.js";
import { readBundle, WEIGHTS, writeBundle } from "./bundle.js";
import { FileFormatError } from "./errors.js";
import { isJsonObject, type Json, parseJson } from "./json.js";
import { readSafetensors } from "./safetensors.js";
import { describe, isSingle, locate, readNamed, readSingle } from "./storage.js";
import { GRAFO_VERSION, MODEL_FORMAT_VERSION } from "./version.js";

export const MODEL_JSON = "model.json";

// ---- PyTorch names ----

/** PyTorch's name for a state-dict entry: the last segment in snake_case (`1.runningMean` → `1.running_mean`). */
export function torchName(name: string): string {
  const dot = name.lastIndexOf(".");
  const last = name
    .slice(dot + 1)
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
  return name.slice(0, dot + 1) + last;
}

/** The model's parameters and buffers under their PyTorch names, as weights.safetensors stores them. */
export function torchStateDict(model: Module): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [torchName(k), t]));
}

/** Entries PyTorch keeps that grafo has no use for. */
const TORCH_ONLY = /(^|\.)num_batches_tracked$/;

/**
 * Puts `tensors` (grafo or PyTorch names) into `model`, checking that every
 * parameter and buffer is there with the right shape and nothing else is
 * (unless `strict` is false). Errors name `file`.
 */
export function assignWeights(
  model: Module,
  tensors: Readonly<Record<string, Tensor>>,
  file: string,
  strict = true,
): void {
  const expected = model.stateDict();
  const byTorch = new Map(Object.keys(expected).map((k) => [torchName(k), k]));
  const dict: Record<string, Tensor> = {};
  const unexpected: string[] = [];
  for (const [k, t] of Object.entries(tensors)) {
    const own = Object.hasOwn(expected, k) ? k : byTorch.get(k);
    if (own === undefined) {
      if (!TORCH_ONLY.test(k)) unexpected.push(k);
      continue;
    }
    const want = expected[own]!;
    if (!shapesEqual(t.shape, want.shape))
      throw new FileFormatError(
        file,
        `weight "${k}" has shape ${fmtShape(t.shape)}, but the model's ${own} is ${fmtShape(want.shape)}`,
      );
    if ((t.dtype === "bool") !== (want.dtype === "bool"))
      throw new FileFormatError(file, `weight "${k}" is ${t.dtype}, but the model's ${own} is ${want.dtype}`);
    dict[own] = t;
  }
  const missing = Object.keys(expected).filter((k) => !(k in dict));
  if (strict && (missing.length > 0 || unexpected.length > 0))
    throw new FileFormatError(
      file,
      [
        missing.length ? `is missing weights for ${missing.join(", ")}` : "",
        unexpected.length ? `has weights the model does not: ${unexpected.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; and it "),
    );
  model.loadStateDict(dict, { strict: false });
}

// ---- model.json ----

/** model.json for `model`. */
export function modelInfo(model: Module, metadata: JsonObject | undefined, op: string): ModelInfo {
  if (!(model instanceof Module))
    throw new ArgumentError(`${op}: expected a Module to save, got ${typeof model}`);
  let meta: JsonObject = {};
  if (metadata !== undefined) {
    let text: string | undefined;
    try {
      text = JSON.stringify(metadata);
    } catch (e) {
      throw new ArgumentError(`${op}: metadata cannot be written as JSON (${(e as Error).message})`);
    }
    if (!isJsonObject(metadata) || text === undefined)
      throw new ArgumentError(`${op}: metadata must be a JSON object`);
    // What load would refuse is refused here, before anything is written.
    try {
      meta = parseJson(text, "metadata") as JsonObject;
    } catch (e) {
      throw new ArgumentError(`${op}: ${(e as Error).message}`);
    }
  }
  return {
    format: "grafo-model",
    formatVersion: MODEL_FORMAT_VERSION,
    grafoVersion: GRAFO_VERSION,
    architecture: layerSpec(model, op),
    metadata: meta,
  };
}

/** Checks model.json's content: format, version (a newer one is refused), architecture, metadata. */
export function parseModelInfo(raw: Json | undefined, file: string): ModelInfo {
  if (!isJsonObject(raw) || raw.format !== "grafo-model")
    throw new FileFormatError(file, `is not a grafo model.json (expected "format": "grafo-model")`);
  const v = raw.formatVersion;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new FileFormatError(file, `has formatVersion ${JSON.stringify(v)}; expected a positive integer`);
  if (v > MODEL_FORMAT_VERSION)
    throw new FileFormatError(
      file,
      `was written by a newer grafo (${String(raw.grafoVersion)}, format version ${v}); this grafo ${GRAFO_VERSION} reads format versions up to ${MODEL_FORMAT_VERSION}: upgrade grafo to load it`,
    );
  if (raw.metadata !== undefined && !isJsonObject(raw.metadata))
    throw new FileFormatError(file, `"metadata" must be a JSON object`);
  return {
    format: "grafo-model",
    formatVersion: v,
    grafoVersion: typeof raw.grafoVersion === "string" ? raw.grafoVersion : "unknown",
    architecture: checkSpec(raw.architecture, file) as LayerSpec,
    metadata: (raw.metadata as JsonObject | undefined) ?? {},
  };
}

// ---- save and load ----

/**
 * Saves `model`: to a folder (`model.json` + `weights.safetensors`), a
 * `.safetensors` file, or `indexeddb://name`; with no destination, returns
 * the single-buffer form. Writes are atomic: a failure leaves what was there.
 */
export async function save(model: Module, destination: string, options?: SaveOptions): Promise<undefined>;
export async function save(
  model: Module,
  destination?: undefined,
  options?: SaveOptions,
): Promise<Uint8Array>;
export async function save(
  model: Module,
  destination?: string,
  options: SaveOptions = {},
): Promise<Uint8Array | undefined> {
  const info = modelInfo(model, options.metadata, "save");
  const weights = torchStateDict(model);
  const floatDType = options.floatDType;
  return writeBundle(
    {
      tensors: [[WEIGHTS, weights, floatDType ? { floatDType } : {}]],
      docs: [[MODEL_JSON, info as unknown as Json]],
    },
    destination,
    "save",
  );
}

/** A model from what `save` wrote, with its model.json (`info.metadata` is what `save` was given). */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<LoadedModel> {
  const b = await readBundle(source, { docs: [MODEL_JSON], tensors: [WEIGHTS] }, "load");
  const file = b.name(MODEL_JSON);
  const info = parseModelInfo(b.docs[MODEL_JSON], file);
  const model = buildModule(info.architecture, options.classes ?? [], file);
  assignWeights(model, b.tensors[WEIGHTS]!, b.name(WEIGHTS));
  model.eval();
  return { model, info };
}

/**
 * A model from what `save` wrote (in eval mode). Custom layer classes the
 * file names are passed as `classes`.
 */
export async function load(source: ModelSource, options: LoadOptions = {}): Promise<Module> {
  return (await loadModel(source, options)).model;
}

/** Only model.json: architecture, versions and metadata, without the weights. */
export async function readModelInfo(source: ModelSource): Promise<ModelInfo> {
  const b = await readBundle(source, { docs: [MODEL_JSON], tensors: [] }, "readModelInfo");
  return parseModelInfo(b.docs[MODEL_JSON], b.name(MODEL_JSON));
}

/**
 * Loads a plain safetensors file (a PyTorch state dict saved with
 * safetensors, or grafo's weights.safetensors) into an existing model. Names
 * may be grafo's or PyTorch's (`running_mean`); `num_batches_tracked` is
 * ignored. With `strict` (default) every weight must be there and no other.
 */
export async function loadWeights(
  model: Module,
  source: ModelSource,
  options: { strict?: boolean } = {},
): Promise<void> {
  const op = "loadWeights";
  const loc = await locate(source, op);
  const single = isSingle(loc);
  const bytes = single ? await readSingle(loc, op) : await readNamed(loc, WEIGHTS, op);
  const name = describe(loc, single ? undefined : WEIGHTS);
  assignWeights(model, readSafetensors(bytes!, name).tensors, name, options.strict ?? true);
}
