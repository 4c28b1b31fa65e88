/**
 * Reading a CSV file for the CLI: through data.parseCsv, with every problem
 * reported as one line `file:line: what is wrong`, and feature columns
 * required to be numeric.
 */
import { readFileSync } from "node:fs";
import { GrafoError } from "../core/errors.js";
import { type CsvData, parseCsv } from "../data/csv.js";
import { CliError } from "./errors.js";

export interface CsvFile {
  /** The name errors use (the path, or `<stdin>`). */
  readonly name: string;
  readonly text: string;
}

/** Reads a file, or standard input for `-`. */
export function readCsvFile(path: string): CsvFile {
  if (path === "-") {
    try {
      return { name: "<stdin>", text: readFileSync(0, "utf8") };
    } catch (e) {
      throw new CliError(`<stdin>: cannot read: ${(e as Error).message}`);
    }
  }
  try {
    return { name: path, text: readFileSync(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT"
        ? `${path}: no such file`
        : code === "EISDIR"
          ? `${path}: is a folder, not a CSV file`
          : `${path}: cannot read: ${(e as Error).message}`,
    );
  }
}

/** The first data row (1-based line, value) whose field `column` is not a number, found by a plain split. */
function firstText(file: CsvFile, column: number): { line: number; value: string } | undefined {
  const lines = file.text.split(/\r\n|\n|\r/);
  for (let i = 1; i < lines.length; i++) {
    const value = lines[i]!.split(",")[column]?.trim();
    if (value !== undefined && value !== "" && !Number.isFinite(Number(value))) return { line: i + 1, value };
  }
  return undefined;
}

/**
 * Parses the file: the header row, `target` (if given) as y. Every column
 * other than the target must be numeric. Errors name the file and line.
 */
export function parseCsvFile(file: CsvFile, target?: string): CsvData {
  if (file.text.trim() === "") throw new CliError(`${file.name}:1: the file is empty`);
  let data: CsvData;
  try {
    data = parseCsv(file.text, target === undefined ? {} : { target });
  } catch (e) {
    if (!(e instanceof GrafoError)) throw e;
    // parseCsv's advice to pass `categorical` is for the API; the command takes numeric features only.
    const message = e.message
      .split("\n")[0]!
      .replace(/^parseCsv: /, "")
      .replace(/; fix that cell, or pass categorical: .*$/, "; feature columns must be numeric");
    if (/column .* not found/.test(message)) throw new CliError(`${file.name}:1: ${message}`);
    const line = /\blines? (\d+)/.exec(message)?.[1];
    throw new CliError(`${file.name}:${line ?? 1}: ${message}`);
  }
  for (const [column, values] of Object.entries(data.categories)) {
    if (column === target) continue;
    const at = firstText(file, data.columns.indexOf(column)) ?? {
      line: 2,
      value: values.find((v) => !Number.isFinite(Number(v)))!,
    };
    throw new CliError(
      `${file.name}:${at.line}: the value "${at.value}" in column "${column}" is not a number (feature columns must be numeric)`,
    );
  }
  return data;
}

/** The x columns of `data` reordered to `features` (the training file's), extra columns ignored. */
export function featureIndices(data: CsvData, features: readonly string[], file: string): number[] {
  return features.map((f) => {
    const i = data.features.indexOf(f);
    if (i < 0) throw new CliError(`${file}:1: the model needs the column "${f}", which this file lacks`);
    return i;
  });
}
