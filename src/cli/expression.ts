/**
 * The small expression language of `grafo graph` and `grafo explain`:
 * numbers, vector literals, variables, + − * / ^ (and · for the dot product,
 * ² for squaring, as the lecture writes them), unary minus, parentheses and a
 * few functions. An expression parses to a tree, which `toFunction` turns into
 * an ordinary function of tensors, so `trace` records it as a real grafo graph.
 */
import { tensor } from "../core/creation.js";
import { ArgumentError } from "../core/errors.js";
import type { Tensor, TensorLike } from "../core/tensor.js";
import { add, div, maximum, mul, pow, sub } from "../ops/binary.js";
import { dot } from "../ops/linalg.js";
import { relu, step } from "../ops/nn.js";
import { max, mean, sum } from "../ops/reduce.js";
import { abs, exp, log, neg, sigmoid, square, tanh } from "../ops/unary.js";

/** A syntax or naming error in an expression, with the (1-based) column it points at. */
export class ExpressionError extends ArgumentError {
  override name = "ExpressionError";
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}\n  ${source}\n  ${" ".repeat(column - 1)}^`);
  }
}

export type Expr =
  | { kind: "number"; value: number; column: number }
  | { kind: "vector"; values: number[]; column: number }
  | { kind: "variable"; name: string; column: number }
  | { kind: "negate"; arg: Expr; column: number }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "^" | "·"; left: Expr; right: Expr; column: number }
  | { kind: "call"; fn: string; args: Expr[]; column: number };

type Fn = (args: Tensor[]) => Tensor;

/** The functions an expression may call, with how many arguments each takes. */
const FUNCTIONS: Record<string, { arity: readonly number[]; fn: Fn }> = {
  dot: { arity: [2], fn: ([a, b]) => dot(a!, b!) },
  sum: { arity: [1], fn: ([a]) => sum(a!) },
  mean: { arity: [1], fn: ([a]) => mean(a!) },
  exp: { arity: [1], fn: ([a]) => exp(a!) },
  log: { arity: [1], fn: ([a]) => log(a!) },
  sigmoid: { arity: [1], fn: ([a]) => sigmoid(a!) },
  tanh: { arity: [1], fn: ([a]) => tanh(a!) },
  relu: { arity: [1], fn: ([a]) => relu(a!) },
  step: { arity: [1], fn: ([a]) => step(a!) },
  abs: { arity: [1], fn: ([a]) => abs(a!) },
  square: { arity: [1], fn: ([a]) => square(a!) },
  // max(x) is the largest element; max(a, b) the elementwise maximum (ReLU is max(x, 0)).
  max: { arity: [1, 2], fn: ([a, b]) => (b ? maximum(a!, b) : max(a!)) },
};

/** Names of the functions, for messages and help. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS);

interface Token {
  type: "number" | "name" | "op" | "end";
  text: string;
  column: number;
}

const OPERATORS = new Map([
  ["+", "+"],
  ["-", "-"],
  ["−", "-"],
  ["*", "*"],
  ["×", "*"],
  ["/", "/"],
  ["^", "^"],
  ["·", "·"],
  ["²", "²"],
  ["(", "("],
  [")", ")"],
  ["[", "["],
  ["]", "]"],
  [",", ","],
]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const chars = [...source];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    const column = i + 1;
    if (/\s/.test(c)) i++;
    else if (/[0-9.]/.test(c)) {
      let text = "";
      while (i < chars.length && /[0-9.]/.test(chars[i]!)) text += chars[i++];
      // An exponent: 1e-3, 2.5E4.
      if (/[eE]/.test(chars[i] ?? "") && /[0-9+-]/.test(chars[i + 1] ?? "")) {
        text += chars[i++]! + chars[i++]!;
        while (i < chars.length && /[0-9]/.test(chars[i]!)) text += chars[i++];
      }
      if (!Number.isFinite(Number(text))) throw new ExpressionError(`bad number "${text}"`, source, column);
      tokens.push({ type: "number", text, column });
    } else if (/[\p{L}_]/u.test(c)) {
      let text = "";
      while (i < chars.length && /[\p{L}\p{N}_]/u.test(chars[i]!)) text += chars[i++];
      tokens.push({ type: "name", text, column });
    } else if (OPERATORS.has(c)) {
      tokens.push({ type: "op", text: OPERATORS.get(c)!, column });
      i++;
    } else throw new ExpressionError(`unexpected character "${c}"`, source, column);
  }
  tokens.push({ type: "end", text: "end of expression", column: chars.length + 1 });
  return tokens;
}

/**
 * Parses an expression. Precedence, loosest first: + −; * / ·; unary minus;
 * ^ (right-associative, so −x^2 is −(x²)); a postfix ².
 */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at]!;
  const fail = (reason: string, token: Token = peek()): never => {
    throw new ExpressionError(reason, source, token.column);
  };
  const describe = (t: Token) => (t.type === "end" ? "the end of the expression" : `"${t.text}"`);
  const expect = (text: string) => {
    const t = peek();
    if (t.type !== "op" || t.text !== text) fail(`expected "${text}" but found ${describe(t)}`);
    at++;
  };
  const isOp = (...ops: string[]) => peek().type === "op" && ops.includes(peek().text);

  const additive = (): Expr => {
    let left = multiplicative();
    while (isOp("+", "-")) {
      const t = tokens[at++]!;
      left = { kind: "binary", op: t.text as "+" | "-", left, right: multiplicative(), column: t.column };
    }
    return left;
  };
  const multiplicative = (): Expr => {
    let left = unary();
    while (isOp("*", "/", "·")) {
      const t = tokens[at++]!;
      left = { kind: "binary", op: t.text as "*" | "/" | "·", left, right: unary(), column: t.column };
    }
    return left;
  };
  const unary = (): Expr => {
    if (isOp("-")) {
      const t = tokens[at++]!;
      return { kind: "negate", arg: unary(), column: t.column };
    }
    if (isOp("+")) at++;
    return power();
  };
  const power = (): Expr => {
    let base = postfix();
    if (isOp("^")) {
      const t = tokens[at++]!;
      base = { kind: "binary", op: "^", left: base, right: unary(), column: t.column };
    }
    return base;
  };
  const postfix = (): Expr => {
    let e = primary();
    while (isOp("²")) {
      const t = tokens[at++]!;
      e = {
        kind: "binary",
        op: "^",
        left: e,
        right: { kind: "number", value: 2, column: t.column },
        column: t.column,
      };
    }
    return e;
  };
  const signedNumber = (): number => {
    let sign = 1;
    while (isOp("-", "+")) if (tokens[at++]!.text === "-") sign = -sign;
    const t = peek();
    if (t.type !== "number") fail(`a vector literal holds numbers; found ${describe(t)}`);
    at++;
    return sign * Number(t.text);
  };
  const primary = (): Expr => {
    const t = peek();
    if (t.type === "number") {
      at++;
      return { kind: "number", value: Number(t.text), column: t.column };
    }
    if (t.type === "name") {
      at++;
      if (!isOp("(")) return { kind: "variable", name: t.text, column: t.column };
      const f = FUNCTIONS[t.text];
      if (!f) fail(`unknown function "${t.text}"; the functions are ${FUNCTION_NAMES.join(", ")}`, t);
      at++;
      const args: Expr[] = [];
      if (!isOp(")")) {
        args.push(additive());
        while (isOp(",")) {
          at++;
          args.push(additive());
        }
      }
      expect(")");
      if (!f!.arity.includes(args.length))
        fail(`${t.text} takes ${f!.arity.join(" or ")} argument(s), got ${args.length}`, t);
      return { kind: "call", fn: t.text, args, column: t.column };
    }
    if (isOp("(")) {
      at++;
      const e = additive();
      expect(")");
      return e;
    }
    if (isOp("[")) {
      at++;
      const values = [signedNumber()];
      while (isOp(",")) {
        at++;
        values.push(signedNumber());
      }
      expect("]");
      return { kind: "vector", values, column: t.column };
    }
    return fail(`expected a number, a variable, a function or "(" but found ${describe(t)}`);
  };

  if (peek().type === "end") fail("the expression is empty");
  const e = additive();
  if (peek().type !== "end") fail(`unexpected ${describe(peek())}`);
  return e;
}

/** The variables of an expression, in order of first appearance, with the column of that appearance. */
export function variablesOf(e: Expr, found = new Map<string, number>()): Map<string, number> {
  switch (e.kind) {
    case "variable":
      if (!found.has(e.name)) found.set(e.name, e.column);
      break;
    case "negate":
      variablesOf(e.arg, found);
      break;
    case "binary":
      variablesOf(e.left, found);
      variablesOf(e.right, found);
      break;
    case "call":
      for (const a of e.args) variablesOf(a, found);
      break;
  }
  return found;
}

/**
 * The expression as a function of its input variables (in the order of
 * `inputs`); every other variable takes its value from `constants`, which
 * grafo records as constant nodes when the function is traced.
 */
export function toFunction(
  e: Expr,
  inputs: readonly string[],
  constants: Readonly<Record<string, Tensor>>,
): (...args: Tensor[]) => Tensor {
  return (...args) => {
    const env = new Map<string, Tensor>(Object.entries(constants));
    inputs.forEach((name, k) => {
      env.set(name, args[k]!);
    });
    return asTensor(evaluate(e, env));
  };
}

/** Numbers stay plain numbers until they meet a tensor, as `w.sub(2)` keeps its 2. */
type Value = Tensor | number;

const asTensor = (v: Value): Tensor => (typeof v === "number" ? tensor(v) : v);

function evaluate(e: Expr, env: ReadonlyMap<string, Tensor>): Value {
  switch (e.kind) {
    case "number":
      return e.value;
    case "vector":
      return tensor(e.values);
    case "variable": {
      const v = env.get(e.name);
      if (!v) throw new ArgumentError(`the variable ${e.name} has no value`);
      return v;
    }
    case "negate": {
      const v = evaluate(e.arg, env);
      return typeof v === "number" ? -v : neg(v);
    }
    case "binary": {
      const [a, b] = [evaluate(e.left, env), evaluate(e.right, env)];
      if (e.op === "^" && b === 2 && typeof a !== "number") return square(a);
      if (typeof a === "number" && typeof b === "number") return numeric(e.op, a, b);
      return BINARY[e.op](a as TensorLike, b as TensorLike);
    }
    case "call":
      return FUNCTIONS[e.fn]!.fn(e.args.map((a) => asTensor(evaluate(a, env))));
  }
}

const BINARY: Record<"+" | "-" | "*" | "/" | "^" | "·", (a: TensorLike, b: TensorLike) => Tensor> = {
  "+": add,
  "-": sub,
  "*": mul,
  "/": div,
  "^": pow,
  "·": dot,
};

function numeric(op: "+" | "-" | "*" | "/" | "^" | "·", a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
    case "·":
      return a * b;
    case "/":
      return a / b;
    case "^":
      return a ** b;
  }
}
