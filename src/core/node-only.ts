import { GrafoError } from "./errors.js";

/**
 * Imports a module that only exists in Node (node:fs, node:module, cli-progress)
 * at run time. The specifier goes through a variable so browser bundlers
 * (esbuild, Vite, webpack) leave it alone: the library bundles for the browser
 * unchanged, and only the Node-only features (files, MNIST, progress bars) need Node.
 */
export async function importNodeOnly<T>(specifier: string, feature: string): Promise<T> {
  const isNode = typeof globalThis.process?.versions?.node === "string";
  if (!isNode) throw new GrafoError(`${feature} needs Node.js (it uses ${specifier})`);
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}
