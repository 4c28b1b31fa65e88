import { importNodeOnly } from "../../core/node-only.js";
import { OnnxError } from "./errors.js";

type Fs = typeof import("node:fs/promises");
type PathModule = typeof import("node:path");

/**
 * Writes `bytes` to `path` so that a reader sees the old file or the new one,
 * never half of one: a temporary file in the same folder (same file system),
 * then a rename over the target. On failure the temporary file is removed and
 * the old file is untouched.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, op: string): Promise<void> {
  const fs = await importNodeOnly<Fs>("node:fs/promises", `${op} to a file`);
  const { dirname, basename, join } = await importNodeOnly<PathModule>("node:path", `${op} to a file`);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(temp, bytes);
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new OnnxError(`${op}: cannot write ${path}: ${(e as Error).message}`);
  }
}
