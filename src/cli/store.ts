/**
 * Model folders of `grafo train`: the io layer's model.json + weights, with
 * the table metadata (tabular.ts) in model.json's metadata and the plots
 * beside them. Written to a temporary folder and renamed into place, so a
 * failed run leaves no partial folder behind.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { JsonObject } from "../io/api.js";
import { loadModel, save } from "../io/index.js";
import type { Module } from "../nn/module.js";
import { CliError } from "./errors.js";
import { META_VERSION, type TabularMeta } from "./tabular.js";

/** A folder to fill, which becomes `out` on `commit()` and vanishes on `discard()`. */
export interface PendingFolder {
  readonly path: string;
  commit(): void;
  discard(): void;
}

/** Starts writing `out`; refuses to replace a folder that is not a model folder. */
export function pendingFolder(out: string): PendingFolder {
  const target = resolve(out);
  if (existsSync(target)) {
    const isModel = statSync(target).isDirectory() && existsSync(join(target, "model.json"));
    const isEmpty = statSync(target).isDirectory() && readdirSync(target).length === 0;
    if (!isModel && !isEmpty)
      throw new CliError(`--out ${out}: exists and is not a grafo model folder; choose another --out`);
  }
  const path = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return {
    path,
    commit() {
      const old = `${path}-old`;
      if (existsSync(target)) renameSync(target, old);
      renameSync(path, target);
      rmSync(old, { recursive: true, force: true });
    },
    discard() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Saves the model and its table metadata into a folder. */
export async function saveTabular(model: Module, folder: string, meta: TabularMeta): Promise<void> {
  await save(model, folder, { metadata: meta as unknown as JsonObject });
}

/** Loads a model folder written by `grafo train`. */
export async function loadTabular(path: string): Promise<{ model: Module; meta: TabularMeta }> {
  if (!existsSync(path)) throw new CliError(`${path}: no such model folder`);
  const { model, info } = await loadModel(path);
  const meta = info.metadata as unknown as Partial<TabularMeta>;
  if (meta.kind !== "grafo-cli-tabular")
    throw new CliError(
      `${path}: this model was not trained by grafo train (its model.json has no table metadata)`,
    );
  if (meta.version !== META_VERSION)
    throw new CliError(
      `${path}: table metadata version ${meta.version}; this grafo reads version ${META_VERSION} (retrain it with this grafo)`,
    );
  return { model, meta: meta as TabularMeta };
}
