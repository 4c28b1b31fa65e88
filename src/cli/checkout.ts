/**
 * Commands that run files of grafo's source checkout (the lecture examples,
 * the benchmark) rather than the built library: they need tsx and the
 * examples/ and bench/ folders, which the npm package does not ship.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./errors.js";

/** The package's root folder (src/cli/ and dist/cli/ both sit two levels below it). */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Runs a TypeScript file of the checkout with tsx, passing output through; resolves to its exit code. */
export function runCheckoutScript(file: string, args: readonly string[], what: string): Promise<number> {
  const path = join(packageRoot, file);
  if (!existsSync(path) || !existsSync(join(packageRoot, "node_modules", "tsx")))
    throw new CliError(
      `${what} runs ${file} from grafo's source checkout with tsx; this installation has no such file (clone the repository and run npm install there)`,
    );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path, ...args], {
      cwd: packageRoot,
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Exits with a child's failure code, as the command's own. */
export function passExitCode(code: number): void {
  if (code !== 0) process.exitCode = code;
}
