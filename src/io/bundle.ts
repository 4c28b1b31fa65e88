/**
 * A saved model as a set of files (JSON documents and safetensors files) and
 * the three ways it is stored: a folder of those files (Node path, URL,
 * IndexedDB entry), or a single safetensors buffer whose `__metadata__`
 * carries the JSON documents (bytes, a `.safetensors` path or URL). The
 * single form is still an ordinary safetensors file: PyTorch reads its weights.
 */
import type { Tensor } from "../core/tensor.js";
import type { ModelSource, SafetensorsDType } from "./api.js";
import { FileFormatError } from "./errors.js";
import { type Json, parseJson } from "./json.js";
import {
  concatBytes,
  readSafetensors,
  safetensorsChunks,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from "./safetensors.js";
import {
  describe,
  destination,
  type FileWrite,
  idbPut,
  isSingle,
  locate,
  readNamed,
  readSingle,
  writeFileAtomic,
  writeFolder,
} from "./storage.js";

/** The weights file: in the single form its tensors keep their names; other tensor files' get `stem/` prefixes. */
export const WEIGHTS = "weights.safetensors";
const DOC_KEY = "grafo:";
/** Every file a bundle may hold (model and checkpoint). */
const BUNDLE_FILES = ["model.json", "weights.safetensors", "checkpoint.json", "optimizer.safetensors"];

export interface Bundle {
  /** JSON documents by file name, written last and in this order (put the one naming the others last). */
  readonly docs: ReadonlyArray<readonly [string, Json]>;
  /** Safetensors files by file name, with how to store each. */
  readonly tensors: ReadonlyArray<
    readonly [string, Readonly<Record<string, Tensor>>, WriteSafetensorsOptions?]
  >;
}

const stem = (file: string) => file.replace(/\.safetensors$/, "");
const utf8 = (j: Json) => new TextEncoder().encode(`${JSON.stringify(j, null, 2)}\n`);

/** The single-buffer form: one safetensors file. */
function singleChunks(b: Bundle): Iterable<Uint8Array> {
  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, SafetensorsDType> = {};
  for (const [file, ts, options] of b.tensors) {
    const prefix = file === WEIGHTS ? "" : `${stem(file)}/`;
    for (const [name, t] of Object.entries(ts)) {
      tensors[prefix + name] = t;
      const d =
        options?.dtypes?.[name] ??
        (options?.floatDType && t.dtype.startsWith("float") ? options.floatDType : undefined);
      if (d) dtypes[prefix + name] = d;
    }
  }
  const metadata: Record<string, string> = { format: "pt" };
  for (const [file, doc] of b.docs) metadata[DOC_KEY + file] = JSON.stringify(doc);
  return safetensorsChunks(tensors, { metadata, dtypes });
}

/** Writes a bundle to `dest`, or returns its single-buffer form when there is none. */
export async function writeBundle(
  b: Bundle,
  dest: string | undefined,
  op: string,
): Promise<Uint8Array | undefined> {
  if (dest === undefined) return concatBytes([...singleChunks(b)]);
  const loc = destination(dest, op);
  if (loc.kind === "file") {
    await writeFileAtomic(loc.path, singleChunks(b), op);
    return undefined;
  }
  if (loc.kind === "indexeddb") {
    const files: Record<string, Uint8Array> = {};
    for (const [file, ts, options] of b.tensors) files[file] = writeSafetensors(ts, options);
    for (const [file, doc] of b.docs) files[file] = utf8(doc);
    await idbPut(loc.name, files);
    return undefined;
  }
  const files: FileWrite[] = [
    ...b.tensors.map(([file, ts, options]) => [file, safetensorsChunks(ts, options)] as const),
    ...b.docs.map(([file, doc]) => [file, [utf8(doc)]] as const),
  ];
  // A folder holds one bundle: files another kind of bundle wrote there go.
  const mine = new Set([...b.tensors.map(([f]) => f), ...b.docs.map(([f]) => f)]);
  await writeFolder(
    (loc as { path: string }).path,
    files,
    op,
    BUNDLE_FILES.filter((f) => !mine.has(f)),
  );
  return undefined;
}

/** What was read: documents and tensor files by file name, and where they came from (for errors). */
export interface ReadBundle {
  readonly docs: Readonly<Record<string, Json | undefined>>;
  readonly tensors: Readonly<Record<string, Record<string, Tensor> | undefined>>;
  /** Names a file of the bundle in errors. */
  readonly name: (file?: string) => string;
}

/**
 * Reads the named documents and tensor files (`optional` ones may be
 * missing). `tensorFiles: false` reads the documents only.
 */
export async function readBundle(
  source: ModelSource,
  want: { docs: readonly string[]; tensors: readonly string[]; optional?: readonly string[] },
  op: string,
): Promise<ReadBundle> {
  const loc = await locate(source, op);
  const name = (file?: string) => describe(loc, file);
  const optional = new Set(want.optional ?? []);
  const docs: Record<string, Json | undefined> = {};
  const tensors: Record<string, Record<string, Tensor> | undefined> = {};
  if (isSingle(loc)) {
    const file = name();
    const st = readSafetensors(await readSingle(loc, op), file);
    const ofFile: Record<string, Record<string, Tensor>> = { [WEIGHTS]: {} };
    for (const [k, t] of Object.entries(st.tensors)) {
      const slash = k.indexOf("/");
      const f = slash < 0 ? WEIGHTS : `${k.slice(0, slash)}.safetensors`;
      (ofFile[f] ??= {})[slash < 0 ? k : k.slice(slash + 1)] = t;
    }
    for (const d of want.docs) {
      const text = st.metadata[DOC_KEY + d];
      if (text === undefined && !optional.has(d))
        throw new FileFormatError(
          file,
          d === "model.json"
            ? "is a safetensors file without grafo's model.json in its metadata (plain weights: load them into a model with loadWeights(model, source))"
            : `holds no ${d} in its metadata`,
        );
      docs[d] = text === undefined ? undefined : parseJson(text, `${file} (${d})`);
    }
    for (const t of want.tensors) {
      if (!ofFile[t] && !optional.has(t)) throw new FileFormatError(file, `holds no tensors of ${t}`);
      tensors[t] = ofFile[t];
    }
    return { docs, tensors, name };
  }
  for (const d of want.docs) {
    const bytes = await readNamed(loc, d, op, optional.has(d));
    docs[d] = bytes === undefined ? undefined : parseJson(decodeText(bytes, name(d)), name(d));
  }
  for (const t of want.tensors) {
    const bytes = await readNamed(loc, t, op, optional.has(t));
    tensors[t] = bytes === undefined ? undefined : readSafetensors(bytes, name(t)).tensors;
  }
  return { docs, tensors, name };
}

function decodeText(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FileFormatError(file, "is not UTF-8 text (is it a JSON file?)");
  }
}
