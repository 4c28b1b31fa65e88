/**
 * Where model files live and how they get there: Node folders and files
 * (written atomically: a temp file in the same folder, then a rename),
 * IndexedDB (`indexeddb://name`, one transaction), URLs (read by `fetch`),
 * and plain buffers. Node modules are imported only when a path is used, so
 * the package still bundles for the browser.
 */
import type * as NodeFs from "node:fs/promises";
import type * as NodePath from "node:path";
import { ArgumentError, GrafoError } from "../core/errors.js";
import { importNodeOnly } from "../core/node-only.js";
import type { ModelSource } from "./api.js";
import { FileFormatError, StorageError } from "./errors.js";

/** Where `save` writes or `load` reads. */
export type Location =
  | { kind: "bytes"; bytes: Uint8Array; label: string }
  | { kind: "folder"; path: string }
  | { kind: "file"; path: string }
  | { kind: "indexeddb"; name: string }
  | { kind: "url"; url: URL; single: boolean };

const IDB_PREFIX = "indexeddb://";

/** A location from what the caller passed; a Node path becomes a folder or a file once it is looked at. */
export async function locate(source: ModelSource, op: string): Promise<Location> {
  if (source instanceof Uint8Array) return { kind: "bytes", bytes: source, label: `${op}: buffer` };
  if (source instanceof ArrayBuffer)
    return { kind: "bytes", bytes: new Uint8Array(source), label: `${op}: buffer` };
  if (source instanceof URL || (typeof source === "string" && /^(https?|blob|data):/i.test(source))) {
    const url = new URL(String(source));
    return { kind: "url", url, single: /\.safetensors$/i.test(url.pathname) || url.protocol === "data:" };
  }
  if (typeof source !== "string" || source === "")
    throw new ArgumentError(
      `${op}: expected a path, an indexeddb://name, a URL or bytes, got ${source === "" ? "an empty string" : typeof source}`,
    );
  if (source.startsWith(IDB_PREFIX)) return { kind: "indexeddb", name: idbName(source, op) };
  if (/\.safetensors$/i.test(source)) return { kind: "file", path: source };
  // An existing regular file is read as one buffer (and refused if it is not one of ours).
  const fs = await nodeFs(op);
  const stat = await fs.stat(source).catch(() => undefined);
  return stat?.isFile() ? { kind: "file", path: source } : { kind: "folder", path: source };
}

/** Where `save` writes: like `locate`, but a path that does not exist yet is a folder to create. */
export function destination(path: string, op: string): Location {
  if (typeof path !== "string" || path === "")
    throw new ArgumentError(
      `${op}: expected a path or an indexeddb://name to save to, got ${JSON.stringify(path)}`,
    );
  if (path.startsWith(IDB_PREFIX)) return { kind: "indexeddb", name: idbName(path, op) };
  if (/^(https?|blob|data):/i.test(path))
    throw new ArgumentError(`${op}: cannot write to a URL (${path}); save to bytes and upload them`);
  if (/\.safetensors$/i.test(path)) return { kind: "file", path };
  return { kind: "folder", path };
}

function idbName(s: string, op: string): string {
  const name = s.slice(IDB_PREFIX.length);
  if (name === "") throw new ArgumentError(`${op}: "${s}" names no IndexedDB entry`);
  return name;
}

/** Whether a location is one buffer (bytes, a .safetensors file or URL) rather than a folder of files. */
export const isSingle = (loc: Location): boolean =>
  loc.kind === "bytes" || loc.kind === "file" || (loc.kind === "url" && loc.single);

/** How a location is named in errors. */
export function describe(loc: Location, file?: string): string {
  switch (loc.kind) {
    case "bytes":
      return file ? `${loc.label} (${file})` : loc.label;
    case "folder":
      return file ? `${loc.path.replace(/[/\\]+$/, "")}/${file}` : loc.path;
    case "file":
      return loc.path;
    case "indexeddb":
      return file ? `${IDB_PREFIX}${loc.name} (${file})` : `${IDB_PREFIX}${loc.name}`;
    case "url":
      return loc.single || !file ? loc.url.href : fileUrl(loc.url, file).href;
  }
}

const nodeFs = (op: string) => importNodeOnly<typeof NodeFs>("node:fs/promises", `${op} to a file path`);
const nodePath = (op: string) => importNodeOnly<typeof NodePath>("node:path", `${op} to a file path`);

function fileUrl(base: URL, file: string): URL {
  const folder = new URL(base.href);
  if (!folder.pathname.endsWith("/")) folder.pathname += "/";
  return new URL(file, folder);
}

/** The message of an error a reader or writer hit. */
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// ---- reading ----

/** The one buffer of a single-buffer location (bytes, a .safetensors file or URL). */
export async function readSingle(loc: Location, op: string): Promise<Uint8Array> {
  if (loc.kind === "bytes") return loc.bytes;
  if (loc.kind === "file") return readNodeFile(loc.path, op);
  if (loc.kind === "url") return fetchBytes(loc.url);
  throw new ArgumentError(`${op}: ${describe(loc)} is not a single file`);
}

/** One named file of a folder-like location; `undefined` when it does not exist and `optional`. */
export async function readNamed(
  loc: Location,
  file: string,
  op: string,
  optional = false,
): Promise<Uint8Array | undefined> {
  switch (loc.kind) {
    case "folder": {
      const path = (await nodePath(op)).join(loc.path, file);
      if (optional) {
        const fs = await nodeFs(op);
        if (!(await fs.stat(path).catch(() => undefined))) return undefined;
      }
      return readNodeFile(path, op);
    }
    case "url":
      return fetchBytes(fileUrl(loc.url, file), optional);
    case "indexeddb": {
      const files = await idbGet(loc.name);
      const bytes = files[file];
      if (bytes === undefined && !optional) throw new StorageError(describe(loc, file), "does not exist");
      return bytes;
    }
    default:
      throw new ArgumentError(`${op}: ${describe(loc)} is a single file, not a folder`);
  }
}

async function readNodeFile(path: string, op: string): Promise<Uint8Array> {
  const fs = await nodeFs(op);
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") throw new StorageError(path, "does not exist");
    if (code === "EISDIR") throw new StorageError(path, "is a folder, not a file");
    throw new StorageError(path, `cannot be read (${reason(e)})`);
  }
}

async function fetchBytes(url: URL): Promise<Uint8Array>;
async function fetchBytes(url: URL, optional: boolean): Promise<Uint8Array | undefined>;
async function fetchBytes(url: URL, optional = false): Promise<Uint8Array | undefined> {
  if (typeof fetch !== "function")
    throw new StorageError(url.href, "cannot be fetched: this runtime has no fetch");
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new StorageError(url.href, `cannot be fetched (${reason(e)})`);
  }
  if (res.status === 404 && optional) return undefined;
  if (!res.ok) throw new StorageError(url.href, `cannot be fetched (HTTP ${res.status} ${res.statusText})`);
  return new Uint8Array(await res.arrayBuffer());
}

// ---- writing ----

/** A file to write: its name and its bytes, produced chunk by chunk. */
export type FileWrite = readonly [name: string, chunks: Iterable<Uint8Array>];

/**
 * Writes `path` atomically: the chunks go to a temp file in the same folder,
 * which is flushed to disk and then renamed over `path`. If anything fails
 * part way, the temp file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, chunks: Iterable<Uint8Array>, op: string): Promise<void> {
  const tmp = await writeTemp(path, chunks, op);
  await commit(tmp, path, op);
}

/** The chunks in a temp file beside `path`; returns the temp file's path. */
async function writeTemp(path: string, chunks: Iterable<Uint8Array>, op: string): Promise<string> {
  const fs = await nodeFs(op);
  const { dirname, basename, join } = await nodePath(op);
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  let handle: NodeFs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, "wx");
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    handle = undefined;
    return tmp;
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof GrafoError) throw e;
    throw new StorageError(path, `cannot be written (${reason(e)}); nothing was changed`);
  }
}

async function commit(tmp: string, path: string, op: string): Promise<void> {
  const fs = await nodeFs(op);
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new StorageError(path, `cannot be replaced (${reason(e)}); nothing was changed`);
  }
}

/**
 * Writes several files into a folder (created if missing). Every file is
 * written to its temp file first; only when all are complete are they renamed
 * into place, in the order given (so the file that names the others, model.json,
 * goes last), and `stale` files are removed. A failure while writing changes nothing.
 */
export async function writeFolder(
  folder: string,
  files: readonly FileWrite[],
  op: string,
  stale: readonly string[] = [],
): Promise<void> {
  const fs = await nodeFs(op);
  const { join } = await nodePath(op);
  try {
    await fs.mkdir(folder, { recursive: true });
  } catch (e) {
    throw new StorageError(folder, `cannot be created as a folder (${reason(e)})`);
  }
  const done: [string, string][] = [];
  try {
    for (const [name, chunks] of files) {
      const path = join(folder, name);
      done.push([await writeTemp(path, chunks, op), path]);
    }
  } catch (e) {
    for (const [tmp] of done) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  for (const [tmp, path] of done) await commit(tmp, path, op);
  // Files of an earlier save that would no longer belong with these (a checkpoint's, under a plain model).
  for (const name of stale) await fs.rm(join(folder, name), { force: true }).catch(() => undefined);
}

// ---- IndexedDB ----

const DB = "grafo-models";
const STORE = "models";

function openDb(entry: string): Promise<IDBDatabase> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb)
    return Promise.reject(
      new StorageError(`${IDB_PREFIX}${entry}`, "IndexedDB is not available here (it is a browser feature)"),
    );
  return new Promise((resolve, reject) => {
    const req = idb.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(new StorageError(`${IDB_PREFIX}${entry}`, `cannot open IndexedDB (${req.error?.message})`));
  });
}

/** All files of one entry, written in one transaction (so it is all or nothing). */
export async function idbPut(name: string, files: Record<string, Uint8Array>): Promise<void> {
  const db = await openDb(name);
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(files, name);
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () =>
        reject(
          new StorageError(
            `${IDB_PREFIX}${name}`,
            `cannot be written (${tx.error?.message}); nothing was changed`,
          ),
        );
    });
  } finally {
    db.close();
  }
}

/** The files of one entry. */
export async function idbGet(name: string): Promise<Record<string, Uint8Array>> {
  const db = await openDb(name);
  try {
    const value = await new Promise<unknown>((resolve, reject) => {
      const req = db.transaction(STORE, "readonly").objectStore(STORE).get(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () =>
        reject(new StorageError(`${IDB_PREFIX}${name}`, `cannot be read (${req.error?.message})`));
    });
    if (value === undefined) throw new StorageError(`${IDB_PREFIX}${name}`, "does not exist");
    if (
      typeof value !== "object" ||
      value === null ||
      !Object.values(value).every((v) => v instanceof Uint8Array)
    )
      throw new FileFormatError(`${IDB_PREFIX}${name}`, "is not a model grafo saved");
    return value as Record<string, Uint8Array>;
  } finally {
    db.close();
  }
}
