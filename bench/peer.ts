/**
 * Loading the peers. They live in bench/node_modules (installed by `npm run
 * bench`), never in grafo's dependencies, so the type checker must not need
 * them: they are imported by a specifier held in a variable and typed by the
 * small interfaces each `impl-*.ts` declares for the calls it makes.
 */
import { readFileSync } from "node:fs";

/**
 * Imports a package from bench/node_modules (or a module path relative to
 * bench/), typed as `T`: the caller's interface of the part it uses.
 */
export async function importPeer<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

/** The installed version of a package in bench/node_modules, or "?" when unreadable. */
export function peerVersion(pkg: string): string {
  try {
    const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
}

/** Runs `fn` with console.log/warn/info silenced (peers print banners and hints on load). */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, warn: console.warn, info: console.info };
  const mute = (): void => {};
  console.log = console.warn = console.info = mute;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** The message of a thrown value, on one line. */
export function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
