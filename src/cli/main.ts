#!/usr/bin/env node
/**
 * The `grafo` command: train, evaluate and use models on CSV files, draw and
 * explain expressions, run the lecture, the demo, the playground and the
 * benchmark. Exit codes: 0 ok, 1 the user's error, 2 an internal error.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { GrafoError } from "../core/errors.js";
import { benchCommand } from "./bench.js";
import { demoCommand } from "./demo.js";
import { describeError, EXIT } from "./errors.js";
import { evalCommand } from "./eval.js";
import { explainCommand } from "./explain.js";
import { exportCommand } from "./export.js";
import { graphCommand } from "./graph.js";
import { infoCommand } from "./info.js";
import { lectureCommand } from "./lecture.js";
import { playgroundCommand } from "./playground.js";
import { predictCommand } from "./predict.js";
import { style } from "./style.js";
import { trainCommand } from "./train.js";

export function program(): Command {
  const root = new Command("grafo")
    .description(
      "computational graphs, autodiff and neural networks: train models on CSV files, draw and explain graphs",
    )
    .option("--verbose", "print the stack trace of an error")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  $ grafo train iris.csv --target species     # train, print metrics, save to model/
  $ grafo eval model/ test.csv --json
  $ grafo explain                              # backprop of slide L17, step by step
  $ grafo demo digits`,
    );
  for (const c of [
    trainCommand(),
    evalCommand(),
    predictCommand(),
    infoCommand(),
    exportCommand(),
    demoCommand(),
    lectureCommand(),
    graphCommand(),
    explainCommand(),
    playgroundCommand(),
    benchCommand(),
  ])
    root.addCommand(c);
  // Every command reports its errors through main's one handler, with its exit code.
  const exitOverride = (c: Command) => {
    c.exitOverride();
    for (const sub of c.commands) exitOverride(sub);
  };
  exitOverride(root);
  return root;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // Output piped into `head` and the like: a closed pipe ends the command quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.ok);
    throw e;
  });
  const verbose = argv.includes("--verbose");
  try {
    await program().parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError)
      // Commander has printed its message (or the help, or the version) already.
      return e.exitCode === 0 ? EXIT.ok : EXIT.user;
    const user = e instanceof GrafoError;
    const message = describeError(e);
    process.stderr.write(`${style.red(user ? "error:" : "internal error:")} ${message}\n`);
    if (verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    else if (!user)
      process.stderr.write("(this is a bug in grafo; run with --verbose for the stack trace)\n");
    return user ? EXIT.user : EXIT.internal;
  }
}

const invoked = process.argv[1] && realpathSync(process.argv[1]);
if (
  invoked &&
  [fileURLToPath(import.meta.url), fileURLToPath(import.meta.url).replace(/\.js$/, ".ts")].includes(invoked)
)
  process.exitCode = await main();
