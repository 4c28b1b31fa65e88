/**
 * An expression with values for its variables (`--at w=3,1`), made into a
 * traced grafo graph: the variables named by `--wrt` (default: all) are the
 * graph's inputs, the others become constants.
 */
import { tensor } from "../core/creation.js";
import type { Tensor } from "../core/tensor.js";
import type { Graph } from "../graph/graph.js";
import { trace } from "../graph/trace.js";
import { CliError } from "./errors.js";
import { ExpressionError, parseExpression, toFunction, variablesOf } from "./expression.js";

export interface BoundExpression {
  readonly source: string;
  readonly graph: Graph;
  /** The input variables, in the order of the graph's inputs. */
  readonly inputs: readonly string[];
  /** Their values, the graph's example arguments. */
  readonly args: readonly Tensor[];
  /** The expression's value there. */
  readonly value: Tensor;
}

/**
 * A value as written after `name=`: `2` (a scalar), `3,1` or `[3, 1]` (a
 * vector), `1,2;3,4` (a matrix, rows separated by semicolons).
 */
export function parseValue(text: string, what: string): Tensor {
  const body = text.trim().replace(/^\[(.*)\]$/s, "$1");
  const rows = body.split(";").map((row) =>
    row.split(",").map((cell) => {
      const v = Number(cell.trim());
      if (cell.trim() === "" || !Number.isFinite(v))
        throw new CliError(`${what}: "${cell.trim()}" is not a number (write e.g. w=3,1 or A=1,2;3,4)`);
      return v;
    }),
  );
  if (rows.length > 1) {
    if (rows.some((r) => r.length !== rows[0]!.length))
      throw new CliError(`${what}: the rows of a matrix must be equally long`);
    return tensor(rows);
  }
  const row = rows[0]!;
  return row.length === 1 && !text.includes(",") && !text.trim().startsWith("[")
    ? tensor(row[0]!)
    : tensor(row);
}

/** Parses `--at` options (`name=value`, each may hold several separated by spaces). */
export function parseAt(at: readonly string[]): Map<string, Tensor> {
  const values = new Map<string, Tensor>();
  for (const item of at.flatMap((a) => a.trim().split(/\s+(?=[\p{L}_][\p{L}\p{N}_]*=)/u))) {
    const eq = item.indexOf("=");
    const name = item.slice(0, eq).trim();
    if (eq < 1 || !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name))
      throw new CliError(`--at ${item}: expected name=value, e.g. --at w=3,1`);
    if (values.has(name)) throw new CliError(`--at ${name} is given twice`);
    values.set(name, parseValue(item.slice(eq + 1), `--at ${name}`));
  }
  return values;
}

/** Parses, checks the variables against `at` and `wrt`, and traces the expression. */
export function bindExpression(
  source: string,
  at: ReadonlyMap<string, Tensor>,
  wrt?: readonly string[],
): BoundExpression {
  const expr = parseExpression(source);
  const vars = variablesOf(expr);
  for (const [name, column] of vars)
    if (!at.has(name))
      throw new ExpressionError(`the variable ${name} has no value: pass --at ${name}=…`, source, column);
  for (const name of at.keys())
    if (!vars.has(name)) throw new CliError(`--at ${name}: the expression has no variable ${name}`);
  for (const name of wrt ?? [])
    if (!vars.has(name)) throw new CliError(`--wrt ${name}: the expression has no variable ${name}`);
  const inputs = [...vars.keys()].filter((v) => !wrt || wrt.includes(v));
  const constants = Object.fromEntries([...at].filter(([name]) => !inputs.includes(name)));
  const f = toFunction(expr, inputs, constants);
  const args = inputs.map((name) => at.get(name)!);
  let value: Tensor;
  try {
    value = f(...args);
  } catch (e) {
    throw new CliError(`${source}: ${firstLine(e)}`);
  }
  return { source, graph: trace(f, ...args) as unknown as Graph, inputs, args, value };
}

/** The first line of an error's message (grafo's errors append the call site on later lines). */
export const firstLine = (e: unknown): string => String(e instanceof Error ? e.message : e).split("\n")[0]!;
