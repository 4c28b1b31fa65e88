import type * as NodeFs from "node:fs/promises";
import { tensor } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import { importNodeOnly } from "../core/node-only.js";
import type { Tensor } from "../core/tensor.js";

export interface CsvOptions {
  /** The first row names the columns (default true). */
  header?: boolean;
  /** Field separator (default ","). */
  delimiter?: string;
  /** The column (name or index) to return as `y`; the others become `x`. */
  target?: string | number;
  /**
   * Columns to treat as categorical even if they look numeric. Columns with
   * no numbers always are; a column of numbers with a few other cells is an
   * error (most likely typos) unless it is listed here.
   */
  categorical?: readonly (string | number)[];
  /** What counts as a missing value (default: empty, NA, NaN, N/A, null, ?). */
  missingValues?: readonly string[];
  /** On a missing value: "error" (default, listing every line) or "drop" the row. */
  onMissing?: "error" | "drop";
}

/** A parsed table: features, optional target, and how categories were encoded. */
export interface CsvData {
  /** The column names (from the header, or col0, col1, …). */
  columns: string[];
  /** Names of the columns of `x` (a categorical column c becomes c=value, one per category). */
  features: string[];
  /** Features, float32 `[rows, features]`; categorical columns one-hot. */
  x: Tensor;
  /** The target: float32 `[rows, 1]` if numeric, int32 class ids `[rows]` if categorical. */
  y?: Tensor;
  /** The categories of each categorical column, in code order. */
  categories: Record<string, string[]>;
  /** Lines (1-based, as in the file) dropped for missing values with `onMissing: "drop"`. */
  droppedLines: number[];
}

/** Splits CSV text into rows of fields with their line numbers; quotes ("a,b", "" for ") are honoured. */
function tokenize(text: string, delimiter: string): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === "")) rows.push({ fields, line: rowLine });
    fields = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (c === delimiter) {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw new ArgumentError(`parseCsv: unterminated quoted field starting on line ${rowLine}`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

const isNumber = (field: string): boolean => Number.isFinite(Number(field.trim()));

/**
 * A column whose cells are mostly numbers but not all is most likely a typo
 * ("4O" for 40), not a category: one-hot encoding it silently would turn
 * every distinct number into a feature. Names the lines and cells.
 */
function checkNotTypos(
  op: string,
  name: string,
  rows: readonly { fields: string[]; line: number }[],
  i: number,
): void {
  const bad = rows.filter((r) => !isNumber(r.fields[i]!));
  if (bad.length === 0 || bad.length * 2 >= rows.length) return;
  const cells = bad.slice(0, 5).map((r) => `line ${r.line} ${JSON.stringify(r.fields[i]!.trim())}`);
  throw new ArgumentError(
    `${op}: column ${JSON.stringify(name)} holds numbers except at ${cells.join(", ")}${bad.length > 5 ? ` and ${bad.length - 5} more` : ""}; fix ${bad.length === 1 ? "that cell" : "those cells"}, or pass categorical: [${JSON.stringify(name)}] to treat the column as categories`,
  );
}

/**
 * Parses CSV text into tensors: numeric columns as numbers, categorical
 * columns one-hot, an optional target column as `y`. Missing values are
 * reported with their line numbers (or the rows dropped, if asked).
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvData {
  const op = "parseCsv";
  const delimiter = options.delimiter ?? ",";
  const missing = new Set(
    (options.missingValues ?? ["", "NA", "NaN", "N/A", "null", "?"]).map((s) => s.toLowerCase()),
  );
  const rows = tokenize(text, delimiter);
  const hasHeader = options.header ?? true;
  if (rows.length === 0 || (hasHeader && rows.length === 1)) throw new ArgumentError(`${op}: no data rows`);
  const width = rows[0]!.fields.length;
  const columns = hasHeader
    ? rows[0]!.fields.map((f) => f.trim())
    : Array.from({ length: width }, (_, i) => `col${i}`);
  const body = hasHeader ? rows.slice(1) : rows;
  for (const r of body)
    if (r.fields.length !== width)
      throw new ArgumentError(
        `${op}: line ${r.line} has ${r.fields.length} fields, the ${hasHeader ? "header" : "first row"} has ${width}`,
      );

  const colIndex = (c: string | number, what: string): number => {
    const i = typeof c === "number" ? c : columns.indexOf(c);
    if (!Number.isInteger(i) || i < 0 || i >= width)
      throw new ArgumentError(
        `${op}: ${what} column ${JSON.stringify(c)} not found; columns are ${columns.join(", ")}`,
      );
    return i;
  };
  const target = options.target === undefined ? -1 : colIndex(options.target, "target");

  // Missing values: report them all (with lines) or drop their rows.
  const holes: string[] = [];
  const dropped: number[] = [];
  const kept = body.filter((r) => {
    const bad = r.fields.flatMap((f, i) => (missing.has(f.trim().toLowerCase()) ? [columns[i]!] : []));
    if (bad.length === 0) return true;
    if (options.onMissing === "drop") dropped.push(r.line);
    else holes.push(`line ${r.line} (${bad.map((c) => `"${c}"`).join(", ")})`);
    return false;
  });
  if (holes.length > 0)
    throw new ArgumentError(
      `${op}: missing values at ${holes.slice(0, 10).join("; ")}${holes.length > 10 ? `; and ${holes.length - 10} more lines` : ""}. Pass onMissing: "drop" to skip those rows`,
    );
  if (kept.length === 0) throw new ArgumentError(`${op}: every row has a missing value`);

  const forced = new Set((options.categorical ?? []).map((c) => colIndex(c, "categorical")));
  columns.forEach((name, i) => {
    if (!forced.has(i)) checkNotTypos(op, name, kept, i);
  });
  const isCategorical = columns.map((_, i) => forced.has(i) || kept.some((r) => !isNumber(r.fields[i]!)));
  const categories: Record<string, string[]> = {};
  const codes = columns.map((name, i) => {
    if (!isCategorical[i]) return undefined;
    const values = [...new Set(kept.map((r) => r.fields[i]!.trim()))].sort();
    categories[name] = values;
    return new Map(values.map((v, k) => [v, k]));
  });

  const features: string[] = [];
  columns.forEach((name, i) => {
    if (i === target) return;
    if (codes[i]) for (const v of categories[name]!) features.push(`${name}=${v}`);
    else features.push(name);
  });
  const x = new Float32Array(kept.length * features.length);
  kept.forEach((r, row) => {
    let at = row * features.length;
    r.fields.forEach((f, i) => {
      if (i === target) return;
      const code = codes[i];
      if (code) {
        x[at + code.get(f.trim())!] = 1;
        at += code.size;
      } else x[at++] = Number(f.trim());
    });
  });
  const result: CsvData = {
    columns,
    features,
    x: tensor(x, [kept.length, features.length]),
    categories,
    droppedLines: dropped,
  };
  if (target >= 0) {
    const code = codes[target];
    result.y = code
      ? tensor(
          Int32Array.from(kept, (r) => code.get(r.fields[target]!.trim())!),
          [kept.length],
        )
      : tensor(
          Float32Array.from(kept, (r) => Number(r.fields[target]!.trim())),
          [kept.length, 1],
        );
  }
  return result;
}

/** Reads a CSV file (Node only; node:fs is imported on demand so browser bundles never see it). */
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<CsvData> {
  const { readFile } = await importNodeOnly<typeof NodeFs>("node:fs/promises", "loadCsv");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new ArgumentError(`loadCsv: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return parseCsv(text, options);
  } catch (e) {
    // The same message, with the file it is about: "line 5" is then a place the user can open.
    if (!(e instanceof ArgumentError)) throw e;
    throw new ArgumentError(`loadCsv: ${path}: ${e.message.split("\n")[0]!.replace(/^parseCsv: /, "")}`);
  }
}
