/** `grafo bench`: the benchmark against TensorFlow.js, jax-js and onnxruntime (`npm run bench`'s entry). */
import { Command } from "commander";
import { passExitCode, runCheckoutScript } from "./checkout.js";

export function benchCommand(): Command {
  return new Command("bench")
    .description("run the benchmark against peers (bench/run.ts; install the peers first with npm run bench)")
    .argument("[flags...]", "passed to bench/run.ts: --quick, --only=a,b, --no-write")
    .allowUnknownOption()
    .addHelpText(
      "after",
      "\nExamples:\n  $ grafo bench -- --quick\n  $ grafo bench -- --only=matmul --no-write",
    )
    .action(async (flags: string[]) =>
      passExitCode(await runCheckoutScript("bench/run.ts", flags, "grafo bench")),
    );
}
