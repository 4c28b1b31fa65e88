/** `grafo graph "<expression>"`: the expression as a grafo graph, printed or drawn with values and gradients. */
import { extname } from "node:path";
import { Command } from "commander";
import { backprop } from "../graph/explain.js";
import { formatValue } from "../graph/format.js";
import { type BoundExpression, bindExpression, parseAt } from "./bind.js";
import { CliError } from "./errors.js";
import { writeFile, writePicture } from "./files.js";
import { collect, names } from "./options.js";
import { style } from "./style.js";

interface GraphOptions {
  at: string[];
  wrt?: string[];
  grad?: boolean;
  out?: string;
}

/** The gradient of a scalar expression with respect to each input, as `∇w = [6, 12]` lines. */
export function gradientLines(b: BoundExpression): string[] {
  if (b.value.rank !== 0)
    throw new CliError(
      `gradients need a scalar expression; ${b.source} is ${b.value.shape.join("×")}: wrap it in sum(…)`,
    );
  const bp = backprop(b.graph, ...b.args);
  return b.inputs.map((name, k) => `∇${name} = ${formatValue(bp.grads.get(b.graph.inputs[k]!.id)!, 16)}`);
}

async function draw(b: BoundExpression, out: string, grad: boolean): Promise<void> {
  if (grad && b.value.rank !== 0) gradientLines(b);
  const options = { args: b.args, values: true, grads: grad, edgeGrads: grad };
  const ext = extname(out).toLowerCase();
  if (ext === ".dot" || ext === ".gv") writeFile(out, `${b.graph.toDot(options)}\n`);
  else if (ext === ".mmd") writeFile(out, `${b.graph.toMermaid(options)}\n`);
  else if (ext === ".svg" || ext === ".png") await writePicture(out, await b.graph.toSvg(options));
  else throw new CliError(`--out ${out}: write the graph as .svg, .png, .dot or .mmd`);
}

export function graphCommand(): Command {
  return new Command("graph")
    .description("parse an expression into a grafo graph; print it, or draw it with values (and gradients)")
    .argument("<expression>", 'e.g. "(dot(w, phi) - y)^2"')
    .option(
      "--at <name=value>",
      "a variable's value: w=3,1 (vector), y=2, A=1,2;3,4 (matrix); repeat for each",
      collect,
      [],
    )
    .option("--wrt <names>", "variables to differentiate (default: all); the others are constants", names)
    .option("--grad", "also compute gradients: on each node, and local gradients on the edges")
    .option("--out <file>", "draw to graph.svg, .png, .dot (Graphviz) or .mmd (Mermaid) instead of printing")
    .addHelpText(
      "after",
      `
Expressions: numbers, vectors [1, 2], variables, + - * / ^ (· dot, ² square), unary minus,
parentheses, and dot sum mean exp log sigmoid tanh relu step abs square max.

Examples:
  $ grafo graph "(dot(w, phi) - y)^2" --at w=3,1 --at phi=1,2 --at y=2
  $ grafo graph "(w·phi - y)²" --at "w=3,1 phi=1,2 y=2" --wrt w --grad --out l17.svg
  $ grafo graph "sigmoid(a*b + c)" --at a=1 --at b=2 --at c=-1 --grad --out neuron.mmd`,
    )
    .action(async (expression: string, options: GraphOptions) => {
      const b = bindExpression(expression, parseAt(options.at), options.wrt);
      if (options.out) {
        await draw(b, options.out, options.grad ?? false);
        console.log(`wrote ${options.out}`);
        return;
      }
      console.log(b.graph.toString());
      console.log(`${style.bold("value")} = ${formatValue(b.value, 16)}`);
      if (options.grad) for (const line of gradientLines(b)) console.log(line);
    });
}
