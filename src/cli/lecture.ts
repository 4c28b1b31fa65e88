/** `grafo lecture`: runs the lecture's examples slide by slide (what `npm start` runs), or writes its pictures. */
import { join } from "node:path";
import { Command } from "commander";
import { passExitCode, runCheckoutScript } from "./checkout.js";
import { writePicture } from "./files.js";
import { lossSurfacePictures } from "./lecture-plots.js";

export function lectureCommand(): Command {
  return new Command("lecture")
    .description("run every example of the lecture, slide by slide (L1–L17), and print its numbers")
    .option("--plots <folder>", "instead, write the lecture's pictures there (slide L9's loss surfaces)")
    .option("--png", "with --plots: PNG instead of SVG")
    .addHelpText("after", "\nExamples:\n  $ grafo lecture | less\n  $ grafo lecture --plots pictures/ --png")
    .action(async (o: { plots?: string; png?: boolean }) => {
      if (!o.plots) {
        passExitCode(await runCheckoutScript("examples/lecture/all.ts", [], "grafo lecture"));
        return;
      }
      for (const [name, svg] of Object.entries(lossSurfacePictures())) {
        const file = join(o.plots, o.png ? name.replace(/\.svg$/, ".png") : name);
        await writePicture(file, svg);
        console.log(`wrote ${file}`);
      }
    });
}
