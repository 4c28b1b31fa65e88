/** Writing the command's outputs: text, and pictures as SVG or (rendered from it) PNG. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname } from "node:path";
import { svgToPng } from "../viz/png.js";
import { CliError } from "./errors.js";

/** Writes a file, creating its folder. */
export function writeFile(path: string, content: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** Writes a picture: SVG as it is, PNG rendered from it, by the file's extension. */
export async function writePicture(path: string, svg: string): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext === ".svg") writeFile(path, svg);
  else if (ext === ".png") writeFile(path, await svgToPng(svg));
  else throw new CliError(`${path}: a picture is written as .svg or .png`);
}
