import { GrafoError } from "../core/errors.js";

/**
 * A file (or buffer, URL, IndexedDB entry) whose content is not what it
 * claims to be: truncated, inconsistent, of the wrong kind or from a newer
 * format. Names the file and what is wrong with it.
 */
export class FileFormatError extends GrafoError {
  override name = "FileFormatError";
  constructor(
    /** The file, URL or buffer the content came from. */
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Reading or writing failed for a reason outside the content: no such file, no permission, no network, no IndexedDB. */
export class StorageError extends GrafoError {
  override name = "StorageError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
