/** `grafo lecture`: runs the lecture's examples slide by slide (what `npm start` runs). */
import { Command } from "commander";
import { passExitCode, runCheckoutScript } from "./checkout.js";

export function lectureCommand(): Command {
  return new Command("lecture")
    .description("run every example of the lecture, slide by slide (L1–L17), and print its numbers")
    .addHelpText("after", "\nExample:\n  $ grafo lecture | less")
    .action(async () =>
      passExitCode(await runCheckoutScript("examples/lecture/all.ts", [], "grafo lecture")),
    );
}
