/**
 * Runs every example of the lecture in slide order and prints its numbers.
 * This is `npm start`.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Example = { run: (log: (s: string) => void) => unknown };

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => /^l\d\d-.*\.ts$/.test(f))
  .sort();

for (const file of files) {
  const slide = file.slice(1, 3);
  console.log(`\n━━━ Slide L${Number(slide)}: ${file.slice(4, -3).replace(/-/g, " ")} ━━━`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as Example;
  await mod.run(console.log);
}
