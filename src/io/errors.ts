import { GrafoError } from "../core/errors.js";

/** What io's errors share: the file (or URL, IndexedDB entry, buffer) and what is wrong with it. */
abstract class FileError extends GrafoError {
  constructor(
    /** The file, URL, IndexedDB entry or buffer. */
    readonly file: string,
    /** What is wrong, without the file's name. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/**
 * Content that is not what it claims to be: truncated, inconsistent, of the
 * wrong kind or from a newer format.
 */
export class FileFormatError extends FileError {
  override name = "FileFormatError";
}

/** Reading or writing failed for a reason outside the content: no such file, no permission, no network, no IndexedDB. */
export class StorageError extends FileError {
  override name = "StorageError";
}
