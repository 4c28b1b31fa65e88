/** `grafo explain "<expression>"`: the forward and backward passes, step by step, as tables (slide L17). */
import { Command } from "commander";
import { backprop } from "../graph/explain.js";
import { formatValue } from "../graph/format.js";
import { formatAttrs } from "../graph/ir.js";
import { type BoundExpression, bindExpression, parseAt } from "./bind.js";
import { CliError } from "./errors.js";
import { gradientLines } from "./graph.js";
import { collect, names } from "./options.js";
import { style, table } from "./style.js";

/** The lecture's backprop example (slide L17): Loss(w) = (w·φ(x) − y)² at w = [3, 1], φ(x) = [1, 2], y = 2. */
export const L17 = { expression: "(w·phi - y)^2", at: ["w=3,1", "phi=1,2", "y=2"], wrt: ["w"] } as const;

/** Both passes of backpropagation on a bound expression, as text. */
export function explainText(b: BoundExpression): string {
  const bp = backprop(b.graph, ...b.args);
  const g = b.graph;
  const inputName = new Map(g.inputs.map((v, k) => [v.id, b.inputs[k]!]));
  const computes = (id: number): string => {
    const n = g.node(id);
    if (!n) return `input ${inputName.get(id)}`;
    if (n.kind === "const") return "constant";
    const attrs = n.kind === "prim" ? formatAttrs(n.attrs) : "";
    return `${n.op}${attrs ? `[${attrs}]` : ""}(${n.inputs.map((i) => `%${i}`).join(", ")})`;
  };
  const forward = [["node", "computes", "value"]];
  const backward = [["node", "op", "∂out/∂node", "from"]];
  for (const s of bp.steps) {
    if (s.phase === "forward") forward.push([`%${s.node}`, computes(s.node), formatValue(s.value, 8)]);
    else {
      const via = s.text.slice(s.text.lastIndexOf("(") + 1, -1).replace(/^from /, "");
      const op = inputName.has(s.node) ? `input ${inputName.get(s.node)}` : s.op;
      backward.push([`%${s.node}`, op, formatValue(s.grad!, 8), via]);
    }
  }
  return [
    `${style.bold("expression")}  ${b.source}`,
    `${style.bold("at")}          ${b.inputs.map((n, k) => `${n} = ${formatValue(b.args[k]!, 8)}`).join(", ")}`,
    "",
    style.bold("forward pass: every value, leaves to root"),
    table(forward),
    "",
    style.bold("backward pass: ∂out/∂node from the root (∂out/∂out = 1) back to the inputs"),
    table(backward),
    "",
    ...gradientLines(b).map((l) => style.green(l)),
  ].join("\n");
}

export function explainCommand(): Command {
  return new Command("explain")
    .description(
      "print the forward and backward passes of an expression step by step (default: the lecture's L17 example)",
    )
    .argument("[expression]", "an expression as for `grafo graph`; none: (w·φ(x) − y)² of slide L17")
    .option("--at <name=value>", "a variable's value (w=3,1); repeat for each", collect, [])
    .option("--wrt <names>", "variables to differentiate (default: all); the others are constants", names)
    .addHelpText(
      "after",
      `
Examples:
  $ grafo explain                      # slide L17: (w·φ(x) − y)² at w=[3,1], φ(x)=[1,2], y=2 → ∇w = [6, 12]
  $ grafo explain "sigmoid(w*x + b)" --at w=2 --at x=1 --at b=-1`,
    )
    .action((expression: string | undefined, options: { at: string[]; wrt?: string[] }) => {
      if (expression === undefined && (options.at.length > 0 || options.wrt))
        throw new CliError('--at and --wrt need an expression: grafo explain "<expression>" --at …');
      const b =
        expression === undefined
          ? bindExpression(L17.expression, parseAt(L17.at), L17.wrt)
          : bindExpression(expression, parseAt(options.at), options.wrt);
      console.log(explainText(b));
    });
}
